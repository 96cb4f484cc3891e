"""The plan's history: its entries, filtered and paged, and restoring what a deletion removed."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tracker.clock import local_midnight
from tracker.display import parse_date
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import restoring
from tracker.plans.models import Action, Area, DivisionStatus, Plan, SuccessFactor
from tracker.plans.services import lock_plan
from tracker.plans.structure import next_ref
from tracker.users.models import Division
from tracker.vocabulary import Horizon, Status

PAGE_SIZE = 50
RESTORABLE = {"action", "factor", "area", "status"}


@dataclass(frozen=True)
class HistoryFilter:
    action_id: int | None = None
    division_id: int | None = None
    user_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any([self.division_id, self.user_id, self.kind, self.date_from, self.date_to])


def history_query(plan: Plan, history_filter: HistoryFilter) -> sa.Select:
    """The plan's entries, newest first, narrowed by the filter; the caller pages it."""
    query = sa.select(HistoryEntry).where(HistoryEntry.plan_id == plan.id)
    f = history_filter
    if f.action_id:
        query = query.where(HistoryEntry.action_id == f.action_id)
    if f.division_id:
        query = query.where(HistoryEntry.division_id == f.division_id)
    if f.user_id:
        query = query.where(HistoryEntry.user_id == f.user_id)
    if f.kind:
        query = query.where(HistoryEntry.kind == f.kind)
    if f.date_from:
        query = query.where(HistoryEntry.created_at >= local_midnight(f.date_from))
    if f.date_to:
        query = query.where(HistoryEntry.created_at < local_midnight(f.date_to + timedelta(days=1)))
    return query.order_by(HistoryEntry.id.desc())


def history_page(plan: Plan, history_filter: HistoryFilter, page: int) -> tuple[list[HistoryEntry], bool]:
    """One page of entries and whether there is a next one (one extra row tells, no count(*))."""
    rows = db.session.scalars(
        history_query(plan, history_filter).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def people_in_history(plan: Plan) -> list[tuple[int, str]]:
    return db.session.execute(
        sa.select(HistoryEntry.user_id, sa.func.max(HistoryEntry.user_name))
        .where(HistoryEntry.plan_id == plan.id, HistoryEntry.user_id.is_not(None))
        .group_by(HistoryEntry.user_id)
        .order_by(sa.func.max(HistoryEntry.user_name))
    ).all()


def restored_ids(entries: list[HistoryEntry]) -> set[int]:
    """Which of these deletions were restored already."""
    ids = [e.id for e in entries if e.verb == "deleted"]
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(HistoryEntry.restores_id).where(HistoryEntry.restores_id.in_(ids))))



# --- Restoring ---------------------------------------------------------------------------


def _status_from(data: dict) -> DivisionStatus:
    status = DivisionStatus(division=db.session.get(Division, data["division_id"]), status=Status(data["status"]),
                            comment=data["comment"],
                            updated_by_id=data["updated_by_id"], updated_by_name=data.get("updated_by_name"))
    if data.get("updated_at"):
        status.updated_at = datetime.fromisoformat(data["updated_at"])
    return status


def _action_from(data: dict) -> Action:
    a = data["action"]
    action = Action(ref=a["ref"], title=a["title"], description=a["description"],
                    expected_result=a["expected_result"], horizon=Horizon(a["horizon"]) if a["horizon"] else None,
                    start_date=parse_date(a["start_date"]), due_date=parse_date(a["due_date"]), owner=a["owner"],
                    position=a["position"])
    known = {d for d in db.session.scalars(sa.select(Division.id))}
    action.statuses = [_status_from(s) for s in data["statuses"] if s["division_id"] in known]
    return action


def _fresh_ref(action: Action, factor: SuccessFactor) -> None:
    """A restored åtgärd whose ID was given to another since gets a new one: IDs stay unique in a plan."""
    taken = db.session.scalars(sa.select(Action.ref).join(SuccessFactor).where(
        SuccessFactor.plan_id == factor.plan_id, Action.id != action.id if action.id else sa.true()))
    if action.ref in set(taken):
        action.ref = next_ref(factor)


def restore(entry: HistoryEntry) -> str:
    """Bring back what a deletion removed, with its children; returns what was restored, in Swedish."""
    if entry.verb != "deleted" or entry.kind not in RESTORABLE or not entry.snapshot:
        raise ValidationError({"entry": "Bara borttagna åtgärder, framgångsfaktorer, insatsområden och ansvariga "
                                        "förvaltningar kan återställas."})
    plan = db.session.get(Plan, entry.plan_id)
    if plan is None:
        raise ValidationError({"entry": "Planen finns inte längre."})
    lock_plan(plan)  # a restore of the same deletion at the same moment is then "already restored"
    if db.session.scalar(sa.select(HistoryEntry.id).where(HistoryEntry.restores_id == entry.id)):
        raise ValidationError({"entry": "Det här är redan återställt."})
    snapshot = entry.snapshot
    with restoring(entry.id):
        if entry.kind == "area":
            a = snapshot["area"]
            db.session.add(Area(plan=plan, code=a["code"], title=a["title"], position=a["position"]))
        elif entry.kind == "factor":
            f = snapshot["factor"]
            area = db.session.get(Area, f["area_id"]) if f["area_id"] else None
            # Back at the end: the places it left were taken by the others.
            factor = SuccessFactor(plan=plan, area=area if area and area.plan_id == plan.id else None,
                                   title=f["title"], description=f["description"], position=len(plan.factors))
            factor.actions = [_action_from(a) for a in snapshot["actions"]]
            for position, action in enumerate(factor.actions):
                action.position = position
            plan.factors.append(factor)
            db.session.flush()
            for action in factor.actions:
                _fresh_ref(action, factor)
        elif entry.kind == "action":
            factor = db.session.get(SuccessFactor, snapshot["action"]["factor_id"])
            # An id is only the same framgångsfaktor within the plan: a database may give a deleted one's id
            # to a new row of another plan.
            if factor is None or factor.plan_id != plan.id:
                raise ValidationError({"entry": "Framgångsfaktorn som åtgärden hörde till är borttagen. Återställ den "
                                                "först."})
            action = _action_from(snapshot)
            action.position = len(factor.actions)
            _fresh_ref(action, factor)
            factor.actions.append(action)
        else:
            action = db.session.get(Action, entry.action_id)
            if action is None or action.factor.plan_id != plan.id:
                raise ValidationError({"entry": "Åtgärden är borttagen. Återställ den först."})
            status = _status_from(snapshot["status"])
            if any(s.division_id == status.division_id for s in action.statuses):
                raise ValidationError({"entry": "Förvaltningen är redan ansvarig för åtgärden."})
            action.statuses.append(status)
        db.session.flush()
    return entry.summary.replace("tog bort", "återställde", 1)
