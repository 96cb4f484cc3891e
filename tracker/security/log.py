"""Writes the security log: one entry per event, in the same transaction as what it records.

The users' workflows report their events through tracker.users.events (users is below this package), for which
`record` registers itself when this module is imported.

The entry is added to the session like the change it describes, so that both are committed or neither;
after the commit each entry is also written to the app's log as one JSON line (logger `tracker.security`).
Entries are never changed or deleted: a flush that tries is refused.
"""

import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, request

from tracker.clock import local_midnight
from tracker.extensions import db
from tracker.history.recorder import current_actor
from tracker.security.models import SecurityEvent
from tracker.users import events
from tracker.users.models import User

logger = logging.getLogger("tracker.security")
PENDING = "security_pending"  # session.info key: this transaction's entries, logged after its commit

KINDS = {
    "login": "Inloggning",
    "login_failed": "Misslyckad inloggning",
    "login_throttled": "Spärrad inloggning",
    "logout": "Utloggning",
    "user_created": "Ny användare",
    "role_changed": "Ändrad roll",
    "division_changed": "Ändrad förvaltning",
    "password_reset": "Återställt lösenord",
    "password_changed": "Bytt lösenord",
    "password_check_failed": "Fel nuvarande lösenord",
    "password_change_throttled": "Spärrat lösenordsbyte",
    "deactivated": "Inaktiverat konto",
    "reactivated": "Återaktiverat konto",
    "sso_linked": "Kopplat till single sign-on",
    "sso_unlinked": "Borttagen koppling till single sign-on",
    "email_changed": "Ändrad e-postadress",
    "approved": "Fastställande",
}
PAGE_SIZE = 50

_address: ContextVar[str | None] = ContextVar("security_address", default=None)


class AppendOnly(RuntimeError):
    """An attempt to change or delete a security log entry."""


def set_address(address: str | None):
    """Entries written from now on name `address` as the client's (the web sets it per request)."""
    return _address.set(address)


def reset_address(token) -> None:
    _address.reset(token)


def remember_address() -> None:
    """Entries this request writes name the client's address."""
    g.security_address_token = set_address(request.remote_addr)


def forget_address(exception=None) -> None:
    token = g.pop("security_address_token", None)
    if token is not None:
        reset_address(token)


def record(kind: str, summary: str, *, user: User | None = None, email: str | None = None,
           actor: User | None = None, **details) -> SecurityEvent:
    """An entry about `user` (or the typed `email`), made by `actor` — else by whoever the history records
    as acting now (the logged-in user, the command line)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event {kind!r}")
    acting = current_actor()
    if actor is not None:
        actor_id, actor_name, source = actor.id, actor.name, acting.source if acting else "web"
    elif acting is not None:
        actor_id, actor_name, source = acting.user_id, acting.name, acting.source
    else:
        actor_id, actor_name, source = None, "okänd", "web"
    event = SecurityEvent(kind=kind, summary=summary, user_id=user.id if user else None,
                          email=user.email if user and email is None else email, actor_id=actor_id,
                          actor_name=actor_name, source=source, address=_address.get(), details=details)
    db.session.add(event)
    db.session.info.setdefault(PENDING, []).append(event)
    return event


events.register(record)  # the users' events (logins, roles, passwords …) are written here


@sa.event.listens_for(so.Session, "before_flush")
def _refuse_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, SecurityEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnly("Säkerhetsloggen kan inte ändras: poster läggs bara till.")


@sa.event.listens_for(so.Session, "after_commit")
def _log_committed(session):
    for event in session.info.pop(PENDING, []):
        logger.info(json.dumps({
            "event": event.kind, "at": event.created_at.isoformat(), "user_id": event.user_id, "email": event.email,
            "actor_id": event.actor_id, "actor": event.actor_name, "source": event.source, "address": event.address,
            "summary": event.summary, **event.details,
        }, ensure_ascii=False, default=str))


@sa.event.listens_for(so.Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(PENDING, None)


@dataclass
class EventFilter:
    kind: str | None = None
    user_id: int | None = None  # whom the entry is about, or who did it
    text: str | None = None  # part of an e-mail address, a name or an IP address
    date_from: date | None = None  # Swedish days, both included
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any([self.kind, self.user_id, self.text, self.date_from, self.date_to])


def list_events(filters: EventFilter, page: int = 1) -> tuple[list[SecurityEvent], bool]:
    """One page of entries, newest first, and whether there is a next page."""
    query = sa.select(SecurityEvent).options(so.joinedload(SecurityEvent.user))
    if filters.kind:
        query = query.where(SecurityEvent.kind == filters.kind)
    if filters.user_id:
        query = query.where(sa.or_(SecurityEvent.user_id == filters.user_id,
                                   SecurityEvent.actor_id == filters.user_id))
    if filters.text:
        # autoescape: a % or _ in the text is that character, not a LIKE wildcard.
        text = filters.text.strip().lower()
        query = query.where(sa.or_(sa.func.lower(SecurityEvent.email).contains(text, autoescape=True),
                                   sa.func.lower(SecurityEvent.actor_name).contains(text, autoescape=True),
                                   SecurityEvent.address.contains(text, autoescape=True)))
    if filters.date_from:
        query = query.where(SecurityEvent.created_at >= local_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(SecurityEvent.created_at < local_midnight(filters.date_to + timedelta(days=1)))
    rows = db.session.scalars(query.order_by(SecurityEvent.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def people_in_log() -> list[tuple[int, str]]:
    """Everyone an entry is about or was made by, for the filter: (user id, name), by name."""
    ids = sa.union(sa.select(SecurityEvent.user_id), sa.select(SecurityEvent.actor_id)).subquery()
    return db.session.execute(sa.select(User.id, User.name).where(User.id.in_(sa.select(ids.c[0])))
                              .order_by(User.name)).all()
