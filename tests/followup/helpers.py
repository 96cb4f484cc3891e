"""What the follow-up tests read: a förvaltning's status rows, a round's confirmations."""

import sqlalchemy as sa

from tracker.extensions import db
from tracker.followup.models import RoundConfirmation

PLAN_KEY = "tillganglighet-2023"


def ph_statuses(plan) -> list:
    return [s for f in plan.factors for a in f.actions for s in a.statuses if s.division.short_name == "PH"]


def confirmed(round_) -> set[int]:
    return set(db.session.scalars(sa.select(RoundConfirmation.status_id).where(RoundConfirmation.round_id == round_.id)))
