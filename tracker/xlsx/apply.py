"""Import, second step: write a previewed file into the plan, all of it or nothing."""

import re
from datetime import datetime, time

from sqlalchemy.orm.exc import StaleDataError

from tracker.users.services import list_divisions
from tracker.clock import LOCAL_ZONE
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import services as followup
from tracker.plans import services as plans
from tracker.versions.services import approve
from tracker.plans.models import Action, DivisionStatus, Plan
from tracker.followup.models import Indicator, IndicatorValue, PlanContact
from tracker.users.models import Division, User
from tracker.vocabulary import PlanState
from tracker.xlsx.preview import (
    CONTACT_FIELDS, INDICATOR_FIELDS, ImportPreview, _group_indicators, _same, new_plan_errors,
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


def apply_import(preview: ImportPreview, user: User | None, *, remove_missing: bool = False,
                 new_plan: dict | None = None, keep_approval: bool = False) -> Plan:
    """Write the previewed file into the plan, all of it; the caller commits once.

    `keep_approval` carries the fastställande the file states into the app: only for the direktör, who ticked
    it in the preview, or the operator on the command line (`user` None). Statuses are set through the web
    form's service, as updated by `user` now, whatever the file says about who and when.
    ImportConflict when someone else saved a status or an åtgärd meanwhile (roll back, preview again)."""
    if not preview.clean:
        raise ImportRefused(preview.refusal or "Filen har fel; inget har sparats.")
    if remove_missing and preview.plan is not None and preview.plan.state is PlanState.APPROVED \
            and preview.count("missing"):
        raise ImportRefused(f"Planen {preview.plan_key} är fastställd: det som saknas i filen tas inte bort ur "
                            "planen. Starta en revidering för att ta bort det.")
    if keep_approval and user is not None and not user.can_approve:
        raise ImportRefused("Bara hälso- och sjukvårdsdirektören kan fastställa en plan, också vid en import. "
                            "Importera planen som utkast.")
    try:
        return _apply(preview, user, remove_missing=remove_missing, new_plan=new_plan,
                      approval=preview.approval if keep_approval else None)
    except (StaleDataError, plans.StatusConflict) as error:
        raise ImportConflict() from error


def _apply(preview: ImportPreview, user: User | None, *, remove_missing: bool, new_plan: dict | None,
           approval: dict | None) -> Plan:
    rows = preview.read.rows
    plan = preview.plan
    if plan is None:
        facts = {**preview.new_plan, **(new_plan or {})}
        if errors := new_plan_errors(preview.plan_key, facts):
            raise ValidationError(errors)
        plan = plans.create_plan(key=preview.plan_key, **facts)
        if approval:
            plan.version_number = approval["version"]
        db.session.flush()
    elif rows.meta.get("registry_number") and rows.meta["registry_number"] != plan.registry_number:
        plan.registry_number = rows.meta["registry_number"]
    divisions = _divisions(preview.read)

    areas = {a.heading: a for a in plan.areas}
    factors = {f.title: f for f in plan.factors}
    actions = {a.ref: a for f in plan.factors for a in f.actions}
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
        if factor.area is not area:
            factor.area = area
        action = actions.get(row["ref"])
        if action is None:
            action = actions[row["ref"]] = plans.add_action(
                factor, divisions=[divisions[d] for d in row["divisions"]], ref=row["ref"], title=row["title"])
        elif action.factor is not factor:
            action.factor = factor
        for f in ("title", "description", "expected_result", "horizon", "start_date", "due_date", "owner"):
            if not _same(getattr(action, f), row.get(f)):
                setattr(action, f, row.get(f))
        _sync_responsible(action, row["divisions"], divisions)

    in_file = {row["ref"] for row in rows.actions}
    for ref, action in actions.items():
        if ref not in in_file and remove_missing:
            action.factor.actions.remove(action)
    if preview.order is not None:
        _place(factors, actions, preview.order)
    _sync_indicators(plan, rows.indicators, remove_missing)
    _sync_contacts(plan, rows.contacts, remove_missing)
    db.session.flush()
    _set_statuses(actions, rows.statuses, user)
    if approval:
        approve(plan, None, approval["decision"], approved_by_name=approval["by"],
                approved_at=datetime.combine(approval["on"], time(12, 0), LOCAL_ZONE))
    return plan


def _sync_responsible(action: Action, names: tuple[str, ...], divisions: dict[str, Division]) -> None:
    """The responsible förvaltningar as the file names them; a new one starts as Ej påbörjad."""
    for status in list(action.statuses):
        if status.division.name not in names:
            action.statuses.remove(status)
    have = {s.division.name for s in action.statuses}
    for name in names:
        if name not in have:
            action.statuses.append(DivisionStatus(division=divisions[name]))


def _place(factors: dict, actions: dict, order: dict) -> None:
    """Positions as the preview announced them (`order`), touching only those that change."""
    for position, title in enumerate(t for t in order["factors"] if t in factors):
        factor = factors[title]
        if factor.position != position:
            factor.position = position
        staying = [ref for ref in order["actions"][title] if ref in actions and actions[ref].factor is factor]
        for a_position, ref in enumerate(staying):
            if actions[ref].position != a_position:
                actions[ref].position = a_position


def _set_statuses(actions: dict, rows: list[dict], user: User | None) -> None:
    """Every status the file changes, through the web form's service (its rules, who and when, the history),
    then confirmed in an open reporting round as a save on the web is."""
    changed = []
    for row in rows:
        status = next(s for s in actions[row["ref"]].statuses if s.division.name == row["division"])
        if not (_same(status.status, row["status"]) and _same(status.comment, row["comment"])):
            plans.set_status(status, user, status=row["status"].label, comment=row["comment"], name=CLI_IMPORTER)
            changed.append(status)
    db.session.flush()
    followup.confirm_updates(changed, user)


def _divisions(read: ReadResult) -> dict[str, Division]:
    """Förvaltningar by name; an empty database takes the workbook's list (TEMPLATE.md's Listor)."""
    existing = {d.name: d for d in list_divisions()}
    if existing:
        return existing
    names = list(dict.fromkeys([*read.division_names, *(s["division"] for s in read.rows.statuses)]))
    for position, name in enumerate(names):
        existing[name] = Division(name=name, position=position)
        db.session.add(existing[name])
    return existing


def _sync_rows(collection, wanted: dict, key_of, make, fields, remove_missing: bool, update=None) -> None:
    """The plan's indicators or contacts as the file has them, in the file's order; those the file lacks are
    kept after them, or removed."""
    existing = {key_of(item): item for item in collection}
    order = []
    for key, values in wanted.items():
        item = existing.get(key)
        if item is None:
            item = make(values)
            collection.append(item)
        for f in fields:
            if not _same(getattr(item, f), values.get(f)):
                setattr(item, f, values.get(f))
        if update is not None:
            update(item, values)
        order.append(item)
    for key, item in existing.items():
        if key not in wanted:
            if remove_missing:
                collection.remove(item)
            else:
                order.append(item)
    for position, item in enumerate(order):
        if item.position != position:
            item.position = position


def _set_values(indicator: Indicator, item: dict) -> None:
    if {(v.period, v.value, v.comment) for v in indicator.values} != set(item["values"]):
        indicator.values = [IndicatorValue(period=p, value=v, comment=c) for p, v, c in item["values"]]


def _sync_indicators(plan: Plan, rows: list[dict], remove_missing: bool) -> None:
    _sync_rows(plan.indicators, _group_indicators(rows), lambda i: (i.area or "", i.name),
               lambda item: Indicator(area=item["area"], name=item["name"]), INDICATOR_FIELDS, remove_missing,
               update=_set_values)


def _sync_contacts(plan: Plan, rows: list[dict], remove_missing: bool) -> None:
    _sync_rows(plan.contacts, {row["name"]: row for row in rows}, lambda c: c.name,
               lambda row: PlanContact(name=row["name"]), CONTACT_FIELDS, remove_missing)
