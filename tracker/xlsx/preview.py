"""Import, first step: read the file and compare it with the plan, writing nothing.

The preview is what the user confirms; apply.py writes exactly what it shows.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from tracker import clock
from tracker.agreements.choosing import choose_agreement, unknown_agreement_message
from tracker.users.services import list_divisions
from tracker.display import counted, display_value
from tracker.extensions import db
from tracker.errors import ValidationError
from tracker.plans import ordering, structure
from tracker.plans import services as plans
from tracker.plans.models import Action, DivisionStatus, Plan, SuccessFactor
from tracker.users.models import Division
from tracker.plans.rollup import rollup
from tracker.vocabulary import PlanState, Status
from tracker.fields import Field, Fields, changed, diff_log
from tracker.followup import fields as followup_fields
from tracker.plans import fields as plan_fields
from tracker.strategy import services as strategy_services
from tracker.xlsx import layout
from tracker.xlsx.read import Problem, ReadResult, read_workbook
from tracker.xlsx.rows import PlanRows, comments_text, plan_rows

AGREEMENTS_BY_KEY_PREFIX = {"tillganglighet": "Ökad tillgänglighet", "gonv": "God och nära vård"}
DEFAULT_AGREEMENT = "Ökad tillgänglighet"

# The åtgärd's links to the current strategy's delmål, by number, read as the åtgärd's history reads them.
GOALS = Field("goals", "Delmål", show=lambda numbers: ", ".join(f"Delmål {n}" for n in numbers))
# What a file's row is compared on, described as the domains describe their fields (tracker.fields).
ACTION = Fields(plan_fields.FACTOR["area"], plan_fields.ACTION["factor"],
                *plan_fields.ACTION.only("title", "description", "expected_result", "horizon", "start_date", "due_date",
                                         "owner"), plan_fields.DIVISIONS, GOALS)
INDICATOR = followup_fields.INDICATOR.only("target", "unit", "direction")
CONTACT = followup_fields.CONTACT.only("phone", "email", "comment")
ACTION_FIELDS, INDICATOR_FIELDS, CONTACT_FIELDS = ACTION.names, INDICATOR.names, CONTACT.names
# What the preview shows of a new åtgärd beside its title: where it stands, who does it and when (its longer
# texts are for the plan's page).
NEW_ACTION = ACTION.only("area", "factor", "divisions", "start_date", "due_date", "horizon", "owner", "goals")


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
        """Structure is what a fastställd plan keeps (docs/domain.md); statuses, comments and outcomes are follow-up."""
        if self.kind == "Kontaktperson":
            return False
        return self.state == "new" or bool(self.structure)


@dataclass(frozen=True)
class SeenRow:
    """A row of the plan as the preview compared it with the file, to check at the confirmation that it is still so."""
    label: str  # "FF01-A02 ”Titel”, Hallands sjukhus", as a refusal names the row
    token: str  # its version ("v3"), "ny" for a row the import creates, or a digest of the change shown
    model: type | None = None  # Action or DivisionStatus: a row with a version
    id: int | None = None
    version: int | None = None


def row_id(kind: str, *key: str) -> str:
    """A short, stable name of one row of the plan, as the preview's form posts it back."""
    return hashlib.sha256(json.dumps([kind, *key]).encode()).hexdigest()[:16]


@dataclass
class ImportPreview:
    plan_key: str
    plan: Plan | None
    new_plan: dict | None  # agreement_id, agreement (its name), year, title for a plan the import creates
    assumptions: list[str]
    read: ReadResult
    changes: list[Change]
    refusal: str | None = None
    # The fastställande a new plan's file states ({version, on, by, decision}): kept only when the direktör
    # ticks it in the preview, or the operator imports from the command line.
    approval: dict | None = None
    order: dict | None = None  # where framgångsfaktorer and åtgärder will stand (apply writes it as it is)
    compared: PlanRows | None = None  # the plan as the preview read it: apply writes what the file changes from it
    seen: dict[str, SeenRow] = field(default_factory=dict)  # every row compared, by row_id
    changing: set[str] = field(default_factory=set)  # the row_ids of the rows the file changes: all apply writes

    @property
    def problems(self) -> list[Problem]:
        return self.read.problems

    @property
    def clean(self) -> bool:
        return not self.problems and self.refusal is None

    @property
    def agreement_error(self) -> str | None:
        """For a new plan whose agreement neither the file nor the user names among those there are: which to
        choose from (the preview's field says it; the import waits for the choice)."""
        if self.new_plan is None or self.new_plan.get("agreement_id") is not None:
            return None
        return unknown_agreement_message(self.new_plan.get("agreement"))

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
    def approval_text(self) -> str | None:
        """ "Filen anger att version 1 är fastställd 2021-03-10 av Martin Engström (RS210177)." """
        if self.approval is None:
            return None
        a = self.approval
        return (f"Filen anger att version {a['version']} är fastställd {a['on']} av {a['by']}"
                + (f" ({a['decision']})" if a["decision"] else "") + ".")

    @property
    def fingerprint(self) -> str:
        """The rows the file changes, each with the version (or change) the preview saw: what the confirmation
        checks, row by row."""
        return " ".join(f"{rid}={self.seen[rid].token}" for rid in sorted(self.changing))

    def writes(self, kind: str, *key: str) -> bool:
        return row_id(kind, *key) in self.changing

    def saved_since(self, fingerprint: str) -> list[str]:
        """The rows that the preview of `fingerprint` showed the file changing and that someone saved since
        (their version, or the change shown, is no longer the same)."""
        return [rid for rid, token in _posted(fingerprint).items()
                if rid not in self.changing or self.seen[rid].token != token]

    def keep_only(self, fingerprint: str) -> int:
        """Write only what the confirmed preview showed: a row the file changes only now, because someone saved
        it after that preview, is that person's and not the file's. How many rows are left so."""
        left = self.changing - set(_posted(fingerprint))
        self.changing -= left
        return len(left)


