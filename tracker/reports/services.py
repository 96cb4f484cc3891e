"""Operations on a redovisning, shared by the web, the demo and the command line.

Services take plain values and a user, never the request; they check, change the rows and flush; the caller
commits once. The life-cycle rule (what may change in which state) is `check_editable` / `check_form_editable`,
asked by every write, so that a page that still shows a form changes nothing after approval.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from tracker.agreements.choosing import choose_agreement
from tracker.agreements.services import find_agreement, year_of
from tracker.display import counted
from tracker.clock import local_date, local_midnight
from tracker import clock
from tracker.errors import ChangedSinceSeen, ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.parsing import (
    EMAIL_MAX, YEARS, address_field, clean_text, date_field, key_field, optional_id, required_text, text_field,
    whole_number,
)
from tracker.followup.models import PlanContact
from tracker.plans.models import Action, DivisionStatus, Plan, SuccessFactor
from tracker.plans.rollup import Summary, rollup
from tracker.plans.services import get_plan, load_factors
from tracker.reports.models import (
    Report, ReportBundle, ReportContactRow, ReportContribution, ReportItem, ReportQuestion, ReportSection,
    ReportSending,
)
from tracker.seen import digest
from tracker.types import utcnow
from tracker.users.models import Division, User
from tracker.versions import services as versions
from tracker.vocabulary import PlanState, QuestionKind, ReportState, Status

TEXT_MAX = 20000  # an answer or a contribution: the longest answer of the 2024 report has about 5,500
PROMPT_MAX = 4000
TITLE_MAX = 300
NUMBER_MAX = 20
NOTE_MAX = 2000
RESERVED_KEYS = {"ny", "fragor", "avsnitt", "bidrag", "paket"}
# Answers and contributions are written in these states; in review they are frozen, so that what the direktör
# approves is what the direktör read ("Tillbaka till skrivande" opens them again).
WRITING_STATES = (ReportState.DRAFT, ReportState.COMPLETION)
# A förvaltning sees its questions while the report is being written or reviewed.
OPEN_STATES = (ReportState.DRAFT, ReportState.REVIEW, ReportState.COMPLETION)
# A bundle is made of the approved report (and again of the one sent), never of one still changing.
BUNDLE_STATES = (ReportState.APPROVED, ReportState.SENT)
# Questions a förvaltning may be asked to write for; the contacts table is the strateg's.
CONTRIBUTED_KINDS = (QuestionKind.TEXT, QuestionKind.PAIR, QuestionKind.YES_NO, QuestionKind.INSATSER)


class ReportLocked(Exception):
    """A change the report's state does not allow (approved, sent, or outside a komplettering)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AnswerConflict(Exception):
    """Someone else saved the answer or contribution after the user loaded it."""


# --- Reading ---------------------------------------------------------------------------------------


def list_reports() -> list[Report]:
    return db.session.scalars(
        sa.select(Report).options(so.joinedload(Report.agreement), so.joinedload(Report.plan))
        .order_by(Report.year.desc(), Report.title)
    ).all()


def get_report(key: str) -> Report | None:
    return db.session.scalar(sa.select(Report).where(Report.key == key)
                             .options(so.joinedload(Report.agreement), so.joinedload(Report.plan)))


def get_question(question_id: int) -> ReportQuestion | None:
    return db.session.scalar(
        sa.select(ReportQuestion).where(ReportQuestion.id == question_id)
        .options(so.joinedload(ReportQuestion.section).joinedload(ReportSection.report),
                 so.selectinload(ReportQuestion.contributions).joinedload(ReportContribution.division),
                 so.selectinload(ReportQuestion.items), so.selectinload(ReportQuestion.contacts))
    )


def get_section(section_id: int) -> ReportSection | None:
    return db.session.get(ReportSection, section_id)


def get_contribution(contribution_id: int) -> ReportContribution | None:
    return db.session.scalar(
        sa.select(ReportContribution).where(ReportContribution.id == contribution_id)
        .options(so.joinedload(ReportContribution.question).joinedload(ReportQuestion.section)
                 .joinedload(ReportSection.report), so.joinedload(ReportContribution.division),
                 so.joinedload(ReportContribution.updated_by))
    )


def report_of(question: ReportQuestion) -> Report:
    return question.section.report


@dataclass
class SectionView:
    section: ReportSection
    questions: list[ReportQuestion]
    children: list["SectionView"] = field(default_factory=list)


def load_tree(report: Report) -> list[SectionView]:
    """The form in its order, sections nested, with answers and contributions, in a fixed number of queries."""
    sections = db.session.scalars(
        sa.select(ReportSection).where(ReportSection.report_id == report.id).order_by(ReportSection.position)
        .execution_options(populate_existing=True)
    ).all()
    questions = db.session.scalars(
        sa.select(ReportQuestion).join(ReportSection).where(ReportSection.report_id == report.id)
        .order_by(ReportQuestion.position)
        .options(so.selectinload(ReportQuestion.items), so.selectinload(ReportQuestion.contacts),
                 so.selectinload(ReportQuestion.contributions).options(
                     so.joinedload(ReportContribution.division), so.joinedload(ReportContribution.updated_by)),
                 so.joinedload(ReportQuestion.updated_by))
        .execution_options(populate_existing=True)
    ).unique().all()
    by_section = defaultdict(list)
    for question in questions:
        by_section[question.section_id].append(question)
    views = {s.id: SectionView(s, by_section[s.id]) for s in sections}
    top = []
    for section in sections:
        view = views[section.id]
        (views[section.parent_id].children if section.parent_id in views else top).append(view)
    return top


def walk(tree: list[SectionView]):
    """Every section view in the form's order, depth first."""
    for view in tree:
        yield view
        yield from walk(view.children)


@dataclass
class DivisionProgress:
    division: Division
    total: int
    done: int

    @property
    def left(self) -> int:
        return self.total - self.done


@dataclass
class MatrixRow:
    section: ReportSection
    question: ReportQuestion
    cells: list[ReportContribution | None]  # one per förvaltning of the matrix; None: not asked


@dataclass
class ContributionMatrix:
    """Question × förvaltning: which contribution is klar, inget att tillägga, or still awaited; what a total
    ("74 bidrag väntar") hides. Only the questions and förvaltningar with a contribution asked for."""

    divisions: list[Division]
    rows: list[MatrixRow]

    @property
    def totals(self) -> list[DivisionProgress]:
        """Per förvaltning: the contributions asked of it and how many are answered (klara or inget att tillägga)."""
        return [DivisionProgress(division, sum(1 for r in self.rows if r.cells[n] is not None),
                                 sum(1 for r in self.rows if r.cells[n] is not None and r.cells[n].done))
                for n, division in enumerate(self.divisions)]


