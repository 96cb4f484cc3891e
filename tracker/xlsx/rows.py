"""A plan as the workbook's rows: what export writes, import reads, and the preview compares.

Both sides of an import are brought to this form (the plan in the database and the
file), so that comparing them is comparing plain values.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.plans.models import Action, DivisionStatus, Indicator, Plan, SuccessFactor
from tracker.plans.rollup import rollup
from tracker.web import LOCAL_ZONE


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


def version_label(plan: Plan) -> str:
    return plan.state.label


def comments_text(statuses: list[dict]) -> str | None:
    """Column M: each förvaltning's comment, prefixed by its name."""
    lines = [f"{s['division']}: {s['comment']}" for s in statuses if s["comment"]]
    return "\n".join(lines) or None


def plan_rows(plan: Plan) -> PlanRows:
    """The plan's current content, in a fixed number of queries."""
    factors = db.session.scalars(
        sa.select(SuccessFactor)
        .where(SuccessFactor.plan_id == plan.id)
        .order_by(SuccessFactor.position)
        .options(
            so.joinedload(SuccessFactor.area),
            so.selectinload(SuccessFactor.actions)
            .selectinload(Action.statuses)
            .options(so.joinedload(DivisionStatus.division), so.joinedload(DivisionStatus.updated_by)),
        )
    ).all()
    indicators = db.session.scalars(
        sa.select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.position)
        .options(so.selectinload(Indicator.values))
    ).all()
    rows = PlanRows(
        meta={
            "title": plan.title,
            "agreement": plan.agreement.name,
            "year": plan.year,
            "key": plan.key,
            "registry_number": plan.registry_number,
            "version": version_label(plan),
            "approved": None,
        },
        contacts=[
            {"name": c.name, "phone": c.phone, "email": c.email, "comment": c.comment} for c in plan.contacts
        ],
    )
    for factor in factors:
        for action in factor.actions:
            statuses = sorted(action.statuses, key=lambda s: (s.division.position, s.division.name))
            status_rows = [
                {
                    "ref": action.ref,
                    "title": action.title,
                    "division": s.division.name,
                    "status": s.status,
                    "comment": s.comment,
                    "updated": s.updated_at.astimezone(LOCAL_ZONE).date() if s.updated_at else None,
                    "updated_by": s.updated_by_display,
                }
                for s in statuses
            ]
            rows.statuses += status_rows
            updated = [r["updated"] for r in status_rows if r["updated"]]
            rows.actions.append(
                {
                    "ref": action.ref,
                    "area": factor.area.heading if factor.area else None,
                    "factor": factor.title,
                    "title": action.title,
                    "description": action.description,
                    "expected_result": action.expected_result,
                    "horizon": action.horizon,
                    "start_date": action.start_date,
                    "due_date": action.due_date,
                    "owner": action.owner,
                    "divisions": tuple(r["division"] for r in status_rows),
                    "status": rollup(s.status for s in statuses),
                    "comments": comments_text(status_rows),
                    "last_updated": max(updated) if updated else None,
                }
            )
    for indicator in indicators:
        base = {
            "area": indicator.area, "name": indicator.name, "target": indicator.target, "unit": indicator.unit,
            "direction": indicator.direction,
        }
        values = indicator.values or [None]
        for value in values:
            rows.indicators.append(
                {**base, "period": value.period if value else None, "value": value.value if value else None,
                 "comment": value.comment if value else None}
            )
    return rows

