"""A fastställd version of a plan, as it was approved."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import User


class PlanVersion(db.Model):
    """A fastställd version of a plan, kept as it was when it was approved."""

    __tablename__ = "plan_version"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    approved_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    approved_by_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    decision: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))  # diarienummer, beslut
    snapshot: so.Mapped[dict] = so.mapped_column(sa.JSON)
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    sent_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    sent_export_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("export.id"))

    approved_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[approved_by_id])
    sent_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[sent_by_id])
