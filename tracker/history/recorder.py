"""Writes the history: one readable entry per changed row, in the same transaction as the change.

Every path (web, import, command line) goes through the ORM session, so the recorder listens
to the session instead of trusting each service to remember: a flush that changes a tracked
row without an actor set (`acting(...)`) is refused, so no change happens without its entry.
The same listener refuses structure changes to a fastställd plan.
"""

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.display import display_value
from tracker.plans import ordering
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.plans.models import (
    Action, Area, DivisionStatus, Indicator, IndicatorValue, Plan, PlanContact, SuccessFactor,
)
from tracker.types import utcnow
from tracker.users.models import User
from tracker.vocabulary import LabelledEnum, PlanState
from tracker.xlsx.models import Export

SOURCES = {"web": "webb", "import": "import", "cli": "kommandorad"}
KINDS = {
    "status": "Status", "action": "Åtgärd", "factor": "Framgångsfaktor", "area": "Insatsområde", "plan": "Plan",
    "version": "Version", "indicator": "Indikator", "contact": "Kontaktperson", "export": "Export",
}
GENESIS = "0" * 64
PENDING = "history_pending"  # session.info key: entries of this transaction, written at commit
PLACES = "history_places"  # session.info key: the moves of the flush under way, found before it


class MissingActor(RuntimeError):
    """A tracked change was flushed with no one to record it for."""


class StructureLocked(Exception):
    """A change to the structure of a fastställd plan; start a revision first."""


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    division: str | None
    source: str  # web, import, cli


_actor: ContextVar[Actor | None] = ContextVar("history_actor", default=None)
_restoring: ContextVar[int | None] = ContextVar("history_restoring", default=None)


def actor_for(user: User | None, source: str, name: str | None = None) -> Actor:
    if user is not None:
        return Actor(user.id, user.name, user.division.name if user.division else None, source)
    return Actor(None, name or SOURCES[source], None, source)


@contextmanager
def acting(user: User | None, source: str, name: str | None = None):
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


# --- What each tracked row is, in Swedish --------------------------------------------------

FIELDS = {
    Plan: [("title", "Titel"), ("year", "År"), ("registry_number", "Diarienummer")],
    Area: [("code", "Kod"), ("title", "Rubrik"), ("position", "Plats")],
    SuccessFactor: [("title", "Rubrik"), ("description", "Beskrivning"), ("area", "Insatsområde"),
                    ("position", "Plats")],
    Action: [("ref", "ID"), ("title", "Rubrik"), ("description", "Beskrivning"),
             ("expected_result", "Mål/förväntat resultat"), ("horizon", "Tidshorisont"), ("start_date", "Start"),
             ("due_date", "Klart senast"), ("owner", "Ansvarig"), ("factor", "Framgångsfaktor"),
             ("position", "Plats")],
    DivisionStatus: [("status", "Status"), ("comment", "Kommentar")],
    Indicator: [("name", "Indikator"), ("area", "Område"), ("target", "Målvärde"), ("unit", "Enhet"),
                ("direction", "Riktning")],
    IndicatorValue: [("period", "Period"), ("value", "Utfall"), ("comment", "Kommentar")],
    PlanContact: [("name", "Namn"), ("phone", "Telefonnummer"), ("email", "Mejladress"), ("comment", "Kommentar")],
    Export: [("sent_at", "Skickad till Socialstyrelsen")],
}
STRUCTURE = (Area, SuccessFactor, Action)
KIND_OF = {Plan: "plan", Area: "area", SuccessFactor: "factor", Action: "action", DivisionStatus: "status",
           Indicator: "indicator", IndicatorValue: "indicator", PlanContact: "contact", Export: "export"}


def _plain(value):
    """A column value as JSON can keep it (for snapshots)."""
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _label(value) -> str:
    if isinstance(value, Area):
        return value.heading
    if isinstance(value, SuccessFactor):
        return value.title
    return display_value(value)


def _parent(obj, attribute: str):
    """The parent, or the one it had when it was taken out of its parent's collection."""
    current = getattr(obj, attribute)
    if current is not None:
        return current
    history = sa.inspect(obj).attrs[attribute].history
    return history.deleted[0] if history.deleted else None


def _plan_id(obj) -> int | None:
    if isinstance(obj, Plan):
        return obj.id
    if isinstance(obj, Action):
        factor = _parent(obj, "factor")
        return factor.plan_id if factor else None
    if isinstance(obj, DivisionStatus):
        action = _parent(obj, "action")
        return _plan_id(action) if action else None
    if isinstance(obj, IndicatorValue):
        indicator = _parent(obj, "indicator")
        return indicator.plan_id if indicator else None
    return obj.plan_id


