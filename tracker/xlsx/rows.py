"""A plan as the workbook's rows: what export writes, import reads, and the preview compares.

Both sides of an import are brought to this form (the plan in the database and the
file), so that comparing them is comparing plain values.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from tracker.display import area_heading, parse_date
from tracker.clock import LOCAL_ZONE
from tracker.extensions import db
from tracker.plans.models import Action, Plan, SuccessFactor
from tracker.strategy.models import Goal, action_goal
from tracker.strategy.services import NoStrategy, current_strategy
from tracker.plans.rollup import rollup
from tracker.versions.snapshot import plan_snapshot
from tracker.vocabulary import Direction, Horizon, Status


@dataclass
class PlanRows:
    meta: dict  # title, agreement, year, key, registry_number, version, approved
    contacts: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    statuses: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)

    def statuses_by_ref(self) -> dict[str, list[dict]]:
        grouped = defaultdict(list)
        for row in self.statuses:
            grouped[row["ref"]].append(row)
        return grouped


def comments_text(statuses: list[dict]) -> str | None:
    """Column M: each förvaltning's comment, prefixed by its name."""
    lines = [f"{s['division']}: {s['comment']}" for s in statuses if s["comment"]]
    return "\n".join(lines) or None


def plan_rows(plan: Plan, approved: str | None = None) -> PlanRows:
    """The plan's rows now; each åtgärd's row also has its links to the current strategy's delmål ("goals", their
    numbers), which the import compares and the attachment leaves out."""
    rows = rows_from_snapshot(plan_snapshot(plan), approved)
    linked = goal_numbers(plan)
    for row in rows.actions:
        row["goals"] = linked.get(row["ref"], ())
    return rows


def goal_numbers(plan: Plan) -> dict[str, tuple[int, ...]]:
    """Each åtgärd's (by ID) delmål of the current strategy, by number; none without a strategy."""
    try:
        strategy = current_strategy()
    except NoStrategy:
        return {}
    linked: dict[str, tuple[int, ...]] = {}
    for ref, number in db.session.execute(
            sa.select(Action.ref, Goal.number).join(action_goal, action_goal.c.action_id == Action.id)
            .join(Goal, Goal.id == action_goal.c.goal_id).join(SuccessFactor, Action.factor_id == SuccessFactor.id)
            .where(SuccessFactor.plan_id == plan.id, Goal.strategy_id == strategy.id)
            .order_by(Action.ref, Goal.number)):
        linked[ref] = (*linked.get(ref, ()), number)
    return linked


def rows_from_snapshot(snapshot: dict, approved: str | None = None) -> PlanRows:
    """The workbook's rows of a plan snapshot (the current plan, or a stored version)."""
    meta = snapshot["meta"]
    areas = {a["id"]: area_heading(a["code"], a["title"]) for a in snapshot["areas"]}
    rows = PlanRows(
        meta={"title": meta["title"], "agreement": meta["agreement"], "year": meta["year"], "key": meta["key"],
              "registry_number": meta["registry_number"], "version": meta["version_label"], "approved": approved},
        contacts=[dict(c) for c in snapshot["contacts"]],
    )
    for factor in snapshot["factors"]:
        for action in factor["actions"]:
            status_rows = [
                {
                    "ref": action["ref"], "title": action["title"], "division": s["division"],
                    "status": Status(s["status"]), "comment": s["comment"],
                    "updated": (datetime.fromisoformat(s["updated_at"]).astimezone(LOCAL_ZONE).date()
                                if s["updated_at"] else None),
                    "updated_by": s["updated_by"],
                }
                for s in action["statuses"]
            ]
            rows.statuses += status_rows
            updated = [r["updated"] for r in status_rows if r["updated"]]
            rows.actions.append({
                "ref": action["ref"], "area": areas.get(factor["area_id"]), "factor": factor["title"],
                "title": action["title"], "description": action["description"],
                "expected_result": action["expected_result"],
                "horizon": Horizon(action["horizon"]) if action["horizon"] else None,
                "start_date": parse_date(action["start_date"]), "due_date": parse_date(action["due_date"]),
                "owner": action["owner"], "divisions": tuple(r["division"] for r in status_rows),
                "status": rollup(r["status"] for r in status_rows), "comments": comments_text(status_rows),
                "last_updated": max(updated) if updated else None,
            })
    for indicator in snapshot["indicators"]:
        base = {"area": indicator["area"], "name": indicator["name"], "target": indicator["target"],
                "unit": indicator["unit"],
                "direction": Direction(indicator["direction"]) if indicator["direction"] else None}
        for value in indicator["values"] or [None]:
            rows.indicators.append({**base, "period": value["period"] if value else None,
                                    "value": value["value"] if value else None,
                                    "comment": value["comment"] if value else None})
    return rows
