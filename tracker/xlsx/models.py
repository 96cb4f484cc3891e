"""Exported workbooks, kept with their checksum: which file went to Socialstyrelsen is a fact to keep; and
uploaded workbooks waiting between their preview and the confirmation. Both are kept in the database, so that
every server process (on any machine) sees the same exports and can confirm a preview made on another."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import User


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


class StagedUpload(db.Model):
    """A workbook uploaded for import and previewed, until its uploader confirms it (or a day has passed)."""

    __tablename__ = "staged_upload"

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)  # in the confirmation's URL
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    plan_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    file_name: so.Mapped[str] = so.mapped_column(sa.String(300))
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
