"""Writes the history: one readable entry per changed row, in the same transaction as the change.

Every path (web, import, command line) goes through the ORM session, so the recorder listens
to the session instead of trusting each service to remember: a flush that changes a tracked
row without an actor set (`acting(...)`) is refused, so no change happens without its entry.

The recorder knows no domain. Each domain registers the models it wants in the history with `track`:
their kind, their fields (`tracker.fields`), the plan they belong to and the sentence an entry reads,
and a `check` that may refuse a change (the plans refuse structure changes to a fastställd plan).
"""

import hashlib
import hmac
import json
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from tracker.fields import Fields, diff_log
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.types import utcnow
from tracker.vocabulary import LabelledEnum

SOURCES = {"web": "webb", "import": "import", "cli": "kommandorad"}
KINDS: dict[str, dict[str, str]] = {}  # which history (a plan's, a report's) → kind → its Swedish name
GENESIS = "0" * 64
PENDING = "history_pending"  # session.info key: entries of this transaction, written at commit
SAVEPOINTS = "history_savepoints"  # session.info key: {open savepoint: how many entries were pending at its start}
MOVES = "history_moves"  # session.info key: the moves of the flush under way, found before it


class MissingActor(RuntimeError):
    """A tracked change was flushed with no one to record it for."""


class DirectEntry(RuntimeError):
    """A history entry was added to the session: it would not be linked into the chain."""


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    division: str | None
    source: str  # web, import, cli


_actor: ContextVar[Actor | None] = ContextVar("history_actor", default=None)
_restoring: ContextVar[int | None] = ContextVar("history_restoring", default=None)


def actor_for(user, source: str, name: str | None = None) -> Actor:
    """`user` is anyone with an id, a name and a division (a User)."""
    if user is not None:
        return Actor(user.id, user.name, user.division.name if user.division else None, source)
    return Actor(None, name or SOURCES[source], None, source)


@contextmanager
def acting(user, source: str, name: str | None = None):
    """Changes inside are recorded as made by `user` (or `name`) through `source`."""
    token = _actor.set(actor_for(user, source, name))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor | None:
    return _actor.get()


def set_actor(actor: Actor | None):
    return _actor.set(actor)


def reset_actor(token) -> None:
    _actor.reset(token)


@contextmanager
def restoring(entry_id: int):
    """Objects created inside are recorded as restored from the deletion `entry_id`."""
    token = _restoring.set(entry_id)
    try:
        yield
    finally:
        _restoring.reset(token)


# --- What the domains register ----------------------------------------------------------------


@dataclass(frozen=True)
class Tracked:
    """How the history describes one model's rows."""

    kind: str  # the entry's kind ("status", "action", …)
    fields: Fields  # what a change is described by
    summary: Callable[[object, str, list], str]  # (row, verb, changes) → the entry's sentence
    plan_id: Callable[[object], int | None]  # the plan whose history the entry belongs to
    refs: Callable[[object], dict] = lambda obj: {}  # more columns of the entry: action_id, division_id
    part_of: str | None = None  # a row deleted with this parent is part of the parent's entry
    snapshot: Callable[[object], dict] | None = None  # what a deletion keeps (by default its columns)
    check: Callable[[so.Session, object, bool], None] | None = None  # (session, row, added or removed) may refuse
    lists_values: bool = True  # a new row's entry lists its fields as changes from nothing
    # Fields whose changes count but are described by a registered move finder, not as a field change.
    described_elsewhere: tuple[str, ...] = field(default=())


_TRACKED: dict[type, Tracked] = {}
_MOVE_FINDERS: list[Callable[[so.Session, set], dict]] = []


def track(model: type, tracked: Tracked, kind_label: str | None = None, history: str = "plan") -> None:
    _TRACKED[model] = tracked
    if kind_label:
        register_kind(tracked.kind, kind_label, history)


def register_kind(kind: str, label: str, history: str = "plan") -> None:
    """A kind of entry that `history`'s filter offers (also one written with `record`, such as "version")."""
    KINDS.setdefault(history, {})[kind] = label


def kinds(history: str = "plan") -> dict[str, str]:
    return KINDS.get(history, {})


def find_moves(finder: Callable[[so.Session, set], dict]) -> None:
    """`finder(session, deleted)` runs before a flush writes and returns {row: (old place, new place)}."""
    _MOVE_FINDERS.append(finder)