def _changes(obj) -> list[list[str]]:
    state = sa.inspect(obj)
    changes = []
    for field, label in FIELDS[type(obj)]:
        history = state.attrs[field].history
        if field == "position" or not history.has_changes():
            continue  # a place is described among its siblings (_places)
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if _label(before) != _label(after):
            changes.append([label, _label(before), _label(after)])
    return changes


def _values(obj) -> list[list[str]]:
    """The fields of a new or removed row, as changes from or to nothing."""
    return [[label, "–", _label(getattr(obj, field))] for field, label in FIELDS[type(obj)]
            if field != "position" and getattr(obj, field) not in (None, "")]


def _columns(obj, skip=("id",)) -> dict:
    return {c.key: _plain(getattr(obj, c.key)) for c in sa.inspect(type(obj)).column_attrs if c.key not in skip}


def snapshot_of(obj) -> dict:
    """What a deletion removes, with its children, so that it can be restored."""
    if isinstance(obj, DivisionStatus):
        return {"status": _columns(obj, ("id", "action_id", "version_id"))}
    if isinstance(obj, Action):
        return {"action": _columns(obj, ("id",)),
                "statuses": [snapshot_of(s)["status"] for s in obj.statuses]}
    if isinstance(obj, SuccessFactor):
        return {"factor": _columns(obj, ("id",)), "actions": [snapshot_of(a) for a in obj.actions]}
    return {type(obj).__tablename__: _columns(obj, ("id",))}


def _quote(text: str | None) -> str:
    return f"”{text}”" if text else "”?”"


def _summary(obj, verb: str, changes: list) -> str:
    restored = verb == "restored"
    if isinstance(obj, DivisionStatus):
        action = _parent(obj, "action")
        what, division = _quote(action.title if action else None), obj.division.name
        if verb in ("created", "restored"):
            return f"{'återställde' if restored else 'lade till'} {division} som ansvarig förvaltning för {what}"
        if verb == "deleted":
            return f"tog bort {division} som ansvarig förvaltning för {what}"
        status_change = next((c for c in changes if c[0] == "Status"), None)
        comment_changed = any(c[0] == "Kommentar" for c in changes)
        if status_change:
            text = f"ändrade status för {what} ({division}) från {status_change[1]} till {status_change[2]}"
            return text + (" och kommentaren" if comment_changed else "")
        return f"ändrade kommentaren för {what} ({division})"
    if isinstance(obj, Export):
        if verb == "created":
            return f"exporterade planen till Excel ({obj.file_name})"
        return f"markerade {obj.file_name} som skickad till Socialstyrelsen"
    if isinstance(obj, IndicatorValue):
        indicator = _parent(obj, "indicator")
        name = _quote(indicator.name if indicator else None)
        verbs = {"created": "registrerade utfall", "updated": "ändrade utfall", "deleted": "tog bort utfall",
                 "restored": "återställde utfall"}
        return f"{verbs[verb]} för {name} ({obj.period})"
    noun = {Plan: "planen", Area: "insatsområdet", SuccessFactor: "framgångsfaktorn", Action: "åtgärden",
            Indicator: "indikatorn", PlanContact: "kontaktpersonen"}[type(obj)]
    name = {Area: lambda o: o.heading, Indicator: lambda o: o.name, PlanContact: lambda o: o.name}.get(
        type(obj), lambda o: o.title)(obj)
    label = f"{noun} {_quote(name)}" + (f" ({obj.ref})" if isinstance(obj, Action) else "")
    if verb == "created":
        if isinstance(obj, Action) and obj.factor:
            return f"lade till {label} under {_quote(obj.factor.title)}"
        return f"{'skapade' if isinstance(obj, Plan) else 'lade till'} {label}"
    if verb == "restored":
        return f"återställde {label}"
    if verb == "deleted":
        if isinstance(obj, SuccessFactor) and obj.actions:
            return f"tog bort {label} med {len(obj.actions)} åtgärder"
        return f"tog bort {label}"
    moved = next((c for c in changes if c[0] == "Framgångsfaktor"), None)
    place = next((c for c in changes if c[0] == "Plats"), None)
    if moved and len(changes) - bool(place) == 1:
        return f"flyttade {label} till {_quote(moved[2])}"
    if place and len(changes) == 1:
        return f"flyttade {label} från plats {place[1]} till plats {place[2]}"
    return f"ändrade {label}: " + ", ".join(c[0].lower() if c[0] != "ID" else "ID" for c in changes)


# --- The listener ------------------------------------------------------------------------


def _tracked(objects):
    return [o for o in objects if type(o) in FIELDS]


def _is_really_modified(obj) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[f].history.has_changes() for f, _ in FIELDS[type(obj)]) or (
        type(obj) in STRUCTURE and state.attrs["position"].history.has_changes()
    )


