"""The fields of an agreement's rows, as the history names and shows a change to them (`tracker.fields`)."""

from tracker.display import format_kronor
from tracker.fields import Field, Fields

AGREEMENT = Fields(Field("name", "Namn"))
YEAR = Fields(Field("year", "År"), Field("title", "Titel"), Field("parties", "Parter"),
              Field("registry_number", "Diarienummer"), Field("total_funds", "Medel totalt", show=format_kronor),
              Field("region_share", "Region Hallands del", show=format_kronor), Field("description", "Beskrivning"))
FUNDS = Fields(Field("label", "Benämning"), Field("amount", "Belopp", show=format_kronor),
               Field("description", "Beskrivning"))
CONDITION = Fields(
    Field("kind", "Slag"), Field("text", "Villkor"), Field("deadline", "Sista dag"), Field("recipient", "Mottagare"),
    Field("amount", "Belopp", show=format_kronor), Field("fulfilled_on", "Uppfyllt"),
    Field("fulfilment_note", "Anteckning om uppfyllandet"),
    Field("evidence_bundle_id", "Underlag: skickat paket", show=lambda value: f"paket {value}"),
    Field("evidence_version_id", "Underlag: fastställd version", show=lambda value: f"planversion {value}"),
    Field("evidence_indicator_id", "Underlag: indikator", show=lambda value: f"indikator {value}"),
)
