"""What the history records of a plan's rows, registered with the recorder, and the rule that a fastställd
plan's structure does not change."""

import sqlalchemy as sa

from tracker.fields import Fields
from tracker.history import recorder
from tracker.history.recorder import Tracked, columns, item_summary, parent, quote
from tracker.plans import fields, ordering
from tracker.plans.models import Action, Area, DivisionStatus, Plan, SuccessFactor
from tracker.vocabulary import PlanState

STRUCTURE = (Area, SuccessFactor, Action)


class StructureLocked(Exception):
    """A change to the structure of a fastställd plan; start a revision first."""


def plan_of(session, obj) -> Plan | None:
    """The plan a row belongs to, also before the row is flushed."""
    plan_id = _plan_id(obj)
    if plan_id is None:
        factor = getattr(obj, "factor", None) or getattr(getattr(obj, "action", None), "factor", None)
        return factor.plan if factor is not None else getattr(obj, "plan", None)
    with session.no_autoflush:
        return session.get(Plan, plan_id)


def refuse_if_locked(session, obj, adds_or_removes: bool = True) -> None:
    """A fastställd plan's structure stays as it was approved, until a revision makes it a draft again."""
    plan = plan_of(session, obj)
    if plan is not None and plan.state is PlanState.APPROVED and not _state_changes_to_draft(plan):
        raise StructureLocked(
            f"Planen {plan.key} är fastställd (version {plan.version_number}); dess struktur ändras inte. "
            "Starta en revidering för att ändra den."
        )


def _refuse_division_change_if_locked(session, status, adds_or_removes: bool) -> None:
    # Adding or removing a responsible förvaltning is structure; setting its status is not.
    if adds_or_removes:
        refuse_if_locked(session, status)


def _state_changes_to_draft(plan: Plan) -> bool:
    history = sa.inspect(plan).attrs["state"].history
    return bool(history.added) and history.added[0] is PlanState.DRAFT


def _plan_id(obj) -> int | None:
    if isinstance(obj, Plan):
        return obj.id
    if isinstance(obj, Action):
        factor = parent(obj, "factor")
        return factor.plan_id if factor else None
    if isinstance(obj, DivisionStatus):
        action = parent(obj, "action")
        return _plan_id(action) if action else None
    return obj.plan_id


# --- The sentences ---------------------------------------------------------------------------


def _plan_summary(plan: Plan, verb: str, changes: list) -> str:
    if verb == "updated" and [c[0] for c in changes] == [fields.PLAN["archived_at"].label]:
        return f"{'arkiverade' if plan.archived_at else 'tog fram ur arkivet'} planen {quote(plan.title)}"
    return item_summary(f"planen {quote(plan.title)}", verb, changes, created="skapade")


def _area_summary(area: Area, verb: str, changes: list) -> str:
    return item_summary(f"insatsområdet {quote(area.heading)}", verb, changes)


def _factor_summary(factor: SuccessFactor, verb: str, changes: list) -> str:
    if verb == "deleted" and factor.actions:
        return f"tog bort framgångsfaktorn {quote(factor.title)} med {len(factor.actions)} åtgärder"
    return item_summary(f"framgångsfaktorn {quote(factor.title)}", verb, changes)


def _action_summary(action: Action, verb: str, changes: list) -> str:
    if verb == "created" and action.factor:
        return f"lade till åtgärden {quote(action.title)} ({action.ref}) under {quote(action.factor.title)}"
    return item_summary(f"åtgärden {quote(action.title)} ({action.ref})", verb, changes, moved="Framgångsfaktor")


def _status_summary(status: DivisionStatus, verb: str, changes: list) -> str:
    action = parent(status, "action")
    what, division = quote(action.title if action else None), status.division.name
    if verb in ("created", "restored"):
        return f"{'återställde' if verb == 'restored' else 'lade till'} {division} som ansvarig förvaltning för {what}"
    if verb == "deleted":
        return f"tog bort {division} som ansvarig förvaltning för {what}"
    status_change = next((c for c in changes if c[0] == "Status"), None)
    comment_changed = any(c[0] == "Kommentar" for c in changes)
    if status_change:
        text = f"ändrade status för {what} ({division}) från {status_change[1]} till {status_change[2]}"
        return text + (" och kommentaren" if comment_changed else "")
    return f"ändrade kommentaren för {what} ({division})"


# --- What a deletion keeps, to restore it -------------------------------------------------------


def snapshot_of(obj) -> dict:
    """What a deletion removes, with its children, so that it can be restored."""
    if isinstance(obj, DivisionStatus):
        return {"status": columns(obj, ("id", "action_id", "version_id"))}
    if isinstance(obj, Action):
        return {"action": columns(obj), "statuses": [snapshot_of(s)["status"] for s in obj.statuses]}
    if isinstance(obj, SuccessFactor):
        return {"factor": columns(obj), "actions": [snapshot_of(a) for a in obj.actions]}
    return {"area": columns(obj)}


# --- Places: who moved, as the plan page shows the lists ------------------------------------------


def _list_of(obj, old: bool) -> tuple | None:
    """Which list an insatsområde, framgångsfaktor or åtgärd is shown in (before or after the flush):
    åtgärder under their framgångsfaktor, framgångsfaktorer under their insatsområde, insatsområden in the plan."""
    value = recorder.old_value if old else getattr
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


def moves(session, deleted: set) -> dict:
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
                            key=lambda c: recorder.old_value(c, "position"))
            places.update(ordering.moves(before, after, moved=moved_by_user))
    return places


def _track_structure(model, kind: str, label: str, row_fields: Fields, summary, **more) -> None:
    recorder.track(model, Tracked(kind, row_fields, summary, _plan_id, snapshot=snapshot_of, check=refuse_if_locked,
                                  described_elsewhere=("position",), **more), label)


recorder.track(DivisionStatus, Tracked(
    "status", fields.STATUS, _status_summary, _plan_id, part_of="action", snapshot=snapshot_of,
    check=_refuse_division_change_if_locked,
    refs=lambda status: {"action_id": status.action_id, "division_id": status.division_id}), "Status")
_track_structure(Action, "action", "Åtgärd", fields.ACTION, _action_summary, part_of="factor",
                 refs=lambda action: {"action_id": action.id})
_track_structure(SuccessFactor, "factor", "Framgångsfaktor", fields.FACTOR, _factor_summary)
_track_structure(Area, "area", "Insatsområde", fields.AREA, _area_summary)
recorder.track(Plan, Tracked("plan", fields.PLAN, _plan_summary, _plan_id), "Plan")
recorder.register_kind("version", "Version")
recorder.find_moves(moves)
