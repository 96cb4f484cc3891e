"""Users, their roles, and the förvaltningar they belong to."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from tracker.extensions import db
from tracker.types import UTCDateTime, utcnow
from tracker.users import passwords
from tracker.vocabulary import Role, db_enum


class Division(db.Model):
    """A förvaltning. The list is data: a region adds or renames förvaltningar in the app."""

    __tablename__ = "division"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    short_name: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    position: so.Mapped[int] = so.mapped_column(default=0)
    # An inactive förvaltning keeps its statuses and history but takes on no new åtgärder.
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())

    def __repr__(self) -> str:
        return f"<Division {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # None: no local password; the user signs in through single sign-on only.
    password_hash: so.Mapped[Optional[str]] = so.mapped_column(sa.String(256))
    # Set by an administratör's reset: the user chooses their own password at the next login.
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    role: so.Mapped[Role] = so.mapped_column(db_enum(Role))
    division_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("division.id"))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # The user's own choice: reminders before a round's deadline and late reports (a round's opening mail comes anyway).
    wants_reminders: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())

    # Who the single sign-on provider says this person is, stored at the first sign-on and matched ever after
    # (an e-mail address can be reused or claimed by a guest): Entra ID's tenant and object id, else the
    # token's issuer and subject. None: not linked; the next sign-on links by a verified e-mail address.
    sso_issuer: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    sso_subject: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    sso_linked_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)

    division: so.Mapped[Optional[Division]] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("sso_issuer", "sso_subject"),)

    # The server-side session this request runs in (see `tracker.users.sessions`); not stored with the user.
    session_token = None

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_linked(self) -> bool:
        return self.sso_subject is not None

    def signs_in_with_password(self, sso_only_when_linked: bool) -> bool:
        """The local password opens the account: it has one, and the deployment has not switched it off for
        accounts linked to the provider (whose MFA it would bypass)."""
        return self.has_password and not (sso_only_when_linked and self.is_linked)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        """What the session cookie names: the server-side session, not the user (see `tracker.users.sessions`)."""
        return self.session_token

    # Permissions (docs/domain.md, "Roles"). Templates use these to grey out controls;
    # the views check them again and refuse with 403.
    @property
    def can_edit_structure(self) -> bool:
        return self.role in (Role.STRATEGIST, Role.DIRECTOR)

    @property
    def can_approve(self) -> bool:
        return self.role is Role.DIRECTOR

    @property
    def can_manage_users(self) -> bool:
        return self.role is Role.ADMIN

    def speaks_for(self, division_id: int) -> bool:
        """Whether the user answers for the förvaltning: its contact, who alone updates its statuses, confirms
        them in a round and writes its report contributions."""
        return self.role is Role.DIVISION_CONTACT and self.division_id == division_id

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class UserSession(db.Model):
    """A login, kept on the server: the cookie holds only a random token whose hash is stored here,
    so that logout, deactivation and a new password end it for every copy of the cookie."""

    __tablename__ = "user_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    method: so.Mapped[str] = so.mapped_column(sa.String(10))  # password, sso
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    ended_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime)
    end_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))  # logout, idle, expired, password, …
    # The provider's ID token, sent back to it as id_token_hint when the user logs out (RP-initiated logout).
    id_token: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)

    user: so.Mapped[User] = so.relationship()
