"""Reading the history about one row, and verifying the history's chain."""

from dataclasses import dataclass

import sqlalchemy as sa

from tracker.extensions import db
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.history.recorder import GENESIS, entry_hash, history_keys, key_id


def last_change(kind: str, object_id: int) -> HistoryEntry | None:
    """The latest entry about one row (who saved it last, and when)."""
    return db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.kind == kind, HistoryEntry.object_id == object_id)
                             .order_by(HistoryEntry.id.desc()).limit(1))


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # the first entry whose hash does not follow
    head_matches: bool
    missing_key: str | None = None  # the id of the key that signed the entry broken_at, which is not configured
    unkeyed: bool = False  # the chain holds entries written before the history had keys, and none after

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.head_matches and not self.unkeyed


def verify_chain(batch: int = 5000) -> ChainReport:
    """The chain from its first entry. A key gives way only to a newer one: an entry signed with an older key than
    the entry before it is a rewrite with a retired key. Entries written before the history had keys count as signed
    with the oldest of all: verified as then (plain SHA-256), and never alone, as the migration that brought the
    keys signed one after them. A chain rebuilt without the key fails either way."""
    keys = history_keys()
    ranks = {key_id(key): rank for rank, key in enumerate(keys)}  # 0: the newest
    unkeyed = len(keys)
    previous, rank_before, count, last_id = GENESIS, unkeyed, 0, 0
    while True:
        entries = db.session.scalars(
            sa.select(HistoryEntry).where(HistoryEntry.id > last_id).order_by(HistoryEntry.id).limit(batch)
        ).all()
        if not entries:
            break
        for entry in entries:
            count += 1
            if entry.key_id is not None and entry.key_id not in ranks:
                return ChainReport(count, entry.id, False, missing_key=entry.key_id)
            rank = unkeyed if entry.key_id is None else ranks[entry.key_id]
            key = None if entry.key_id is None else keys[rank]
            if entry.previous_hash != previous or rank > rank_before or entry_hash(entry, previous, key) != entry.hash:
                return ChainReport(count, entry.id, False)
            previous, rank_before = entry.hash, rank
        last_id = entries[-1].id
        db.session.expunge_all()
    head = db.session.get(HistoryHead, 1)
    return ChainReport(count, None, (head.hash if head else GENESIS) == previous,
                       unkeyed=count > 0 and rank_before == unkeyed)