def contribution_matrix(report: Report, tree: list[SectionView] | None = None) -> ContributionMatrix:
    """The matrix of the tree the page already holds (or loaded now): no query of its own."""
    asked = [(view.section, question) for view in walk(tree if tree is not None else load_tree(report))
             for question in view.questions if question.contributions]
    divisions = sorted({c.division for _, q in asked for c in q.contributions},
                       key=lambda d: (d.position, d.name))
    rows = []
    for section, question in asked:
        by_division = {c.division_id: c for c in question.contributions}
        rows.append(MatrixRow(section, question, [by_division.get(d.id) for d in divisions]))
    return ContributionMatrix(divisions, rows)


@dataclass
class MyQuestion:
    contribution: ReportContribution
    question: ReportQuestion
    report: Report
    section: ReportSection
    context: list[str] = field(default_factory=list)

    @property
    def awaiting(self) -> bool:
        return not self.contribution.done and is_editable(self.question)


def my_questions(user: User) -> list[MyQuestion]:
    """The questions of reports being written that ask something of the user's förvaltning: those awaiting it
    first. One query however many."""
    if user.division_id is None:
        return []
    contributions = db.session.scalars(
        sa.select(ReportContribution).join(ReportQuestion).join(ReportSection).join(Report)
        .where(ReportContribution.division_id == user.division_id, Report.state.in_(OPEN_STATES))
        .options(so.joinedload(ReportContribution.question).joinedload(ReportQuestion.section)
                 .joinedload(ReportSection.report).selectinload(Report.sendings),
                 so.joinedload(ReportContribution.question).selectinload(ReportQuestion.items),
                 so.joinedload(ReportContribution.division), so.joinedload(ReportContribution.updated_by))
    ).all()
    # Every section of those reports, in one query: a nested section's parents are then at hand for the order.
    db.session.scalars(sa.select(ReportSection).where(
        ReportSection.report_id.in_({c.question.section.report_id for c in contributions}))).all()
    # A free comment ("Ev. kommentar") says nothing on its own: the questions before it in its section are its
    # context, from one query of those sections' questions.
    siblings = defaultdict(list)
    section_ids = {c.question.section_id for c in contributions}
    for sibling in db.session.scalars(sa.select(ReportQuestion).where(ReportQuestion.section_id.in_(section_ids))
                                      .order_by(ReportQuestion.position)):
        siblings[sibling.section_id].append(sibling)
    mine = [MyQuestion(c, c.question, c.question.section.report, c.question.section,
                       comment_context(c.question, siblings[c.question.section_id])) for c in contributions]
    return sorted(mine, key=lambda m: (not m.awaiting, m.report.deadline or date.max, m.report.key,
                                       _section_order(m.section), m.question.position))


def comment_context(question: ReportQuestion, siblings: list[ReportQuestion]) -> list[str]:
    """For a free comment (`is_optional`): the prompts of the questions before it in its section, which it
    comments on (the section's introduction if none); nothing for a question that says what it asks."""
    if not is_optional(question):
        return []
    before = [q.prompt + (f" · {q.prompt_second}" if q.kind is QuestionKind.PAIR and q.prompt_second else "")
              for q in siblings if q.position < question.position]
    intro = (question.section.intro or "").strip()
    return before or ([intro] if intro else [])


def _section_order(section: ReportSection) -> tuple:
    path = []
    while section is not None:
        path.insert(0, section.position)
        section = section.parent
    return tuple(path)


def awaiting_count(user: User) -> int:
    """How many questions wait for the user's förvaltning (the navigation's count, on every page): one COUNT, the
    rule of `MyQuestion.awaiting` (not klar, and the question editable: `is_editable`) in SQL."""
    if user.division_id is None:
        return 0
    sent = sa.exists().where(ReportSending.report_id == Report.id)
    return db.session.scalar(
        sa.select(sa.func.count(ReportContribution.id)).join(ReportQuestion).join(ReportSection).join(Report)
        .where(ReportContribution.division_id == user.division_id, ReportContribution.done.is_(False),
               Report.state.in_(WRITING_STATES), sa.or_(~sent, ReportQuestion.reopened.is_(True)))
    )


# --- The life-cycle rule -----------------------------------------------------------------------------


def is_editable(question: ReportQuestion) -> bool:
    report = report_of(question)
    if report.state not in WRITING_STATES:
        return False
    return not report.was_sent or question.reopened


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


def form_editable(report: Report) -> bool:
    return report.state is ReportState.DRAFT and not report.was_sent


def check_form_editable(report: Report) -> None:
    if not form_editable(report):
        raise ReportLocked(f"Formuläret ändras bara medan redovisningen är ett utkast som inte har skickats; den är "
                           f"nu {report.state.label.lower()}.")


def check_bundle(report: Report) -> None:
    lock(report)
    if report.state not in BUNDLE_STATES:
        raise ReportLocked(f"Ett paket görs av den godkända redovisningen; den är nu {report.state.label.lower()}. "
                           f"Lämna den för granskning och låt hälso- och sjukvårdsdirektören godkänna den först.")


# --- Input -------------------------------------------------------------------------------------------


def _long_text(errors: dict, name: str, value, label: str, limit: int = TEXT_MAX) -> str | None:
    return text_field(errors, name, value, label, limit)


def _kind(errors: dict, value) -> QuestionKind | None:
    kind = QuestionKind(value) if value in {k.value for k in QuestionKind} else None
    if kind is None:
        errors["kind"] = (f"Okänd frågetyp ”{str(value)[:40]}”; välj en av: "
                          + ", ".join(k.label for k in QuestionKind) + ".")
    return kind


def _yes_no(errors: dict, value) -> bool | None:
    text = (value or "").strip().casefold()
    if text in ("", "none"):
        return None
    if text in ("ja", "yes", "true", "1"):
        return True
    if text in ("nej", "no", "false", "0"):
        return False
    errors["answer_yes"] = "Välj Ja, Nej eller inget svar."
    return None


def _with_version(obj, expected_version: int | None) -> None:
    """The UPDATE is made conditional on the version the user saw: set as the committed one, the ORM's version
    check compares with it (assigning it would not)."""
    if expected_version is not None:
        set_committed_value(obj, "version_id", expected_version)


def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except StaleDataError as error:
        raise AnswerConflict() from error


# --- Answers -----------------------------------------------------------------------------------------


