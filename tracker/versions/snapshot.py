"""A plan as plain data: what a fastställd version keeps, what export writes and what a comparison reads.

The current plan and every stored version go through this one form, so that viewing,
exporting and comparing a version is the same code as for the current plan.
"""

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.followup.models import Indicator
from tracker.plans.services import load_factors


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def plan_snapshot(plan: Plan) -> dict:
    """The plan's current content, in a fixed number of queries."""
    factors = load_factors(plan, fresh=True)
    indicators = db.session.scalars(
        sa.select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.position)
        .options(so.selectinload(Indicator.values)).execution_options(populate_existing=True)
    ).all()
    return {
        "meta": {
            "key": plan.key, "title": plan.title, "agreement": plan.agreement.name, "year": plan.year,
            "registry_number": plan.registry_number, "version": plan.version_number,
            "version_label": plan.version_label,
        },
        "areas": [{"id": a.id, "code": a.code, "title": a.title} for a in plan.areas],
        "factors": [
            {
                "id": f.id, "area_id": f.area_id, "title": f.title, "description": f.description,
                "actions": [
                    {
                        "id": a.id, "ref": a.ref, "title": a.title, "description": a.description,
                        "expected_result": a.expected_result, "horizon": a.horizon.value if a.horizon else None,
                        "start_date": _iso(a.start_date), "due_date": _iso(a.due_date), "owner": a.owner,
                        "statuses": [
                            {
                                "id": s.id, "division_id": s.division_id, "division": s.division.name,
                                "division_position": s.division.position, "status": s.status.value,
                                "comment": s.comment, "updated_at": _iso(s.updated_at),
                                "updated_by": s.updated_by_display,
                            }
                            for s in sorted(a.statuses, key=lambda s: (s.division.position, s.division.name))
                        ],
                    }
                    for a in f.actions
                ],
            }
            for f in factors
        ],
        "indicators": [
            {"area": i.area, "name": i.name, "target": i.target, "unit": i.unit,
             "direction": i.direction.value if i.direction else None,
             "values": [{"period": v.period, "value": v.value, "comment": v.comment} for v in i.values]}
            for i in indicators
        ],
        "contacts": [{"name": c.name, "phone": c.phone, "email": c.email, "comment": c.comment}
                     for c in plan.contacts],
    }
