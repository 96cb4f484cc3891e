"""Export and import of the Excel attachment, shared by the web and the command line."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker.clock import LOCAL_ZONE
from tracker.display import counted, display_value
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import services as followup
from tracker.plans import services as plans
from tracker.plans.models import (
    Action, DivisionStatus, Indicator, IndicatorValue, Plan, PlanContact,
)
from tracker.plans.rollup import rollup
from tracker.types import utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import PlanState
from tracker.xlsx import layout
from tracker.xlsx.workbook import build_workbook, workbook_bytes
from tracker.xlsx.models import Export
from tracker.xlsx.read import Problem, ReadResult, WorkbookError, read_workbook
from tracker.plans.snapshot import plan_snapshot
from tracker.xlsx.rows import PlanRows, plan_rows, rows_from_snapshot

CLI_IMPORTER = "Import via kommandoraden"
AGREEMENTS_BY_KEY_PREFIX = {"tillganglighet": "Ökad tillgänglighet", "gonv": "God och nära vård"}
DEFAULT_AGREEMENT = "Ökad tillgänglighet"

ACTION_FIELDS = ("area", "factor", "title", "description", "expected_result", "horizon", "start_date", "due_date",
                 "owner", "divisions")
INDICATOR_FIELDS = ("target", "unit", "direction")
CONTACT_FIELDS = ("phone", "email", "comment")


# --- Export ----------------------------------------------------------------------------


def with_round_statuses(snapshot: dict, round_) -> dict:
    """The plan snapshot with each status as a closed reporting round kept it."""
    kept = {(row["action_id"], row["division_id"]): row for row in round_.snapshot or []}
    for factor in snapshot["factors"]:
        for action in factor["actions"]:
            for status in action["statuses"]:
                row = kept.get((action["id"], status["division_id"]))
                if row is not None:
                    status["status"], status["comment"] = row["status"], row["comment"]
    closed = round_.closed_at.astimezone(LOCAL_ZONE)
    snapshot["meta"]["version_label"] += f", statusar enligt {round_.title} (stängd {closed:%Y-%m-%d})"
    return snapshot


def export_plan(plan: Plan, user: User | None, export_dir: str | Path, *, version: int | None = None,
                reporting_round=None) -> tuple[Export, bytes]:
    """Write the workbook of the current plan or of a fastställd version (with the statuses of a closed
    reporting round, if given), keep a copy under export_dir and record it with its checksum.
    ValueError for a version that does not exist."""
    from tracker.history.versions import get_version, list_versions

    number = version if version is not None else (plan.version_number if plan.state is PlanState.APPROVED else None)
    stored = get_version(plan, number) if number is not None else None
    if version is not None and stored is None:
        numbers = ", ".join(str(v.number) for v in reversed(list_versions(plan))) or "inga ännu"
        raise ValueError(f"Planen {plan.key} har ingen fastställd version {version}. Fastställda versioner: {numbers}.")
    approved = None
    if stored is not None:
        approved = f"{stored.approved_at.astimezone(LOCAL_ZONE):%Y-%m-%d} av {stored.approved_by_name}"
        if stored.decision:
            approved += f" ({stored.decision})"
    snapshot = dict(stored.snapshot) if version is not None else plan_snapshot(plan)
    if reporting_round is not None:
        snapshot = with_round_statuses(json.loads(json.dumps(snapshot)), reporting_round)
    rows = rows_from_snapshot(snapshot, approved)
    now = utcnow()
    local = now.astimezone(LOCAL_ZONE)
    # The dropdown offers the förvaltningar that take on åtgärder, and those the plan already names.
    named = {s["division"] for s in rows.statuses}
    choices = [d.name for d in plans.list_divisions() if d.active or d.name in named]
    data = workbook_bytes(build_workbook(rows, choices, local))
    label = f"version-{number}" if number is not None else f"utkast-v{plan.version_number}"
    if reporting_round is not None:
        label += f"_omgang-{reporting_round.id}"
    directory = Path(export_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = _write_new_file(directory, f"{plan.key}_{label}_{local:%Y%m%d-%H%M%S}", data)
    export = Export(plan=plan, version_label=rows.meta["version"], version_number=number, file_name=path.name,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data), created_by=user, created_at=now)
    db.session.add(export)
    db.session.flush()
    return export, data


def _write_new_file(directory: Path, base: str, data: bytes) -> Path:
    """base.xlsx, or base-2.xlsx, … : creating the file is the check, so two exports of the same
    plan in the same second never write over each other."""
    n = 1
    while True:
        path = directory / (f"{base}.xlsx" if n == 1 else f"{base}-{n}.xlsx")
        try:
            with path.open("xb") as file:
                file.write(data)
            return path
        except FileExistsError:
            n += 1


def list_exports(plan: Plan) -> list[Export]:
    return db.session.scalars(
        sa.select(Export).where(Export.plan_id == plan.id).order_by(Export.created_at.desc(), Export.id.desc())
    ).all()


def mark_sent(export: Export, user: User | None) -> Export:
    """The file went to Socialstyrelsen; when it holds a fastställd version, that version was sent too."""
    from tracker.history.versions import get_version
    from tracker.history.versions import mark_sent as mark_version_sent

    export.sent_at = utcnow()
    export.sent_by = user
    version = get_version(export.plan, export.version_number) if export.version_number else None
    if version is not None and version.sent_at is None:
        mark_version_sent(version, user, export)
    db.session.flush()
    return export


# --- Import: comparing -----------------------------------------------------------------


@dataclass
class Change:
    kind: str  # "Åtgärd", "Indikator", "Kontaktperson"
    key: str
    title: str
    state: str  # new, changed, unchanged, missing
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    structure: list[str] = field(default_factory=list)  # labels of the changed fields that are structure

    @property
    def changes_structure(self) -> bool:
        """Structure is what a fastställd plan keeps (DOMAIN.md); statuses, comments and outcomes are follow-up."""
        if self.kind == "Kontaktperson":
            return False
        return self.state == "new" or bool(self.structure)


@dataclass
class ImportPreview:
    plan_key: str
    plan: Plan | None
    new_plan: dict | None  # agreement, year, title for a plan the import creates
    assumptions: list[str]
    read: ReadResult
    changes: list[Change]
    refusal: str | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.read.problems

    @property
    def clean(self) -> bool:
        return not self.problems and self.refusal is None

    def count(self, state: str) -> int:
        return sum(1 for c in self.changes if c.state == state)

    @property
    def has_changes(self) -> bool:
        return self.new_plan is not None or any(c.state != "unchanged" for c in self.changes)

    @property
    def summary(self) -> str:
        if not self.has_changes:
            return "Inga ändringar"
        text = ", ".join((counted(self.count("new"), "ny", "nya"), counted(self.count("changed"), "ändrad", "ändrade"),
                          counted(self.count("unchanged"), "oförändrad", "oförändrade")))
        if missing := self.count("missing"):
            text += f", {missing} finns i planen men saknas i filen"
        return text

    @property
    def fingerprint(self) -> str:
        """Identifies what this preview would write, to notice a plan changed before confirming."""
        payload = [(c.kind, c.key, c.state, c.fields) for c in self.changes]
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def known_divisions() -> dict[str, str] | None:
    divisions = plans.list_divisions()
    if not divisions:
        return None
    names = {}
    for d in divisions:
        names[d.name.casefold()] = d.name
        if d.short_name:
            names[d.short_name.casefold()] = d.name
    return names


def _same(a, b) -> bool:
    def norm(v):
        if v in (None, "", ()):
            return None
        if isinstance(v, str):
            return v.replace("\r\n", "\n").strip()
        if isinstance(v, tuple):
            return frozenset(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        return v

    return norm(a) == norm(b)


def _compare(kind: str, key: str, title: str, old: dict | None, new: dict | None, fields,
             follow_up=lambda f: False) -> Change:
    if old is None:
        return Change(kind, key, title, "new")
    if new is None:
        return Change(kind, key, title, "missing")
    changed = [(f, label) for f, label in fields if not _same(old.get(f), new.get(f))]
    diffs = [(label, display_value(old.get(f)), display_value(new.get(f))) for f, label in changed]
    return Change(kind, key, title, "changed" if diffs else "unchanged", diffs,
                  [label for f, label in changed if not follow_up(f)])


def _is_status_field(name: str) -> bool:
    return name.startswith(("status:", "comment:"))


def _action_fields(row: dict, statuses: list[dict]) -> dict:
    values = {f: row.get(f) for f in ACTION_FIELDS}
    for s in statuses:
        values[f"status:{s['division']}"] = s["status"]
        values[f"comment:{s['division']}"] = s.get("comment")
    return values


def _action_labels(old: dict | None, new: dict) -> list[tuple[str, str]]:
    labels = [(f, layout.PLAN.column(f).header) for f in ACTION_FIELDS]
    divisions = dict.fromkeys([*((old or {}).get("divisions") or ()), *(new.get("divisions") or ())])
    for d in divisions:
        labels += [(f"status:{d}", f"Status, {d}"), (f"comment:{d}", f"Kommentar, {d}")]
    return labels


def _group_indicators(rows: list[dict]) -> dict[tuple, dict]:
    grouped: dict[tuple, dict] = {}
    for row in rows:
        key = (row.get("area") or "", row["name"])
        item = grouped.setdefault(key, {**{f: row.get(f) for f in ("area", "name", *INDICATOR_FIELDS)}, "values": []})
        if row.get("period"):
            item["values"].append((row["period"], row.get("value"), row.get("comment")))
    for item in grouped.values():
        item["values"] = tuple(sorted(item["values"]))
        item["outcome"] = "; ".join(f"{p}: {display_value(v)}" + (f" ({c})" if c else "") for p, v, c in item["values"])
    return grouped


def _assign_refs(actions: list[dict], existing_refs: set[str]) -> None:
    """Give new åtgärder without an ID one like FF04-A03, unique in the plan."""
    taken = existing_refs | {a["ref"] for a in actions if a.get("ref")}
    factor_numbers: dict[str, int] = {}
    for action in actions:
        factor_numbers.setdefault(action["factor"], len(factor_numbers) + 1)
        if action.get("ref"):
            continue
        number, n = factor_numbers[action["factor"]], 1
        while f"FF{number:02d}-A{n:02d}" in taken:
            n += 1
        action["ref"] = f"FF{number:02d}-A{n:02d}"
        taken.add(action["ref"])


APPROVED_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2}) av (.+?)(?: \(([^()]+)\))?$")
VERSION_TEXT = re.compile(r"[Vv]ersion (\d+)")


def _stated_approval(meta: dict) -> dict | None:
    """The fastställande a workbook states ("2021-03-10 av Martin Engström (RS210177)"), if it states one."""
    match = APPROVED_TEXT.match(str(meta.get("approved") or ""))
    version = VERSION_TEXT.search(str(meta.get("version") or ""))
    if not match:
        return None
    try:
        on = date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return {"on": on, "by": match.group(2), "decision": match.group(3),
            "version": int(version.group(1)) if version else 1}


def _new_plan_facts(key: str, meta: dict, agreement, year, title) -> tuple[dict, list[str]]:
    """Agreement, year and title: from the workbook, else the caller, else the key and defaults."""
    assumptions = []
    agreement = meta.get("agreement") or agreement
    if not agreement:
        prefix = key.split("-")[0]
        agreement = AGREEMENTS_BY_KEY_PREFIX.get(prefix, DEFAULT_AGREEMENT)
        assumptions.append(f"Överenskommelse anges inte; antar ”{agreement}”.")
    year = meta.get("year") or year
    if not year:
        match = re.search(r"(\d{4})$", key)
        year = int(match.group(1)) if match else date.today().year
        assumptions.append(f"År anges inte; antar {year}" + (" utifrån nyckeln." if match else "."))
    title = meta.get("title") or title
    if not title:
        title = f"Handlingsplan {agreement} {year}"
        assumptions.append(f"Titel anges inte; antar ”{title}”.")
    if approval := _stated_approval(meta):
        assumptions.append(
            f"Filen anger att planen är fastställd (version {approval['version']}, {approval['on']} av "
            f"{approval['by']}); den skapas som fastställd."
        )
    return {"agreement": agreement, "year": int(year), "title": title,
            "registry_number": meta.get("registry_number")}, assumptions


def new_plan_errors(key: str, facts: dict) -> dict[str, str]:
    """What would stop a new plan from being created from the workbook's (or the form's) facts."""
    errors = plans.plan_errors(key, facts.get("title") or "")
    year = facts.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = f"Året {year} är inte ett år med fyra siffror mellan 2000 och 2100."
    if len(facts.get("agreement") or "") > 200:
        errors["agreement"] = "Överenskommelsens namn får ha högst 200 tecken."
    return errors


def _fact_problems(key: str, new_plan: dict | None, meta: dict) -> list[str]:
    messages = list(new_plan_errors(key, new_plan).values()) if new_plan is not None else []
    if len(meta.get("registry_number") or "") > 40:
        messages.append("Diarienumret får ha högst 40 tecken, t.ex. RS231576.")
    approval = _stated_approval(meta) if new_plan is not None else None
    if approval and len(approval["decision"] or "") > 200:
        messages.append("Beslutet i raden Fastställd får ha högst 200 tecken.")
    return messages


def preview_import(
    data: bytes, *, max_bytes: int, plan_key: str | None = None, agreement: str | None = None,
    year: int | None = None, title: str | None = None,
) -> ImportPreview:
    """Read the file and compare it with the plan; writes nothing. WorkbookError for an unreadable file."""
    result = read_workbook(data, known_divisions=known_divisions(), max_bytes=max_bytes)
    key = plan_key or result.rows.meta.get("key")
    if not key:
        result.problems.append(Problem("Instruktion", None, None,
                                       "Filen anger inte vilken plan den gäller. Välj planen (eller --plan NYCKEL)."))
        return ImportPreview("", None, None, [], result, [])
    plan = plans.get_plan(key)
    new_plan, assumptions = None, []
    current = plan_rows(plan) if plan else PlanRows(meta={})
    if plan is None:
        new_plan, assumptions = _new_plan_facts(key, result.rows.meta, agreement, year, title)

    _assign_refs(result.rows.actions, {a["ref"] for a in current.actions})
    for status in result.rows.statuses:
        if "_action" in status:
            status["ref"] = status.pop("_action")["ref"]
    _keep_unlisted_statuses(result.rows, current)
    _keep_statuses_under_an_unchanged_column_l(result.rows, current)
    _keep_absent_columns(result, current)
    _check_kept_statuses(result)
    _note_unused_rollups(result, current)
    _refuse_inactive_divisions(result, current)
    _settle_factor_areas(result, current)

    changes = []
    old_actions = {a["ref"]: a for a in current.actions}
    old_statuses, new_statuses = current.statuses_by_ref(), result.rows.statuses_by_ref()
    for row in result.rows.actions:
        old = old_actions.get(row["ref"])
        new_values = _action_fields(row, new_statuses.get(row["ref"], []))
        old_values = _action_fields(old, old_statuses.get(row["ref"], [])) if old else None
        changes.append(_compare("Åtgärd", row["ref"], row["title"], old_values, new_values,
                                _action_labels(old_values, new_values), _is_status_field))
    in_file = {a["ref"] for a in result.rows.actions}
    changes += [Change("Åtgärd", a["ref"], a["title"], "missing") for a in current.actions if a["ref"] not in in_file]

    old_indicators, new_indicators = _group_indicators(current.indicators), _group_indicators(result.rows.indicators)
    indicator_labels = [(f, layout.INDICATORS.column(f).header) for f in INDICATOR_FIELDS] + [("outcome", "Utfall")]
    for key_, item in new_indicators.items():
        changes.append(_compare("Indikator", " / ".join(filter(None, key_)), item["name"],
                                old_indicators.get(key_), item, indicator_labels, lambda f: f == "outcome"))
    changes += [Change("Indikator", " / ".join(filter(None, k)), v["name"], "missing")
                for k, v in old_indicators.items() if k not in new_indicators]

    old_contacts = {c["name"]: c for c in current.contacts}
    new_contacts = {c["name"]: c for c in result.rows.contacts}
    contact_labels = [(f, layout.CONTACTS.column(f).header) for f in CONTACT_FIELDS]
    for name, contact in new_contacts.items():
        changes.append(_compare("Kontaktperson", name, name, old_contacts.get(name), contact, contact_labels))
    changes += [Change("Kontaktperson", n, n, "missing") for n in old_contacts if n not in new_contacts]
    registry_number = result.rows.meta.get("registry_number")
    if plan is not None and registry_number and registry_number != plan.registry_number:
        changes.insert(0, Change("Plan", key, plan.title, "changed",
                                 [("Diarienummer", display_value(plan.registry_number), registry_number)],
                                 ["Diarienummer"]))
    for message in _fact_problems(key, new_plan, result.rows.meta):
        result.problems.append(Problem(layout.INSTRUCTION_SHEET, None, None, message))
    preview = ImportPreview(key, plan, new_plan, assumptions, result, changes)
    if plan is not None and plan.state is PlanState.APPROVED:
        preview.refusal = _approved_refusal(plan, changes)
        _note_kept_order(result, current)
    return preview


def _approved_refusal(plan: Plan, changes: list[Change]) -> str | None:
    """A fastställd plan takes follow-up (statuses, comments, outcomes, contacts) from a file, never structure."""
    found = []
    for change in changes:
        if change.changes_structure:
            what = "ny" if change.state == "new" else ", ".join(change.structure)
            found.append(f"{change.kind} {change.key}: {what}")
    if not found:
        return None
    shown = "; ".join(found[:5]) + (f"; och {len(found) - 5} till" if len(found) > 5 else "")
    return (f"Planen {plan.key} är fastställd (version {plan.version_number}). En import i en fastställd plan får "
            f"ändra status, kommentarer, utfall och kontaktpersoner, men filen ändrar planens struktur: {shown}. "
            "Ta bort de ändringarna ur filen, eller starta en revidering (en ny version av planen) och importera "
            "filen till den.")


def _note_kept_order(read: ReadResult, current: PlanRows) -> None:
    in_file = [a["ref"] for a in read.rows.actions]
    in_plan = [a["ref"] for a in current.actions if a["ref"] in set(in_file)]
    if [ref for ref in in_file if ref in set(in_plan)] != in_plan:
        read.notes.append("Planen är fastställd: åtgärderna står i en annan ordning i filen än i planen, och "
                          "planen behåller sin ordning.")


def _keep_unlisted_statuses(rows: PlanRows, current: PlanRows) -> None:
    """A responsible förvaltning without a row on the status sheet keeps the status it has; one that is
    new to the åtgärd starts as Ej påbörjad (as the reader left it)."""
    have = {(s["ref"], s["division"]): s for s in current.statuses}
    for status in rows.statuses:
        if status.pop("_unlisted", False) and (old := have.get((status["ref"], status["division"]))):
            status.update({k: old[k] for k in ("status", "comment", "updated", "updated_by")})


def _keep_statuses_under_an_unchanged_column_l(rows: PlanRows, current: PlanRows) -> None:
    """Without the status sheet, column L sets every responsible förvaltning's status (TEMPLATE.md). When L
    still says what the åtgärd's statuses roll up to in the plan, nobody changed it: each förvaltning keeps
    its own status, instead of all being set to the roll-up."""
    have = {(s["ref"], s["division"]): s for s in current.statuses}
    rolled_up = {action["ref"]: action["status"] for action in current.actions}
    for status in rows.statuses:
        if not status.pop("_from_column_l", False):
            continue
        old = have.get((status["ref"], status["division"]))
        if old is not None and status["status"] is rolled_up.get(status["ref"]):
            status.update({k: old[k] for k in ("status", "updated", "updated_by")}, _kept_from_plan=True)


def _check_kept_statuses(read: ReadResult) -> None:
    """A status kept from the plan meets the comment the file gives it: the web form's rules hold for the pair
    (an Avbruten keeps needing its reason)."""
    for status in read.rows.statuses:
        if not status.pop("_kept_from_plan", False):
            continue
        try:
            plans.validate_status_input(status["status"].label, status.get("comment"))
        except ValidationError as error:
            for message in error.errors.values():
                read.problem(layout.PLAN, status.get("_row"), "comments",
                             f"{status['division']} har status {status['status'].label}: {message}")


# Columns a file may lack whose values the plan keeps: a deleted column is not a wish to empty it.
KEPT_WHEN_ABSENT = {
    layout.PLAN.name: ("area", "description", "expected_result", "horizon", "start_date", "due_date", "owner",
                       "comments"),
    layout.STATUSES.name: ("comment",),
    layout.CONTACTS.name: CONTACT_FIELDS,
    layout.INDICATORS.name: (*INDICATOR_FIELDS, "period", "value", "comment"),
}


def _keep_absent_columns(read: ReadResult, current: PlanRows) -> None:
    """Rows already in the plan keep their values for optional columns missing from the file; a note names
    the columns."""
    absent = {sheet: [k for k in keys if k in read.absent.get(sheet, ())] for sheet, keys in KEPT_WHEN_ABSENT.items()}
    if read.has_status_sheet and "comments" in absent[layout.PLAN.name]:
        absent[layout.PLAN.name].remove("comments")  # the status sheet has the comments
    existing = {layout.PLAN.name: current.actions, layout.STATUSES.name: current.statuses,
                layout.CONTACTS.name: current.contacts, layout.INDICATORS.name: current.indicators}
    for sheet in layout.DATA_SHEETS:
        if (keys := absent[sheet.name]) and existing[sheet.name]:
            names = ", ".join(f"”{sheet.column(k).header}”" for k in keys)
            read.notes.append(f"{read.sheet_titles.get(sheet.name, sheet.name)}: "
                              + (f"kolumnen {names} saknas" if len(keys) == 1 else f"kolumnerna {names} saknas")
                              + " i filen; det som står där i planen behålls.")

    old_actions = {a["ref"]: a for a in current.actions}
    for row in read.rows.actions:
        if old := old_actions.get(row["ref"]):
            row.update({k: old[k] for k in absent[layout.PLAN.name] if k != "comments"})
    if absent[layout.STATUSES.name] or "comments" in absent[layout.PLAN.name]:
        sheet, column = ((layout.STATUSES, "comment") if read.has_status_sheet else (layout.PLAN, "comments"))
        old_comments = {(s["ref"], s["division"]): s["comment"] for s in current.statuses}
        for status in read.rows.statuses:
            status["comment"] = old_comments.get((status["ref"], status["division"]))
            if status["status"] is not None and "_row" in status:
                try:
                    plans.validate_status_input(status["status"].label, status["comment"])
                except ValidationError as error:
                    for message in error.errors.values():
                        read.problem(sheet, status["_row"], column, f"{status['division']}: {message}")
    old_contacts = {c["name"]: c for c in current.contacts}
    for row in read.rows.contacts:
        if old := old_contacts.get(row["name"]):
            row.update({k: old[k] for k in absent[layout.CONTACTS.name]})
    if keys := absent[layout.INDICATORS.name]:
        read.rows.indicators = _with_kept_indicator_values(read.rows.indicators, current.indicators, keys)


def _with_kept_indicator_values(rows: list[dict], old_rows: list[dict], absent: list[str]) -> list[dict]:
    """The file's indicator rows, with the plan's values for the absent columns; without a Period column
    the plan's outcomes stay as they are."""
    def key(row):
        return row.get("area") or "", row.get("name")

    old_by_period = {(*key(r), r["period"]): r for r in old_rows if r["period"]}
    old_by_indicator = {}
    for r in old_rows:
        old_by_indicator.setdefault(key(r), []).append(r)
    kept, done = [], set()
    for row in rows:
        olds = old_by_indicator.get(key(row))
        if not olds:
            kept.append(row)
            continue
        attributes = {k: olds[0][k] for k in absent if k in INDICATOR_FIELDS}
        if "period" in absent:
            if key(row) not in done:
                kept += [{**old, **{k: row[k] for k in INDICATOR_FIELDS if k not in absent}, **attributes}
                         for old in olds]
                done.add(key(row))
            continue
        old = old_by_period.get((*key(row), row.get("period")))
        outcome = {k: old[k] for k in ("value", "comment") if k in absent} if old else {}
        kept.append({**row, **attributes, **outcome})
    return kept