def _plain(value):
    """A column value as JSON can keep it (for snapshots)."""
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def columns(obj, skip=("id",)) -> dict:
    """A row's columns as plain data: what a deletion's snapshot keeps."""
    return {c.key: _plain(getattr(obj, c.key)) for c in sa.inspect(type(obj)).column_attrs if c.key not in skip}


def _columns_of(obj) -> dict:
    return {type(obj).__tablename__: columns(obj)}


def parent(obj, attribute: str):
    """The parent, or the one it had when it was taken out of its parent's collection."""
    current = getattr(obj, attribute)
    if current is not None:
        return current
    history = sa.inspect(obj).attrs[attribute].history
    return history.deleted[0] if history.deleted else None


def old_value(obj, attribute: str):
    """The value an attribute had before this flush."""
    history = sa.inspect(obj).attrs[attribute].history
    return history.deleted[0] if history.deleted else getattr(obj, attribute)


def _changes(obj) -> list[list[str]]:
    spec = _TRACKED[type(obj)]
    state = sa.inspect(obj)
    changes = {}
    for f in spec.fields:
        history = state.attrs[f.name].history
        if f.name in spec.described_elsewhere or not history.has_changes():
            continue
        changes[f.name] = (history.deleted[0] if history.deleted else None,
                           history.added[0] if history.added else None)
    return diff_log(changes, spec.fields)


def values(obj) -> list[list[str]]:
    """The fields of a new or removed row, as changes from or to nothing."""
    spec = _TRACKED[type(obj)]
    return [[f.label, "–", f.text(getattr(obj, f.name))] for f in spec.fields
            if f.name not in spec.described_elsewhere and getattr(obj, f.name) not in (None, "")]


def quote(text: str | None) -> str:
    return f"”{text}”" if text else "”?”"


def item_summary(label: str, verb: str, changes: list, *, created: str = "lade till", moved: str | None = None) -> str:
    """ "lade till insatsområdet ”…”", "ändrade indikatorn ”…”: målvärde", "flyttade avsnittet ”…” från plats 2
    till plats 1": what most rows' entries read, in a plan's history and a report's. `moved` is the label of the
    field whose change moves the row under another parent ("Framgångsfaktor" for an åtgärd)."""
    if verb == "created":
        return f"{created} {label}"
    if verb == "restored":
        return f"återställde {label}"
    if verb == "deleted":
        return f"tog bort {label}"
    parent_change = next((c for c in changes if c[0] == moved), None) if moved else None
    place = next((c for c in changes if c[0] == "Plats"), None)
    if parent_change and len(changes) - bool(place) == 1:
        return f"flyttade {label} till {quote(parent_change[2])}"
    if place and len(changes) == 1:
        return f"flyttade {label} från plats {place[1]} till plats {place[2]}"
    return f"ändrade {label}: " + ", ".join(c[0].lower() if c[0] != "ID" else "ID" for c in changes)


# --- The listener ------------------------------------------------------------------------


def _tracked(objects):
    return [o for o in objects if type(o) in _TRACKED]


def _is_really_modified(obj) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[f.name].history.has_changes() for f in _TRACKED[type(obj)].fields)


def _delete_orphans(session) -> None:
    """A row taken out of its parent's collection is deleted at flush (delete-orphan); make that
    an explicit deletion now, so that it is recorded as one, not as a change of parent."""
    for owner in list(session.dirty):
        state = sa.inspect(owner)
        for relationship in state.mapper.relationships:
            if not relationship.cascade.delete_orphan:
                continue
            for child in state.attrs[relationship.key].history.deleted:
                back = relationship.back_populates
                if back and getattr(child, back) is not None:
                    continue  # moved to another parent
                if sa.inspect(child).persistent and child not in session.deleted:
                    session.delete(child)


