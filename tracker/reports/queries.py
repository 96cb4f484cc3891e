"""Reading a redovisning: the report, its form as a tree, who has answered what (the contribution matrix, a
förvaltning's questions and the navigation's count), what is missing before it goes on, and its history."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.display import counted
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.reports.models import (
    OPEN_STATES, WRITING_STATES, Report, ReportContribution, ReportQuestion, ReportSection, ReportSending, shorten,
)
from tracker.users.models import Division, User
from tracker.vocabulary import PlanState, QuestionKind


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


# Not merged with the follow-up round's DivisionProgress: that one counts `confirmed` where this counts `done`.
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
        return not self.contribution.done and self.question.is_editable


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
    rule of `MyQuestion.awaiting` (not klar, and `ReportQuestion.is_editable`) in SQL."""
    if user.division_id is None:
        return 0
    sent = sa.exists().where(ReportSending.report_id == Report.id)
    return db.session.scalar(
        sa.select(sa.func.count(ReportContribution.id)).join(ReportQuestion).join(ReportSection).join(Report)
        .where(ReportContribution.division_id == user.division_id, ReportContribution.done.is_(False),
               Report.state.in_(WRITING_STATES), sa.or_(~sent, ReportQuestion.reopened.is_(True)))
    )


def questions_of(report: Report) -> list[ReportQuestion]:
    """Every question of the report, in one query whatever the number of sections (with their contributions)."""
    return db.session.scalars(
        sa.select(ReportQuestion).join(ReportSection).where(ReportSection.report_id == report.id)
        .order_by(ReportSection.position, ReportSection.id, ReportQuestion.position)
        .options(so.selectinload(ReportQuestion.contributions))
    ).all()


def active_divisions() -> list[Division]:
    return db.session.scalars(sa.select(Division).where(Division.active.is_(True))
                              .order_by(Division.position, Division.name)).all()


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
            gaps.append(f"{counted(len(self.unanswered), 'fråga saknar', 'frågor saknar')} svar: {named}"
                        + (f" och {more} till." if more > 0 else "."))
        if self.waiting:
            per = ", ".join(f"{name} {n}" for name, n in self.waiting.items())
            gaps.append(f"{counted(self.waiting_total, 'bidrag väntar', 'bidrag väntar')} från förvaltningarna "
                        f"({per}).")
        if self.draft_plan:
            gaps.append(self.draft_plan)
        return gaps


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
                unanswered.append(f"{view.section.heading}: {shorten(question.prompt)}")
            for contribution in question.contributions:
                if not contribution.done:
                    waiting[contribution.division.name] += 1
    return Readiness(unanswered, dict(waiting), draft_plan_notice(report))


HISTORY_PAGE_SIZE = 50


def history_page(report: Report, page: int) -> tuple[list[HistoryEntry], bool]:
    """One page of the report's own history, newest first, and whether there is a next one."""
    rows = db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.report_id == report.id).order_by(HistoryEntry.id.desc())
        .offset((page - 1) * HISTORY_PAGE_SIZE).limit(HISTORY_PAGE_SIZE + 1)
    ).all()
    return rows[:HISTORY_PAGE_SIZE], len(rows) > HISTORY_PAGE_SIZE
