"""The strateg's operations on a plan's structure: the web editor, the import and the command line share them.

Each takes plain values, checks them, changes the rows and flushes; the caller commits once.
The history recorder writes an entry for each changed row, and refuses structure changes to a
fastställd plan (StructureLocked), whatever the path.
"""

from datetime import date

import sqlalchemy as sa

from tracker.agreements.choosing import choose_agreement
from tracker.agreements.models import Agreement
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history import recorder
from tracker.locking import Conflict, expect_version, flush_versioned
from tracker.ordering import move, renumber
from tracker.parsing import date_field, optional_id, required_text, text_field, year_field
from tracker.plans import ordering, services
from tracker.plans.models import Action, Area, DivisionStatus, FormToken, Plan, SuccessFactor
from tracker.strategy import services as strategy
from tracker.users.models import Division
from tracker.vocabulary import Horizon, Status

TITLE_MAX = 300
OWNER_MAX = 200
CODE_MAX = 20
# A description or an expected result: far more than any of the region's plans has (the longest is about 700
# characters), and well inside what an Excel cell holds (32,767) so that the attachment never cuts a text.
TEXT_MAX = 10_000


class NeedsConfirmation(ValidationError):
    """The change would remove something with content; the user must confirm it."""


class FormUsed(Exception):
    """The form's one-time token was claimed by an earlier post of the same form (a double click): roll back, and
    answer with what that post created (`created_with`)."""


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _title(errors: dict, value: str | None, field: str = "title", what: str = "rubrik") -> str | None:
    return required_text(errors, field, value, "Rubriken", TITLE_MAX, f"Ange en {what}; den får inte vara tom.")


def action_errors(*, title, description=None, expected_result=None, horizon=None, start_date=None, due_date=None,
                  owner=None, division_ids=None, current_division_ids=frozenset()) -> tuple[dict, dict]:
    """The åtgärd's fields checked, as (values, {field: message}); every problem at once. The form and the
    import share these rules. `division_ids` None leaves the responsible förvaltningar unchecked (a first
    import brings its förvaltningar along)."""
    errors = {}
    values = {
        "title": _title(errors, title),
        "description": text_field(errors, "description", description, "Beskrivningen", TEXT_MAX),
        "expected_result": text_field(errors, "expected_result", expected_result, "Mål/förväntat resultat",
                                      TEXT_MAX),
        "owner": text_field(errors, "owner", owner, "Ansvarig", OWNER_MAX),
        "start_date": date_field(errors, "start_date", start_date, "Start"),
        "due_date": date_field(errors, "due_date", due_date, "Klart senast"),
    }
    values["horizon"] = Horizon.from_label(horizon) if _text(horizon) else None
    if _text(horizon) and values["horizon"] is None:
        errors["horizon"] = "Välj Kort sikt eller Lång sikt."
    if values["start_date"] and values["due_date"] and values["due_date"] < values["start_date"]:
        errors["due_date"] = (f"Klart senast ({values['due_date']}) kan inte vara före start "
                              f"({values['start_date']}).")
    if division_ids is None:
        return values, errors
    ids = {i for i in map(optional_id, division_ids) if i is not None}
    divisions = db.session.scalars(sa.select(Division).where(Division.id.in_(ids))).all() if ids else []
    if not divisions:
        errors["divisions"] = "Välj minst en ansvarig förvaltning."
    inactive = [d.name for d in divisions if not d.active and d.id not in current_division_ids]
    if inactive:
        errors["divisions"] = (f"{', '.join(inactive)} är inaktiv och kan inte bli ansvarig för nya åtgärder. "
                               "Välj en aktiv förvaltning.")
    values["divisions"] = sorted(divisions, key=lambda d: (d.position, d.name))
    return values, errors


ACTION_FORM_FIELDS = ("title", "description", "expected_result", "horizon", "start_date", "due_date", "owner")


def action_form(values: dict) -> dict:
    """An åtgärd's typed fields (a Horizon, dates; the import's rows, an åtgärd's stored values) as the form posts
    them, for action_errors and update_action."""
    form = {field: values.get(field) for field in ACTION_FORM_FIELDS}
    form["horizon"] = form["horizon"].label if form["horizon"] else None
    for field in ("start_date", "due_date"):
        form[field] = form[field].isoformat() if form[field] else None
    return form