def _plan_of(session, obj) -> Plan | None:
    plan_id = _plan_id(obj)
    if plan_id is None:
        factor = getattr(obj, "factor", None) or getattr(getattr(obj, "action", None), "factor", None)
        return factor.plan if factor is not None else getattr(obj, "plan", None)
    with session.no_autoflush:
        return session.get(Plan, plan_id)


def _delete_orphans(session) -> None:
    """A row taken out of its parent's collection is deleted at flush (delete-orphan); make that
    an explicit deletion now, so that it is recorded as one, not as a change of parent."""
    for parent in list(session.dirty):
        state = sa.inspect(parent)
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
    _delete_orphans(session)
    changed = _tracked(session.new) + _tracked(session.deleted) + [
        o for o in _tracked(session.dirty) if _is_really_modified(o)
    ]
    if changed and _actor.get() is None:
        raise MissingActor(
            "Ändringen saknar uppgift om vem som gör den: använd history.acting(användare, källa)."
        )
    for obj in changed:
        # Adding or removing a responsible förvaltning is structure; setting its status is not.
        adds_or_removes = obj in session.new or obj in session.deleted
        if isinstance(obj, STRUCTURE + (Indicator,)) or (isinstance(obj, DivisionStatus) and adds_or_removes):
            plan = _plan_of(session, obj)
            if plan is not None and plan.state is PlanState.APPROVED and not _state_changes_to_draft(plan):
                raise StructureLocked(
                    f"Planen {plan.key} är fastställd (version {plan.version_number}); dess struktur ändras inte. "
                    "Starta en revidering för att ändra den."
                )
    # Where things stood before and stand after, read now: the database still holds the lists as they were.
    session.info[PLACES] = _places(session, set(session.deleted))
    _chain(session)


def _state_changes_to_draft(plan: Plan) -> bool:
    history = sa.inspect(plan).attrs["state"].history
    return bool(history.added) and history.added[0] is PlanState.DRAFT


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
        changes = _values(obj) if type(obj) is not Export else []
        entries.append(_entry(obj, verb, changes, actor, restores_id=restores))
    places = session.info.pop(PLACES, {})
    for obj in _tracked(session.dirty):
        if obj in deleted:
            continue
        changes = _changes(obj)
        if obj in places:
            changes.append(["Plats", *map(str, places[obj])])
        if changes:
            entries.append(_entry(obj, "updated", changes, actor))
    for obj in _tracked(deleted):
        # A row removed with its parent is part of the parent's entry.
        if isinstance(obj, DivisionStatus) and _parent(obj, "action") in deleted:
            continue
        if isinstance(obj, Action) and _parent(obj, "factor") in deleted:
            continue
        if isinstance(obj, IndicatorValue) and obj.indicator in deleted:
            continue
        entries.append(_entry(obj, "deleted", [[c[0], c[2], "–"] for c in _values(obj)], actor,
                              snapshot=snapshot_of(obj)))
    # Written and linked into the chain when the transaction commits: the chain's head is then held only for
    # the moment of committing, never while the transaction waits for other rows (no deadlock with a writer
    # that holds one of those rows and waits for the head).
    session.info.setdefault(PENDING, []).extend(entries)


@sa.event.listens_for(so.Session, "before_commit")
def _write_pending(session):
    session.flush()  # what is still unflushed adds its entries first
    if entries := session.info.pop(PENDING, None):
        session.add_all(entries)  # flushed by the commit, which links them into the chain


@sa.event.listens_for(so.Session, "after_transaction_end")
def _forget_pending(session, transaction):
    if transaction.parent is None:  # rolled back or closed: its entries go with it
        session.info.pop(PENDING, None)


def _old(obj, attribute: str):
    """The value an attribute had before this flush."""
    history = sa.inspect(obj).attrs[attribute].history
    return history.deleted[0] if history.deleted else getattr(obj, attribute)


def _list_of(obj, old: bool) -> tuple | None:
    """Which list an insatsområde, framgångsfaktor or åtgärd is shown in (before or after the flush):
    åtgärder under their framgångsfaktor, framgångsfaktorer under their insatsområde, insatsområden in the plan."""
    value = _old if old else getattr
    if isinstance(obj, Action):
        factor = value(obj, "factor")
        return (Action, factor) if factor is not None else None
    plan_id = obj.plan_id if obj.plan_id is not None else (obj.plan.id if obj.plan is not None else None)
    if isinstance(obj, SuccessFactor):
        return (SuccessFactor, plan_id, value(obj, "area"))
    return (Area, plan_id)


