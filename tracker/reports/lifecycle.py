"""The report's life cycle: the rule of what may change in which state (`check_editable`, `check_form_editable`,
asked by every write, so that a page that still shows a form changes nothing after approval), the row lock every
write takes first, and the steps: to review, back to writing, the direktör's approval, the sending and the
komplettering."""


import sqlalchemy as sa

from tracker import clock
from tracker.clock import local_date
from tracker.display import counted
from tracker.errors import ChangedSinceSeen, ValidationError
from tracker.extensions import db
from tracker.parsing import date_field, text_field
from tracker.reports.models import (
    NOTE_MAX, Report, ReportBundle, ReportQuestion, ReportSending, shorten,
)
from tracker.reports.queries import questions_of, readiness, report_data, report_of
from tracker.seen import digest
from tracker.types import utcnow
from tracker.users.models import User
from tracker.vocabulary import ReportState


class ReportLocked(Exception):
    """A change the report's state does not allow (approved, sent, or outside a komplettering)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def lock(report: Report) -> None:
    """Lock the report's row until the commit and read its state again. Every write of an answer or a
    contribution and every change of state does so first, so that they happen one after the other: a save cannot
    slip in between the direktör's reading and the approval, and a page loaded before a change of state is judged
    by the state now. The row is written before it is read: SELECT … FOR UPDATE locks nothing on SQLite, where an
    answer checked against "Utkast" was then written after the report went to review; a write takes SQLite's
    write lock (and PostgreSQL's row lock), so the state read after it is the one the write will meet."""
    table = Report.__table__
    db.session.execute(sa.update(table).where(table.c.id == report.id).values(id=table.c.id))
    db.session.scalars(sa.select(Report).where(Report.id == report.id)
                       .execution_options(populate_existing=True)).one()


def check_editable(question: ReportQuestion) -> None:
    report = report_of(question)
    lock(report)
    if report.state is ReportState.REVIEW:
        raise ReportLocked("Redovisningen granskas av hälso- och sjukvårdsdirektören; svaren och bidragen ändras inte "
                           "under granskningen. Ska något ändras tar strategen tillbaka den med ”Tillbaka till "
                           "skrivande”.")
    if report.state is ReportState.APPROVED:
        raise ReportLocked("Redovisningen är godkänd av hälso- och sjukvårdsdirektören; inget ändras förrän den "
                           "har skickats och en komplettering öppnar frågor igen.")
    if report.state is ReportState.SENT:
        raise ReportLocked("Redovisningen är skickad. En komplettering (strategen öppnar de frågor Socialstyrelsen "
                           "frågar om) gör dem ändringsbara igen.")
    if report.was_sent and not question.reopened:
        raise ReportLocked("Frågan ingår inte i kompletteringen; bara de frågor som öppnats igen kan ändras.")


def check_form_editable(report: Report) -> None:
    if not report.is_form_editable:
        raise ReportLocked(f"Formuläret ändras bara medan redovisningen är ett utkast som inte har skickats; den är "
                           f"nu {report.state.label.lower()}.")


def check_bundle(report: Report) -> None:
    lock(report)
    if not report.is_bundleable:
        raise ReportLocked(f"Ett paket görs av den godkända redovisningen; den är nu {report.state.label.lower()}. "
                           f"Lämna den för granskning och låt hälso- och sjukvårdsdirektören godkänna den först.")


def _expect(report: Report, *states: ReportState) -> None:
    lock(report)
    if report.state not in states:
        allowed = " eller ".join(s.label.lower() for s in states)
        raise ReportLocked(f"Redovisningen är {report.state.label.lower()}; det går bara när den är {allowed}.")


def submit_for_review(report: Report) -> None:
    _expect(report, ReportState.DRAFT, ReportState.COMPLETION)
    report.state = ReportState.REVIEW
    db.session.flush()


def back_to_draft(report: Report) -> None:
    """From review (or an approval withdrawn) back to writing; after a sending, back to the komplettering."""
    _expect(report, ReportState.REVIEW, ReportState.APPROVED)
    report.state = ReportState.COMPLETION if report.was_sent else ReportState.DRAFT
    report.approved_at = None
    report.approved_by = None
    db.session.flush()


def approve(report: Report, user: User | None, *, at=None) -> None:
    """The direktör's godkännande (the view lets only the direktör); from now on nothing changes.
    `at` records one made outside the app (the demo's 2024 report)."""
    _expect(report, ReportState.REVIEW)
    report.state = ReportState.APPROVED
    report.approved_at = at or utcnow()
    report.approved_by = user
    db.session.flush()


def content_digest(report: Report) -> str:
    """What the report page shows of the report, as the godkännande's and the komplettering's forms carry it: the
    form with its answers and facts (`report_data`), every förvaltning's contribution, and how often it was sent.
    Its state is left out: a step taken in between is refused by the state, with a message of its own."""
    contributions = sorted((c.question_id, c.division_id, c.text, c.done)
                           for q in questions_of(report) for c in q.contributions)
    return digest({"report": report_data(report), "contributions": contributions,
                   "sendings": db.session.scalar(sa.select(sa.func.count(ReportSending.id))
                                                 .where(ReportSending.report_id == report.id))})


def check_seen(report: Report, seen: str, *, refused: str) -> None:
    """Refuse a decision posted from a page that showed another report than there is now (ChangedSinceSeen);
    `refused` says what did not happen. The report's row is locked first, as for every write."""
    lock(report)
    if content_digest(report) != seen:
        raise ChangedSinceSeen(f"Redovisningen har ändrats sedan du öppnade den, så {refused}. Se vad som har "
                               "ändrats, ladda sedan om redovisningen och läs den igen.",
                               ("reports.history", {"key": report.key}), "Redovisningens historik")


def bundles_seen(report: Report) -> str:
    """The bundles the page offers to mark as sent, and the sendings it shows, as the form carries them: a newer
    bundle, or a sending marked since, makes the page stale."""
    return digest({"bundles": db.session.scalars(sa.select(ReportBundle.id).where(ReportBundle.report_id == report.id)
                                                 .order_by(ReportBundle.id)).all(),
                   "sendings": db.session.scalars(sa.select(ReportSending.id)
                                                  .where(ReportSending.report_id == report.id)
                                                  .order_by(ReportSending.id)).all()})


def check_bundles_seen(report: Report, seen: str) -> None:
    lock(report)
    if bundles_seen(report) != seen:
        raise ChangedSinceSeen("Sedan du öppnade sidan har ett nytt paket skapats eller redovisningen markerats som "
                               "skickad, så inget markerades nu. Kontrollera vilket paket som gick till "
                               "Socialstyrelsen och markera det på den uppdaterade sidan.",
                               ("reports.show", {"key": report.key, "_anchor": "paket"}), "Paketen nu")


def check_ready(report: Report, *, confirmed: bool, step: str) -> None:
    """Going on with gaps (`readiness`) asks the user to confirm they know of them: ValidationError otherwise."""
    gaps = readiness(report).gaps
    if gaps and not confirmed:
        raise ValidationError({"confirm": f"Kryssa i rutan om redovisningen ska {step} trots det som saknas: "
                                          f"{counted(len(gaps), 'sak', 'saker')} i listan ovan."})


def mark_sent(report: Report, user: User | None, *, bundle: ReportBundle | None, sent_on=None,
              name: str | None = None, note: str | None = None) -> ReportSending:
    """Sent to Socialstyrelsen with `bundle` (made after the approval); each sending is kept."""
    _expect(report, ReportState.APPROVED)
    errors: dict[str, str] = {}
    sent_on = date_field(errors, "sent_on", sent_on, "Datumet") or clock.today()
    approved_on = local_date(report.approved_at) if report.approved_at else None
    if sent_on > clock.today():
        errors["sent_on"] = f"Datumet {sent_on.isoformat()} ligger i framtiden; ange dagen redovisningen skickades."
    elif approved_on and sent_on < approved_on:
        errors["sent_on"] = (f"Datumet {sent_on.isoformat()} är före {approved_on.isoformat()}, då redovisningen "
                             f"godkändes; en godkänd redovisning skickas tidigast samma dag.")
    note = text_field(errors, "note", note, "Anteckningen", NOTE_MAX)
    if bundle is not None and bundle.report_id != report.id:
        errors["bundle"] = "Paketet hör till en annan redovisning."
    elif bundle is not None and report.approved_at and bundle.created_at < report.approved_at:
        errors["bundle"] = "Paketet gjordes före godkännandet; skapa ett nytt paket av den godkända redovisningen."
    if errors:
        raise ValidationError(errors)
    reopened = [q for q in questions_of(report) if q.reopened]
    sending = ReportSending(
        number=len(report.sendings) + 1, sent_on=sent_on, bundle=bundle, sha256=bundle.sha256 if bundle else None,
        sent_by_id=user.id if user else None, sent_by_name=user.name if user else (name or "okänd"),
        reopened=[shorten(q.prompt, 200) for q in reopened] or None, note=note)
    report.sendings.append(sending)
    for question in reopened:
        question.reopened = False
    report.state = ReportState.SENT
    db.session.flush()
    return sending


def reopen(report: Report, question_ids: list[int], *, note: str | None = None) -> list[ReportQuestion]:
    """A komplettering: the questions Socialstyrelsen asks about become editable again, the rest stay as sent."""
    _expect(report, ReportState.SENT)
    questions = {q.id: q for q in questions_of(report)}
    chosen = [questions[i] for i in question_ids if i in questions]
    if not chosen:
        raise ValidationError({"questions": "Välj de frågor som Socialstyrelsen vill ha kompletterade."})
    for question in chosen:
        question.reopened = True
    report.state = ReportState.COMPLETION
    db.session.flush()
    return chosen
