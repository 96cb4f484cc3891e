"""Import, second step: write a previewed file into the plan, all of it or nothing."""

import re
from datetime import datetime, time

import sqlalchemy as sa

from tracker.access import director_only
from tracker.agreements.models import Agreement
from tracker.users.services import list_divisions
from tracker.clock import LOCAL_ZONE
from tracker.display import format_datetime
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.locking import Conflict, expect_version, versioned
from tracker.ordering import renumber
from tracker.plans import services as plans
from tracker.plans import structure
from tracker.strategy.services import current_strategy
from tracker.versions.services import approve
from tracker.plans.models import Action, DivisionStatus, Plan
from tracker.followup.models import Indicator, IndicatorValue, PlanContact
from tracker.history.services import last_change
from tracker.users.models import Division, User
from tracker.vocabulary import PlanState
from tracker.xlsx.preview import (
    CONTACT_FIELDS, INDICATOR_FIELDS, ImportPreview, _excerpt, _group_indicators, _same, new_plan_errors, row_id,
)
from tracker.xlsx.read import ReadResult

CLI_IMPORTER = "Import via kommandoraden"


class ImportRefused(Exception):
    """The preview has problems or was refused; nothing is written."""


class ImportConflict(Conflict):
    """Someone saved a row that the file changes after the preview compared it; the session must be rolled back.
    `rows`: their row_ids, when known (conflict_message finds them otherwise)."""

    def __init__(self, rows: list[str] | None = None):
        super().__init__()
        self.rows = rows or []


def saved_since_preview(preview: ImportPreview) -> list[str]:
    """The rows the file changes whose version is no longer the one the preview compared with."""
    seen = [preview.seen[rid] for rid in preview.changing if preview.seen[rid].model is not None]
    now = {}
    for model in (Action, DivisionStatus):
        ids = [row.id for row in seen if row.model is model]
        if ids:
            now |= {(model, id_): version for id_, version in db.session.execute(
                sa.select(model.id, model.version_id).where(model.id.in_(ids)))}
    return [row_id_ for row_id_ in sorted(preview.changing) if (row := preview.seen[row_id_]).model is not None
            and now.get((row.model, row.id)) != row.version]


def conflict_message(preview: ImportPreview, rows: list[str]) -> str:
    """Which rows the file changes were saved by someone else since the preview, who saved what and when."""
    rows = rows or saved_since_preview(preview)
    named = [_saved_by(preview, rid) for rid in rows]
    shown = "; ".join(named[:10]) + (f"; och {len(named) - 10} till" if len(named) > 10 else "")
    return (f"Någon har sparat {'en rad' if len(named) == 1 else 'rader'} som filen ändrar sedan "
            f"förhandsgranskningen, och inget från filen har sparats: {shown or 'planen har ändrats'}. Granska "
            "ändringarna igen och bekräfta importen.")


def _saved_by(preview: ImportPreview, rid: str) -> str:
    row = preview.seen.get(rid)
    if row is None:
        return "en rad som filen ändrar finns inte längre i planen"
    if row.model is DivisionStatus:
        status = db.session.scalar(sa.select(DivisionStatus).where(DivisionStatus.id == row.id)
                                   .execution_options(populate_existing=True))
        if status is None:
            return f"{row.label}: raden har tagits bort ur planen"
        comment = f"kommentaren ”{_excerpt(status.comment)}”" if status.comment else "ingen kommentar"
        return (f"{row.label}: {status.updated_by_display or 'någon'} sparade status ”{status.status.label}” och "
                f"{comment}" + (f" {format_datetime(status.updated_at)}" if status.updated_at else ""))
    if row.model is Action:
        entry = last_change("action", row.id)
        if entry is None:
            return f"{row.label}: åtgärden har ändrats i planen"
        return f"{row.label}: {entry.user_name} {entry.summary} {format_datetime(entry.created_at)}"
    return f"{row.label}: ändrad i planen"


