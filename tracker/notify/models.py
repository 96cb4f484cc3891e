"""What was mailed to whom about which round: the record that makes every notice go out once."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.agreements.models import Condition
from tracker.extensions import db
from tracker.followup.models import ReportingRound
from tracker.types import UTCDateTime, utcnow
from tracker.users.models import User
from tracker.vocabulary import NotificationKind, db_enum

MANUAL = "manuell-"  # the occasion of a reminder a strateg sent from the round page, followed by the day


class Notification(db.Model):
    """One notice to one person about one round. Claimed before its mail is sent (so that two runs never
    send it both), sent when the SMTP server has accepted the mail."""

    __tablename__ = "notification"
    # Exactly once: a person hears of a round's opening once, of each reminder day once, of the late ones once.
    __table_args__ = (sa.UniqueConstraint("user_id", "round_id", "kind", "occasion"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("reporting_round.id", ondelete="CASCADE"),
                                                index=True)
    kind: so.Mapped[NotificationKind] = so.mapped_column(db_enum(NotificationKind))
    # Which one of its kind: the reminder's days before the deadline ("7"), or the day a strateg sent one
    # ("manuell-2024-09-10"); empty for the opening and the late report.
    occasion: so.Mapped[str] = so.mapped_column(sa.String(30), default="")
    count: so.Mapped[int] = so.mapped_column(default=0)  # how many åtgärder the notice named
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    claimed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)  # a run is sending it
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)  # the SMTP server accepted it
    error: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))  # why the last attempt failed
    # The SMTP server refused the mail for good (a 5xx answer to the recipient or the content): not tried again.
    gave_up_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    # The Message-ID of the mail that carries it, made at the first attempt and sent again on every later one:
    # a server that took the mail though the answer never came (a timeout, a dropped connection) drops the copy.
    message_id: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    requested_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("user_account.id"))

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    round: so.Mapped[ReportingRound] = so.relationship()
    requested_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[requested_by_id])

    @property
    def key(self) -> tuple:
        """As the Notice's: (person, round, kind, occasion)."""
        return (self.user_id, self.round_id, self.kind, self.occasion)

    @property
    def label(self) -> str:
        if self.kind is NotificationKind.REMINDER:
            if self.occasion.startswith(MANUAL):
                who = f" av {self.requested_by.name}" if self.requested_by else ""
                return f"Påminnelse, skickad{who}"
            return f"Påminnelse {self.occasion} dagar före sista dag"
        return self.kind.label



class DeadlineReminder(db.Model):
    """One reminder to one strateg of one villkor's deadline, before it. Claimed before its mail is sent and sent
    when the SMTP server has accepted it, as a round's Notification. Once per villkor, person and deadline: a
    deadline moved is reminded of again."""

    __tablename__ = "deadline_reminder"
    __table_args__ = (sa.UniqueConstraint("condition_id", "user_id", "deadline"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    condition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("agreement_condition.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    deadline: so.Mapped[date]  # the villkor's deadline the reminder was about
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    claimed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    error: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))
    gave_up_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    message_id: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))

    user: so.Mapped[User] = so.relationship()
    condition: so.Mapped[Condition] = so.relationship()

    @property
    def key(self) -> tuple:
        return (self.condition_id, self.user_id, self.deadline)