def answer_values(question: ReportQuestion, form: dict) -> dict:
    """The posted answer, checked for the question's kind; ValidationError names each bad field."""
    errors: dict[str, str] = {}
    values: dict = {}
    kind = question.kind
    if kind in (QuestionKind.TEXT, QuestionKind.PAIR, QuestionKind.YES_NO):
        label = "Kommentaren" if kind is QuestionKind.YES_NO else "Svaret"
        values["answer"] = _long_text(errors, "answer", form.get("answer"), label)
    if kind is QuestionKind.PAIR:
        values["answer_second"] = _long_text(errors, "answer_second", form.get("answer_second"), "Svaret")
    if kind is QuestionKind.YES_NO:
        values["answer_yes"] = _yes_no(errors, form.get("answer_yes"))
    if kind is QuestionKind.INSATSER:
        values["items"] = {}
        for item in question.items:
            values["items"][item.id] = (
                _long_text(errors, f"item-{item.id}", form.get(f"item-{item.id}"), "Svaret"),
                _long_text(errors, f"item-{item.id}-second", form.get(f"item-{item.id}-second"), "Svaret"),
            )
    if kind is QuestionKind.CONTACTS:
        values["contacts"] = _contact_rows(errors, form)
    if errors:
        raise ValidationError(errors)
    return values


CONTACT_COLUMNS = (("name", "Kontaktperson", 120), ("phone", "Telefonnummer", 40), ("email", "Mejladress", EMAIL_MAX),
                   ("comment", "Ev. kommentar", NOTE_MAX))
CONTACT_ROWS_MAX = 50  # the form has two; a posted count beyond this is no table anyone types


def _contact_rows(errors: dict, form: dict) -> list[dict]:
    """Rows contact-N-name … from the form; an empty row is dropped, a row without a name is refused."""
    rows = []
    count = whole_number(form.get("contact_rows") or 0, 0, CONTACT_ROWS_MAX)
    if count is None:
        errors["contact_rows"] = (f"Tabellen får ha högst {CONTACT_ROWS_MAX} rader med kontaktpersoner; "
                                  f"ladda om sidan och försök igen.")
        return rows
    for n in range(count + 1):
        row = {name: _long_text(errors, f"contact-{n}-{name}", form.get(f"contact-{n}-{name}"), label, limit)
               for name, label, limit in CONTACT_COLUMNS}
        if not any(row.values()):
            continue
        if not row["name"]:
            errors[f"contact-{n}-name"] = "Ange kontaktpersonens namn, eller töm hela raden."
        rows.append(row)
    return rows


def is_stored(question: ReportQuestion, values: dict) -> bool:
    """Whether (valid) input is what is already stored: a conflict with the same answer is no conflict."""
    for name in ("answer", "answer_second", "answer_yes"):
        if name in values and getattr(question, name) != values[name]:
            return False
    if "items" in values:
        if any((i.answer, i.answer_second) != values["items"].get(i.id) for i in question.items):
            return False
    if "contacts" in values:
        stored = [{name: getattr(c, name) for name, _, _ in CONTACT_COLUMNS} for c in question.contacts]
        if stored != values["contacts"]:
            return False
    return True


def save_answer(question: ReportQuestion, user: User | None, form: dict, *, expected_version: int | None) -> None:
    """The region's answer, unless the state forbids it (ReportLocked), the input is bad (ValidationError) or
    someone saved a newer version since `expected_version` (AnswerConflict; roll back then)."""
    check_editable(question)
    values = answer_values(question, form)
    _with_version(question, expected_version)
    _apply(question, values)
    question.updated_by = user
    question.updated_at = utcnow()
    _flush_or_conflict()


def _apply(question: ReportQuestion, values: dict) -> None:
    for name in ("answer", "answer_second", "answer_yes"):
        if name in values:
            setattr(question, name, values[name])
    for item in question.items:
        if item.id in values.get("items", {}):
            item.answer, item.answer_second = values["items"][item.id]
    if "contacts" in values:
        question.contacts = [ReportContactRow(position=n, **row) for n, row in enumerate(values["contacts"])]


def insert_text(question: ReportQuestion, user: User | None, target: str, text: str, *,
                expected_version: int | None, typed: dict | None = None) -> None:
    """Add `text` (a contribution, the plan's status table, …) at the end of one answer field: `answer`,
    `answer_second`, `item-N` or `item-N-second`. `typed`: the answer form as it stands in the browser, typed but
    not saved; it is kept and the text appended to it (checked, and saved with the same version as a save would).
    A text already in the field is not inserted twice (ValidationError)."""
    check_editable(question)
    stored = _field_value(question, target)
    form = current_form(question)
    if typed is not None:
        form.update({name: typed[name] for name in form if name in typed})
    current = form.get(target) if typed is not None and target in typed else stored
    addition = (text or "").strip()
    if addition and is_inserted(current, addition):
        raise ValidationError({"target": "Texten finns redan i svarsfältet; den infogas inte en gång till."})
    form[target] = "\n\n".join(part for part in ((current or "").strip(), addition) if part)
    save_answer(question, user, form, expected_version=expected_version)


def is_inserted(field: str | None, text: str | None) -> bool:
    """Whether `text` (a contribution, say) already stands in an answer field: compared without differences of
    white space, so that a text inserted and then re-wrapped still counts."""
    needle = " ".join((text or "").split())
    return bool(needle) and needle in " ".join((field or "").split())


def contribution_inserted(question: ReportQuestion, contribution: ReportContribution) -> bool:
    """Whether the contribution's text already stands in one of the question's answer fields."""
    return any(is_inserted(_field_value(question, target), contribution.text)
               for target, _ in insert_targets(question))


def insert_targets(question: ReportQuestion) -> list[tuple[str, str]]:
    """(target, label) of the answer fields a text may be inserted into."""
    kind = question.kind
    if kind is QuestionKind.TEXT:
        return [("answer", "svaret")]
    if kind is QuestionKind.PAIR:
        return [("answer", "vänstra svaret"), ("answer_second", "högra svaret")]
    if kind is QuestionKind.YES_NO:
        return [("answer", "kommentaren")]
    if kind is QuestionKind.INSATSER:
        targets = []
        for item in question.items:
            targets.append((f"item-{item.id}", _short(item.name)))
            if question.prompt_second:
                targets.append((f"item-{item.id}-second", f"{_short(item.name)} ({_short(question.prompt_second)})"))
        return targets
    return []


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field_value(question: ReportQuestion, target: str) -> str | None:
    if target in ("answer", "answer_second") and any(t == target for t, _ in insert_targets(question)):
        return getattr(question, target)
    match = re.fullmatch(r"item-(\d+)(-second)?", target or "")
    if match and question.kind is QuestionKind.INSATSER:
        item = next((i for i in question.items if i.id == int(match[1])), None)
        if item is not None and (not match[2] or question.prompt_second):
            return item.answer_second if match[2] else item.answer
    raise ValidationError({"target": "Välj ett svarsfält i frågan att infoga texten i."})


def current_form(question: ReportQuestion) -> dict:
    """The stored answer as the answer form posts it."""
    form = {"answer": question.answer or "", "answer_second": question.answer_second or "",
            "answer_yes": {True: "ja", False: "nej", None: ""}[question.answer_yes]}
    for item in question.items:
        form[f"item-{item.id}"] = item.answer or ""
        form[f"item-{item.id}-second"] = item.answer_second or ""
    form["contact_rows"] = str(len(question.contacts))
    for n, contact in enumerate(question.contacts):
        for name, _, _ in CONTACT_COLUMNS:
            form[f"contact-{n}-{name}"] = getattr(contact, name) or ""
    return form