@sa.event.listens_for(so.Session, "before_flush")
def _before_flush(session, flush_context, instances):
    if any(isinstance(o, HistoryEntry) for o in session.new):
        raise DirectEntry("Historikposter skrivs bara av historiken själv, länkade i kedjan när transaktionen "
                          "bekräftas: använd history.record(...) för en händelse.")
    _delete_orphans(session)
    changed = _tracked(session.new) + _tracked(session.deleted) + [
        o for o in _tracked(session.dirty) if _is_really_modified(o)
    ]
    if changed and _actor.get() is None:
        raise MissingActor(
            "Ändringen saknar uppgift om vem som gör den: använd history.acting(användare, källa)."
        )
    for obj in changed:
        if check := _TRACKED[type(obj)].check:
            check(session, obj, obj in session.new or obj in session.deleted)
    # Where things stood before and stand after, read now: the database still holds the lists as they were.
    moves = {}
    for finder in _MOVE_FINDERS:
        moves.update(finder(session, set(session.deleted)))
    session.info[MOVES] = moves


@sa.event.listens_for(so.Session, "after_flush")
def _after_flush(session, flush_context):
    actor = _actor.get()
    if actor is None:
        return
    restores = _restoring.get()
    deleted = set(session.deleted)
    entries = []
    for obj in _tracked(session.new):
        verb = "restored" if restores else "created"
        changes = values(obj) if _TRACKED[type(obj)].lists_values else []
        entries.append(_entry(obj, verb, changes, actor, restores_id=restores))
    moves = session.info.pop(MOVES, {})
    for obj in _tracked(session.dirty):
        if obj in deleted:
            continue
        changes = _changes(obj)
        if obj in moves:
            changes.append(["Plats", *map(str, moves[obj])])
        if changes:
            entries.append(_entry(obj, "updated", changes, actor))
    for obj in _tracked(deleted):
        spec = _TRACKED[type(obj)]
        if spec.part_of and parent(obj, spec.part_of) in deleted:
            continue  # a row removed with its parent is part of the parent's entry
        entries.append(_entry(obj, "deleted", [[c[0], c[2], "–"] for c in values(obj)], actor,
                              snapshot=(spec.snapshot or _columns_of)(obj)))
    # Written and linked into the chain when the transaction commits: the chain's head is then held only for
    # the moment of committing, never while the transaction waits for other rows (no deadlock with a writer
    # that holds one of those rows and waits for the head).
    session.info.setdefault(PENDING, []).extend(entries)


@sa.event.listens_for(so.Session, "before_commit")
def _write_pending(session):
    if session.in_nested_transaction():
        return  # a savepoint released: its entries wait for the transaction's commit with the others
    session.flush()  # what is still unflushed adds its entries first
    if entries := session.info.pop(PENDING, None):
        _link_and_insert(session.connection(), entries)


@sa.event.listens_for(so.Session, "after_transaction_create")
def _mark_savepoint(session, transaction):
    """Where a savepoint begins in the pending entries (begin_nested has flushed what came before)."""
    if transaction.nested:
        session.info.setdefault(SAVEPOINTS, {})[transaction] = len(session.info.get(PENDING, ()))


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction):
    """A savepoint rolled back takes the entries of its changes with it: they never happened."""
    mark = session.info.get(SAVEPOINTS, {}).pop(previous_transaction, None)
    if mark is not None and PENDING in session.info:
        del session.info[PENDING][mark:]


@sa.event.listens_for(so.Session, "after_transaction_end")
def _forget_pending(session, transaction):
    if transaction.parent is None:  # rolled back or closed: its entries go with it
        session.info.pop(PENDING, None)
        session.info.pop(SAVEPOINTS, None)


def _entry(obj, verb, changes, actor: Actor, snapshot=None, restores_id=None) -> HistoryEntry:
    spec = _TRACKED[type(obj)]
    refs = {"action_id": None, "division_id": None, **spec.refs(obj)}
    return HistoryEntry(
        created_at=utcnow(), plan_id=spec.plan_id(obj), kind=spec.kind, verb=verb, object_id=obj.id,
        user_id=actor.user_id, user_name=actor.name, user_division=actor.division, source=actor.source,
        summary=spec.summary(obj, verb, changes), changes=changes, snapshot=snapshot, restores_id=restores_id,
        **refs,
    )


def record(session, *, plan, kind: str, verb: str, summary: str, changes=(), snapshot=None,
           refs: dict | None = None) -> HistoryEntry:
    """An entry for an event that is not a row change (fastställd, revision started, an åtgärd linked to delmål);
    `plan` is any row with an id (or None); `refs` more columns of the entry (action_id, scope).
    The entry is written when the transaction commits (it gets no id here)."""
    actor = _actor.get()
    if actor is None:
        raise MissingActor("Händelsen saknar uppgift om vem som gör den.")
    entry = HistoryEntry(created_at=utcnow(), plan_id=plan.id if plan is not None else None, kind=kind, verb=verb,
                         user_id=actor.user_id, user_name=actor.name, user_division=actor.division,
                         source=actor.source, summary=summary, changes=[list(c) for c in changes],
                         snapshot=snapshot, **(refs or {}))
    session.info.setdefault(PENDING, []).append(entry)  # written at commit, as every entry
    return entry


