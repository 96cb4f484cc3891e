"""What the interleaving tests share: a writer as a user makes it, and how its outcome is judged."""

from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from tracker.extensions import db
from tracker.history.models import HistoryEntry


@dataclass(frozen=True)
class Writer:
    """One of the app's writes, as a user makes it: `load(world, user)` is the page they opened (returns the request
    to send, `post(client)`); `judge(world, user, response)` is True when the write is stored (its value and its
    history entry) and otherwise asserts that it was refused, said so in Swedish, and stored nothing."""

    name: str
    role: object
    division: str | None
    load: Callable
    judge: Callable

    def __repr__(self) -> str:
        return self.name


def entries_by(user, **where) -> list[HistoryEntry]:
    """The history entries `user` made (optionally of one kind or verb)."""
    query = sa.select(HistoryEntry).where(HistoryEntry.user_id == user.id)
    for column, value in where.items():
        query = query.where(getattr(HistoryEntry, column) == value)
    return db.session.scalars(query.order_by(HistoryEntry.id)).all()


def refused(response, *messages: str, gone: bool = False) -> None:
    """A refusal that says why: 409 with one of the Swedish `messages` (or 404 for a row that is `gone`)."""
    body = response.get_data(as_text=True)
    assert response.status_code in ((404, 409) if gone else (409,)), (response.status_code, body[:1500])
    assert any(message in body for message in messages), body[:3000]