def _posted(fingerprint: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in fingerprint.split() if "=" in part)


def known_divisions() -> dict[str, str] | None:
    divisions = list_divisions()
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


def _compare(kind: str, key: str, title: str, old: dict | None, new: dict | None, described: Fields,
             follow_up=lambda f: False, shown_when_new: Fields | None = None) -> Change:
    if old is None:
        # A new row shows what it brings (the preview reads "label: value"), its title aside.
        shown = (shown_when_new or described).without("title")
        return Change(kind, key, title, "new", [tuple(row) for row in diff_log(changed({}, new, shown, same=_same),
                                                                                shown)])
    if new is None:
        return Change(kind, key, title, "missing")
    changes = changed(old, new, described, same=_same)
    diffs = [tuple(row) for row in diff_log(changes, described)]
    return Change(kind, key, title, "changed" if diffs else "unchanged", diffs,
                  [described[f].label for f in changes if not follow_up(f)])


def _is_status_field(name: str) -> bool:
    return name.startswith(("status:", "comment:"))


def _action_fields(row: dict, statuses: list[dict]) -> dict:
    values = {f: row.get(f) for f in ACTION_FIELDS}
    for s in statuses:
        values[f"status:{s['division']}"] = s["status"]
        values[f"comment:{s['division']}"] = s.get("comment")
    return values


def _action_described(old: dict | None, new: dict) -> Fields:
    """The åtgärd's fields, and the status and comment of each förvaltning named before or after."""
    divisions = dict.fromkeys([*((old or {}).get("divisions") or ()), *(new.get("divisions") or ())])
    return ACTION.plus(*(Field(f"{f.name}:{d}", f"{f.label}, {d}") for d in divisions for f in plan_fields.STATUS))


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
    """Agreement, year and title: from the workbook, else the caller, else the key and defaults. The agreement is
    one there is: the caller's choice (the form's select, --agreement), else the one the workbook's text names,
    however spelt; `agreement_id` None when neither names one (said at the form's field, nothing created)."""
    assumptions = []
    text = meta.get("agreement")
    if not agreement and not text:
        prefix = key.split("-")[0]
        text = AGREEMENTS_BY_KEY_PREFIX.get(prefix, DEFAULT_AGREEMENT)
        assumptions.append(f"Överenskommelse anges inte; antar ”{text}”.")
    found = choose_agreement({}, "agreement", agreement or text)
    name = found.name if found else text or str(agreement)
    year = meta.get("year") or year
    if not year:
        match = re.search(r"(\d{4})$", key)
        year = int(match.group(1)) if match else clock.today().year  # the Swedish year, at any hour
        assumptions.append(f"År anges inte; antar {year}" + (" utifrån nyckeln." if match else "."))
    title = meta.get("title") or title
    if not title:
        title = f"Handlingsplan {name} {year}"
        assumptions.append(f"Titel anges inte; antar ”{title}”.")
    return {"agreement_id": found.id if found else None, "agreement": name, "year": int(year), "title": title,
            "registry_number": meta.get("registry_number")}, assumptions


def new_plan_errors(key: str, facts: dict) -> dict[str, str]:
    """What would stop a new plan from being created from the workbook's (or the form's) facts."""
    _, errors = structure.plan_facts(key, title=facts.get("title") or "", year=facts.get("year"),
                                     agreement=facts.get("agreement_id"), registry_number=facts.get("registry_number"))
    if "agreement" in errors:  # chosen at the preview's field: say what the workbook named
        errors["agreement"] = unknown_agreement_message(facts.get("agreement"))
    return errors


def _fact_problems(key: str, new_plan: dict | None, meta: dict) -> list[str]:
    if new_plan is not None:  # the agreement is chosen at the preview's field, not corrected in the file
        messages = [message for name, message in new_plan_errors(key, new_plan).items() if name != "agreement"]
    else:
        messages = [message] if (message := structure.registry_number_error(meta.get("registry_number"))) else []
    approval = _stated_approval(meta) if new_plan is not None else None
    if approval and len(approval["decision"] or "") > 200:
        messages.append("Beslutet i raden Fastställd får ha högst 200 tecken.")
    return messages


