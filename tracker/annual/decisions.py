"""The utskott's decisions on an agreement's year (the decision register): reading a decision's form, the
documents a decision may name, writing and deleting under the optimistic lock, and the history of the year's
decisions.

A decision names at most one of each of the year's documents: a fastställd version of one of the year's plans
(or of the plan a year's report attaches: the 2024 redovisning attaches the 2023 plan), one of the year's
reports, and a bundle of one of those reports. Anything else is refused at its field. Services: they take the
posted values, never the request.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.agreements.models import COMMITTEE, AgreementYear, Decision
from tracker.clock import LOCAL_ZONE
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.locking import expect_version, flush_versioned
from tracker.parsing import date_field, optional_id, required_text, text_field
from tracker.plans.models import Plan
from tracker.reports.models import Report, ReportBundle
from tracker.versions.models import PlanVersion
from tracker.display import long_date

KIND = "decision"  # the history's kind for a decision's entries (tracker/annual/decision_tracking.py)
PARAGRAPH = re.compile(r"^§?\s*(\d{1,4})\s*([a-z]?)$", re.IGNORECASE)  # "146", "§146", "§ 146", "§ 12 a"
TEXT_LIMIT = 20_000
FORM_FIELDS = ("organ", "paragraph", "decided_on", "registry_number", "title", "matter", "proposal",
               "other_documents", "dispatched_to", "adjusted", "plan_version_id", "report_id", "bundle_id")


# --- The documents a decision may name --------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    id: int
    label: str  # as the form's select offers it
    name: str  # as a Beslutsunderlag lists it

    @classmethod
    def of(cls, id: int, label: str, name: str | None = None) -> "Document":
        return cls(id, label, name or label)


@dataclass(frozen=True)
class Documents:
    """The year's documents, as the decision form's selects offer them and the register names them."""

    versions: list[Document]
    reports: list[Document]
    bundles: list[Document]
    bundle_reports: dict[int, int]  # bundle id → its report's id

    def name(self, kind: str, document_id: int | None) -> str | None:
        return next((d.name for d in getattr(self, kind) if d.id == document_id), None)


def version_label(plan: Plan, version: PlanVersion) -> str:
    day = long_date(version.approved_at.astimezone(LOCAL_ZONE).date())
    return f"{plan.title}, version {version.number}, fastställd {day}"


def report_label(report: Report) -> str:
    return f"{report.title} ({report.state.label.lower()})"


def bundle_label(bundle: ReportBundle) -> str:
    return f"{bundle.file_name} (SHA-256 {bundle.sha256})"


def year_documents(year: AgreementYear) -> Documents:
    """The fastställda versions of the year's plans and of the plans its reports attach, the year's reports and
    their bundles (three queries)."""
    reports = db.session.scalars(sa.select(Report).where(Report.agreement_id == year.agreement_id,
                                                         Report.year == year.year).order_by(Report.title)).all()
    plans = {p.id: p for p in db.session.scalars(sa.select(Plan).where(
        sa.or_(sa.and_(Plan.agreement_id == year.agreement_id, Plan.year == year.year),
               Plan.id.in_([r.plan_id for r in reports if r.plan_id is not None]))))}
    versions = db.session.scalars(sa.select(PlanVersion).where(PlanVersion.plan_id.in_(plans))
                                  .order_by(PlanVersion.plan_id, PlanVersion.number)).all()
    bundles = db.session.scalars(sa.select(ReportBundle).where(ReportBundle.report_id.in_([r.id for r in reports]))
                                 .order_by(ReportBundle.created_at, ReportBundle.id)).all()
    return Documents(
        versions=sorted((Document.of(v.id, version_label(plans[v.plan_id], v)) for v in versions),
                        key=lambda d: d.label),
        reports=[Document.of(r.id, report_label(r), r.title) for r in reports],
        bundles=[Document.of(b.id, bundle_label(b)) for b in bundles],
        bundle_reports={b.id: b.report_id for b in bundles},
    )


def named_documents(decision: Decision, documents: Documents) -> list[str]:
    """What the decision names, in the order of a paragraph's Beslutsunderlag: the app's documents, then the
    others typed one per line."""
    linked = [documents.name("reports", decision.report_id), documents.name("versions", decision.plan_version_id),
              documents.name("bundles", decision.bundle_id)]
    return [name for name in linked if name] + decision.other_documents_list


# --- Reading the form ----------------------------------------------------------------------------------------


def _paragraph(errors: dict, value) -> str | None:
    text = text_field(errors, "paragraph", value, "Paragrafen", 20)
    if text is None or "paragraph" in errors:
        return text
    match = PARAGRAPH.match(text)
    if match is None:
        errors["paragraph"] = f"”{text}” är ingen paragraf. Skriv paragrafens nummer, t.ex. § 146 eller 146."
        return text
    return f"§ {int(match[1])}" + (f" {match[2].lower()}" if match[2] else "")


def _one_line(errors: dict, name: str, value, label: str, limit: int) -> str | None:
    text = text_field(errors, name, value, label, limit)
    if text is not None and name not in errors and "\n" in text:
        errors[name] = f"{label} ska stå på en rad."
    return text


def _lines(errors: dict, name: str, value, label: str) -> str | None:
    """A list typed one item per line: each line trimmed, a leading "-" or "•" (pasted from a document) dropped,
    empty lines left out."""
    text = text_field(errors, name, value, label, TEXT_LIMIT)
    if text is None or name in errors:
        return text
    lines = [re.sub(r"^[-–•*]\s+", "", line.strip()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or None


def _choice(errors: dict, name: str, value, offered: list[Document], message: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    chosen = optional_id(text)
    if chosen is None or chosen not in {d.id for d in offered}:
        errors[name] = message
        return None
    return chosen


def read_form(year: AgreementYear, form: Mapping[str, str]) -> dict:
    """The decision's values from its form, or ValidationError with a Swedish message per field."""
    errors: dict[str, str] = {}
    values = {
        "organ": required_text(errors, "organ", form.get("organ"), "Organet", 200,
                               f"Ange vilket organ som beslutar, t.ex. {COMMITTEE}."),
        "paragraph": _paragraph(errors, form.get("paragraph")),
        "decided_on": date_field(errors, "decided_on", form.get("decided_on"), "Datumet"),
        "registry_number": _one_line(errors, "registry_number", form.get("registry_number"), "Diarienumret", 40),
        "title": required_text(errors, "title", form.get("title"), "Rubriken", 300,
                               "Ange ärendets rubrik, t.ex. Information om Region Hallands redovisning av "
                               "överenskommelsen om Ökad tillgänglighet inom hälso- och sjukvården 2024."),
        "matter": text_field(errors, "matter", form.get("matter"), "Ärendet", TEXT_LIMIT),
        "proposal": _lines(errors, "proposal", form.get("proposal"), "Förslaget till beslut"),
        "other_documents": _lines(errors, "other_documents", form.get("other_documents"), "Övriga handlingar"),
        "dispatched_to": _lines(errors, "dispatched_to", form.get("dispatched_to"), "Expedieras till"),
        "adjusted": bool(form.get("adjusted")),
    }
    if values["registry_number"] and "registry_number" not in errors:
        values["registry_number"] = values["registry_number"].upper()
    documents = year_documents(year)
    values["plan_version_id"] = _choice(
        errors, "plan_version_id", form.get("plan_version_id"), documents.versions,
        f"Välj en fastställd version av en av planerna för {year.label} i listan, eller ingen.")
    values["report_id"] = _choice(errors, "report_id", form.get("report_id"), documents.reports,
                                  f"Välj en av redovisningarna för {year.label} i listan, eller ingen.")
    values["bundle_id"] = _choice(errors, "bundle_id", form.get("bundle_id"), documents.bundles,
                                  f"Välj ett paket av en av redovisningarna för {year.label} i listan, eller inget.")
    if values["bundle_id"] and values["report_id"] and documents.bundle_reports[values["bundle_id"]] != \
            values["report_id"]:
        errors["bundle_id"] = "Paketet hör till en annan redovisning än den som är vald; välj paketet av den."
    if errors:
        raise ValidationError(errors)
    return values