# --- Contributions -------------------------------------------------------------------------------------


def save_contribution(contribution: ReportContribution, user: User | None, *, text, done: bool,
                      nothing_to_add: bool = False, expected_version: int | None) -> None:
    """Save the text, klar or not; `nothing_to_add` is klar without a text (the förvaltning has nothing to say)."""
    check_editable(contribution.question)
    errors: dict[str, str] = {}
    value = _long_text(errors, "text", text, "Bidraget")
    if nothing_to_add and value:
        errors["text"] = ("Bidraget har en text, så det är inte ”Inget att tillägga”. Töm textrutan, eller spara "
                          "texten och markera den som klar.")
    elif done and not value and not nothing_to_add:
        errors["text"] = ("Skriv ett bidrag innan det markeras som klart, eller välj ”Inget att tillägga” om "
                          "förvaltningen inte har något att bidra med.")
    done = done or nothing_to_add
    if errors:
        raise ValidationError(errors)
    _with_version(contribution, expected_version)
    contribution.text = value
    contribution.done = done
    contribution.updated_by = user
    contribution.updated_at = utcnow()
    _flush_or_conflict()


def contribution_is_stored(contribution: ReportContribution, *, text, done: bool, nothing_to_add: bool = False) -> bool:
    return contribution.text == clean_text(text) and contribution.done == (done or nothing_to_add)


def assign_divisions(question: ReportQuestion, division_ids: list[int]) -> None:
    """The förvaltningar asked to contribute to the question; a written contribution is kept only if asked."""
    check_editable(question)
    known = {d.id: d for d in db.session.scalars(sa.select(Division))}
    wanted = {i for i in division_ids if i in known}
    if len(wanted) != len(set(division_ids)):
        raise ValidationError({"divisions": "En av förvaltningarna finns inte; ladda om sidan."})
    for contribution in list(question.contributions):
        if contribution.division_id not in wanted:
            question.contributions.remove(contribution)
    have = {c.division_id for c in question.contributions}
    for division_id in sorted(wanted - have, key=lambda i: (known[i].position, known[i].name)):
        question.contributions.append(ReportContribution(division=known[division_id]))
    db.session.flush()


def _questions_of(report: Report) -> list[ReportQuestion]:
    """Every question of the report, in one query whatever the number of sections (with their contributions)."""
    return db.session.scalars(
        sa.select(ReportQuestion).join(ReportSection).where(ReportSection.report_id == report.id)
        .order_by(ReportSection.position, ReportSection.id, ReportQuestion.position)
        .options(so.selectinload(ReportQuestion.contributions))
    ).all()


def _active_divisions() -> list[Division]:
    return db.session.scalars(sa.select(Division).where(Division.active.is_(True))
                              .order_by(Division.position, Division.name)).all()


def ask_every_division(report: Report) -> None:
    """The default: every active förvaltning is asked for the questions the form asks of them (`asks_divisions`:
    their medel, results and insatser; not a ja/nej, the contacts or a free comment, which are the region's)."""
    active = _active_divisions()
    for question in _questions_of(report):
        if question.asks_divisions:
            have = {c.division_id for c in question.contributions}
            question.contributions += [ReportContribution(division=d) for d in active if d.id not in have]


# --- Creating a report from a form -------------------------------------------------------------------


def shipped_forms() -> list[tuple[str, str]]:
    """(name, title) of the forms shipped with the app (tracker/reports/data/*.json)."""
    folder = resources.files("tracker.reports").joinpath("data")
    if not folder.is_dir():
        return []
    forms = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            forms.append((entry.name[:-5], json.loads(entry.read_text("utf-8"))["title"]))
    return forms


def read_shipped_form(name: str) -> dict:
    if name not in {n for n, _ in shipped_forms()}:
        raise ValidationError({"source": f"Det finns inget formulär {name}."})
    return json.loads(resources.files("tracker.reports").joinpath("data", f"{name}.json").read_text("utf-8"))


def report_errors(*, key, title, year) -> dict[str, str]:
    errors = {}
    if not (key or "").strip():
        errors["key"] = "Ange en nyckel för redovisningen, t.ex. tillganglighet-2025."
    else:
        key = key_field(errors, "key", key, reserved=RESERVED_KEYS, example="tillganglighet-2025")
        if "key" not in errors and get_report(key):
            errors["key"] = f"Det finns redan en redovisning med nyckeln {key}."
    _report_title(errors, title)
    if not isinstance(year, int) or year not in YEARS:
        errors["year"] = "Ange året som redovisas, t.ex. 2025."
    return errors


def _report_title(errors: dict, value) -> str | None:
    return required_text(errors, "title", value, "Titeln", TITLE_MAX, "Ange redovisningens titel.")


def _plan_and_version(errors: dict, plan_key: str | None, plan_version) -> tuple[Plan | None, int | None]:
    plan = get_plan(plan_key) if plan_key else None
    if plan_key and plan is None:
        errors["plan"] = f"Det finns ingen plan med nyckeln {plan_key}."
    number = None
    if plan_version not in (None, ""):
        number = optional_id(plan_version)
        if plan is None:
            errors["plan_version"] = "Välj först planen som versionen hör till."
        elif number is None or versions.get_version(plan, number) is None:
            have = ", ".join(str(v.number) for v in reversed(versions.list_versions(plan))) or "inga ännu"
            errors["plan_version"] = (f"Planen {plan.key} har ingen fastställd version {plan_version} "
                                      f"(fastställda: {have}).")
    return plan, number


def create_report(data: dict, *, answers: bool, key: str | None = None, title: str | None = None,
                  year: int | None = None, agreement: str | None = None, plan_key: str | None = None,
                  plan_version=None, deadline=None, recipient: str | None = None,
                  ask_divisions: bool = True) -> Report:
    """A report with the form (and, if `answers`, the answers) of `data`, a report in the JSON form of
    tracker/reports/data/; key, title, year, agreement, plan, deadline and recipient override the data's."""
    key = key if key is not None else data["key"]
    title = title if title is not None else data["title"]
    year = year if year is not None else data["year"]
    errors = report_errors(key=key, title=title, year=year)
    # One of the agreements there are: the form's select gives its id, a form's data its name.
    agreement = choose_agreement(errors, "agreement", agreement if agreement is not None else data["agreement"])
    plan, number = _plan_and_version(errors, plan_key if plan_key is not None else data.get("plan"),
                                     plan_version if plan_version is not None else data.get("plan_version"))
    deadline = date_field(errors, "deadline", deadline if deadline is not None else data.get("deadline"), "Sista dag")
    recipient = address_field(errors, "recipient", recipient if recipient is not None else data.get("recipient"))
    if errors:
        raise ValidationError(errors)
    year_of(agreement, year)
    report = Report(key=key.strip(), agreement=agreement, year=year,
                    title=title.strip(), region=data.get("region") or "Region Halland", deadline=deadline,
                    recipient=recipient, registry_number=data.get("registry_number"), plan=plan,
                    plan_version=number, guidance=data.get("guidance"),
                    cover_letter=data.get("cover_letter") if answers else None)
    db.session.add(report)
    for position, section in enumerate(data["sections"]):
        _add_section(report, None, section, position, answers)
    if ask_divisions:
        ask_every_division(report)
    db.session.flush()
    return report