def _seen_version(preview: ImportPreview, kind: str, *key: str) -> int | None:
    """The version of the row the preview compared with: the one its UPDATE must find, not the one loaded now."""
    row = preview.seen.get(row_id(kind, *key))
    return row.version if row is not None else None


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
    Writes only the rows the file changes (`preview.changing`), with what the file changes from what the preview
    compared with; ImportConflict when someone saved one of those rows since (roll back, preview again)."""
    if not preview.clean:
        raise ImportRefused(preview.refusal or "Filen har fel; inget har sparats.")
    if remove_missing and preview.plan is not None and preview.plan.state is PlanState.APPROVED \
            and preview.count("missing"):
        raise ImportRefused(f"Planen {preview.plan_key} är fastställd: det som saknas i filen tas inte bort ur "
                            "planen. Starta en revidering för att ta bort det.")
    if keep_approval and user is not None and not user.can_approve:
        raise ImportRefused(director_only("fastställa en plan, också vid en import") + " Importera planen som utkast.")
    try:
        with versioned():
            return _apply(preview, user, remove_missing=remove_missing, new_plan=new_plan,
                          approval=preview.approval if keep_approval else None)
    except ImportConflict:
        raise
    except Conflict as error:
        raise ImportConflict() from error


def _apply(preview: ImportPreview, user: User | None, *, remove_missing: bool, new_plan: dict | None,
           approval: dict | None) -> Plan:
    rows = preview.read.rows
    plan = preview.plan
    if plan is None:
        # The agreement as the preview resolved it (with the form's choice); year and title as the form says.
        facts = {**preview.new_plan, **{k: v for k, v in (new_plan or {}).items() if k != "agreement"}}
        if errors := new_plan_errors(preview.plan_key, facts):
            raise ValidationError(errors)
        agreement = db.session.get(Agreement, facts.pop("agreement_id"))
        facts.pop("agreement")
        plan = plans.create_plan(key=preview.plan_key, agreement=agreement, **facts)
        if approval:
            plan.version_number = approval["version"]
        db.session.flush()
    else:
        if stale := saved_since_preview(preview):
            raise ImportConflict(stale)
        if preview.writes("Plan", plan.key):
            plan.registry_number = rows.meta["registry_number"]
    divisions = _divisions(preview.read)
    compared = {a["ref"]: a for a in preview.compared.actions} if preview.compared else {}
    factor_areas = {a["factor"]: a["area"] for a in compared.values()}

    areas = {a.heading: a for a in plan.areas}
    factors = {f.title: f for f in plan.factors}
    actions = {a.ref: a for f in plan.factors for a in f.actions}
    for row in rows.actions:
        old = compared.get(row["ref"])
        if old is not None and not preview.writes("Åtgärd", row["ref"]):
            continue
        area = None
        if row.get("area"):
            area = areas.get(row["area"])
            if area is None:
                code, title = _heading_parts(row["area"])
                area = areas[row["area"]] = plans.add_area(plan, code=code, title=title)
        factor = factors.get(row["factor"])
        if factor is None:
            factor = factors[row["factor"]] = plans.add_factor(plan, title=row["factor"], area=area)
        if factor.area is not area and not _same(factor_areas.get(factor.title, ""), row.get("area")):
            factor.area = area
        action = actions.get(row["ref"])
        if action is None:
            action = actions[row["ref"]] = plans.add_action(
                factor, divisions=[divisions[d] for d in row["divisions"]], ref=row["ref"],
                **{f: row[f] for f in structure.ACTION_FORM_FIELDS if not _same(None, row.get(f))})
            if row.get("goals"):
                db.session.flush()  # the åtgärd's id, for its history entry
                structure.link_action(action, goals=_goals(action, row["goals"]), groups=None)
        elif old is None:
            raise ImportConflict([row_id("Åtgärd", row["ref"])])  # created by someone since the preview
        else:
            _update_action(action, factor, old, row, divisions, preview)

    in_file = {row["ref"] for row in rows.actions}
    for ref, action in actions.items():
        if ref not in in_file and remove_missing and preview.writes("Åtgärd", ref):
            action.factor.actions.remove(action)
    if preview.order is not None:
        _place(factors, actions, preview.order)
    _sync_indicators(plan, rows.indicators, remove_missing, preview)
    _sync_contacts(plan, rows.contacts, remove_missing, preview)
    db.session.flush()
    _set_statuses(actions, rows.statuses, user, preview)
    if approval:
        approve(plan, None, approval["decision"], approved_by_name=approval["by"],
                approved_at=datetime.combine(approval["on"], time(12, 0), LOCAL_ZONE))
    return plan


def _update_action(action: Action, factor, old: dict, row: dict, divisions: dict[str, Division],
                   preview: ImportPreview) -> None:
    """The fields the file changes from what the preview compared with, written through the editor's service
    (its rules, its new version, its history), as a save of the version the preview compared with; the
    removal of a förvaltning was announced in the preview, which the user confirmed."""
    changes = {f: row.get(f) for f in structure.ACTION_FORM_FIELDS if not _same(old.get(f), row.get(f))}
    responsible = row["divisions"] if not _same(old["divisions"], row["divisions"]) else None
    goals = _goals(action, row["goals"]) if not _same(old.get("goals"), row.get("goals")) else None
    if not changes and responsible is None and goals is None and action.factor is factor:
        return
    names = responsible or [s.division.name for s in action.statuses]
    values = {f: getattr(action, f) for f in structure.ACTION_FORM_FIELDS} | changes
    try:
        structure.update_action(action, expected_version=_seen_version(preview, "Åtgärd", row["ref"]),
                                factor=factor, confirm_removal=True, **structure.action_form(values),
                                division_ids=[divisions[name].id for name in names],
                                goal_ids=None if goals is None else [g.id for g in goals])
    except Conflict as error:
        raise ImportConflict([row_id("Åtgärd", row["ref"])]) from error
    except ValidationError as error:
        raise ValidationError({field: f"Åtgärd {row['ref']}: {message}"
                               for field, message in error.errors.items()}) from error


def _goals(action: Action, numbers: tuple[int, ...]) -> list:
    """The delmål an åtgärd is to be linked to: the current strategy's of these numbers (the preview checked
    them), and the links it has to another strategy's, which the file does not name."""
    strategy = current_strategy()
    by_number = {g.number: g for g in strategy.goals}
    if any(n not in by_number for n in numbers):  # a delmål removed since the preview
        raise ValidationError({"goals": f"Åtgärd {action.ref}: ett av delmålen i filen finns inte längre i "
                                        "strategin. Importera filen igen."})
    return [g for g in action.goals if g.strategy_id != strategy.id] + [by_number[n] for n in numbers]


