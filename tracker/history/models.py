"""The history of every change, and the plan's versions.

A HistoryEntry is written by the recorder (recorder.py) in the same transaction as the change it
describes, as the transaction commits; each carries the hash of the one before it, so that a changed or removed entry
breaks the chain (`tracker history verify`). The hash is an HMAC under a key kept outside the database, so that
someone who can write to the database cannot rebuild the chain around an entry they changed.
"""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import User


class HistoryEntry(db.Model):
    __tablename__ = "history_entry"
    # A plan's history and one åtgärd's, newest first, are read along an index (page 20 of an åtgärd's history
    # at 1,000,000 entries: 1.3 ms, not 88 ms sorting all of its entries).
    __table_args__ = (sa.Index("ix_history_entry_plan_id_id", "plan_id", "id"),
                      sa.Index("ix_history_entry_action_id_id", "action_id", "id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign keys to the changed rows: the entry outlives them (a deleted åtgärd keeps its history).
    plan_id: so.Mapped[Optional[int]]
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)  # status, action, factor, …
    verb: so.Mapped[str] = so.mapped_column(sa.String(20))  # created, updated, deleted, approved, …
    object_id: so.Mapped[Optional[int]]
    action_id: so.Mapped[Optional[int]]
    division_id: so.Mapped[Optional[int]] = so.mapped_column(index=True)
    report_id: so.Mapped[Optional[int]] = so.mapped_column(index=True)  # a redovisning's own history
    # The history the entry belongs to when it is neither a plan's nor a report's: "strategy:1",
    # "agreement-year:7" (see `scope_of` in the domain's tracking module).
    scope: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40), index=True)
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    user_name: so.Mapped[str] = so.mapped_column(sa.String(120))  # as it was then
    user_division: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120))
    source: so.Mapped[str] = so.mapped_column(sa.String(10))  # web, import, cli
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    changes: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # [[label, before, after], …]
    snapshot: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)  # what a deletion removed, to restore it
    restores_id: so.Mapped[Optional[int]] = so.mapped_column(index=True)  # the deletion a restore undid
    # Which of the history's keys signed the entry (recorder.key_id); None: written before the history had keys.
    key_id: so.Mapped[Optional[str]] = so.mapped_column(sa.String(16))
    previous_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)

    user: so.Mapped[Optional[User]] = so.relationship()


class HistoryHead(db.Model):
    """The newest entry's hash: one row, locked by each writer so that the chain never forks."""

    __tablename__ = "history_head"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))