def preview_import(
    data: bytes, *, max_bytes: int, plan_key: str | None = None, agreement: str | None = None,
    year: int | None = None, title: str | None = None,
) -> ImportPreview:
    """Read the file and compare it with the plan; writes nothing. WorkbookError for an unreadable file."""
    # The plan's rows before the file's: loading the plan passes its peak of memory before the file is held.
    plan = plans.get_plan(plan_key) if plan_key else None
    current, versions = _compared(plan) if plan else (None, {})
    result = read_workbook(data, known_divisions=known_divisions(), max_bytes=max_bytes)
    key = plan_key or result.rows.meta.get("key")
    if not key:
        result.problems.append(Problem("Instruktion", None, None,
                                       "Filen anger inte vilken plan den gäller. Välj planen (eller --plan NYCKEL)."))
        return ImportPreview("", None, None, [], result, [])
    if current is None:
        plan = plans.get_plan(key)
        current, versions = _compared(plan) if plan else (PlanRows(meta={}), {})
    new_plan, assumptions, approval = None, [], None
    if plan is None:
        new_plan, assumptions = _new_plan_facts(key, result.rows.meta, agreement, year, title)
        approval = _stated_approval(result.rows.meta)

    _plan_spelling(result, plan)
    _match_titles(result, current)
    _attach_statuses(result)
    _assign_refs(result, plan)
    _keep_absent_columns(result, current)
    _resolve_goals(result, current)
    _settle_factor_areas(result, current)
    _check_actions(result, current)
    result.rows.statuses = _resolve_statuses(result, current)

    changes = []
    old_actions = {a["ref"]: a for a in current.actions}
    old_statuses, new_statuses = current.statuses_by_ref(), result.rows.statuses_by_ref()
    for row in result.rows.actions:
        old = old_actions.get(row["ref"])
        new_values = _action_fields(row, new_statuses.get(row["ref"], []))
        old_values = _action_fields(old, old_statuses.get(row["ref"], [])) if old else None
        changes.append(_compare("Åtgärd", row["ref"], row["title"], old_values, new_values,
                                _action_described(old_values, new_values), _is_status_field, NEW_ACTION))
    in_file = {a["ref"] for a in result.rows.actions}
    changes += [Change("Åtgärd", a["ref"], a["title"], "missing") for a in current.actions if a["ref"] not in in_file]

    old_indicators, new_indicators = _group_indicators(current.indicators), _group_indicators(result.rows.indicators)
    indicator_fields = INDICATOR.plus(Field("outcome", followup_fields.VALUE["value"].label))
    for key_, item in new_indicators.items():
        changes.append(_compare("Indikator", " / ".join(filter(None, key_)), item["name"],
                                old_indicators.get(key_), item, indicator_fields, lambda f: f == "outcome"))
    changes += [Change("Indikator", " / ".join(filter(None, k)), v["name"], "missing")
                for k, v in old_indicators.items() if k not in new_indicators]

    old_contacts = {c["name"]: c for c in current.contacts}
    new_contacts = {c["name"]: c for c in result.rows.contacts}
    for name, contact in new_contacts.items():
        changes.append(_compare("Kontaktperson", name, name, old_contacts.get(name), contact, CONTACT))
    changes += [Change("Kontaktperson", n, n, "missing") for n in old_contacts if n not in new_contacts]
    registry_number = result.rows.meta.get("registry_number")
    if plan is not None and registry_number and registry_number != plan.registry_number:
        changes.insert(0, Change("Plan", key, plan.title, "changed",
                                 [("Diarienummer", display_value(plan.registry_number), registry_number)],
                                 ["Diarienummer"]))
    for message in _fact_problems(key, new_plan, result.rows.meta):
        result.problems.append(Problem(layout.INSTRUCTION_SHEET, None, None, message))
    preview = ImportPreview(key, plan, new_plan, assumptions, result, changes, approval=approval, compared=current)
    if plan is not None and plan.state is PlanState.APPROVED:
        preview.refusal = _approved_refusal(plan, changes)
        _note_kept_order(result, current)
    else:
        preview.order = _plan_order(plan, result.rows.actions, changes)
    _note_rows(preview, current, versions)
    return preview


def _compared(plan: Plan) -> tuple[PlanRows, dict[tuple, tuple[int, int]]]:
    """The plan's rows, and each åtgärd's and status row's (id, version). The versions are read first: a save
    landing between the two reads makes the import refuse that row, never write over it."""
    versions = {("Åtgärd", ref): (id_, version) for ref, id_, version in db.session.execute(
        sa.select(Action.ref, Action.id, Action.version_id).join(SuccessFactor, Action.factor_id == SuccessFactor.id)
        .where(SuccessFactor.plan_id == plan.id))}
    versions |= {("Status", ref, division): (id_, version) for ref, division, id_, version in db.session.execute(
        sa.select(Action.ref, Division.name, DivisionStatus.id, DivisionStatus.version_id)
        .join(Action, DivisionStatus.action_id == Action.id).join(SuccessFactor, Action.factor_id == SuccessFactor.id)
        .join(Division, DivisionStatus.division_id == Division.id).where(SuccessFactor.plan_id == plan.id))}
    return plan_rows(plan), versions


