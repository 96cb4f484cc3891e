"""Uploaded workbooks waiting between their preview and the confirmation, kept in the database so that every
server process (on any machine) can confirm a preview made on another. (The exported workbooks are the plan's
versions' business: tracker/versions/models.py, Export.)"""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.types import UTCDateTime, utcnow


class StagedUpload(db.Model):
    """A workbook uploaded for import and previewed, until its uploader confirms it (or a day has passed)."""

    __tablename__ = "staged_upload"

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)  # in the confirmation's URL
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    plan_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    file_name: so.Mapped[str] = so.mapped_column(sa.String(300))
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
