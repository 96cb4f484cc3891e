"""What the history records of the utskott's decisions, registered with the recorder: each field as the register
names it, the documents by their names. The entries belong to no plan or report: they are the agreements' own
history (`history="agreement"`), found per year by tracker/annual/decisions.py:decision_history."""

from tracker.agreements.models import Decision
from tracker.annual.decisions import KIND, bundle_label
from tracker.display import long_date
from tracker.extensions import db
from tracker.fields import Field, Fields
from tracker.history import recorder
from tracker.history.recorder import Tracked, parent, quote
from tracker.plans.models import Plan
from tracker.reports.models import Report, ReportBundle
from tracker.versions.models import PlanVersion


def _named(model, name):
    """A document by its name, read without flushing (the history is written during a flush)."""
    def show(document_id) -> str:
        with db.session.no_autoflush:
            row = db.session.get(model, document_id)
        return name(row) if row is not None else f"nr {document_id} (borttagen)"
    return show


def _version_name(version: PlanVersion) -> str:
    with db.session.no_autoflush:
        plan = db.session.get(Plan, version.plan_id)
    return f"{plan.title if plan else 'planen'}, version {version.number}"


DECISION = Fields(
    Field("organ", "Organ"), Field("paragraph", "Paragraf"), Field("decided_on", "Datum", show=long_date),
    Field("registry_number", "Diarienummer"), Field("title", "Rubrik"), Field("matter", "Ärendet"),
    Field("proposal", "Förslag till beslut"), Field("other_documents", "Övriga handlingar"),
    Field("dispatched_to", "Expedieras till"), Field("adjusted", "Justerad"),
    Field("plan_version_id", "Fastställd version", show=_named(PlanVersion, _version_name)),
    Field("report_id", "Redovisning", show=_named(Report, lambda report: report.title)),
    Field("bundle_id", "Paket", show=_named(ReportBundle, bundle_label)),
)


def _summary(decision: Decision, verb: str, changes: list) -> str:
    year = parent(decision, "agreement_year")
    what = " ".join(filter(None, (decision.paragraph, quote(decision.title))))
    where = f" för {year.label}" if year is not None else ""
    if verb == "created":
        return f"lade till beslutet {what}{where}"
    if verb == "deleted":
        return f"tog bort beslutet {what}{where}"
    if verb == "restored":
        return f"återställde beslutet {what}{where}"
    if [c[0] for c in changes] == ["Justerad"]:
        return f"markerade beslutet {what} som {'justerat' if decision.adjusted else 'inte justerat'}"
    return f"ändrade beslutet {what}: " + ", ".join(c[0].lower() for c in changes)


recorder.track(Decision, Tracked(KIND, DECISION, _summary, lambda decision: None, part_of="agreement_year"),
               "Utskottets beslut", history="agreement")
