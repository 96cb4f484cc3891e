"""Import, second step: write a previewed file into the plan, all of it or nothing."""

import re
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker.clock import LOCAL_ZONE
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import services as followup
from tracker.plans import services as plans
from tracker.plans.models import Action, DivisionStatus, Indicator, IndicatorValue, Plan, PlanContact
from tracker.types import utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import PlanState
from tracker.xlsx.preview import (
    CONTACT_FIELDS, INDICATOR_FIELDS, ImportPreview, _group_indicators, _same, _stated_approval, new_plan_errors,
)
from tracker.xlsx.read import ReadResult

CLI_IMPORTER = "Import via kommandoraden"


class ImportRefused(Exception):
    """The preview has problems or was refused; nothing is written."""


class ImportConflict(Exception):
    """Someone else saved a row of the plan while the import wrote it; the session must be rolled back."""


def _heading_parts(heading: str) -> tuple[str | None, str]:
    """ "3.6 Regionala …" → ("3.6", "Regionala …"); "Del 2 Stöd …" → ("Del 2", "Stöd …")."""
    match = re.match(r"^(Del \d+|\d+(?:\.\d+)*)\s+(.+)$", heading.strip())
    return (match.group(1), match.group(2)) if match else (None, heading.strip())


def _updated_at(day: date | None) -> datetime | None:
    return datetime.combine(day, time(12, 0), LOCAL_ZONE) if day else None


def apply_import(preview: ImportPreview, user: User | None, *, remove_missing: bool = False,
                 new_plan: dict | None = None) -> Plan:
    """Write the previewed file into the plan, all of it; the caller commits once.
    ImportConflict when someone else saved a status or an åtgärd meanwhile (roll back, preview again)."""
    if not preview.clean:
        raise ImportRefused(preview.refusal or "Filen har fel; inget har sparats.")
    if remove_missing and preview.plan is not None and preview.plan.state is PlanState.APPROVED \
            and preview.count("missing"):
        raise ImportRefused(f"Planen {preview.plan_key} är fastställd: det som saknas i filen tas inte bort ur "
                            "planen. Starta en revidering för att ta bort det.")
    try:
        return _apply(preview, user, remove_missing=remove_missing, new_plan=new_plan)
    except StaleDataError as error:
        raise ImportConflict() from error


def _apply(preview: ImportPreview, user: User | None, *, remove_missing: bool, new_plan: dict | None) -> Plan:
    rows = preview.read.rows
    plan = preview.plan
    approval = None
    if plan is None:
        facts = {**preview.new_plan, **(new_plan or {})}
        if errors := new_plan_errors(preview.plan_key, facts):
            raise ValidationError(errors)
        plan = plans.create_plan(key=preview.plan_key, **facts)
        approval = _stated_approval(rows.meta)
        if approval:
            plan.version_number = approval["version"]
        db.session.flush()
    elif rows.meta.get("registry_number") and rows.meta["registry_number"] != plan.registry_number:
        plan.registry_number = rows.meta["registry_number"]
    divisions = _divisions(preview.read)
    users = {u.name: u for u in db.session.scalars(sa.select(User))}
    now = utcnow()

    areas = {a.heading: a for a in plan.areas}
    factors = {f.title: f for f in plan.factors}
    actions = {a.ref: a for f in plan.factors for a in f.actions}
    statuses = rows.statuses_by_ref()
    factor_order, action_order, updated = [], {}, []
    for row in rows.actions:
        area = None
        if row.get("area"):
            area = areas.get(row["area"])
            if area is None:
                code, title = _heading_parts(row["area"])
                area = areas[row["area"]] = plans.add_area(plan, code=code, title=title)
        factor = factors.get(row["factor"])
        if factor is None:
            factor = factors[row["factor"]] = plans.add_factor(plan, title=row["factor"], area=area)
        factor.area = area
        if factor not in factor_order:
            factor_order.append(factor)
        action = actions.get(row["ref"])
        if action is None:
            action = actions[row["ref"]] = plans.add_action(factor, divisions=[], ref=row["ref"], title=row["title"])
        elif action.factor is not factor:
            action.factor = factor
        for f in ("title", "description", "expected_result", "horizon", "start_date", "due_date", "owner"):
            if not _same(getattr(action, f), row.get(f)):
                setattr(action, f, row.get(f))
        action_order.setdefault(factor, []).append(action)
        updated += _sync_statuses(action, statuses.get(row["ref"], []), divisions, users, user, now)

    in_file = {row["ref"] for row in rows.actions}
    for ref, action in actions.items():
        if ref in in_file:
            continue
        if remove_missing:
            action.factor.actions.remove(action)
        else:
            action_order.setdefault(action.factor, []).append(action)
    for factor in plan.factors:
        if factor not in factor_order and (factor.actions or not remove_missing):
            factor_order.append(factor)
    for factor in list(plan.factors):
        if factor not in factor_order:
            plan.factors.remove(factor)
    # A fastställd plan keeps its order (a file sorted in Excel is still a status update).
    for position, factor in enumerate(factor_order if plan.state is not PlanState.APPROVED else ()):
        factor.position = position
        for a_position, action in enumerate(action_order.get(factor, [])):
            action.position = a_position
    if remove_missing:
        used = {f.area_id for f in plan.factors} | {f.area.id for f in plan.factors if f.area and f.area.id}
        for area in list(plan.areas):
            if area.id is not None and area.id not in used and area.heading not in {r.get("area") for r in rows.actions}:
                plan.areas.remove(area)
    _sync_indicators(plan, rows.indicators, remove_missing)
    _sync_contacts(plan, rows.contacts, remove_missing)
    db.session.flush()
    _confirm_in_open_round(plan, updated, user)
    if approval:
        from tracker.history.versions import approve

        approve(plan, None, approval["decision"], approved_by_name=approval["by"],
                approved_at=datetime.combine(approval["on"], time(12, 0), LOCAL_ZONE))
    return plan


