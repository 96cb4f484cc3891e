"""Import, first step: read the file and compare it with the plan, writing nothing.

The preview is what the user confirms; apply.py writes exactly what it shows.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from tracker.display import counted, display_value
from tracker.errors import ValidationError
from tracker.plans import services as plans
from tracker.plans.models import Plan
from tracker.plans.rollup import rollup
from tracker.vocabulary import PlanState
from tracker.xlsx import layout
from tracker.xlsx.read import Problem, ReadResult, read_workbook
from tracker.xlsx.rows import PlanRows, plan_rows

AGREEMENTS_BY_KEY_PREFIX = {"tillganglighet": "Ökad tillgänglighet", "gonv": "God och nära vård"}
DEFAULT_AGREEMENT = "Ökad tillgänglighet"

ACTION_FIELDS = ("area", "factor", "title", "description", "expected_result", "horizon", "start_date", "due_date",
                 "owner", "divisions")
INDICATOR_FIELDS = ("target", "unit", "direction")
CONTACT_FIELDS = ("phone", "email", "comment")


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