def _note_unused_rollups(read: ReadResult, current: PlanRows) -> None:
    """Column L next to a status sheet is computed: an edit of it is not used, and the preview says so."""
    if not read.has_status_sheet:
        return
    exported = {a["ref"]: a["status"] for a in current.actions}
    statuses = read.rows.statuses_by_ref()
    sheet = read.sheet_titles.get(layout.PLAN.name, layout.PLAN.name)
    place = read.columns.get(layout.PLAN.name, {}).get("status")
    for action in read.rows.actions:
        stated, rows = action.get("status"), statuses.get(action["ref"])
        if stated is None or not rows or stated == exported.get(action["ref"]):
            continue
        rolled = rollup(s["status"] for s in rows)
        if stated != rolled:
            read.notes.append(
                f"{sheet}, rad {action['_row']}, kolumn {place}: ”{stated.label}” stämmer inte med statusarna på "
                f"bladet {layout.STATUSES.name}, som vägs samman till ”{rolled.label}”. Kolumnen räknas fram av "
                f"verktyget och användes inte; ändra status per förvaltning på bladet {layout.STATUSES.name}."
            )


def _refuse_inactive_divisions(read: ReadResult, current: PlanRows) -> None:
    """An inactive förvaltning keeps its åtgärder but takes on no new ones (as in the plan editor)."""
    divisions = plans.list_divisions()
    inactive = {d.name for d in divisions if not d.active}
    if not inactive:
        return
    had = {(s["ref"], s["division"]) for s in current.statuses}
    active = ", ".join(d.name for d in divisions if d.active)
    for action in read.rows.actions:
        for division in action["divisions"]:
            if division in inactive and (action["ref"], division) not in had:
                read.problem(layout.PLAN, action["_row"], "divisions",
                             f"{division} är inaktiv och tar inte på sig nya åtgärder. Ta bort förvaltningen "
                             f"här, eller välj en aktiv förvaltning: {active}.")