def form_values(decision: Decision | None) -> dict:
    """What the form shows for a decision (a new one: the utskott as its organ)."""
    if decision is None:
        return {"organ": COMMITTEE}
    values = {name: getattr(decision, name) for name in FORM_FIELDS}
    values["decided_on"] = decision.decided_on.isoformat() if decision.decided_on else ""
    return values


# --- Writing -------------------------------------------------------------------------------------------------


def create_decision(year: AgreementYear, values: dict) -> Decision:
    decision = Decision(agreement_year=year, **values)
    db.session.add(decision)
    db.session.flush()
    return decision


def update_decision(decision: Decision, values: dict, expected_version: int | None) -> Decision:
    """Conflict when someone else saved or deleted it after `expected_version` was read."""
    expect_version(decision, expected_version)
    for name, value in values.items():
        setattr(decision, name, value)
    flush_versioned()
    return decision


def delete_decision(decision: Decision, expected_version: int | None) -> None:
    """Conflict when someone else saved or deleted it after `expected_version` was read."""
    expect_version(decision, expected_version)
    db.session.delete(decision)
    flush_versioned()


def list_decisions(year: AgreementYear) -> list[Decision]:
    """The year's decisions, the newest first (undated ones last)."""
    return sorted(year.decisions, key=lambda d: (d.decided_on is not None, d.decided_on, d.id), reverse=True)


# --- The history ---------------------------------------------------------------------------------------------


def decision_history(year: AgreementYear) -> list[HistoryEntry]:
    """Every entry about the year's decisions, the deleted ones' included, newest first. Decision entries belong
    to no plan or report: a deleted decision is found by the year its snapshot names."""
    ids = {d.id for d in year.decisions}
    deletions = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.kind == KIND,
                                                                 HistoryEntry.verb == "deleted")).all()
    ids |= {e.object_id for e in deletions
            if ((e.snapshot or {}).get(Decision.__tablename__) or {}).get("agreement_year_id") == year.id}
    if not ids:
        return []
    return db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.kind == KIND,
                                                            HistoryEntry.object_id.in_(ids))
                              .order_by(HistoryEntry.id.desc())).all()
