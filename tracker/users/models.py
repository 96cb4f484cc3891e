"""Users, their roles, and the förvaltningar they belong to."""

import hashlib
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
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
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[Role] = so.mapped_column(db_enum(Role))
    division_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("division.id"))
    active: so.Mapped[bool] = so.mapped_column(default=True)

    division: so.Mapped[Optional[Division]] = so.relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def session_token(self) -> str:
        """Changes with the password, so that a new password ends the sessions opened with the old one."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """What the session cookie names the user by (see `tracker.web._load_user`)."""
        return f"{self.id}:{self.session_token}"

    # Permissions (DOMAIN.md, "Roles"). Templates use these to grey out controls;
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

    def can_update_status_for(self, division_id: int) -> bool:
        return self.role is Role.DIVISION_CONTACT and self.division_id == division_id

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"