def _settle_factor_areas(read: ReadResult, current: PlanRows) -> None:
    """A framgångsfaktor belongs to one insatsområde. A row with column B empty takes the one its
    framgångsfaktor has on another row of the file, or else has in the plan (an empty cell is no wish to move
    it); two different insatsområden for one framgångsfaktor are a problem."""
    stated: dict[str, dict] = {}
    for row in read.rows.actions:
        if not row.get("area"):
            continue
        first = stated.setdefault(row["factor"], row)
        if first["area"] != row["area"]:
            read.problem(layout.PLAN, row["_row"], "area",
                         f"Framgångsfaktorn ”{row['factor']}” står under ”{first['area']}” på rad {first['_row']}. "
                         "En framgångsfaktor hör till ett insatsområde: skriv samma på båda raderna.")
    in_plan = {a["factor"]: a["area"] for a in current.actions}
    for row in read.rows.actions:
        if not row.get("area"):
            row["area"] = stated[row["factor"]]["area"] if row["factor"] in stated else in_plan.get(row["factor"])


# --- Import: writing -------------------------------------------------------------------


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


__all__ = ["Change", "ImportConflict", "ImportPreview", "ImportRefused", "WorkbookError", "apply_import", "export_plan",
           "list_exports", "mark_sent", "preview_import"]