def _note_rows(preview: ImportPreview, current: PlanRows, versions: dict) -> None:
    """Every row compared, with what the preview saw of it, and which of them the file changes: an åtgärd's
    fields (its place and förvaltningar included) and each of its status rows are rows of their own, as the
    database keeps them; an indicator, a contact, a framgångsfaktor's place are known by the change shown."""
    titles = {a["ref"]: a["title"] for a in current.actions}
    for (kind, *key), (id_, version) in versions.items():
        label = f"{key[0]} ”{titles.get(key[0], '')}”" + (f", {key[1]}" if kind == "Status" else "")
        preview.seen[row_id(kind, *key)] = SeenRow(label, f"v{version}", Action if kind == "Åtgärd" else DivisionStatus,
                                                   id_, version)
    old_actions = {a["ref"]: a for a in current.actions}
    old_statuses = {(s["ref"], s["division"]): s for s in current.statuses}
    for row in preview.read.rows.actions:
        old = old_actions.get(row["ref"])
        if old is None:
            preview.seen[row_id("Åtgärd", row["ref"])] = SeenRow(f"{row['ref']} ”{row['title']}”", "ny")
            preview.changing.add(row_id("Åtgärd", row["ref"]))
        elif not all(_same(old[f], row.get(f)) for f in ACTION_FIELDS):
            preview.changing.add(row_id("Åtgärd", row["ref"]))
    for row in preview.read.rows.statuses:
        old = old_statuses.get((row["ref"], row["division"]))
        if old is not None and not (_same(old["status"], row["status"]) and _same(old["comment"], row["comment"])):
            preview.changing.add(row_id("Status", row["ref"], row["division"]))
    for change in preview.changes:
        rid = row_id(change.kind, change.key)
        if change.kind == "Åtgärd":
            if change.state == "missing" or any(label == "Plats" for label, _, _ in change.fields):
                preview.changing.add(rid)
            continue
        digest = hashlib.sha256(json.dumps([change.state, change.fields], default=str).encode()).hexdigest()[:16]
        preview.seen[rid] = SeenRow(f"{change.kind} {change.key}", digest)
        if change.state != "unchanged":
            preview.changing.add(rid)


def _norm(text: str | None) -> str:
    """Titles compare ignoring case and extra spaces."""
    return " ".join((text or "").split()).casefold()


def _plan_spelling(read: ReadResult, plan: Plan | None) -> None:
    """A framgångsfaktor or insatsområde typed with other letter case or spaces is the plan's own, written as the
    plan writes it: not a new one."""
    if plan is None:
        return
    seen: dict[str, str] = {}
    for factor in plan.factors:
        if _norm(factor.title) in seen:
            # The file names a framgångsfaktor by its title: two of one title cannot be told apart.
            read.problems.append(Problem(read.sheet_titles.get(layout.PLAN.name, layout.PLAN.name), None, None,
                                         f"Planen har två framgångsfaktorer som heter ”{factor.title}”, och filen "
                                         "anger framgångsfaktorn med dess rubrik. Byt rubrik på den ena i planen "
                                         "(Redigera planen) och exportera filen igen innan du importerar."))
        seen[_norm(factor.title)] = factor.title
    factors = seen
    areas = {_norm(a.heading): a.heading for a in plan.areas}
    for row in read.rows.actions:
        row["factor"] = factors.get(_norm(row.get("factor")), row.get("factor"))
        if row.get("area"):
            row["area"] = areas.get(_norm(row["area"]), row["area"])


def _match_titles(read: ReadResult, current: PlanRows) -> None:
    """A row without an ID is the åtgärd with the same title under the same framgångsfaktor, when there is
    one: a person who typed a row, or cleared its ID, must not get a second copy of the åtgärd."""
    in_plan: dict[tuple, list[dict]] = {}
    for action in current.actions:
        in_plan.setdefault((_norm(action["factor"]), _norm(action["title"])), []).append(action)
    rows_by_ref = {row["ref"]: row for row in read.rows.actions if row.get("ref")}
    sheet = read.sheet_titles.get(layout.PLAN.name, layout.PLAN.name)
    unmatched: dict[tuple, dict] = {}
    for row in read.rows.actions:
        if row.get("ref") or not row.get("title") or not row.get("factor"):
            continue
        key = (_norm(row["factor"]), _norm(row["title"]))
        candidates = in_plan.get(key, [])
        if len(candidates) > 1:
            refs = ", ".join(c["ref"] for c in candidates)
            read.problem(layout.PLAN, row["_row"], "ref",
                         f"Raden saknar ID, och under ”{row['factor']}” finns flera åtgärder som heter "
                         f"”{row['title']}” ({refs}). Skriv ID:t för den åtgärd som raden gäller.")
        elif candidates:
            ref = candidates[0]["ref"]
            if ref in rows_by_ref:
                read.problem(layout.PLAN, row["_row"], "ref",
                             f"Raden saknar ID men är samma åtgärd som {ref} på rad {rows_by_ref[ref]['_row']} "
                             "(samma rubrik under samma framgångsfaktor). Ta bort den ena raden, eller ge raden "
                             "en egen rubrik om den är en ny åtgärd.")
                continue
            row["ref"] = ref
            rows_by_ref[ref] = row
            read.notes.append(f"{sheet}, rad {row['_row']}: raden saknar ID och gäller åtgärden {ref} "
                              f"”{candidates[0]['title']}”, som har samma rubrik under samma framgångsfaktor.")
        elif key in unmatched:
            read.problem(layout.PLAN, row["_row"], "title",
                         f"Samma nya åtgärd står redan på rad {unmatched[key]['_row']} (samma rubrik under samma "
                         "framgångsfaktor). Ta bort den ena raden.")
        else:
            unmatched[key] = row


