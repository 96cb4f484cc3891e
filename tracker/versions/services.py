"""Fastställande, revisions, and comparing versions of a plan."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from tracker.display import area_heading, format_datetime, parse_date
from tracker.errors import ChangedSinceSeen, ValidationError
from tracker.fields import Fields, changed, diff_log
from tracker.extensions import db
from tracker.versions.models import Export, PlanVersion
from tracker.history.recorder import record
from tracker.plans import fields as plan_fields
from tracker.plans.models import Plan
from tracker.plans.rollup import Summary, is_overdue, rollup
from tracker.plans.services import AreaView, FactorView, PlanView, lock_plan
from tracker.versions.snapshot import plan_snapshot
from tracker.security import log as security_log
from tracker.seen import digest
from tracker.types import utcnow
from tracker.users.models import User
from tracker.vocabulary import Horizon, PlanState, Status

DECISION_MAX_LENGTH = 200
# What a comparison of two versions looks at: the structure, where each row is found by its id.
ACTION_FIELDS = plan_fields.ACTION.without("factor", "position").plus(plan_fields.DIVISIONS)
FACTOR_FIELDS = plan_fields.FACTOR.without("position")


def list_versions(plan: Plan) -> list[PlanVersion]:
    return db.session.scalars(
        sa.select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number.desc())
    ).all()


def get_version(plan: Plan, number: int) -> PlanVersion | None:
    return db.session.scalar(sa.select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == number))


def approve(plan: Plan, user: User | None, decision: str | None = None, *, approved_by_name: str | None = None,
            approved_at=None) -> PlanVersion:
    """Fastställ the current draft as version N; its structure is fixed from now on.

    `approved_by_name` and `approved_at` record a fastställande made outside the app (the demo's 2021 plan)."""
    if plan.state is PlanState.APPROVED:
        raise ValidationError({"plan": f"Version {plan.version_number} är redan fastställd."})
    decision = (decision or "").strip() or None
    if decision and len(decision) > DECISION_MAX_LENGTH:
        raise ValidationError({"decision": f"Beslutsreferensen får ha högst {DECISION_MAX_LENGTH} tecken."})
    plan.state = PlanState.APPROVED
    version = PlanVersion(plan_id=plan.id, number=plan.version_number, approved_at=approved_at or utcnow(),
                          approved_by=user, approved_by_name=approved_by_name or user.name, decision=decision,
                          snapshot=plan_snapshot(plan))
    db.session.add(version)
    record(db.session, plan=plan, kind="version", verb="approved",
           summary=f"fastställde version {version.number}" + (f" ({decision})" if decision else ""),
           changes=[["Beslut", "–", decision]] if decision else [])
    security_log.record("approved", f"{plan.title} fastställdes som version {version.number}"
                        + (f" ({decision})" if decision else ""), actor=user, plan=plan.key, version=version.number)
    db.session.flush()
    return version


def approval_digest(plan: Plan) -> str:
    """What a fastställande fixes, as the Versioner page's form carries it: the version number, the plan's facts,
    its structure and texts (areas, framgångsfaktorer, åtgärder with their responsible förvaltningar) and its
    indicators. Statuses, comments and utfall are follow-up (docs/domain.md), so a förvaltning's status save does not
    make the direktör's page stale."""
    snapshot = plan_snapshot(plan)
    factors = [{**f, "actions": [{**{k: v for k, v in a.items() if k != "statuses"},
                                  "divisions": [s["division_id"] for s in a["statuses"]]} for a in f["actions"]]}
               for f in snapshot["factors"]]
    indicators = [{k: v for k, v in i.items() if k != "values"} for i in snapshot["indicators"]]
    # The label says whether the version is fastställd: a refusal of its own ("redan fastställd"), not a change.
    meta = {k: v for k, v in snapshot["meta"].items() if k != "version_label"}
    return digest({"meta": meta, "areas": snapshot["areas"], "factors": factors, "indicators": indicators})


def check_approval_seen(plan: Plan, seen: str) -> None:
    """Refuse a fastställande posted from a page that showed another plan than there is now (ChangedSinceSeen).
    The plan's row is locked first, so that a second fastställande or a revision waits for this one."""
    db.session.scalars(sa.select(Plan).where(Plan.id == plan.id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    if approval_digest(plan) != seen:
        raise ChangedSinceSeen("Planen har ändrats sedan du öppnade sidan, så den fastställs inte: det du skulle "
                               "fastställa är inte längre det du såg. Se vad som har ändrats, ladda sedan om "
                               "Versioner och fastställ igen.", ("history.plan_history", {"key": plan.key}),
                               "Planens historik")


def start_revision(plan: Plan) -> None:
    """A new draft (version N+1); the fastställd version N stays as it was."""
    lock_plan(plan)  # a second start at the same moment (a double click) then finds the draft
    if plan.state is not PlanState.APPROVED:
        raise ValidationError({"plan": f"Planen är redan ett utkast (version {plan.version_number})."})
    plan.state = PlanState.DRAFT
    plan.version_number += 1
    record(db.session, plan=plan, kind="version", verb="revision",
           summary=f"påbörjade en revidering: utkast till version {plan.version_number}")
    db.session.flush()


def mark_sent(version: PlanVersion, user: User | None, export: Export | None = None) -> None:
    if export is not None and export.plan_id != version.plan_id:
        raise ValidationError({"export": "Filen hör till en annan plan."})
    plan = db.session.get(Plan, version.plan_id)
    if version.sent_at is not None:
        raise ChangedSinceSeen(f"Version {version.number} är redan markerad som skickad till Socialstyrelsen "
                               f"({format_datetime(version.sent_at)}); den markerades medan din sida var öppen.",
                               ("versions.plan_versions", {"key": plan.key}), "Versionerna nu")
    version.sent_at = utcnow()
    version.sent_by_id = user.id if user else None
    version.sent_export_id = export.id if export else None
    record(db.session, plan=plan, kind="version", verb="sent",
           summary=f"markerade version {version.number} som skickad till Socialstyrelsen"
           + (f" ({export.file_name})" if export else ""))
    db.session.flush()


def last_sent(plan: Plan) -> PlanVersion | None:
    return db.session.scalar(
        sa.select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.sent_at.is_not(None))
        .order_by(PlanVersion.sent_at.desc()).limit(1)
    )


# --- Comparing ------------------------------------------------------------------------------


@dataclass
class ItemChange:
    kind: str  # "Framgångsfaktor", "Åtgärd"
    title: str
    state: str  # added, removed, changed, moved
    fields: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Comparison:
    before: str
    after: str
    changes: list[ItemChange]

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def answer(self) -> str:
        return "Ja" if self.changed else "Nej"

    def count(self, state: str) -> int:
        return sum(1 for c in self.changes if c.state == state)


def _area_names(snapshot: dict) -> dict:
    return {a["id"]: area_heading(a["code"], a["title"]) for a in snapshot["areas"]}


def _values(action: dict) -> dict:
    values = {f: action.get(f) for f in ACTION_FIELDS.names if f != "divisions"}
    values["horizon"] = Horizon(values["horizon"]).label if values["horizon"] else None
    values["divisions"] = tuple(sorted(s["division"] for s in action["statuses"]))
    return values


def _diff(old: dict, new: dict, described: Fields) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in diff_log(changed(old, new, described), described)]


def compare(before: dict, after: dict, before_label: str, after_label: str) -> Comparison:
    """What differs in the plan's structure between two snapshots (statuses are follow-up, not structure)."""
    changes = []
    old_areas, new_areas = _area_names(before), _area_names(after)
    old_factors = {f["id"]: f for f in before["factors"]}
    new_factors = {f["id"]: f for f in after["factors"]}
    for fid, factor in new_factors.items():
        old = old_factors.get(fid)
        if old is None:
            changes.append(ItemChange("Framgångsfaktor", factor["title"], "added"))
            continue
        fields = _diff({**old, "area": old_areas.get(old["area_id"])},
                       {**factor, "area": new_areas.get(factor["area_id"])}, FACTOR_FIELDS)
        if fields:
            changes.append(ItemChange("Framgångsfaktor", factor["title"], "changed", fields))
    changes += [ItemChange("Framgångsfaktor", f["title"], "removed") for fid, f in old_factors.items()
                if fid not in new_factors]

    def actions(snapshot):
        return {a["id"]: (a, f) for f in snapshot["factors"] for a in f["actions"]}

    old_actions, new_actions = actions(before), actions(after)
    for aid, (action, factor) in new_actions.items():
        title = f"{action['ref']} {action['title']}"
        if aid not in old_actions:
            changes.append(ItemChange("Åtgärd", title, "added", [("Framgångsfaktor", "–", factor["title"])]))
            continue
        old_action, old_factor = old_actions[aid]
        fields = _diff(_values(old_action), _values(action), ACTION_FIELDS)
        if old_factor["id"] != factor["id"]:
            changes.append(ItemChange("Åtgärd", title, "moved",
                                      [("Framgångsfaktor", old_factor["title"], factor["title"]), *fields]))
        elif fields:
            changes.append(ItemChange("Åtgärd", title, "changed", fields))
    changes += [ItemChange("Åtgärd", f"{a['ref']} {a['title']}", "removed", [("Framgångsfaktor", f["title"], "–")])
                for aid, (a, f) in old_actions.items() if aid not in new_actions]
    return Comparison(before_label, after_label, changes)


def current_snapshot(plan: Plan) -> dict:
    return plan_snapshot(plan)


def changed_since_sent(plan: Plan) -> tuple[PlanVersion | None, Comparison | None]:
    """The report's question: has the plan changed since the version last sent?"""
    sent = last_sent(plan)
    if sent is None:
        return None, None
    return sent, compare(sent.snapshot, plan_snapshot(plan), f"version {sent.number}", "planen nu")


# --- Viewing a stored version with the plan page's templates ---------------------------------


class _ReadOnlyViewer:
    """Whoever looks at a stored version changes nothing in it."""

    @staticmethod
    def speaks_for(division_id: int) -> bool:
        return False


READ_ONLY = _ReadOnlyViewer()


@dataclass
class _Named:
    name: str


@dataclass
class _Status:
    id: int
    division_id: int
    division: _Named
    status: Status
    comment: str | None
    updated_at: datetime | None
    updated_by_display: str | None


@dataclass
class _Action:
    id: int
    ref: str
    title: str
    description: str | None
    expected_result: str | None
    horizon: Horizon | None
    start_date: date | None
    due_date: date | None
    owner: str | None
    statuses: list[_Status]

    @property
    def status(self) -> Status:
        return rollup(s.status for s in self.statuses)

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.due_date, self.status, today)