def _members(key: tuple, session) -> list:
    """The items the list held before the flush, as the database still has them (a query, not the parent's
    collection: loading that while the flush's changes are queued on it would apply them twice); those added
    in the flush come from the session."""
    if key[0] is Action:
        if key[1].id is None:
            return []
        return session.scalars(sa.select(Action).where(Action.factor_id == key[1].id)).all()
    return session.scalars(sa.select(key[0]).where(key[0].plan_id == key[1])).all()


def _places(session, deleted: set) -> dict:
    """{item: (old place, new place)} for the items that moved among their siblings, as ordering.moves sees it:
    renumbering around an added, removed or moved item is nobody's move. Called before the flush writes."""
    moved_by_user = session.info.pop(ordering.MOVED, set())
    touched = [o for o in (*session.dirty, *session.new, *deleted) if isinstance(o, STRUCTURE)]
    lists: dict[tuple, set] = {}
    for obj in touched:
        if sa.inspect(obj).attrs["position"].history.has_changes() or obj in deleted or obj in session.new:
            for key in {_list_of(obj, old=True), _list_of(obj, old=False)} - {None}:
                lists.setdefault(key, set())
    for obj in touched:
        for key in {_list_of(obj, old=True), _list_of(obj, old=False)} & lists.keys():
            lists[key].add(obj)
    places = {}
    with session.no_autoflush:
        for key, candidates in lists.items():
            candidates |= set(_members(key, session))
            after = sorted((c for c in candidates if c not in deleted and _list_of(c, old=False) == key),
                           key=lambda c: c.position)
            before = sorted((c for c in candidates if c not in session.new and _list_of(c, old=True) == key),
                            key=lambda c: _old(c, "position"))
            places.update(ordering.moves(before, after, moved=moved_by_user))
    return places


def _entry(obj, verb, changes, actor: Actor, snapshot=None, restores_id=None) -> HistoryEntry:
    action_id = obj.id if isinstance(obj, Action) else getattr(obj, "action_id", None)
    division_id = obj.division_id if isinstance(obj, DivisionStatus) else None
    return HistoryEntry(
        created_at=utcnow(), plan_id=_plan_id(obj), kind=KIND_OF[type(obj)], verb=verb, object_id=obj.id,
        action_id=action_id, division_id=division_id, user_id=actor.user_id, user_name=actor.name,
        user_division=actor.division, source=actor.source, summary=_summary(obj, verb, changes), changes=changes,
        snapshot=snapshot, restores_id=restores_id,
    )


def record(session, *, plan: Plan, kind: str, verb: str, summary: str, changes=(), snapshot=None) -> HistoryEntry:
    """An entry for an event that is not a row change (fastställd, revision started)."""
    actor = _actor.get()
    if actor is None:
        raise MissingActor("Händelsen saknar uppgift om vem som gör den.")
    entry = HistoryEntry(created_at=utcnow(), plan_id=plan.id, kind=kind, verb=verb, user_id=actor.user_id,
                         user_name=actor.name, user_division=actor.division, source=actor.source, summary=summary,
                         changes=[list(c) for c in changes], snapshot=snapshot)
    session.info.setdefault(PENDING, []).append(entry)  # written at commit, as every entry
    return entry


# --- The hash chain ----------------------------------------------------------------------


def entry_hash(entry: HistoryEntry, previous: str) -> str:
    content = [
        previous, entry.created_at.isoformat(), entry.plan_id, entry.kind, entry.verb, entry.object_id,
        entry.action_id, entry.division_id, entry.user_id, entry.user_name, entry.user_division, entry.source,
        entry.summary, entry.changes, entry.snapshot, entry.restores_id,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _chain(session) -> None:
    """Link new entries to the newest one, holding the head so that writers take turns.

    The head is written before it is read: on PostgreSQL that locks its row, and SQLite (no row locks,
    and a write transaction that starts only at the first write) takes its database write lock, so a
    second writer waits here until the first commits instead of linking to the same head.
    """
    # In the order they were added, which is the order they are inserted (and their ids).
    new = sorted((o for o in session.new if isinstance(o, HistoryEntry)), key=lambda e: sa.inspect(e).insert_order)
    if not new:
        return
    head = HistoryHead.__table__
    connection = session.connection()
    lock = sa.update(head).where(head.c.id == 1).values(hash=head.c.hash).returning(head.c.hash)
    previous = connection.scalar(lock)  # locked and read in one statement: the lock is held for less long
    if previous is None:  # the very first entry
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(head).values(id=1, hash=GENESIS))
        except sa.exc.IntegrityError:
            pass  # another writer made it first; wait for it like any other
        previous = connection.scalar(lock)
    for entry in new:
        entry.previous_hash = previous
        entry.hash = previous = entry_hash(entry, previous)
    connection.execute(sa.update(head).where(head.c.id == 1).values(hash=previous))
