"""What the history records of a plan's indicators, their outcomes and its contacts."""

from tracker.extensions import db
from tracker.followup.fields import CONTACT, INDICATOR, VALUE
from tracker.history import recorder
from tracker.history.recorder import Tracked, item_summary, parent, quote
from tracker.followup.models import Indicator, IndicatorValue, PlanContact
from tracker.plans.tracking import refuse_if_locked


def _value_summary(entry: IndicatorValue, verb: str, changes: list) -> str:
    indicator = parent(entry, "indicator")
    verbs = {"created": "registrerade utfall", "updated": "ändrade utfall", "deleted": "tog bort utfall",
             "restored": "återställde utfall"}
    return f"{verbs[verb]} för {quote(indicator.name if indicator else None)} ({entry.period})"


def _value_plan_id(entry: IndicatorValue) -> int | None:
    indicator = parent(entry, "indicator")
    return indicator.plan_id if indicator else None


recorder.track(Indicator, Tracked(
    "indicator", INDICATOR, lambda i, verb, changes: item_summary(f"indikatorn {quote(i.name)}", verb, changes),
    lambda i: i.plan_id, check=refuse_if_locked), "Indikator")
recorder.track(IndicatorValue, Tracked("indicator", VALUE, _value_summary, _value_plan_id, part_of="indicator"))
recorder.track(PlanContact, Tracked(
    "contact", CONTACT, lambda c, verb, changes: item_summary(f"kontaktpersonen {quote(c.name)}", verb, changes),
    lambda c: c.plan_id), "Kontaktperson")


def record_links(indicator: Indicator, changes: list[list[str]]) -> None:
    """An entry in the plan's history for a change of the indicator's delmål or target groups (`set_links`'
    changes; none, no entry). The links are the plan's structure as the indicator's fields are: a fastställd
    plan's are not changed."""
    if not changes:
        return
    refuse_if_locked(db.session, indicator)
    recorder.record(db.session, plan=indicator.plan, kind="indicator", verb="updated",
                    summary=f"ändrade indikatorn {quote(indicator.name)}: " + ", ".join(c[0].lower() for c in changes),
                    changes=changes, refs={"object_id": indicator.id})