def check_action(*, division_ids=(), **form) -> dict:
    """The åtgärd's fields from a form, checked; ValidationError with every problem next to its field."""
    values, errors = action_errors(division_ids=division_ids, **form)
    if errors:
        raise ValidationError(errors)
    return values


def free_ref(factor_number: int, taken: set[str]) -> str:
    """The first ID FFnn-Ammm of the framgångsfaktor's number that no åtgärd of the plan has."""
    n = 1
    while f"FF{factor_number:02d}-A{n:02d}" in taken:
        n += 1
    return f"FF{factor_number:02d}-A{n:02d}"


def next_ref(factor: SuccessFactor) -> str:
    taken = set(db.session.scalars(
        sa.select(Action.ref).join(SuccessFactor).where(SuccessFactor.plan_id == factor.plan_id)))
    return free_ref(factor.position + 1, taken)


def _create_once(token: str | None, model: type, create):
    """`create()`, once per form: the form's one-time token is claimed first, so that a second post of the same
    form fails on the token's key (after waiting for the first one's commit: PostgreSQL's unique key, SQLite's
    write lock) and is refused (FormUsed) before it creates anything. Without a token (a script, a page from
    before the tokens) nothing recognises a second post."""
    claim = None
    if token:
        claim = FormToken(token=token, kind=model.__tablename__)
        db.session.add(claim)
        try:
            db.session.flush()
        except sa.exc.IntegrityError as error:
            raise FormUsed() from error
    item = create()
    db.session.flush()
    if claim is not None:
        claim.object_id = item.id
        db.session.flush()
    return item


def created_with(token: str | None, model: type):
    """What the post that claimed `token` created; None when nothing did, or it has been deleted since."""
    claim = db.session.get(FormToken, token) if token else None
    if claim is None or claim.kind != model.__tablename__ or claim.object_id is None:
        return None
    return db.session.get(model, claim.object_id)


def create_action(factor: SuccessFactor, *, token: str | None = None, goal_ids=None, group_ids=None,
                  **form) -> Action:
    values = check_action(**form)
    divisions = values.pop("divisions")
    goals, groups = _links(goal_ids, group_ids)

    def create():
        action = services.add_action(factor, divisions=divisions, ref=next_ref(factor), **values)
        if goals or groups:
            db.session.flush()  # the åtgärd's id, for its history entry
            link_action(action, goals=goals, groups=groups)
        return action

    return _create_once(token, Action, create)


def _links(goal_ids, group_ids):
    """The delmål and target groups a form names (None: the form does not ask, leave them)."""
    goals = strategy.goals_from_ids(goal_ids) if goal_ids is not None else None
    groups = strategy.groups_from_ids(group_ids) if group_ids is not None else None
    return goals, groups


def link_action(action: Action, *, goals, groups) -> None:
    """Link the åtgärd to these delmål and target groups (None: leave), with an entry in its history."""
    changes = strategy.set_links(action, goals=goals, groups=groups)
    if changes:
        recorder.record(db.session, plan=action.factor.plan, kind="action", verb="updated",
                        summary=f"ändrade åtgärden {recorder.quote(action.title)} ({action.ref}): "
                                + ", ".join(c[0].lower() for c in changes),
                        changes=changes, refs={"action_id": action.id, "object_id": action.id})


def with_content(statuses) -> list[DivisionStatus]:
    """The statuses that something would be lost with: set beyond Ej påbörjad, or commented."""
    return [s for s in statuses if s.status is not Status.NOT_STARTED or s.comment]


def removed_with_content(action: Action, keep: list[Division]) -> list[DivisionStatus]:
    """Responsible förvaltningar the change drops that have a status or a comment to lose."""
    kept = {d.id for d in keep}
    return with_content(s for s in action.statuses if s.division_id not in kept)


