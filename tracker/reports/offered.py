"""What the tracker knows, offered to the report's writer: the plan's contacts for the contacts table, whether the
plan changed since the version last sent, the status table of the plan (now or on a day) and the förvaltningar's
result comments; `offered_text` is the text an insert names."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from tracker.clock import local_date, local_midnight
from tracker.display import counted
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup.models import PlanContact
from tracker.history.models import HistoryEntry
from tracker.parsing import optional_id
from tracker.plans.models import Action, DivisionStatus, Plan, SuccessFactor
from tracker.plans.rollup import Summary, rollup
from tracker.plans.services import load_factors
from tracker.reports.models import CONTACT_COLUMNS, Report, ReportQuestion
from tracker.reports.queries import report_of
from tracker.users.models import Division
from tracker.versions import services as versions
from tracker.vocabulary import Status


def plan_contacts(report: Report) -> list[PlanContact]:
    return list(report.plan.contacts) if report.plan else []


def contacts_text_form(question: ReportQuestion, contacts: list[PlanContact]) -> dict:
    """The answer form with the plan's contacts as the table's rows: name, phone and e-mail. The plan's comment on
    a contact is the plan's own, internal note (who covers for whom, …), not a text for Socialstyrelsen: it is not
    copied; a comment already written in the answer's row of the same name is kept."""
    form = question.current_form()
    written = {(c.name or "").casefold(): c.comment or "" for c in question.contacts}
    form["contact_rows"] = str(len(contacts))
    for n, contact in enumerate(contacts):
        for name, _, _ in CONTACT_COLUMNS:
            form[f"contact-{n}-{name}"] = getattr(contact, name) or ""
        form[f"contact-{n}-comment"] = written.get((contact.name or "").casefold(), "")
    return form


@dataclass
class PlanUpdate:
    """The proposed answer: the version last sent, and whether the plan differs from it now."""

    sent_version: int
    sent_on: date
    changed: bool
    changes: int

    @property
    def text(self) -> str:
        """The comment beside the ja/nej, which already says Ja or Nej."""
        if self.changed:
            return (f"Handlingsplanen har ändrats sedan version {self.sent_version}, som skickades "
                    f"{self.sent_on.isoformat()}: {counted(self.changes, 'ändring', 'ändringar')}.")
        return (f"Handlingsplanen är oförändrad sedan version {self.sent_version}, som skickades "
                f"{self.sent_on.isoformat()}.")


def plan_update(report: Report) -> PlanUpdate | None:
    if report.plan is None:
        return None
    sent, comparison = versions.changed_since_sent(report.plan)
    if sent is None:
        return None
    return PlanUpdate(sent.number, local_date(sent.sent_at), comparison.changed, len(comparison.changes))


@dataclass
class StatusRow:
    factor: str
    summary: Summary


def status_table(report: Report, at: date | None = None, today: date | None = None) -> list[StatusRow]:
    """The roll-up per framgångsfaktor of the attached plan, now or at the end of day `at` (the statuses then,
    taken back from the history: a status changed later is read as it was before that change)."""
    if report.plan is None:
        return []
    factors = load_factors(report.plan)
    statuses = {s.id: s.status for f in factors for a in f.actions for s in a.statuses}
    if at is not None and (today is None or at < today):
        statuses = _statuses_at(report.plan, statuses, at)
    rows = []
    for factor in factors:
        action_statuses = []
        for action in factor.actions:
            own = [statuses[s.id] for s in action.statuses if s.id in statuses]
            if own or not action.statuses:
                action_statuses.append(rollup(own))
        rows.append(StatusRow(factor.title, Summary.of(action_statuses)))
    return rows


def _statuses_at(plan: Plan, statuses: dict[int, Status], at: date) -> dict[int, Status]:
    later = db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.plan_id == plan.id, HistoryEntry.kind == "status",
                                      HistoryEntry.created_at >= local_midnight(at + timedelta(days=1)))
        .order_by(HistoryEntry.id.desc())
    ).all()
    statuses = dict(statuses)
    for entry in later:
        if entry.verb == "created":
            statuses.pop(entry.object_id, None)  # a förvaltning made responsible after the day
        elif entry.verb == "updated":
            change = next((c for c in entry.changes if c[0] == "Status"), None)
            before = Status.from_label(change[1]) if change else None
            if before is not None and entry.object_id in statuses:
                statuses[entry.object_id] = before
    return statuses


def status_table_text(rows: list[StatusRow], at: date | None) -> str:
    when = f" {at.isoformat()}" if at else ""
    lines = [f"Status för handlingsplanens genomförande{when}:"]
    lines += [f"– {row.factor}: {row.summary.status.label.lower()}, {row.summary.text}" for row in rows]
    return "\n".join(lines)


@dataclass
class DivisionResults:
    division: str
    lines: list[str]

    @property
    def text(self) -> str:
        return f"{self.division}:\n" + "\n".join(f"– {line}" for line in self.lines)


def result_comments(report: Report) -> list[DivisionResults]:
    """The åtgärder's result comments per förvaltning, for "Resultatet av genomförda insatser"."""
    if report.plan is None:
        return []
    rows = db.session.execute(
        sa.select(DivisionStatus, Action, Division).join(Action, DivisionStatus.action_id == Action.id)
        .join(SuccessFactor, Action.factor_id == SuccessFactor.id).join(Division)
        .where(SuccessFactor.plan_id == report.plan_id, DivisionStatus.comment.is_not(None))
        .order_by(Division.position, Division.name, SuccessFactor.position, Action.position)
    ).all()
    grouped: dict[str, list[str]] = {}
    for status, action, division in rows:
        grouped.setdefault(division.name, []).append(
            f"{action.title} ({status.status.label.lower()}): {status.comment}")
    return [DivisionResults(name, lines) for name, lines in grouped.items()]


def offered_text(question: ReportQuestion, source: str, today: date) -> str:
    """The text an insert names: "bidrag:ID" (a contribution to the question), "status:ÅÅÅÅ-MM-DD" (the status
    table then; empty: today) or "resultat:N" (the Nth förvaltning's result comments)."""
    report = report_of(question)
    kind, _, value = (source or "").partition(":")
    if kind == "bidrag":
        contribution = next((c for c in question.contributions if c.id == optional_id(value)), None)
        if contribution is None or not contribution.text:
            raise ValidationError({"source": "Bidraget finns inte, eller är tomt."})
        return contribution.text
    if kind == "status":
        try:
            at = date.fromisoformat(value) if value else None
        except ValueError:
            raise ValidationError({"source": "Datumet för statusen är inget datum (ÅÅÅÅ-MM-DD)."}) from None
        rows = status_table(report, at, today)
        if not rows:
            raise ValidationError({"source": "Redovisningen har ingen plan att hämta status från."})
        return status_table_text(rows, at)
    if kind == "resultat":
        results = result_comments(report)
        index = optional_id(value)
        if index is None or index > len(results):
            raise ValidationError({"source": "Förvaltningens resultat finns inte."})
        return results[index - 1].text
    raise ValidationError({"source": "Välj vad som ska infogas."})