def _attach_statuses(read: ReadResult) -> None:
    """The status sheet's rows for the åtgärder of Handlingsplan, once each row has its ID (one typed without
    it was matched by title): a row for an ID not there is noted and not counted, one for a förvaltning the
    åtgärd does not name is a problem."""
    actions = {a["ref"]: a for a in read.rows.actions if a.get("ref")}
    sheet = read.sheet_titles.get(layout.STATUSES.name, layout.STATUSES.name)
    kept = []
    for row in read.rows.statuses:
        action = actions.get(row["ref"])
        if action is None:
            # Usually an åtgärd deleted on the Handlingsplan sheet only; the preview lists it as missing.
            read.notes.append(f"{sheet}, rad {row['_row']}: ID {row['ref']} finns inte på bladet "
                              f"{layout.PLAN.name}; raden räknas inte.")
        elif row["division"] not in action["divisions"]:
            read.problem(layout.STATUSES, row["_row"], "division",
                         f"{row['division']} står inte bland ansvariga förvaltningar för {row['ref']} på bladet "
                         f"{layout.PLAN.name}. Lägg till förvaltningen där eller ta bort raden.")
        else:
            kept.append(row)
    read.rows.statuses = kept


def _assign_refs(read: ReadResult, plan: Plan | None) -> None:
    """New åtgärder without an ID get one like FF04-A03, unique in the plan, as the plan editor gives them:
    numbered by the framgångsfaktor's place in the plan, or after the plan's own for a new one."""
    existing = [f.title for f in sorted(plan.factors, key=lambda f: f.position)] if plan else []
    taken = {a.ref for f in plan.factors for a in f.actions} if plan else set()
    taken |= {row["ref"] for row in read.rows.actions if row.get("ref")}
    numbers = {title: n for n, title in enumerate(existing, start=1)}
    for row in read.rows.actions:
        numbers.setdefault(row["factor"], len(numbers) + 1)
        if not row.get("ref"):
            row["ref"] = structure.free_ref(numbers[row["factor"]], taken)
            taken.add(row["ref"])


# The plan editor's names for the åtgärd's fields, as the workbook's columns.
FORM_FIELDS = {"title": "title", "description": "description", "expected_result": "expected_result",
               "start_date": "start_date", "due_date": "due_date", "owner": "owner", "horizon": "horizon",
               "divisions": "divisions"}


def _check_actions(read: ReadResult, current: PlanRows) -> None:
    """The plan editor's rules for each åtgärd (Klart senast not before Start, no inactive förvaltning taking
    on a new åtgärd …), each broken rule a problem at its cell."""
    divisions = {d.name: d for d in list_divisions()}
    had = {(s["ref"], s["division"]) for s in current.statuses}
    for row in read.rows.actions:
        if row.get("title") is None:
            continue  # already a problem of the reader
        _, errors = structure.action_errors(
            **structure.action_form(row),
            division_ids=[divisions[d].id for d in row["divisions"] if d in divisions] if divisions else None,
            current_division_ids={divisions[d].id for d in row["divisions"]
                                  if d in divisions and (row["ref"], d) in had},
        )
        if not row["divisions"]:
            errors.pop("divisions", None)  # the reader said the column must be filled in
        for key, message in errors.items():
            read.problem(layout.PLAN, row["_row"], FORM_FIELDS[key], message)


def _comment_parts(comments: str | None, divisions: tuple[str, ...]) -> dict[str | None, str]:
    """Column M as each förvaltning's part, written as "Name: text" lines, or on one line with "; " before each
    name (as column K separates the names); a line without a name belongs to the named line above it (a comment
    of several lines); text before any name is under None."""
    prefixes = sorted(((f"{d}:".casefold(), d) for d in divisions), key=lambda p: -len(p[0]))
    names = "|".join(re.escape(d) for d in divisions)
    # "; " starts a part only before a förvaltning's name and a colon: other semicolons are the comment's own.
    before_name = re.compile(rf";\s*(?=(?:{names}):)", re.IGNORECASE) if divisions else None
    pieces = (comments or "").splitlines()
    if before_name is not None:
        pieces = [piece for line in pieces for piece in before_name.split(line)]
    parts: dict[str | None, list[str]] = {}
    owner = None
    for line in pieces:
        prefix = next((p for p in prefixes if line.casefold().startswith(p[0])), None)
        if prefix is not None:
            owner, line = prefix[1], line[len(prefix[0]):].strip()
        parts.setdefault(owner, []).append(line)
    return {owner: "\n".join(lines).strip() for owner, lines in parts.items()}


