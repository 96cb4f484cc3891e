"""The dashboard's figures: a plan's statuses per förvaltning, what is overdue, the indicators not met."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm.attributes import set_committed_value

from tracker.followup.indicators import indicator_views
from tracker.followup.rounds import plan_statuses
from tracker.plans.models import Plan
from tracker.plans.rollup import rollup
from tracker.plans.services import is_stale
from tracker.users.models import Division



@dataclass
class DivisionFigures:
    division: Division
    counts: Counter  # rolled-up status of the division's own status per åtgärd
    overdue: int
    stale: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


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
        "stale_days": stale_days,
    }