def _place(factors: dict, actions: dict, order: dict) -> None:
    """Positions as the preview announced them (`order`), touching only those that change."""
    titles = [title for title in order["factors"] if title in factors]
    renumber([factors[title] for title in titles])
    for title in titles:
        renumber([actions[ref] for ref in order["actions"][title]
                  if ref in actions and actions[ref].factor is factors[title]])


def _set_statuses(actions: dict, rows: list[dict], user: User | None, preview: ImportPreview) -> None:
    """Every status the file changes, through the web form's service (its rules, who and when, the history),
    then confirmed in an open reporting round as a save on the web is. A status row the import creates (a new
    åtgärd's, a förvaltning added) takes the file's status if it is not the new row's Ej påbörjad."""
    changed = []
    for row in rows:
        key = (row["ref"], row["division"])
        known = row_id("Status", *key) in preview.seen
        if known and not preview.writes("Status", *key):
            continue
        status = next(s for s in actions[row["ref"]].statuses if s.division.name == row["division"])
        if known:
            expect_version(status, _seen_version(preview, "Status", *key))
        elif _same(status.status, row["status"]) and _same(status.comment, row["comment"]):
            continue
        plans.set_status(status, user, status=row["status"].label, comment=row["comment"], name=CLI_IMPORTER)
        changed.append(status)
    db.session.flush()
    followup.confirm_updates(changed, user)


def _divisions(read: ReadResult) -> dict[str, Division]:
    """Förvaltningar by name; an empty database takes the workbook's list (docs/excel-template.md, sheet Listor)."""
    existing = {d.name: d for d in list_divisions()}
    if existing:
        return existing
    names = list(dict.fromkeys([*read.division_names, *(s["division"] for s in read.rows.statuses)]))
    for position, name in enumerate(names):
        existing[name] = Division(name=name, position=position)
        db.session.add(existing[name])
    return existing


def _sync_rows(collection, wanted: dict, key_of, make, fields, remove_missing: bool, writes, update=None) -> None:
    """The plan's indicators or contacts as the file has them, in the file's order; those the file lacks are
    kept after them, or removed. Only those the file changes (`writes(key)`) are written."""
    existing = {key_of(item): item for item in collection}
    order = []
    for key, values in wanted.items():
        item = existing.get(key)
        if item is None:
            item = make(values)
            collection.append(item)
        elif not writes(key):
            order.append(item)
            continue
        for f in fields:
            if not _same(getattr(item, f), values.get(f)):
                setattr(item, f, values.get(f))
        if update is not None:
            update(item, values)
        order.append(item)
    for key, item in existing.items():
        if key not in wanted:
            if remove_missing and writes(key):
                collection.remove(item)
            else:
                order.append(item)
    renumber(order)


def _set_values(indicator: Indicator, item: dict) -> None:
    if {(v.period, v.value, v.comment) for v in indicator.values} != set(item["values"]):
        indicator.values = [IndicatorValue(period=p, value=v, comment=c) for p, v, c in item["values"]]


def _sync_indicators(plan: Plan, rows: list[dict], remove_missing: bool, preview: ImportPreview) -> None:
    _sync_rows(plan.indicators, _group_indicators(rows), lambda i: (i.area or "", i.name),
               lambda item: Indicator(area=item["area"], name=item["name"]), INDICATOR_FIELDS, remove_missing,
               lambda key: preview.writes("Indikator", " / ".join(filter(None, key))), update=_set_values)


def _sync_contacts(plan: Plan, rows: list[dict], remove_missing: bool, preview: ImportPreview) -> None:
    _sync_rows(plan.contacts, {row["name"]: row for row in rows}, lambda c: c.name,
               lambda row: PlanContact(name=row["name"]), CONTACT_FIELDS, remove_missing,
               lambda key: preview.writes("Kontaktperson", key))