def update_action(action: Action, *, expected_version: int, factor: SuccessFactor | None = None,
                  confirm_removal: bool = False, goal_ids=None, group_ids=None, **form) -> Action:
    """Save the form unless someone saved a newer version; removing a förvaltning with content needs
    `confirm_removal`. Raises ValidationError, NeedsConfirmation or Conflict (then roll back).

    The import writes åtgärder through here too, with the version its preview compared with. `goal_ids` and
    `group_ids` (ids of delmål and target groups; None: the form does not ask) link it to the strategy."""
    goals, groups = _links(goal_ids, group_ids)
    values = check_action(**form, current_division_ids={s.division_id for s in action.statuses})
    divisions = values.pop("divisions")
    if action.version_id != expected_version:
        raise Conflict()
    losing = removed_with_content(action, divisions)
    if losing and not confirm_removal:
        described = "; ".join(
            f"{s.division.name} ({s.status.label}{', med kommentar' if s.comment else ''})" for s in losing)
        raise NeedsConfirmation({"divisions": f"Om du tar bort {described} försvinner deras status och kommentar. "
                                              "Bekräfta nedan för att spara ändå."})
    expect_version(action, expected_version)
    # Every save is a new version, a change of responsible förvaltningar alone included.
    action.version_id = expected_version + 1
    for field, value in values.items():
        if getattr(action, field) != value:
            setattr(action, field, value)
    if factor is not None and factor is not action.factor:
        # Last in its new framgångsfaktor. Setting the parent moves it between the two lists; taking it
        # out of the old list first would make it an orphan, deleted by the next (auto)flush.
        position = len(factor.actions)
        action.factor = factor
        action.position = position
    wanted = {d.id: d for d in divisions}
    for status in list(action.statuses):
        if status.division_id not in wanted:
            action.statuses.remove(status)
    have = {s.division_id for s in action.statuses}
    for division in divisions:
        if division.id not in have:
            action.statuses.append(DivisionStatus(division=division))
    link_action(action, goals=goals, groups=groups)
    flush_versioned()
    return action


def _move(items: list, item, direction: int, *, among=None) -> bool:
    """Up (-1) or down (+1); the one moved is marked as such for the history (its neighbour only made room)."""
    moved = move(items, item, direction, among=among)
    if moved:
        ordering.mark_moved(db.session, item)
    return moved


def move_action(action: Action, direction: int) -> bool:
    moved = _move(list(action.factor.actions), action, direction)
    flush_versioned()
    return moved


def delete_action(action: Action) -> None:
    factor = action.factor
    factor.actions.remove(action)
    renumber(factor.actions)
    flush_versioned()


def check_factor(*, title, description=None) -> dict:
    errors = {}
    values = {"title": _title(errors, title),
              "description": text_field(errors, "description", description, "Beskrivningen", TEXT_MAX)}
    if errors:
        raise ValidationError(errors)
    return values


def _area_of(plan: Plan, area_id) -> Area | None:
    if not area_id:
        return None
    area = db.session.get(Area, area_id) if (area_id := optional_id(area_id)) else None
    if area is None or area.plan_id != plan.id:
        raise ValidationError({"area": "Välj ett insatsområde i listan."})
    return area


def create_factor(plan: Plan, *, area_id=None, token: str | None = None, **form) -> SuccessFactor:
    values = check_factor(**form)
    area = _area_of(plan, area_id)
    return _create_once(token, SuccessFactor, lambda: services.add_factor(plan, area=area, **values))


def update_factor(factor: SuccessFactor, *, area_id=None, **form) -> SuccessFactor:
    values = check_factor(**form)
    area = _area_of(factor.plan, area_id)
    for field, value in values.items():
        if getattr(factor, field) != value:
            setattr(factor, field, value)
    if factor.area is not area:
        factor.area = area
    db.session.flush()
    return factor


def move_factor(factor: SuccessFactor, direction: int) -> bool:
    """Up or down among the framgångsfaktorer of the same insatsområde."""
    factors = list(factor.plan.factors)
    moved = _move(factors, factor, direction, among=[f for f in factors if f.area_id == factor.area_id])
    db.session.flush()
    return moved


def delete_factor(factor: SuccessFactor) -> None:
    plan = factor.plan
    plan.factors.remove(factor)
    renumber(plan.factors)
    flush_versioned()  # its åtgärder go with it, as they were read


def check_area(*, title, code=None) -> dict:
    errors = {}
    values = {"title": _title(errors, title), "code": text_field(errors, "code", code, "Koden", CODE_MAX)}
    if errors:
        raise ValidationError(errors)
    return values


