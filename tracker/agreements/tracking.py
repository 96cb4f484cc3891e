"""What the history records of an agreement's rows, registered with the recorder: the agreement's name, each
year's facts, the parts of its medel and its villkor with their fulfilment. The entries belong to no plan or
report: they are the agreements' own history (`history="agreement"`)."""

from tracker.agreements import fields
from tracker.agreements.models import Agreement, AgreementYear, Condition, Funds
from tracker.history import recorder
from tracker.history.recorder import Tracked, parent, quote


def _nowhere(row) -> None:
    return None


def _year_label(year: AgreementYear | None) -> str:
    if year is None:
        return "överenskommelsen"
    name = year.agreement.name if year.agreement is not None else "överenskommelsen"
    return f"{name} {year.year}"


def _verb(verb: str, changes: list, what: str, created: str = "lade till") -> str:
    if verb == "created":
        return f"{created} {what}"
    if verb == "deleted":
        return f"tog bort {what}"
    if verb == "restored":
        return f"återställde {what}"
    return f"ändrade {what}: " + ", ".join(c[0].lower() for c in changes)


def _agreement_summary(agreement: Agreement, verb: str, changes: list) -> str:
    return _verb(verb, changes, f"överenskommelsen {quote(agreement.name)}", created="skapade")


def _year_summary(year: AgreementYear, verb: str, changes: list) -> str:
    return _verb(verb, changes, f"året {_year_label(year)}", created="skapade")


def _funds_summary(funds: Funds, verb: str, changes: list) -> str:
    return _verb(verb, changes, f"medlen {quote(funds.label)} i {_year_label(parent(funds, 'agreement_year'))}")


def _condition_summary(condition: Condition, verb: str, changes: list) -> str:
    year = _year_label(parent(condition, "agreement_year"))
    text = " ".join((condition.text or "").split())
    what = f"villkoret {quote(text if len(text) <= 80 else text[:79] + '…')} i {year}"
    labels = {c[0] for c in changes}
    if verb == "updated" and "Uppfyllt" in labels:
        return f"markerade {what} som uppfyllt" if condition.fulfilled_on else f"ångrade att {what} är uppfyllt"
    return _verb(verb, changes, what)


def _track(model, kind: str, row_fields, summary, label: str, **more) -> None:
    recorder.track(model, Tracked(kind, row_fields, summary, _nowhere, **more), label, history="agreement")


_track(Agreement, "agreement", fields.AGREEMENT, _agreement_summary, "Överenskommelse")
_track(AgreementYear, "agreement_year", fields.YEAR, _year_summary, "Överenskommelsens år", part_of="agreement")
_track(Funds, "agreement_funds", fields.FUNDS, _funds_summary, "Medel", part_of="agreement_year")
_track(Condition, "condition", fields.CONDITION, _condition_summary, "Villkor", part_of="agreement_year")