def _add_section(report: Report, parent: ReportSection | None, data: dict, position: int, answers: bool) -> None:
    section = ReportSection(parent=parent, number=data.get("number"), title=data["title"], intro=data.get("intro"),
                            position=position)
    report.sections.append(section)
    for n, question in enumerate(data.get("questions", [])):
        section.questions.append(_question(question, n, answers))
    for n, child in enumerate(data.get("sections", [])):
        _add_section(report, section, child, n, answers)


def _question(data: dict, position: int, answers: bool) -> ReportQuestion:
    errors: dict[str, str] = {}
    kind = _kind(errors, data.get("kind"))
    if errors:
        raise ValidationError(errors)
    question = ReportQuestion(kind=kind, prompt=data.get("prompt") or "", prompt_second=data.get("prompt_second"),
                              help=data.get("help"), position=position,
                              asks_divisions=bool(data.get("asks_divisions")) and kind in CONTRIBUTED_KINDS)
    if kind is QuestionKind.INSATSER:
        question.items = [ReportItem(name=i["name"], position=n,
                                     answer=i.get("answer") if answers else None,
                                     answer_second=i.get("answer_second") if answers else None)
                          for n, i in enumerate(data.get("items", []))]
    if not answers:
        return question
    question.answer = data.get("comment") if kind is QuestionKind.YES_NO else data.get("answer")
    if kind is QuestionKind.YES_NO:
        question.answer_yes = data.get("answer")
    question.answer_second = data.get("answer_second")
    if kind is QuestionKind.CONTACTS:
        question.contacts = [ReportContactRow(position=n, name=r["name"], phone=r.get("phone"), email=r.get("email"),
                                              comment=r.get("comment")) for n, r in enumerate(data.get("rows", []))]
    return question


def report_data(report: Report) -> dict:
    """The report in the JSON form it can be created from (a copy for next year)."""
    def question(q: ReportQuestion) -> dict:
        data = {"kind": q.kind.value, "prompt": q.prompt, "help": q.help}
        if q.asks_divisions:
            data["asks_divisions"] = True
        if q.kind is QuestionKind.YES_NO:
            data.update(answer=q.answer_yes, comment=q.answer)
        elif q.kind is QuestionKind.CONTACTS:
            data["rows"] = [{"name": c.name, "phone": c.phone, "email": c.email, "comment": c.comment}
                            for c in q.contacts]
        elif q.kind is QuestionKind.INSATSER:
            data["prompt_second"] = q.prompt_second
            data["items"] = [{"name": i.name, "answer": i.answer, "answer_second": i.answer_second} for i in q.items]
        else:
            data["answer"] = q.answer
            if q.kind is QuestionKind.PAIR:
                data.update(prompt_second=q.prompt_second, answer_second=q.answer_second)
        return data

    def section(view: SectionView) -> dict:
        s = view.section
        return {"number": s.number, "title": s.title, "intro": s.intro,
                "questions": [question(q) for q in view.questions],
                "sections": [section(child) for child in view.children]}

    return {
        "key": report.key, "agreement": report.agreement.name, "year": report.year, "title": report.title,
        "region": report.region, "deadline": report.deadline.isoformat() if report.deadline else None,
        "recipient": report.recipient, "plan": report.plan.key if report.plan else None,
        "plan_version": report.plan_version, "registry_number": report.registry_number,
        "cover_letter": report.cover_letter, "guidance": report.guidance,
        "sections": [section(view) for view in load_tree(report)],
    }


def create_from_source(source: str, *, answers: bool, **facts) -> Report:
    """`source` is "form:NAME" (a shipped form, answers dropped) or "report:KEY" (a copy of that report, with or
    without its answers). Every problem is reported at once, the source's with the facts'."""
    kind, _, name = (source or "").partition(":")
    data, errors = None, {}
    if kind == "form" and name in {n for n, _ in shipped_forms()}:
        data, answers = read_shipped_form(name), False
        data.update(plan=None, plan_version=None, registry_number=None)  # the form's own year's; chosen anew
    elif kind == "report" and (original := get_report(name)) is not None:
        data = report_data(original)
        data.update(deadline=None, registry_number=None, plan_version=None)
    elif kind in ("form", "report"):
        errors["source"] = f"Det finns {'inget formulär' if kind == 'form' else 'ingen redovisning'} {name}."
    else:
        errors["source"] = "Välj ett formulär eller en redovisning att utgå från."
    if data is None:
        errors.update(report_errors(key=facts.get("key"), title=facts.get("title"), year=facts.get("year")))
        raise ValidationError(errors)
    return create_report(data, answers=answers, **facts)


def _year_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def source_facts(source: str) -> dict[str, str]:
    """The facts a new report from `source` ("form:NAME" or "report:KEY") starts with, as the form posts them:
    the source's, a year on (the year in the key and the title, the deadline a year later), its agreement,
    recipient and plan (if there is such a plan here). The version is chosen anew: the plan's fastställda
    versions of that time are not next year's."""
    kind, _, name = (source or "").partition(":")
    if kind == "form" and name in {n for n, _ in shipped_forms()}:
        data = read_shipped_form(name)
        plan = get_plan(data["plan"]) if data.get("plan") else None
        facts = {"key": data["key"], "title": data["title"], "year": data["year"], "agreement": data["agreement"],
                 "deadline": date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
                 "recipient": data.get("recipient")}
    elif kind == "report" and (original := get_report(name)) is not None:
        plan = original.plan
        facts = {"key": original.key, "title": original.title, "year": original.year,
                 "agreement": original.agreement.name, "deadline": original.deadline,
                 "recipient": original.recipient}
    else:
        raise ValidationError({"source": "Välj ett formulär eller en redovisning att utgå från."})
    year = facts["year"] + 1
    same_year = re.compile(rf"\b{facts['year']}\b")
    agreement = find_agreement(facts["agreement"] or "")  # the select's choice: the same agreement, if it is here
    key = same_year.sub(str(year), facts["key"])
    return {"source": source, "key": key if key != facts["key"] else f"{key}-{year}",
            "title": same_year.sub(str(year), facts["title"]), "year": str(year),
            "agreement": str(agreement.id) if agreement else "", "deadline": _year_later(facts["deadline"]).isoformat() if facts["deadline"] else "",
            "recipient": facts["recipient"] or "", "plan": plan.key if plan else "", "plan_version": ""}