def _comment_for(comments: str | None, division: str, divisions: tuple[str, ...]) -> str | None:
    """A förvaltning's part of column M; text without any name is everyone's."""
    parts = _comment_parts(comments, divisions)
    if set(parts) <= {None}:
        return (comments or "").strip() or None
    return "\n".join(filter(None, (parts.get(None), parts.get(division)))).strip() or None


NO_STATUS = {"status": Status.NOT_STARTED, "comment": None}


def _exported_from_this_plan(read: ReadResult, current: PlanRows) -> bool:
    """Whether the file holds the values this plan was exported with (its hidden sheet of exported values)."""
    return read.exported is not None and read.rows.meta.get("key") == current.meta.get("key")


def _exported(read: ReadResult, current: PlanRows) -> tuple[dict, dict]:
    """What the file was exported with: each (ID, förvaltning)'s status and comment, and each åtgärd's column
    L and M. From the workbook's hidden sheet of exported values when the file is an export of this plan
    (for what the plan still has), or else the plan as it is now."""
    statuses = {(s["ref"], s["division"]): s for s in current.statuses}
    if _exported_from_this_plan(read, current):
        statuses = {place: read.exported.get(place, row) for place, row in statuses.items()}
    by_action: dict[str, list[dict]] = {}
    for (ref, _), row in statuses.items():
        by_action.setdefault(ref, []).append(row)
    actions = {ref: {"status": rollup(r["status"] for r in rows), "comments": comments_text(rows)}
               for ref, rows in by_action.items()}
    return statuses, actions


def _resolve_statuses(read: ReadResult, current: PlanRows) -> list[dict]:
    """Each responsible förvaltning's status and comment, from where people type them.

    The status sheet holds one row per förvaltning; on Handlingsplan, column L is the rolled-up status and M
    the förvaltningar's comments. An edit in either place is taken, never dropped: a changed L or M goes to the
    one responsible förvaltning, a line "Förvaltning: text" of M to its förvaltning. A changed L for several
    förvaltningar says nothing about any one of them and is a problem, unless the status sheet agrees with it.
    Changed means changed since the export: where one place changed a value, the change wins; where both
    changed it differently, that is a problem; what the file did not change keeps what the plan has now (a
    status saved on the web after the export stays). Without the status sheet, L and M set every responsible
    förvaltning (docs/excel-template.md), unless L is unchanged."""
    in_plan = {(s["ref"], s["division"]): s for s in current.statuses}
    # Without the exported values, "changed" means different from the plan now: the message says so.
    both_changed = ("båda är ändrade sedan filen exporterades" if _exported_from_this_plan(read, current) else
                    "båda skiljer sig från planen. Filen är inte exporterad från planen i verktyget, så det går "
                    "inte att se vilket av dem som är ändrat")
    exported, exported_actions = _exported(read, current)
    read.exported = None  # used: the rows go as they are replaced, not all at the end
    on_sheet = {(s["ref"], s["division"]): s for s in read.rows.statuses}
    read.rows.statuses = []
    sheet_has_comments = read.has_status_sheet and "comment" not in read.absent.get(layout.STATUSES.name, ())
    plan_has_comments = "comments" not in read.absent.get(layout.PLAN.name, ())
    resolved = []
    for action in read.rows.actions:
        ref, divisions, r = action["ref"], action["divisions"], action["_row"]
        before = exported_actions.get(ref) or {"status": Status.NOT_STARTED, "comments": None}
        typed: dict[str, dict] = {d: {} for d in divisions}
        rolled_up = action.get("status")
        several = len(divisions) > 1 and read.has_status_sheet
        if rolled_up is not None and rolled_up is not before["status"] and not several:
            for d in divisions:
                typed[d]["status"] = rolled_up
        if plan_has_comments and not _same(action.get("comments"), before["comments"]):
            parts = _comment_parts(action.get("comments"), divisions)
            if several and parts.get(None):
                read.problem(layout.PLAN, r, "comments",
                             f"Texten ”{_excerpt(parts[None])}” står inte under någon förvaltnings namn, och "
                             f"åtgärden har {len(divisions)} ansvariga förvaltningar. Skriv en rad per förvaltning "
                             f"som börjar med dess namn och kolon (”{divisions[0]}: …”), eller skriv kommentaren "
                             f"på bladet {layout.STATUSES.name}.")
            else:
                for d in divisions:
                    typed[d]["comment"] = _comment_for(action.get("comments"), d, divisions)
        rows = []
        for d in divisions:
            base, now = exported.get((ref, d), NO_STATUS), in_plan.get((ref, d), NO_STATUS)
            sheet_row = on_sheet.pop((ref, d), None)
            row = {"ref": ref, "title": action["title"], "division": d, "_action_row": r,
                   "_sheet_row": sheet_row["_row"] if sheet_row is not None else None, "_source": {}}
            for f, column in (("status", "status"), ("comment", "comments")):
                sheet = sheet_row[f] if sheet_row is not None and (f == "status" or sheet_has_comments) else base[f]
                here = typed[d].get(f, base[f])
                if not (_same(sheet, base[f]) or _same(here, base[f]) or _same(here, sheet)):
                    read.problem(layout.PLAN, r, column,
                                 f"{d}: {_label_of(f, here)} här, men {_label_of(f, sheet)} på bladet "
                                 f"{layout.STATUSES.name} (rad {sheet_row['_row']}), och {both_changed}. "
                                 "Skriv samma på båda ställena, eller ändra bara på det ena.")
                in_file, source = (here, "typed") if _same(sheet, base[f]) else (sheet, "sheet")
                if _same(in_file, base[f]):
                    row[f], row["_source"][f] = now[f], "kept"  # the file did not change it: the plan's stays
                    continue
                row[f], row["_source"][f] = in_file, source
                if not _same(now[f], base[f]) and not _same(now[f], in_file):
                    read.notes.append(f"{ref}, {d}: {_label_of(f, now[f])} sparades i verktyget efter exporten; "
                                      f"filen ändrar till {_label_of(f, in_file)}.")
            rows.append(row)
        if several and rolled_up is not None and rolled_up is not before["status"] \
                and rolled_up is not rollup(row["status"] for row in rows):
            read.problem(layout.PLAN, r, "status",
                         f"”{rolled_up.label}” är ändrad, men kolumnen är den sammanvägda statusen för "
                         f"{len(divisions)} ansvariga förvaltningar ({', '.join(divisions)}) och säger inget om "
                         f"vilken av dem som ändrats. Ändra status per förvaltning på bladet "
                         f"{layout.STATUSES.name}, så räknas kolumnen fram.")
        for row in rows:
            _check_status(read, row)
        resolved += rows
    return resolved


