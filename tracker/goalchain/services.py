"""What a delmål's page and the follow-up document show: the linked åtgärder of every plan and year, grouped by
agreement and year with their roll-up, the linked indicators' series across the years, and what is done for each
target group. A constant number of queries, however many åtgärder and plans link to the delmål."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.agreements.models import Agreement
from tracker.extensions import db
from tracker.followup import charts
from tracker.followup.models import Indicator, IndicatorValue
from tracker.history.models import HistoryEntry
from tracker.plans.models import Action, DivisionStatus, Plan, SuccessFactor
from tracker.plans.rollup import Summary, rollup_counts
from tracker.strategy.models import (
    Goal, Strategy, TargetGroup, action_goal, action_target_group, indicator_goal,
)
from tracker.strategy.tracking import TARGET_GROUPS, scope
from tracker.vocabulary import Status


@dataclass
class LinkedAction:
    action: Action
    factor: SuccessFactor
    status: Status
    groups: list[str] = field(default_factory=list)


@dataclass
class PlanActions:
    plan: Plan
    actions: list[LinkedAction]

    @property
    def summary(self) -> Summary:
        return Summary.of(a.status for a in self.actions)


@dataclass
class YearGroup:
    """The linked åtgärder of one agreement's year, plan by plan."""

    agreement: str
    year: int
    plans: list[PlanActions]

    @property
    def summary(self) -> Summary:
        return Summary.of(a.status for p in self.plans for a in p.actions)


class Point(NamedTuple):
    """An outcome of a series: its period, value and plan's title, and where given the value for women and men."""

    period: str
    value: float
    plan: str
    women: float | None = None
    men: float | None = None


@dataclass
class Series:
    """An indicator followed over the years: the linked indicators of one name and unit, their values in order."""

    name: str
    unit: str | None
    target: float | None
    points: list[Point]
    plans: list[str]

    @property
    def values(self) -> list[float]:
        return [point.value for point in self.points]

    @property
    def split(self) -> bool:
        """Whether any outcome is split by kön (then the tables show women and men beside the total)."""
        return any(point.women is not None or point.men is not None for point in self.points)

    @property
    def trend(self) -> charts.Trend | None:
        return charts.trend(self.values, self.target, width=480, height=80)


@dataclass
class GroupWork:
    """What is done for a target group: the linked åtgärder that name it."""

    name: str
    summary: Summary


@dataclass
class GoalPage:
    goal: Goal
    years: list[YearGroup]
    series: list[Series]
    groups: list[GroupWork]

    @property
    def summary(self) -> Summary:
        return Summary.of(a.status for y in self.years for p in y.plans for a in p.actions)


def load_goal(goal_id: int) -> Goal | None:
    return db.session.scalar(
        sa.select(Goal).where(Goal.id == goal_id)
        .options(so.joinedload(Goal.strategy), so.selectinload(Goal.sections), so.selectinload(Goal.assessments)))


def _statuses(goal_ids) -> dict[int, Status]:
    """Each linked åtgärd's rolled-up status, counted by the database in one query."""
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = db.session.execute(
        sa.select(DivisionStatus.action_id, DivisionStatus.status, sa.func.count())
        .where(DivisionStatus.action_id.in_(
            sa.select(action_goal.c.action_id).where(action_goal.c.goal_id.in_(goal_ids))))
        .group_by(DivisionStatus.action_id, DivisionStatus.status))
    for action_id, status, n in rows:
        counts[action_id][status] = n
    return {action_id: rollup_counts(c) for action_id, c in counts.items()}


def _linked_actions(goal: Goal) -> list[tuple[Action, SuccessFactor, Plan, str]]:
    return db.session.execute(
        sa.select(Action, SuccessFactor, Plan, Agreement.name)
        .join(action_goal, action_goal.c.action_id == Action.id)
        .join(SuccessFactor, Action.factor_id == SuccessFactor.id)
        .join(Plan, SuccessFactor.plan_id == Plan.id)
        .join(Agreement, Plan.agreement_id == Agreement.id)
        .where(action_goal.c.goal_id == goal.id)
        .order_by(Plan.year.desc(), Agreement.name, Plan.title, SuccessFactor.position, Action.position)
    ).all()