def approved_versions(plan_key: str | None) -> list:
    """The fastställda versions of the plan named, the latest first (the choices beside "planen som den är")."""
    plan = get_plan(plan_key) if plan_key else None
    return versions.list_versions(plan) if plan else []


def update_facts(report: Report, *, title, deadline, recipient, plan_key, plan_version,
                 expected_version: int | None) -> None:
    errors: dict[str, str] = {}
    title = _report_title(errors, title)
    deadline = date_field(errors, "deadline", deadline, "Sista dag")
    recipient = address_field(errors, "recipient", recipient)
    plan, number = _plan_and_version(errors, clean_text(plan_key), clean_text(plan_version))
    if errors:
        raise ValidationError(errors)
    check_form_editable(report)
    _with_version(report, expected_version)
    report.title, report.deadline, report.recipient = title, deadline, recipient
    report.plan, report.plan_version = plan, number
    _flush_or_conflict()


# --- Editing the form -----------------------------------------------------------------------------


def section_values(*, number, title, intro) -> dict:
    errors: dict[str, str] = {}
    number = _long_text(errors, "number", number, "Numret (t.ex. 3.1)", NUMBER_MAX)
    title = required_text(errors, "title", title, "Rubriken", TITLE_MAX,
                          "Ange avsnittets rubrik; den får inte vara tom.")
    intro = _long_text(errors, "intro", intro, "Inledningen", PROMPT_MAX)
    if errors:
        raise ValidationError(errors)
    return {"number": number, "title": title, "intro": intro}


def _siblings(report: Report, parent: ReportSection | None) -> list[ReportSection]:
    return sorted((s for s in report.sections if s.parent is parent), key=lambda s: s.position)


def add_section(report: Report, *, parent_id=None, **form) -> ReportSection:
    check_form_editable(report)
    values = section_values(**form)
    parent = None
    if parent_id not in (None, ""):
        parent = get_section(optional_id(parent_id) or 0)
        if parent is None or parent.report_id != report.id:
            raise ValidationError({"parent_id": "Det överordnade avsnittet finns inte i redovisningen."})
    section = ReportSection(parent=parent, position=len(_siblings(report, parent)), **values)
    report.sections.append(section)
    db.session.flush()
    return section


def update_section(section: ReportSection, **form) -> None:
    check_form_editable(section.report)
    for name, value in section_values(**form).items():
        setattr(section, name, value)
    db.session.flush()


def _move(items: list, item, direction: int) -> bool:
    index = items.index(item)
    other = index + direction
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    return True


def move_section(section: ReportSection, direction: int) -> bool:
    check_form_editable(section.report)
    return _move(_siblings(section.report, section.parent), section, direction)


def delete_section(section: ReportSection) -> None:
    """An empty section, with its subsections; one whose questions hold answers or contributions is refused, so
    that nothing written is lost with it."""
    report = section.report
    check_form_editable(report)
    written = next((q for s in _section_tree(section) for q in s.questions if not q.is_empty), None)
    if written is not None:
        raise ValidationError({"section": (
            f"Avsnittet har svar eller bidrag, t.ex. på frågan ”{_short(written.prompt)}”, och tas inte bort. "
            f"Töm svaren och låt förvaltningarna tömma sina bidrag, eller ta bort frågorna en och en, först.")})
    parent = section.parent
    _delete_section_tree(section)
    db.session.flush()
    for position, sibling in enumerate(_siblings(report, parent)):
        sibling.position = position
    db.session.flush()


def _section_tree(section: ReportSection) -> list[ReportSection]:
    return [section] + [s for child in section.children for s in _section_tree(child)]


def _delete_section_tree(section: ReportSection) -> None:
    for child in list(section.children):
        _delete_section_tree(child)
    section.report.sections.remove(section)  # delete-orphan: deleted with its questions


def question_values(*, kind, prompt, prompt_second=None, help=None, items=None, asks_divisions=None) -> dict:
    errors: dict[str, str] = {}
    values = {"kind": _kind(errors, kind)}
    values["asks_divisions"] = bool(asks_divisions) and values["kind"] in CONTRIBUTED_KINDS
    values["prompt"] = _long_text(errors, "prompt", prompt, "Frågan", PROMPT_MAX)
    if not values["prompt"]:
        errors["prompt"] = "Skriv frågan; den får inte vara tom."
    values["prompt_second"] = _long_text(errors, "prompt_second", prompt_second, "Den andra kolumnens fråga",
                                         PROMPT_MAX)
    values["help"] = _long_text(errors, "help", help, "Hjälptexten", PROMPT_MAX)
    lines = (text_field(errors, "items", items, "Insatserna", TEXT_MAX) or "").splitlines()
    names = [" ".join(line.split()) for line in lines]
    values["items"] = [n for n in names if n]
    if any(len(n) > TITLE_MAX * 2 for n in values["items"]):
        errors["items"] = f"En insats namn får ha högst {TITLE_MAX * 2} tecken."
    if values["kind"] is QuestionKind.INSATSER and not values["items"]:
        errors["items"] = "Skriv insatserna, en per rad."
    if errors:
        raise ValidationError(errors)
    return values


def add_question(section: ReportSection, **form) -> ReportQuestion:
    check_form_editable(section.report)
    values = question_values(**form)
    names = values.pop("items")
    question = ReportQuestion(position=len(section.questions), **values)
    question.items = [ReportItem(name=name, position=n) for n, name in enumerate(names)]
    section.questions.append(question)
    if question.asks_divisions:
        question.contributions = [ReportContribution(division=d) for d in _active_divisions()]
    db.session.flush()
    return question


def update_question(question: ReportQuestion, **form) -> None:
    """Rename, reword, or (while nothing is answered) change the kind; insatser keep their answers by name."""
    check_form_editable(report_of(question))
    values = question_values(**form)
    if values["kind"] is not question.kind and not question.is_empty:
        raise ValidationError({"kind": "Frågetypen kan bara ändras medan frågan är obesvarad och utan bidrag."})
    names = values.pop("items")
    kind_changed = values["kind"] is not question.kind
    newly_asked = values["asks_divisions"] and not question.asks_divisions
    for name, value in values.items():
        setattr(question, name, value)
    if kind_changed and question.kind not in CONTRIBUTED_KINDS:  # nothing is written yet (see above)
        question.contributions = []
    elif newly_asked:  # the förvaltningar already asked (the strateg's choice) stay asked
        have = {c.division_id for c in question.contributions}
        question.contributions += [ReportContribution(division=d) for d in _active_divisions() if d.id not in have]
    if question.kind is QuestionKind.INSATSER:
        existing = {i.name: i for i in question.items}
        question.items = [existing.get(name) or ReportItem(name=name) for name in names]
        for n, item in enumerate(question.items):
            item.position = n
    else:
        question.items = []
    db.session.flush()