@dataclass
class _Factor:
    id: int
    title: str
    description: str | None


@dataclass
class _Area:
    heading: str


def snapshot_view(snapshot: dict, today: date) -> PlanView:
    """The plan page's view of a stored version."""
    areas = {a["id"]: AreaView(_Area(area_heading(a["code"], a["title"])))
             for a in snapshot["areas"]}
    loose = AreaView(None)
    every = []
    for f in snapshot["factors"]:
        actions = [
            _Action(a["id"], a["ref"], a["title"], a["description"], a["expected_result"],
                    Horizon(a["horizon"]) if a["horizon"] else None, parse_date(a["start_date"]),
                    parse_date(a["due_date"]), a["owner"],
                    [_Status(s["id"], s["division_id"], _Named(s["division"]), Status(s["status"]), s["comment"],
                             datetime.fromisoformat(s["updated_at"]) if s["updated_at"] else None, s["updated_by"])
                     for s in a["statuses"]])
            for a in f["actions"]
        ]
        every += [a.status for a in actions]
        view = FactorView(_Factor(f["id"], f["title"], f["description"]), Summary.of(a.status for a in actions),
                          actions)
        areas.get(f["area_id"], loose).factors.append(view)
    ordered = [a for a in [loose, *areas.values()] if a.factors]
    return PlanView(plan=None, summary=Summary.of(every), areas=ordered, shown=len(every))