def _groups_of_actions(goal: Goal) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(action_target_group.c.action_id, TargetGroup.name)
        .join(TargetGroup, TargetGroup.id == action_target_group.c.target_group_id)
        .join(action_goal, action_goal.c.action_id == action_target_group.c.action_id)
        .where(action_goal.c.goal_id == goal.id)
        .order_by(TargetGroup.position, TargetGroup.name))
    for action_id, name in rows:
        groups[action_id].append(name)
    return groups


def _series(goal: Goal) -> list[Series]:
    """The linked indicators as series across the years: one per name and unit (the same indicator continued in
    next year's plan), values ordered by period."""
    rows = db.session.execute(
        sa.select(Indicator, Plan.title, Plan.year)
        .join(indicator_goal, indicator_goal.c.indicator_id == Indicator.id)
        .join(Plan, Indicator.plan_id == Plan.id)
        .where(indicator_goal.c.goal_id == goal.id)
        .order_by(Plan.year, Indicator.position)).all()
    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in db.session.scalars(
            sa.select(IndicatorValue).join(indicator_goal, indicator_goal.c.indicator_id == IndicatorValue.indicator_id)
            .where(indicator_goal.c.goal_id == goal.id, IndicatorValue.value.is_not(None))
            .order_by(IndicatorValue.period)):
        values[value.indicator_id].append(value)
    series: dict[tuple, Series] = {}
    for indicator, title, _year in rows:
        key = (" ".join(indicator.name.split()).casefold(), (indicator.unit or "").strip().casefold())
        found = series.setdefault(key, Series(indicator.name, indicator.unit, indicator.target, [], []))
        found.target = indicator.target if indicator.target is not None else found.target  # the latest plan's
        found.plans.append(title)
        found.points.extend(Point(v.period, v.value, title, v.value_women, v.value_men) for v in values[indicator.id])
    for found in series.values():
        found.points.sort(key=lambda point: point.period)
    return list(series.values())


def goal_page(goal: Goal, groups: list[TargetGroup]) -> GoalPage:
    statuses = _statuses([goal.id])
    groups_of = _groups_of_actions(goal)
    years: dict[tuple[str, int], dict[int, PlanActions]] = {}
    for action, factor, plan, agreement in _linked_actions(goal):
        by_plan = years.setdefault((agreement, plan.year), {})
        linked = LinkedAction(action, factor, statuses.get(action.id, Status.NOT_STARTED), groups_of[action.id])
        by_plan.setdefault(plan.id, PlanActions(plan, [])).actions.append(linked)
    year_groups = [YearGroup(agreement, year, list(plans.values())) for (agreement, year), plans in years.items()]
    work = []
    for group in groups:
        linked = [a.status for y in year_groups for p in y.plans for a in p.actions if group.name in a.groups]
        if linked:
            work.append(GroupWork(group.name, Summary.of(linked)))
    return GoalPage(goal, year_groups, _series(goal), work)


@dataclass
class GoalCount:
    actions: int
    plans: int
    summary: Summary


def goal_counts(strategy: Strategy) -> dict[int, GoalCount]:
    """Per delmål: how many åtgärder in how many plans serve it, and their roll-up (two queries)."""
    goal_ids = [g.id for g in strategy.goals]
    if not goal_ids:
        return {}
    statuses = _statuses(goal_ids)
    rows = db.session.execute(
        sa.select(action_goal.c.goal_id, action_goal.c.action_id, SuccessFactor.plan_id)
        .join(Action, Action.id == action_goal.c.action_id)
        .join(SuccessFactor, SuccessFactor.id == Action.factor_id)
        .where(action_goal.c.goal_id.in_(goal_ids))).all()
    found: dict[int, GoalCount] = {}
    for goal_id in goal_ids:
        mine = [(action_id, plan_id) for g, action_id, plan_id in rows if g == goal_id]
        found[goal_id] = GoalCount(len(mine), len({p for _, p in mine}),
                                   Summary.of(statuses.get(a, Status.NOT_STARTED) for a, _ in mine))
    return found


def strategy_history(strategy: Strategy, limit: int = 200) -> list[HistoryEntry]:
    return list(db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.scope.in_((scope(strategy.id), TARGET_GROUPS)))
        .order_by(HistoryEntry.id.desc()).limit(limit)))