# --- The hash chain ----------------------------------------------------------------------


def history_keys() -> tuple[str, ...]:
    """The keys of the chain, the newest first: it signs the new entries (TRACKER_HISTORY_KEYS, README)."""
    return current_app.config["HISTORY_KEYS"]


def key_id(key: str) -> str:
    """Names a key in the entries it signed without revealing it."""
    return hmac.new(key.encode(), b"tracker history key id", hashlib.sha256).hexdigest()[:16]


def entry_content(entry: HistoryEntry, previous: str) -> bytes:
    """What an entry's hash covers: its content, the hash before it and the id of the key that signs it."""
    content = [
        previous, entry.created_at.isoformat(), entry.plan_id, entry.kind, entry.verb, entry.object_id,
        entry.action_id, entry.division_id, entry.user_id, entry.user_name, entry.user_division, entry.source,
        entry.summary, entry.changes, entry.snapshot, entry.restores_id,
    ]
    if entry.report_id is not None:  # only then, so that the entries written before the column keep their hashes
        content.append(["report", entry.report_id])
    # Likewise; read with getattr because the migration that signed the chain (2676768af40b) hashes entries of
    # its own revision, which had no scope.
    if getattr(entry, "scope", None) is not None:
        content.append(["scope", entry.scope])
    if entry.key_id is not None:  # likewise for the entries written before the keys
        content.append(["key", entry.key_id])
    return json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode()


def entry_hash(entry: HistoryEntry, previous: str, key: str | None = None) -> str:
    """The HMAC-SHA256 of the entry under `key`, the key named by entry.key_id; of an entry written before the
    history had keys (no key_id), its plain SHA-256, as then."""
    if entry.key_id is None:
        return hashlib.sha256(entry_content(entry, previous)).hexdigest()
    return hmac.new(key.encode(), entry_content(entry, previous), hashlib.sha256).hexdigest()


_ENTRY_COLUMNS = [(attribute.key, attribute.columns[0].key) for attribute in sa.inspect(HistoryEntry).column_attrs
                  if attribute.key != "id"]


def _link_and_insert(connection, entries: list[HistoryEntry]) -> None:
    """Link the transaction's entries to the newest one and insert them, holding the head so that writers take
    turns: at the transaction's commit (not when a savepoint is released), so that the head is held only for the
    moment of committing, never while the transaction waits for other rows (no deadlock with a writer that holds one
    of those rows and waits for the head). One executemany INSERT, row by row in order with sqlite3 and psycopg alike,
    so that the ids follow the chain; outside the ORM's unit of work, as the session has flushed everything else by
    now. The entries get no id back: nothing reads one before the transaction is over.

    The head is written before it is read: on PostgreSQL that locks its row, and SQLite (no row locks,
    and a write transaction that starts only at the first write) takes its database write lock, so a
    second writer waits here until the first commits instead of linking to the same head.
    """
    head = HistoryHead.__table__
    lock = sa.update(head).where(head.c.id == 1).values(hash=head.c.hash).returning(head.c.hash)
    previous = connection.scalar(lock)  # locked and read in one statement: the lock is held for less long
    if previous is None:  # the very first entry
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(head).values(id=1, hash=GENESIS))
        except sa.exc.IntegrityError:
            pass  # another writer made it first; wait for it like any other
        previous = connection.scalar(lock)
    key = history_keys()[0]
    signed_by = key_id(key)
    rows = []
    for entry in entries:  # in the order they were recorded, which is the order of their ids
        entry.previous_hash, entry.key_id = previous, signed_by
        entry.hash = previous = entry_hash(entry, previous, key)
        rows.append({column: getattr(entry, key) for key, column in _ENTRY_COLUMNS})
    connection.execute(sa.insert(HistoryEntry.__table__), rows)
    connection.execute(sa.update(head).where(head.c.id == 1).values(hash=previous))