def _excerpt(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[:length].rstrip() + " …"


def _label_of(field_name: str, value) -> str:
    if field_name == "status":
        return f"status ”{value.label}”"
    return f"kommentaren ”{_excerpt(value)}”" if value else "ingen kommentar"


def _check_status(read: ReadResult, row: dict) -> None:
    """The web form's rules for the pair (a reason for Avbruten, the comment's length), at the cell where the
    value came from: the status sheet's row, or column L or M of the åtgärd's row."""
    try:
        plans.validate_status_input(row["status"].label, row["comment"])
    except ValidationError as error:
        for key, message in error.errors.items():
            other = "comment" if key == "status" else "status"
            source = next((s for s in (row["_source"][key], row["_source"][other]) if s != "kept"),
                          "sheet" if row["_sheet_row"] else "typed")
            if source == "sheet":
                read.problem(layout.STATUSES, row["_sheet_row"], key, message)
            else:
                who = (f"{row['division']} har status {row['status'].label}" if row["_source"]["status"] == "kept"
                       else row["division"])
                read.problem(layout.PLAN, row["_action_row"], "status" if key == "status" else "comments",
                             f"{who}: {message}")


def _merged_order(before: list, wanted: list) -> list:
    """`before` reordered as little as possible to follow `wanted`: what keeps its order stays where it is
    (and what `wanted` does not name stays put); the rest, and what is new, goes right after the item it
    follows in `wanted` (the first before the first that stays). Linear but for the moves' search."""
    known, named = set(before), set(wanted)
    moved = ordering.moves([x for x in before if x in named], [x for x in wanted if x in known])
    placed = named - {x for x in wanted if x in known and x not in moved}
    follower = {wanted[i - 1]: item for i, item in enumerate(wanted) if i > 0 and item in placed}
    first = wanted[0] if wanted and wanted[0] in placed else None
    first_staying = next((x for x in wanted if x not in placed), None)

    def with_followers(item) -> list:
        chain = [item]
        while chain[-1] in follower:
            chain.append(follower[chain[-1]])
        return chain

    order = []
    for item in before:
        if item in placed:
            continue
        if first is not None and item == first_staying:
            order += with_followers(first)
        order += with_followers(item)
    if first is not None and first_staying is None:
        order += with_followers(first)
    return order


def _plan_order(plan: Plan | None, rows: list[dict], changes: list[Change]) -> dict:
    """Where each framgångsfaktor and åtgärd will stand: the file's order where it differs from the plan's,
    the plan's own everywhere else (an empty framgångsfaktor keeps its place). Every move is added to the
    changes, counted as the history counts it: a framgångsfaktor within its insatsområde, an åtgärd within its
    framgångsfaktor."""
    factors = sorted(plan.factors, key=lambda f: f.position) if plan else []
    file_factors = list(dict.fromkeys(row["factor"] for row in rows))
    factor_order = _merged_order([f.title for f in factors], file_factors)
    file_area = {row["factor"]: row.get("area") for row in rows}
    plan_area = {f.title: f.area.heading if f.area else None for f in factors}
    new_area = {title: file_area.get(title, plan_area.get(title)) for title in factor_order}

    file_actions: dict[str, list[str]] = {}
    for row in rows:
        file_actions.setdefault(row["factor"], []).append(row["ref"])
    in_file = {row["ref"] for row in rows}
    plan_actions = {f.title: [a.ref for a in sorted(f.actions, key=lambda a: a.position)] for f in factors}
    here = {title: set(refs) for title, refs in file_actions.items()}
    action_order = {
        title: _merged_order([ref for ref in plan_actions.get(title, []) if ref not in in_file
                              or ref in here.get(title, ())], file_actions.get(title, []))
        for title in factor_order
    }

    by_key = {(c.kind, c.key): c for c in changes}
    for heading in dict.fromkeys([*plan_area.values(), *new_area.values()]):
        before = [t for t in (f.title for f in factors) if plan_area[t] == heading]
        after = [t for t in factor_order if new_area[t] == heading]
        for title, (old, new) in ordering.moves(before, after).items():
            changes.append(Change("Framgångsfaktor", title, title, "changed", [("Plats", str(old), str(new))],
                                  ["Plats"]))
    for title in factor_order:
        before = plan_actions.get(title, [])
        kept = ordering.moves(before, action_order[title])
        # With "Ta bort ur planen", what the file lacks leaves the list: places count without it.
        removed = ordering.moves(before, [ref for ref in action_order[title] if ref in in_file])
        for ref in dict.fromkeys([*kept, *removed]):
            change = by_key.get(("Åtgärd", ref))
            if change is None:  # an åtgärd the file does not name stays put; it is never what moved
                continue
            old = (kept.get(ref) or removed[ref])[0]
            after = str(kept[ref][1]) if ref in kept else "oförändrad"
            if removed.get(ref, (None, None))[1] != kept.get(ref, (None, None))[1]:
                after += (f" ({removed[ref][1]} om det som saknas tas bort)" if ref in removed
                          else " (oförändrad om det som saknas tas bort)")
            change.state = "changed"
            change.fields.append(("Plats", str(old), after))
            change.structure.append("Plats")
    return {"factors": factor_order, "actions": action_order}


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


# Columns a file may lack whose values the plan keeps: a deleted column is not a wish to empty it.
KEPT_WHEN_ABSENT = {
    layout.PLAN.name: ("area", "description", "expected_result", "horizon", "start_date", "due_date", "owner",
                       "comments"),
    layout.STATUSES.name: ("comment",),
    layout.CONTACTS.name: CONTACT_FIELDS,
    layout.INDICATORS.name: (*INDICATOR_FIELDS, "period", "value", "comment"),
}


def _keep_absent_columns(read: ReadResult, current: PlanRows) -> None:
    """Rows already in the plan keep their values for optional columns missing from the file (a note names
    the columns), and their internal notes where the file's cell is empty (export leaves them out)."""
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
    internal = [c.key for c in layout.CONTACTS.columns if c.internal]
    old_contacts = {c["name"]: c for c in current.contacts}
    for row in read.rows.contacts:
        if old := old_contacts.get(row["name"]):
            row.update({k: old[k] for k in absent[layout.CONTACTS.name]})
            row.update({k: old[k] for k in internal if _same(row.get(k), None)})
    if keys := absent[layout.INDICATORS.name]:
        read.rows.indicators = _with_kept_indicator_values(read.rows.indicators, current.indicators, keys)


NO_GOALS = ("-", "–", "—")  # a cell that removes the åtgärd's links to the delmål


def _resolve_goals(read: ReadResult, current: PlanRows) -> None:
    """Each åtgärd's delmål of the current strategy, by number, from the column Delmål (regional strategi) when
    the file has it: a cell names them ("1, 4", "Delmål 1; Delmål 4", one a line), "–" names none, and an empty
    cell (as export leaves the column out, nobody has seen the links in the file) keeps the åtgärd's links. A
    number that is no delmål, or any delmål while no strategy is entered, is a problem at the cell."""
    before = {a["ref"]: a.get("goals") or () for a in current.actions}
    in_file = "goals" not in read.absent.get(layout.PLAN.name, {"goals"})
    found: dict[str, tuple[int, ...] | str] = {}  # a cell's text → its numbers, or the problem (one lookup each)
    for row in read.rows.actions:
        text, row["goals"] = row.get("goals") if in_file else None, before.get(row["ref"], ())
        if not text:
            continue
        if text.strip() in NO_GOALS:
            row["goals"] = ()
            continue
        if text not in found:
            try:
                goals = strategy_services.goals_from_text(", ".join(text.splitlines()), field="goals")
                found[text] = tuple(sorted(g.number for g in goals))
            except strategy_services.NoStrategy:
                found[text] = ("Det finns ingen regional strategi i verktyget, så åtgärden kan inte kopplas till "
                               "delmål. Töm kolumnen, eller lägg in strategin i verktyget först.")
            except ValidationError as error:
                found[text] = error.errors["goals"]
        if isinstance(found[text], str):
            read.problem(layout.PLAN, row["_row"], "goals", found[text])
        else:
            row["goals"] = found[text]


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
