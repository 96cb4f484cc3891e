"""Server-side sessions. The session cookie holds a random token; the server keeps its hash, when it was
opened and last used, and whether it has ended. Logout, deactivation and a new password end it on the server,
so that a cookie copied earlier opens nothing; an idle timeout and an absolute lifetime end it too."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.types import utcnow
from tracker.users import events as security_log
from tracker.users.models import User, UserSession

# Last use is written at most this often: a page that loads ten fragments costs no ten writes.
TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, method: str, id_token: str | None = None) -> str:
    """A new session for `user`; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id, method=method, id_token=id_token))
    db.session.flush()
    user.session_token = token
    return token


def find_session(token: str | None) -> UserSession | None:
    if not token:
        return None
    return db.session.scalar(
        sa.select(UserSession).where(UserSession.token_hash == _hash(token))
        .options(so.joinedload(UserSession.user).joinedload(User.division))
    )


def resume(token: str, *, idle: timedelta, lifetime: timedelta, now: datetime | None = None
           ) -> tuple[User | None, str | None]:
    """The user of an open session, or None and why it ended now ("idle", "expired"; None if it was
    unknown or already over). The caller commits what changed (the last use, or the end)."""
    row = find_session(token)
    if row is None or row.ended_at is not None or not row.user.active:
        return None, None
    now = now or utcnow()
    for reason, ended in (("expired", now - row.created_at > lifetime), ("idle", now - row.last_seen_at > idle)):
        if ended:
            row.ended_at, row.end_reason = now, reason
            return None, reason
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
    row.user.session_token = token
    return row.user, None


def end_session(token: str | None, reason: str) -> UserSession | None:
    row = find_session(token)
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason
    return row


def end_user_sessions(user: User, reason: str) -> int:
    """End every open session of `user` (deactivated, new password); returns how many."""
    result = db.session.execute(
        sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason).execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def log_out(user: User, token: str | None) -> UserSession | None:
    """End this browser's session, recorded in the security log; returns the session that ended."""
    row = end_session(token, "logout")
    security_log.record("logout", f"{user.name} loggade ut", user=user, actor=user,
                        method=row.method if row else None)
    return row