def create_area(plan: Plan, *, token: str | None = None, **form) -> Area:
    values = check_area(**form)
    return _create_once(token, Area, lambda: services.add_area(plan, **values))


def update_area(area: Area, **form) -> Area:
    for field, value in check_area(**form).items():
        if getattr(area, field) != value:
            setattr(area, field, value)
    db.session.flush()
    return area


def move_area(area: Area, direction: int) -> bool:
    moved = _move(list(area.plan.areas), area, direction)
    db.session.flush()
    return moved


def delete_area(area: Area) -> None:
    """Only an empty insatsområde: its framgångsfaktorer are moved or deleted first, one by one."""
    count = db.session.scalar(sa.select(sa.func.count(SuccessFactor.id)).where(SuccessFactor.area_id == area.id))
    if count:
        raise ValidationError({"area": f"{area.heading} har {count} framgångsfaktorer. Flytta dem till ett annat "
                                       "insatsområde eller ta bort dem först."})
    plan = area.plan
    plan.areas.remove(area)
    renumber(plan.areas)
    db.session.flush()


def _years_later(day: date | None, years: int) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def copy_plan(source: Plan, *, key: str, title: str, year: int, agreement: Agreement,
              registry_number: str | None = None) -> Plan:
    """A new draft with the source's areas, framgångsfaktorer and åtgärder, owners, responsible förvaltningar and
    links to the strategy's delmål and target groups; every status starts as Ej påbörjad and no comment comes along. Start and due dates move
    as many years as the plan does, so that the copy keeps its timetable instead of starting overdue."""
    years = year - source.year
    plan = services.create_plan(key=key, agreement=agreement, title=title, year=year,
                                registry_number=registry_number)
    areas = {}
    for area in source.areas:
        areas[area.id] = services.add_area(plan, code=area.code, title=area.title)
    for factor in services.load_factors(source):
        copy = services.add_factor(plan, title=factor.title, description=factor.description,
                                   area=areas.get(factor.area_id))
        for action in factor.actions:
            copied = services.add_action(
                copy, divisions=[s.division for s in action.statuses], ref=action.ref, title=action.title,
                description=action.description, expected_result=action.expected_result, horizon=action.horizon,
                start_date=_years_later(action.start_date, years), due_date=_years_later(action.due_date, years),
                owner=action.owner,
            )
            # The golden thread goes along: the same delmål and target groups as last year's åtgärd.
            strategy.set_links(copied, goals=list(action.goals), groups=list(action.target_groups))
    db.session.flush()
    return plan


REGISTRY_NUMBER_MAX = 40


def registry_number_error(registry_number: str | None) -> str | None:
    if len((registry_number or "").strip()) > REGISTRY_NUMBER_MAX:
        return f"Diarienumret får ha högst {REGISTRY_NUMBER_MAX} tecken, t.ex. RS231576."
    return None


def plan_facts(key: str, *, title, year, agreement, registry_number=None) -> tuple[dict, dict]:
    """A new plan's facts checked, as (values, {field: message}): the editor's form, the import's workbook and
    the command line's options share these rules."""
    errors = services.plan_errors(key, title)
    values = {"key": key, "title": title,
              "year": year_field(errors, "year", year, missing="Ange året med fyra siffror, t.ex. 2025."),
              # One of the agreements there are: the form's select gives its id, a workbook or the command line
              # its name.
              "agreement": choose_agreement(errors, "agreement", agreement),
              "registry_number": _text(registry_number)}
    if message := registry_number_error(registry_number):
        errors["registry_number"] = message
    return values, errors


def new_plan(*, source: Plan | None, key: str, title: str, year: str, agreement,
             registry_number: str | None = None) -> Plan:
    """A plan for an agreement (one there is: its id from the select, or its name) and a year: empty, or a copy
    of `source`."""
    facts, errors = plan_facts(key, title=title, year=year, agreement=agreement, registry_number=registry_number)
    if errors:
        raise ValidationError(errors)
    if source is not None:
        return copy_plan(source, **facts)
    plan = services.create_plan(**facts)
    db.session.flush()
    return plan
