"""Operations on plans and statuses: queries for the pages, and the status update.

Services take plain values and a user, never the request; they flush, and the
caller commits once.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm.attributes import set_committed_value

from tracker.agreements.services import year_of
from tracker.clock import local_date
from tracker.errors import ValidationError
from tracker.parsing import key_field, text_field
from tracker.extensions import db
from tracker.plans.models import Action, Agreement, Area, DivisionStatus, Plan, SuccessFactor
from tracker.plans.rollup import Summary, is_overdue, rollup_expression
from tracker.types import utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import Status

COMMENT_MAX_LENGTH = 2000
OVERDUE = "overdue"  # the status filter's extra choices: open åtgärder past their due date,
STALE = "stale"  # and open statuses not updated for a while (the dashboard links here)


# --- Reading -------------------------------------------------------------------------


def list_plans(*, archived: bool = False) -> list[tuple[Plan, Summary]]:
    """Every plan with its roll-up, in two queries whatever the number of plans; archived plans only if asked."""
    query = sa.select(Plan).options(so.joinedload(Plan.agreement)).order_by(Plan.year.desc(), Plan.title)
    plans = db.session.scalars(query if archived else query.where(Plan.archived_at.is_(None))).all()
    summaries = _summaries_by_plan()
    return [(plan, summaries.get(plan.id, Summary.of([]))) for plan in plans]


def _rolled_up_actions(where) -> sa.Subquery:
    """(plan_id, factor_id, status): each selected åtgärd with its rolled-up status, by the database.

    Counted per åtgärd first, then the rule applied to the counts, then grouped by the caller:
    a whole plan is rolled up without sending its statuses to Python.
    """
    counted = [
        sa.func.count(DivisionStatus.id).filter(DivisionStatus.status == status).label(status.value)
        for status in Status
    ]
    per_action = (
        sa.select(SuccessFactor.plan_id, SuccessFactor.id.label("factor_id"), *counted)
        .select_from(Action)
        .join(SuccessFactor, Action.factor_id == SuccessFactor.id)
        .outerjoin(DivisionStatus, DivisionStatus.action_id == Action.id)
        .where(where)
        .group_by(SuccessFactor.plan_id, SuccessFactor.id, Action.id)
        .subquery()
    )
    status = rollup_expression({status: per_action.c[status.value] for status in Status})
    return sa.select(per_action.c.plan_id, per_action.c.factor_id, status.label("status")).subquery()


# Built once: these statements are the same on every call, only their parameters change.
_ALL = _rolled_up_actions(sa.true())
_SUMMARIES_BY_PLAN = sa.select(_ALL.c.plan_id, _ALL.c.status, sa.func.count()).group_by(_ALL.c.plan_id, _ALL.c.status)
_ONE = _rolled_up_actions(SuccessFactor.plan_id == sa.bindparam("plan_id"))
_PLAN_AND_FACTOR_SUMMARY = sa.select(
    _ONE.c.status, sa.func.count(), sa.func.count().filter(_ONE.c.factor_id == sa.bindparam("factor_id"))
).group_by(_ONE.c.status)


def _summaries_by_plan() -> dict[int, Summary]:
    counts: dict[int, Counter] = defaultdict(Counter)
    for plan_id, status, n in db.session.execute(_SUMMARIES_BY_PLAN):
        counts[plan_id][status] = n
    return {plan_id: Summary.of_counts(c) for plan_id, c in counts.items()}


def plan_summary(plan: Plan) -> Summary:
    rows = db.session.execute(_PLAN_AND_FACTOR_SUMMARY, {"plan_id": plan.id, "factor_id": None})
    return Summary.of_counts({status: n for status, n, _ in rows})


def plan_and_factor_summary(factor: SuccessFactor) -> tuple[Summary, Summary]:
    """The roll-ups around one åtgärd after a status change, in one query of at most five rows."""
    rows = db.session.execute(_PLAN_AND_FACTOR_SUMMARY, {"plan_id": factor.plan_id, "factor_id": factor.id}).all()
    return (
        Summary.of_counts({status: n for status, n, _ in rows}),
        Summary.of_counts({status: n for status, _, n in rows}),
    )


_DIVISION_STATUS_WITH_CONTEXT = (
    sa.select(DivisionStatus)
    .where(DivisionStatus.id == sa.bindparam("status_id"))
    .options(
        so.joinedload(DivisionStatus.division),
        so.joinedload(DivisionStatus.updated_by),
        so.joinedload(DivisionStatus.action).joinedload(Action.factor).joinedload(SuccessFactor.plan),
        so.joinedload(DivisionStatus.action).joinedload(Action.statuses),
    )
)


def get_division_status(status_id: int) -> DivisionStatus | None:
    """A status row with what its cell and the roll-ups around it show, in one query."""
    return db.session.scalars(_DIVISION_STATUS_WITH_CONTEXT, {"status_id": status_id}).unique().one_or_none()


def get_plan_by_id(plan_id: int) -> Plan | None:
    return db.session.get(Plan, plan_id)


def lock_plan(plan: Plan) -> None:
    """Hold the plan's row until the commit and read it again, for a write that decides by the plan's state or its
    history (starting a revision, restoring a deletion): a second one at the same moment waits here, then sees what
    the first did. Written, not SELECT … FOR UPDATE, which locks nothing on SQLite."""
    table = Plan.__table__
    db.session.execute(sa.update(table).where(table.c.id == plan.id).values(id=table.c.id))
    db.session.refresh(plan)


def get_plan(key: str) -> Plan | None:
    return db.session.scalar(sa.select(Plan).where(Plan.key == key).options(so.joinedload(Plan.agreement)))


def is_stale(ds: DivisionStatus, plan_created: datetime, limit: date) -> bool:
    """Open and untouched since before `limit`: updated before it, or never updated in a plan made before it
    (a plan made last week is not neglected)."""
    return ds.status.is_open and local_date(ds.updated_at or plan_created) < limit


@dataclass(frozen=True)
class PlanFilter:
    division_id: int | None = None
    status: str | None = None  # a Status value, OVERDUE or STALE
    text: str = ""
    stale_days: int = 90

    @property
    def active(self) -> bool:
        return bool(self.division_id or self.status or self.text)

    def matches(self, action: Action, today: date) -> bool:
        statuses = action.statuses
        if self.division_id:
            statuses = [s for s in statuses if s.division_id == self.division_id]
            if not statuses:
                return False
        if self.status == OVERDUE:
            # With a förvaltning chosen, its own status must be open; else the åtgärd's roll-up.
            current = statuses[0].status if self.division_id else action.status
            if not is_overdue(action.due_date, current, today):
                return False
        elif self.status == STALE:
            limit = today - timedelta(days=self.stale_days)
            if not any(is_stale(s, action.factor.plan.created_at, limit) for s in statuses):
                return False
        elif self.status:
            # With a förvaltning chosen, its own status counts; else the åtgärd's roll-up.
            current = statuses[0].status if self.division_id else action.status
            if current.value != self.status:
                return False
        if self.text:
            return self.text.casefold() in _searchable_text(action)
        return True


def _searchable_text(action: Action) -> str:
    parts = [
        action.ref, action.title, action.description, action.expected_result, action.owner,
        action.factor.title,
    ]
    parts += [s.comment for s in action.statuses]
    parts += [s.division.name for s in action.statuses]
    return " ".join(p for p in parts if p).casefold()


@dataclass
class FactorView:
    factor: SuccessFactor
    summary: Summary
    actions: list[Action]


@dataclass
class AreaView:
    area: Area | None
    factors: list[FactorView] = field(default_factory=list)


@dataclass
class PlanView:
    plan: Plan
    summary: Summary
    areas: list[AreaView]
    shown: int

    @property
    def total(self) -> int:
        return sum(self.summary.counts.values())


def load_factors(plan: Plan, *, fresh: bool = False) -> list[SuccessFactor]:
    """The plan's framgångsfaktorer with their åtgärder and statuses, in three queries however large the plan
    (each selects by the plan, not by a list of ids, which SQLAlchemy would split in chunks of 500).

    `fresh` reads what the database holds even where this session loaded the rows before."""
    def read(query):
        if fresh:
            query = query.execution_options(populate_existing=True)
        return db.session.scalars(query).unique().all()

    factors = read(sa.select(SuccessFactor).where(SuccessFactor.plan_id == plan.id).order_by(SuccessFactor.position))
    actions = read(sa.select(Action).join(SuccessFactor, Action.factor_id == SuccessFactor.id)
                   .where(SuccessFactor.plan_id == plan.id).order_by(Action.factor_id, Action.position))
    statuses = read(
        sa.select(DivisionStatus).join(Action, DivisionStatus.action_id == Action.id)
        .join(SuccessFactor, Action.factor_id == SuccessFactor.id).where(SuccessFactor.plan_id == plan.id)
        .order_by(DivisionStatus.action_id, DivisionStatus.division_id)
        .options(so.joinedload(DivisionStatus.division), so.joinedload(DivisionStatus.updated_by))
    )
    actions_of: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        actions_of[action.factor_id].append(action)
    statuses_of: dict[int, list[DivisionStatus]] = defaultdict(list)
    for status in statuses:
        statuses_of[status.action_id].append(status)
    for factor in factors:
        set_committed_value(factor, "actions", actions_of[factor.id])
    for action in actions:
        set_committed_value(action, "statuses", statuses_of[action.id])
    return factors


def plan_view(plan: Plan, plan_filter: PlanFilter, today: date, *, keep_empty: bool = False) -> PlanView:
    """The plan's tree, filtered; a fixed number of queries however large the plan.

    `keep_empty` keeps insatsområden without framgångsfaktorer (the editor shows them)."""
    areas = db.session.scalars(sa.select(Area).where(Area.plan_id == plan.id).order_by(Area.position)).all()
    factors = load_factors(plan, fresh=True)  # after a change in this session, too
    area_views = {area.id: AreaView(area) for area in areas}
    loose = AreaView(None)
    all_statuses, shown = [], 0
    for factor in factors:
        statuses = [action.status for action in factor.actions]
        all_statuses += statuses
        matching = [a for a in factor.actions if plan_filter.matches(a, today)]
        shown += len(matching)
        if matching or not plan_filter.active:
            view = FactorView(factor, Summary.of(statuses), matching)
            area_views.get(factor.area_id, loose).factors.append(view)
    ordered = [loose, *area_views.values()]
    return PlanView(
        plan=plan,
        summary=Summary.of(all_statuses),
        areas=[a for a in ordered if a.factors or (keep_empty and a.area is not None)],
        shown=shown,
    )


def plans_of_division(division_id: int | None) -> list[Plan]:
    """The plans in which the förvaltning is responsible for at least one åtgärd, newest first."""
    if division_id is None:
        return []
    return db.session.scalars(
        sa.select(Plan).where(Plan.archived_at.is_(None), Plan.id.in_(
            sa.select(SuccessFactor.plan_id).join(Action).join(DivisionStatus)
            .where(DivisionStatus.division_id == division_id)))
        .order_by(Plan.year.desc(), Plan.title)
    ).all()


def my_statuses(user: User, today: date, *, plan_id: int | None = None,
                awaiting: frozenset[int] = frozenset()) -> list[DivisionStatus]:
    """The user's förvaltning's statuses (in one plan, or all): those an open reporting round awaits first
    (`awaiting`), then open work (Ej påbörjad, Pågående, Försenad) before Genomförd and Avbruten; within each,
    its own overdue first, then never updated, then by due date."""
    if user.division_id is None:
        return []
    query = sa.select(DivisionStatus).where(DivisionStatus.division_id == user.division_id)
    if plan_id is not None:
        query = query.join(Action).join(SuccessFactor).where(SuccessFactor.plan_id == plan_id)
    else:  # an archived plan's åtgärder are no one's work any more
        query = query.join(Action).join(SuccessFactor).join(Plan, SuccessFactor.plan_id == Plan.id).where(
            Plan.archived_at.is_(None))
    statuses = db.session.scalars(
        query
        .options(
            so.joinedload(DivisionStatus.updated_by),
            so.joinedload(DivisionStatus.division),
            so.joinedload(DivisionStatus.action)
            .joinedload(Action.factor)
            .joinedload(SuccessFactor.plan),
            so.joinedload(DivisionStatus.action).selectinload(Action.statuses),
        )
    ).unique().all()

    def order(ds: DivisionStatus):
        action = ds.action
        return (
            ds.id not in awaiting,
            not ds.status.is_open,
            not ds.is_overdue(today),
            not ds.never_updated,
            action.due_date or date.max,
            action.factor.plan.title,
            action.factor.position,
            action.position,
        )

    return sorted(statuses, key=order)


# --- Writing -------------------------------------------------------------------------


def validate_status_input(status: str | None, comment: str | None) -> tuple[Status, str | None]:
    errors = {}
    value = Status.from_label(status) if status else None
    if value is None:
        errors["status"] = "Välj en status i listan: " + ", ".join(s.label for s in Status) + "."
    comment = text_field(errors, "comment", comment, "Kommentaren", COMMENT_MAX_LENGTH)
    if "comment" not in errors and value is Status.CANCELLED and not comment:
        errors["comment"] = "Skriv i kommentaren varför åtgärden avbryts."
    if errors:
        raise ValidationError(errors)
    return value, comment


def is_stored(division_status: DivisionStatus, *, status: str | None, comment: str | None) -> bool:
    """Whether (valid) input is what is already stored."""
    value, comment = validate_status_input(status, comment)
    return division_status.status is value and division_status.comment == comment


def set_status(division_status: DivisionStatus, user: User | None, *, status: str | None, comment: str | None,
               name: str | None = None) -> DivisionStatus:
    """The one way a status changes, from the web form or an import: the form's rules, then who and when.
    `name` says who when no user does it (an import from the command line). The caller flushes.
    Raises ValidationError for bad input."""
    value, comment = validate_status_input(status, comment)
    division_status.status = value
    division_status.comment = comment
    division_status.updated_by = user
    division_status.updated_by_name = None if user is not None else name
    division_status.updated_at = utcnow()
    return division_status


# --- Building a plan (shared by the demo loader, the import and the plan editor) -------


RESERVED_KEYS = {"ny"}  # words in the app's own addresses under /planer/


def plan_errors(key: str, title: str) -> dict[str, str]:
    errors = {}
    key = key_field(errors, "key", key, reserved=RESERVED_KEYS, example="tillganglighet-2025")
    if "key" not in errors and get_plan(key):
        errors["key"] = f"Det finns redan en plan med nyckeln {key}."
    if not (title or "").strip():
        errors["title"] = "Ange planens titel."
    elif len(title.strip()) > 300:
        errors["title"] = f"Titeln får ha högst 300 tecken; den har {len(title.strip())}."
    return errors


def create_plan(*, key: str, agreement: Agreement, title: str, year: int, registry_number: str | None = None) -> Plan:
    """A plan of one of the agreements there are (chosen, never made from a typed name), in its year's row."""
    if errors := plan_errors(key, title):
        raise ValidationError(errors)
    year_of(agreement, year)
    plan = Plan(key=key, agreement=agreement, title=title.strip(), year=year, registry_number=registry_number)
    db.session.add(plan)
    return plan


def add_area(plan: Plan, *, title: str, code: str | None = None) -> Area:
    area = Area(title=title, code=code, position=len(plan.areas))
    plan.areas.append(area)
    return area


def add_factor(plan: Plan, *, title: str, area: Area | None = None, description: str | None = None) -> SuccessFactor:
    factor = SuccessFactor(title=title, area=area, description=description, position=len(plan.factors))
    plan.factors.append(factor)
    return factor


def add_action(factor: SuccessFactor, *, divisions: list[Division], **fields) -> Action:
    """A new åtgärd with a Ej påbörjad status row for each responsible förvaltning."""
    action = Action(position=len(factor.actions), **fields)
    action.statuses = [DivisionStatus(division=division) for division in divisions]
    factor.actions.append(action)
    return action