def move_question(question: ReportQuestion, direction: int) -> bool:
    check_form_editable(report_of(question))
    return _move(list(question.section.questions), question, direction)


def delete_question(question: ReportQuestion) -> None:
    section = question.section
    check_form_editable(section.report)
    section.questions.remove(question)
    for position, each in enumerate(section.questions):
        each.position = position
    db.session.flush()


# --- The life cycle -------------------------------------------------------------------------------------


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


def repeats_heading(question: ReportQuestion) -> bool:
    """Whether the question's prompt only repeats its section's title (a report in chapters, as God och nära vård
    2020: each chapter one free text under its own title; the contacts table under "Kontaktuppgifter"); the page
    and the Word file then show the title once."""
    def same(text) -> str:
        return " ".join((text or "").split()).casefold()
    section = question.section
    return question.kind in (QuestionKind.TEXT, QuestionKind.CONTACTS) \
        and same(question.prompt) in {same(section.title), same(section.heading)}


YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


@dataclass
class FormText:
    """One text of the form (a section's title or intro; a question's prompt, second prompt or help; an insats):
    the row and attribute holding it, where it is, and the anchor of its place in the form editor."""

    section: ReportSection
    where: str
    anchor: str
    row: object
    attribute: str

    @property
    def text(self) -> str | None:
        return getattr(self.row, self.attribute)


def form_texts(tree: list[SectionView]) -> list[FormText]:
    texts = []
    for view in walk(tree):
        section = view.section
        at_section = f"section-{section.id}"
        texts += [FormText(section, f"Avsnittets rubrik ({section.heading})", at_section, section, "title"),
                  FormText(section, f"Avsnittets inledning ({section.heading})", at_section, section, "intro")]
        for question in view.questions:
            at_question = f"edit-question-{question.id}"
            if not repeats_heading(question):  # else the section's title, already there
                texts.append(FormText(section, f"Fråga i {section.heading}", at_question, question, "prompt"))
            texts += [FormText(section, f"Fråga i {section.heading}", at_question, question, "prompt_second"),
                      FormText(section, f"Hjälptext i {section.heading}", at_question, question, "help")]
            texts += [FormText(section, f"Insats i {section.heading}", at_question, item, "name")
                      for item in question.items]
    return texts


@dataclass
class OtherYear:
    """A text of the form that names a year other than the report's: where (its place in the form editor) and
    what."""

    section: ReportSection
    where: str
    anchor: str
    text: str
    years: list[str]


def other_year_texts(report: Report, tree: list[SectionView] | None = None) -> list[OtherYear]:
    """The form's texts that name a year before the report's ("Hur har 2024 års medel använts?" in a report for
    2025): a form copied from last year keeps last year's wording until the strateg updates it. A later year is
    not listed: it names a goal or a programme ("Vision e-hälsa 2025" in the 2020 report), not last year's form."""
    found = []
    for each in form_texts(tree if tree is not None else load_tree(report)):
        years = sorted({y for y in YEAR.findall(each.text or "") if int(y) < report.year})
        if years:
            found.append(OtherYear(each.section, each.where, each.anchor, _short(each.text, 140), years))
    return found


def earlier_years(other_years: list[OtherYear]) -> list[str]:
    """The years the form's texts name before the report's, the latest first: the ones "byt … mot …" offers."""
    return sorted({y for o in other_years for y in o.years}, reverse=True)


@dataclass
class YearChange:
    """One text as it is and as it becomes when a year is replaced by the report's."""

    where: str
    anchor: str
    old: str
    new: str
    text: FormText


def year_changes(report: Report, old_year, tree: list[SectionView] | None = None) -> list[YearChange]:
    """The preview of replacing `old_year` (an earlier year, as a whole number) by the report's year in every text
    of the form; a year inside another number or a later year is left alone."""
    old = str(old_year or "").strip()
    if not re.fullmatch(r"(?:19|20)\d{2}", old) or int(old) >= report.year:
        raise ValidationError({"fran": f"Ange ett tidigare år än {report.year} att byta, t.ex. {report.year - 1}; "
                                       f"”{old[:20]}” är inget sådant år."})
    pattern = re.compile(rf"\b{old}\b")
    changes = []
    for each in form_texts(tree if tree is not None else load_tree(report)):
        if each.text and pattern.search(each.text):
            changes.append(YearChange(each.where, each.anchor, each.text, pattern.sub(str(report.year), each.text),
                                      each))
    return changes


def year_changes_seen(changes: list[YearChange]) -> str:
    """The preview as its confirmation carries it: a text changed since makes it stale."""
    return digest([[c.anchor, c.text.attribute, c.old] for c in changes])


def replace_year(report: Report, old_year, *, seen: str) -> list[YearChange]:
    """Replace an earlier year by the report's in every text of the form at once, as the preview showed
    (`seen`); each changed row is in the report's history."""
    lock(report)  # first: the state and the texts are then judged as they are now
    check_form_editable(report)
    changes = year_changes(report, old_year)
    if not changes:
        raise ValidationError({"fran": f"Inga texter i formuläret nämner {old_year}; inget att byta."})
    if year_changes_seen(changes) != seen:
        raise ChangedSinceSeen("Formulärets texter har ändrats sedan förhandsvisningen, så inget byttes. Se "
                               "förhandsvisningen igen och bekräfta den.",
                               ("reports.year_preview", {"key": report.key, "fran": old_year}),
                               "Förhandsvisningen nu")
    for change in changes:
        setattr(change.text.row, change.text.attribute, change.new)
    db.session.flush()
    return changes


def is_answered(question: ReportQuestion) -> bool:
    """Whether the region has answered the question at all (one of its fields written, a ja/nej chosen, a contact)."""
    kind = question.kind
    if kind is QuestionKind.YES_NO:
        return question.answer_yes is not None
    if kind is QuestionKind.CONTACTS:
        return bool(question.contacts)
    if kind is QuestionKind.INSATSER:
        return any(i.answer or i.answer_second for i in question.items)
    return bool(question.answer or question.answer_second)


OPTIONAL_PROMPT = re.compile(r"^(ev\.?|eventuell[at]?|övriga?)\s+kommentar", re.IGNORECASE)


def is_optional(question: ReportQuestion) -> bool:
    """A free comment ("Ev. kommentar", "Övriga kommentarer") is answered only when there is something to say."""
    return question.kind is QuestionKind.TEXT and bool(OPTIONAL_PROMPT.match(question.prompt.strip()))


