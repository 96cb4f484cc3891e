"""Reporting rounds: a deadline by which every förvaltning confirms or updates its statuses."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.plans.models import DivisionStatus, Plan
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import User


class ReportingRound(db.Model):
    __tablename__ = "reporting_round"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    deadline: so.Mapped[date]
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    closed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    # Every status as it was at closing: [{action_id, ref, title, division_id, division, status, comment, confirmed}]
    snapshot: so.Mapped[Optional[list]] = so.mapped_column(sa.JSON)

    plan: so.Mapped[Plan] = so.relationship()
    opened_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[opened_by_id])
    closed_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RoundConfirmation(db.Model):
    """A förvaltning's status confirmed in a round, by an update or as "Oförändrad"."""

    __tablename__ = "round_confirmation"
    __table_args__ = (sa.UniqueConstraint("round_id", "status_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("reporting_round.id", ondelete="CASCADE"), index=True)
    status_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("division_status.id", ondelete="CASCADE"), index=True)
    confirmed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    unchanged: so.Mapped[bool] = so.mapped_column(default=False)  # "Oförändrad", not an update

    division_status: so.Mapped[DivisionStatus] = so.relationship()
