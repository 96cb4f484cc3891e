"""The security log's entries. Append-only: the log refuses to change or delete one (see `log.py`)."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import User


class SecurityEvent(db.Model):
    __tablename__ = "security_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(30), index=True)  # login, login_failed, role_changed, …
    # Whom it is about; for a failed login, the account the address named, if there is one.
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(254))  # as typed, for a failed login
    # Who did it, as they were named then (an administratör, the user themselves, the command line).
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    source: so.Mapped[str] = so.mapped_column(sa.String(10))  # web, cli
    address: so.Mapped[Optional[str]] = so.mapped_column(sa.String(45))  # the client's IP address
    summary: so.Mapped[str] = so.mapped_column(sa.Text)  # Swedish, as the admin reads it
    details: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)

    user: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[user_id])
