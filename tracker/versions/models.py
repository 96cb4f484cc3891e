"""A fastställd version of a plan, as it was approved; and the exported workbooks, kept with their checksum in
the database (so every server process sees the same exports): which file went to Socialstyrelsen is a fact to keep,
and sending one that holds a fastställd version sends that version."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.plans.models import Plan
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


class Export(db.Model):
    __tablename__ = "export"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    # "Utkast till version 2", "Version 1 (fastställd)", with a reporting round's name when it gave the statuses
    version_label: so.Mapped[str] = so.mapped_column(sa.String(300))
    version_number: so.Mapped[Optional[int]]  # the fastställd version exported, if it was one
    file_name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int]
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    sent_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    # The workbook itself, loaded only when downloaded. Empty only for an export of an earlier install whose file
    # was gone (or did not match its checksum) when the migration moved the files into the database.
    content: so.Mapped[Optional[bytes]] = so.mapped_column(sa.LargeBinary, deferred=True)

    plan: so.Mapped[Plan] = so.relationship()
    created_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[created_by_id])
    sent_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[sent_by_id])