@dataclass
class Readiness:
    """What is missing before the report goes on (to review, to approval): the questions without an answer, the
    contributions not klara (per förvaltning) and a plan attached as a draft."""

    unanswered: list[str]
    waiting: dict[str, int]
    draft_plan: str | None

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())

    @property
    def gaps(self) -> list[str]:
        gaps = []
        if self.unanswered:
            named = "; ".join(self.unanswered[:5])
            more = len(self.unanswered) - 5
            gaps.append(f"{_count(len(self.unanswered), 'fråga saknar', 'frågor saknar')} svar: {named}"
                        + (f" och {more} till." if more > 0 else "."))
        if self.waiting:
            per = ", ".join(f"{name} {n}" for name, n in self.waiting.items())
            gaps.append(f"{_count(self.waiting_total, 'bidrag väntar', 'bidrag väntar')} från förvaltningarna "
                        f"({per}).")
        if self.draft_plan:
            gaps.append(self.draft_plan)
        return gaps


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def draft_plan_notice(report: Report) -> str | None:
    """The warning when the bundle would attach the plan as a draft: no fastställd version chosen, and the plan
    itself is not fastställd (the bundle's Excel file is then the current draft, "Utkast" in its manifest)."""
    plan = report.plan
    if plan is None or report.plan_version is not None or plan.state is PlanState.APPROVED:
        return None
    return (f"Den bifogade planen {plan.title} är ett utkast, utan fastställd version: paketet bifogar utkastet. "
            f"Fastställ planen, eller välj en fastställd version under Formulär och uppgifter, innan paketet görs.")


def readiness(report: Report, tree: list[SectionView] | None = None) -> Readiness:
    """What is missing, from the tree the page already holds (or loaded now)."""
    unanswered, waiting = [], defaultdict(int)
    for view in walk(tree if tree is not None else load_tree(report)):
        for question in view.questions:
            if not is_answered(question) and not is_optional(question):
                unanswered.append(f"{view.section.heading}: {_short(question.prompt)}")
            for contribution in question.contributions:
                if not contribution.done:
                    waiting[contribution.division.name] += 1
    return Readiness(unanswered, dict(waiting), draft_plan_notice(report))


def content_digest(report: Report) -> str:
    """What the report page shows of the report, as the godkännande's and the komplettering's forms carry it: the
    form with its answers and facts (`report_data`), every förvaltning's contribution, and how often it was sent.
    Its state is left out: a step taken in between is refused by the state, with a message of its own."""
    contributions = sorted((c.question_id, c.division_id, c.text, c.done)
                           for q in _questions_of(report) for c in q.contributions)
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
                                          f"{_count(len(gaps), 'sak', 'saker')} i listan ovan."})


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
    note = _long_text(errors, "note", note, "Anteckningen", NOTE_MAX)
    if bundle is not None and bundle.report_id != report.id:
        errors["bundle"] = "Paketet hör till en annan redovisning."
    elif bundle is not None and report.approved_at and bundle.created_at < report.approved_at:
        errors["bundle"] = "Paketet gjordes före godkännandet; skapa ett nytt paket av den godkända redovisningen."
    if errors:
        raise ValidationError(errors)
    reopened = [q for q in _questions_of(report) if q.reopened]
    sending = ReportSending(
        number=len(report.sendings) + 1, sent_on=sent_on, bundle=bundle, sha256=bundle.sha256 if bundle else None,
        sent_by_id=user.id if user else None, sent_by_name=user.name if user else (name or "okänd"),
        reopened=[_short(q.prompt, 200) for q in reopened] or None, note=note)
    report.sendings.append(sending)
    for question in reopened:
        question.reopened = False
    report.state = ReportState.SENT
    db.session.flush()
    return sending


def reopen(report: Report, question_ids: list[int], *, note: str | None = None) -> list[ReportQuestion]:
    """A komplettering: the questions Socialstyrelsen asks about become editable again, the rest stay as sent."""
    _expect(report, ReportState.SENT)
    questions = {q.id: q for q in _questions_of(report)}
    chosen = [questions[i] for i in question_ids if i in questions]
    if not chosen:
        raise ValidationError({"questions": "Välj de frågor som Socialstyrelsen vill ha kompletterade."})
    for question in chosen:
        question.reopened = True
    report.state = ReportState.COMPLETION
    db.session.flush()
    return chosen


# --- What the tracker knows, offered ----------------------------------------------------------------------


def plan_contacts(report: Report) -> list[PlanContact]:
    return list(report.plan.contacts) if report.plan else []


def contacts_text_form(question: ReportQuestion, contacts: list[PlanContact]) -> dict:
    """The answer form with the plan's contacts as the table's rows: name, phone and e-mail. The plan's comment on
    a contact is the plan's own, internal note (who covers for whom, …), not a text for Socialstyrelsen: it is not
    copied; a comment already written in the answer's row of the same name is kept."""
    form = current_form(question)
    written = {(c.name or "").casefold(): c.comment or "" for c in question.contacts}
    form["contact_rows"] = str(len(contacts))
    for n, contact in enumerate(contacts):
        for name, _, _ in CONTACT_COLUMNS:
            form[f"contact-{n}-{name}"] = getattr(contact, name) or ""
        form[f"contact-{n}-comment"] = written.get((contact.name or "").casefold(), "")
    return form


def asks_if_plan_updated(question: ReportQuestion) -> bool:
    """The form's "Har handlingsplanen uppdaterats sedan senaste version ni skickat in …?"."""
    prompt = question.prompt.casefold()
    return question.kind is QuestionKind.YES_NO and "handlingsplan" in prompt and "uppdaterats" in prompt


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


def apply_plan_update(question: ReportQuestion, user: User | None, *, expected_version: int | None,
                      typed: dict | None = None) -> None:
    """The proposed ja/nej, and its text as the comment unless one is written (`typed`: as in insert_text)."""
    proposal = plan_update(report_of(question))
    if proposal is None or not asks_if_plan_updated(question):
        raise ValidationError({"answer_yes": "Ingen version av planen är markerad som skickad; svara själv."})
    form = current_form(question)
    if typed is not None and "answer" in typed:
        form["answer"] = typed["answer"]
    form["answer_yes"] = "ja" if proposal.changed else "nej"
    form["answer"] = form["answer"] or proposal.text
    save_answer(question, user, form, expected_version=expected_version)


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


HISTORY_PAGE_SIZE = 50


def history_page(report: Report, page: int) -> tuple[list[HistoryEntry], bool]:
    """One page of the report's own history, newest first, and whether there is a next one."""
    rows = db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.report_id == report.id).order_by(HistoryEntry.id.desc())
        .offset((page - 1) * HISTORY_PAGE_SIZE).limit(HISTORY_PAGE_SIZE + 1)
    ).all()
    return rows[:HISTORY_PAGE_SIZE], len(rows) > HISTORY_PAGE_SIZE


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