def _divisions(read: ReadResult) -> dict[str, Division]:
    """Förvaltningar by name; an empty database takes the workbook's list (TEMPLATE.md's Listor)."""
    existing = {d.name: d for d in plans.list_divisions()}
    if existing:
        return existing
    names = list(dict.fromkeys([*read.division_names, *(s["division"] for s in read.rows.statuses)]))
    for position, name in enumerate(names):
        existing[name] = Division(name=name, position=position)
        db.session.add(existing[name])
    return existing


def _confirm_in_open_round(plan: Plan, statuses: list[DivisionStatus], user: User | None) -> None:
    """Statuses the import set while the plan has an open reporting round count as confirmed in it,
    as a status saved on the web does."""
    round_ = followup.open_round_of(plan) if statuses else None
    for status in statuses if round_ is not None else ():
        followup.confirm(round_, status, user, unchanged=False)


def _sync_statuses(action: Action, rows: list[dict], divisions, users, user, now) -> list[DivisionStatus]:
    """The åtgärd's statuses as the file has them; returns those the import set (marked updated by it)."""
    current = {s.division.name: s for s in action.statuses}
    updated = []
    wanted = {row["division"]: row for row in rows}
    for name, status in current.items():
        if name not in wanted:
            action.statuses.remove(status)
    for name, row in wanted.items():
        status = current.get(name)
        if status is None:
            # New here: keep what the file says about who updated it and when.
            status = DivisionStatus(division=divisions[name], status=row["status"], comment=row.get("comment"))
            status.updated_at = _updated_at(row.get("updated"))
            named = row.get("updated_by")
            status.updated_by = users.get(named) if named else None
            status.updated_by_name = named if named and status.updated_by is None else None
            if status.updated_at is None and (row.get("comment") or row["status"].value != "not_started"):
                _mark_updated(status, user, now)
                updated.append(status)
            action.statuses.append(status)
        elif not (_same(status.status, row["status"]) and _same(status.comment, row.get("comment"))):
            status.status, status.comment = row["status"], row.get("comment")
            _mark_updated(status, user, now)
            updated.append(status)
    return updated


def _mark_updated(status: DivisionStatus, user: User | None, now: datetime) -> None:
    status.updated_at = now
    status.updated_by = user
    status.updated_by_name = None if user else CLI_IMPORTER


def _sync_indicators(plan: Plan, rows: list[dict], remove_missing: bool) -> None:
    grouped = _group_indicators(rows)
    existing = {(i.area or "", i.name): i for i in plan.indicators}
    order = []
    for key, item in grouped.items():
        indicator = existing.get(key)
        if indicator is None:
            indicator = Indicator(area=item["area"], name=item["name"])
            plan.indicators.append(indicator)
        for f in INDICATOR_FIELDS:
            if not _same(getattr(indicator, f), item[f]):
                setattr(indicator, f, item[f])
        current = {(v.period, v.value, v.comment) for v in indicator.values}
        if current != set(item["values"]):
            indicator.values = [IndicatorValue(period=p, value=v, comment=c) for p, v, c in item["values"]]
        order.append(indicator)
    for key, indicator in existing.items():
        if key not in grouped:
            if remove_missing:
                plan.indicators.remove(indicator)
            else:
                order.append(indicator)
    for position, indicator in enumerate(order):
        indicator.position = position


def _sync_contacts(plan: Plan, rows: list[dict], remove_missing: bool) -> None:
    existing = {c.name: c for c in plan.contacts}
    order = []
    for row in rows:
        contact = existing.get(row["name"])
        if contact is None:
            contact = PlanContact(name=row["name"])
            plan.contacts.append(contact)
        for f in CONTACT_FIELDS:
            if not _same(getattr(contact, f), row.get(f)):
                setattr(contact, f, row.get(f))
        order.append(contact)
    for name, contact in existing.items():
        if name not in {r["name"] for r in rows}:
            if remove_missing:
                plan.contacts.remove(contact)
            else:
                order.append(contact)
    for position, contact in enumerate(order):
        contact.position = position
