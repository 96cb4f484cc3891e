"""The dashboard's figures: a plan's statuses per förvaltning, what is overdue, the indicators not met, and what
is done for each target group."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.followup.indicators import indicator_views
from tracker.followup.rounds import plan_statuses
from tracker.plans.models import Action, Plan, SuccessFactor
from tracker.plans.rollup import Summary, rollup
from tracker.plans.services import is_stale
from tracker.strategy.models import TargetGroup, action_target_group
from tracker.users.models import Division
from tracker.vocabulary import Status



@dataclass
class DivisionFigures:
    division: Division
    counts: Counter  # rolled-up status of the division's own status per åtgärd
    overdue: int
    stale: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class GroupWork:
    """What the plan does for a target group: the roll-up of the åtgärder linked to it."""

    group: TargetGroup
    summary: Summary


def group_work(plan: Plan, rolled: dict[int, Status]) -> list[GroupWork]:
    """Per target group with åtgärder in the plan, in the list's order, their roll-up ("3 av 5 genomförda"): one
    query, the åtgärder's statuses (`rolled`, by åtgärd id) read already."""
    rows = db.session.execute(
        sa.select(TargetGroup, action_target_group.c.action_id)
        .join(action_target_group, action_target_group.c.target_group_id == TargetGroup.id)
        .join(Action, Action.id == action_target_group.c.action_id)
        .join(SuccessFactor, SuccessFactor.id == Action.factor_id)
        .where(SuccessFactor.plan_id == plan.id)
        .order_by(TargetGroup.position, TargetGroup.name)).all()
    by_group: dict[int, tuple[TargetGroup, list[Status]]] = {}
    for group, action_id in rows:
        by_group.setdefault(group.id, (group, []))[1].append(rolled.get(action_id, Status.NOT_STARTED))
    return [GroupWork(group, Summary.of(statuses)) for group, statuses in by_group.values()]


def dashboard(plan: Plan, today: date, stale_days: int) -> dict:
    statuses = plan_statuses(plan.id)
    actions = {s.action_id: s.action for s in statuses}
    by_action = defaultdict(list)
    rows_by_action = defaultdict(list)
    for s in statuses:
        by_action[s.action_id].append(s.status)
        rows_by_action[s.action_id].append(s)
    for action_id, action in actions.items():  # the åtgärd's roll-up from the rows read above, not a query each
        set_committed_value(action, "statuses", sorted(rows_by_action[action_id], key=lambda s: s.division_id))
    rolled = {action_id: rollup(values) for action_id, values in by_action.items()}
    stale_before = today - timedelta(days=stale_days)
    figures: dict[int, DivisionFigures] = {}
    for s in statuses:
        item = figures.setdefault(s.division_id, DivisionFigures(s.division, Counter(), 0, 0))
        item.counts[s.status] += 1
        if s.action.due_date and s.action.due_date < today and s.status.is_open:
            item.overdue += 1
        if is_stale(s, plan.created_at, stale_before):
            item.stale += 1
    overdue = [a for a in actions.values() if a.is_overdue(today)]
    return {
        "divisions": sorted(figures.values(), key=lambda f: (f.division.position, f.division.name)),
        "overdue": sorted(overdue, key=lambda a: a.due_date),
        "rolled": Counter(rolled.values()),
        "indicators_not_met": [v for v in indicator_views(plan) if v.met is False],
        "groups": group_work(plan, rolled),
        "stale_days": stale_days,
    }

