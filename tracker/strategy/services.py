"""The strategy's own rows: its delmål's texts, their sections, the bedömningar per year and the target groups,
and which delmål and target groups an åtgärd or an indicator is linked to. Shared by the web, the import and the
demo; the pages that read across plans live in tracker.goalchain."""

from collections.abc import Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import expect_version, flush_versioned
from tracker.parsing import clean_text, optional_id, required_text, whole_number
from tracker.strategy.models import Assessment, Goal, Strategy, StrategySection, TargetGroup

TEXT_MAX = 20_000  # a section or a bedömning: the seed's longest is about 900 characters
HEADING_MAX = 300
GROUP_MAX = 120


class NoStrategy(LookupError):
    """No strategy has been entered yet."""


def current_strategy() -> Strategy:
    """The strategy followed now: the one whose period ends last, with its delmål."""
    strategy = db.session.scalar(
        sa.select(Strategy).options(so.selectinload(Strategy.goals)).order_by(Strategy.last_year.desc()).limit(1))
    if strategy is None:
        raise NoStrategy()
    return strategy


def target_groups() -> list[TargetGroup]:
    return list(db.session.scalars(sa.select(TargetGroup).order_by(TargetGroup.position, TargetGroup.name)))


# --- Editing ---------------------------------------------------------------------------------


def update_goal(goal: Goal, *, text, expected_version: int | None) -> Goal:
    errors: dict[str, str] = {}
    value = required_text(errors, "text", text, "Delmålets text", TEXT_MAX, "Skriv delmålets text.")
    if errors:
        raise ValidationError(errors)
    expect_version(goal, expected_version)
    goal.text = value
    flush_versioned()
    return goal


def _section_values(heading, body, level) -> dict:
    errors: dict[str, str] = {}
    values = {
        "heading": required_text(errors, "heading", heading, "Rubriken", HEADING_MAX, "Skriv en rubrik."),
        "body": required_text(errors, "body", body, "Texten", TEXT_MAX, "Skriv avsnittets text."),
        "level": whole_number(str(level or "1"), 1, 2),
    }
    if values["level"] is None:
        errors["level"] = "Välj Avsnitt eller Underavsnitt."
    if errors:
        raise ValidationError(errors)
    return values


def add_section(strategy: Strategy, goal: Goal | None, *, heading, body, level=1) -> StrategySection:
    """A new section last under the delmål (or the strategy itself when `goal` is None)."""
    values = _section_values(heading, body, level)
    siblings = goal.sections if goal is not None else strategy.sections
    section = StrategySection(strategy=strategy, goal=goal, position=len(siblings), **values)
    db.session.add(section)
    db.session.flush()
    return section


def update_section(section: StrategySection, *, heading, body, level, expected_version: int | None):
    values = _section_values(heading, body, level)
    expect_version(section, expected_version)
    for name, value in values.items():
        if getattr(section, name) != value:
            setattr(section, name, value)
    flush_versioned()
    return section


def delete_section(section: StrategySection, *, expected_version: int | None) -> None:
    expect_version(section, expected_version)
    db.session.delete(section)
    flush_versioned()


def save_assessment(goal: Goal, *, year, text, final: bool, expected_version: int | None = None) -> Assessment:
    """The delmål's samlad strategisk bedömning for a year of the strategy's period, made or replaced; a final one
    closes the period, and there is one final per delmål."""
    errors: dict[str, str] = {}
    strategy = goal.strategy
    number = whole_number(clean_text(None if year is None else str(year)) or "", strategy.first_year,
                          strategy.last_year + 1)
    if number is None:
        errors["year"] = (f"Ange ett år inom strategins period, {strategy.first_year}–{strategy.last_year} "
                          f"(eller {strategy.last_year + 1} för slutbedömningen året efter).")
    value = required_text(errors, "text", text, "Bedömningen", TEXT_MAX, "Skriv bedömningen.")
    if errors:
        raise ValidationError(errors)
    assessment = next((a for a in goal.assessments if a.year == number), None)
    if assessment is None:
        assessment = Assessment(goal=goal, year=number, text=value, final=final)
        db.session.add(assessment)
    else:
        expect_version(assessment, expected_version)
        assessment.text, assessment.final = value, final
    if final:
        for other in goal.assessments:
            if other is not assessment and other.final:
                other.final = False
    flush_versioned()
    return assessment


def delete_assessment(assessment: Assessment, *, expected_version: int | None) -> None:
    expect_version(assessment, expected_version)
    db.session.delete(assessment)
    flush_versioned()


def add_target_group(name) -> TargetGroup:
    errors: dict[str, str] = {}
    value = required_text(errors, "name", name, "Målgruppen", GROUP_MAX, "Skriv målgruppens namn.")
    if value and (same := _group_named(value)) is not None:
        errors["name"] = f"Målgruppen ”{same.name}” finns redan."
    if errors:
        raise ValidationError(errors)
    position = (db.session.scalar(sa.select(sa.func.max(TargetGroup.position))) or 0) + 1
    group = TargetGroup(name=value, position=position)
    db.session.add(group)
    db.session.flush()
    return group


def rename_target_group(group: TargetGroup, name) -> TargetGroup:
    errors: dict[str, str] = {}
    value = required_text(errors, "name", name, "Målgruppen", GROUP_MAX, "Skriv målgruppens namn.")
    other = _group_named(value) if value else None
    if other is not None and other is not group:
        errors["name"] = f"Målgruppen ”{other.name}” finns redan."
    if errors:
        raise ValidationError(errors)
    group.name = value
    db.session.flush()
    return group


def delete_target_group(group: TargetGroup) -> None:
    db.session.delete(group)
    db.session.flush()


def _group_named(name: str) -> TargetGroup | None:
    wanted = " ".join(name.split()).casefold()
    return next((g for g in target_groups() if " ".join(g.name.split()).casefold() == wanted), None)


# --- Links from åtgärder and indicators ----------------------------------------------------------


def goals_from_ids(values: Iterable, field: str = "goals") -> list[Goal]:
    """The delmål a form or a file names by id; an id that is no delmål is refused (ValidationError at `field`)."""
    ids = []
    for value in values:
        ids.append(optional_id(value))
        if ids[-1] is None and str(value or "").strip():  # not an id at all (a forged form): refused, not dropped
            raise ValidationError({field: f"”{str(value)[:20]}” är inget delmål. Välj bland strategins delmål."})
    wanted = {i for i in ids if i is not None}
    found = list(db.session.scalars(sa.select(Goal).where(Goal.id.in_(wanted)).order_by(Goal.number))) if wanted else []
    if len(found) != len(wanted):
        raise ValidationError({field: "Ett av de valda delmålen finns inte längre. Ladda om sidan och välj igen."})
    return found


def goals_from_text(text: str | None, field: str = "goals") -> list[Goal]:
    """The delmål an Excel cell names: "1, 4" or "Delmål 1; Delmål 4" (numbers of the current strategy's delmål)."""
    if not clean_text(text):
        return []
    strategy = current_strategy()
    by_number = {g.number: g for g in strategy.goals}
    found = []
    for part in clean_text(text).replace(";", ",").split(","):
        words = part.strip().removeprefix("Delmål").removeprefix("delmål").strip().rstrip(".")
        number = whole_number(words, 1, 99) if words else None
        if number not in by_number:
            raise ValidationError({field: f"”{part.strip()[:30]}” är inget delmål. Skriv delmålens nummer, "
                                          f"t.ex. ”1, 4”, bland {', '.join(str(n) for n in sorted(by_number))}."})
        if by_number[number] not in found:
            found.append(by_number[number])
    return found


def groups_from_ids(values: Iterable, field: str = "target_groups") -> list[TargetGroup]:
    ids = []
    for value in values:
        ids.append(optional_id(value))
        if ids[-1] is None and str(value or "").strip():  # not an id at all (a forged form): refused, not dropped
            raise ValidationError({field: f"”{str(value)[:20]}” är ingen målgrupp. Välj bland målgrupperna."})
    wanted = {i for i in ids if i is not None}
    found = list(db.session.scalars(sa.select(TargetGroup).where(TargetGroup.id.in_(wanted)))) if wanted else []
    if len(found) != len(wanted):
        raise ValidationError({field: "En av de valda målgrupperna finns inte längre. Ladda om sidan och välj igen."})
    return sorted(found, key=lambda g: (g.position, g.name))


def _names(rows) -> str:
    return ", ".join(getattr(r, "label", None) or r.name for r in rows) or "–"


def set_links(row, *, goals: list[Goal] | None = None, groups: list[TargetGroup] | None = None) -> list[list[str]]:
    """Link an åtgärd or an indicator to exactly these delmål and target groups (None: leave as it is). Returns the
    changes as the history lists them ([label, before, after]); the caller records them with its row's entry."""
    changes = []
    if goals is not None and {g.id for g in row.goals} != {g.id for g in goals}:
        changes.append(["Delmål", _names(row.goals), _names(sorted(goals, key=lambda g: g.number))])
        row.goals = sorted(goals, key=lambda g: g.number)
    if groups is not None and {g.id for g in row.target_groups} != {g.id for g in groups}:
        changes.append(["Målgrupper", _names(row.target_groups), _names(groups)])
        row.target_groups = list(groups)
    return changes


# --- The demo's strategy ------------------------------------------------------------------------


def load_strategy(data: dict) -> Strategy:
    """The strategy as `data` gives it (tracker/demo/data/strategy-*.json), unless one of that name exists."""
    existing = db.session.scalar(sa.select(Strategy).where(Strategy.name == data["name"]))
    if existing is not None:
        return existing
    strategy = Strategy(name=data["name"], first_year=data["first_year"], last_year=data["last_year"],
                        registry_number=data.get("registry_number"))
    db.session.add(strategy)
    for position, section in enumerate(data["sections"]):
        db.session.add(StrategySection(strategy=strategy, position=position, **section))
    for goal_data in data["goals"]:
        goal = Goal(strategy=strategy, number=goal_data["number"], text=goal_data["text"])
        db.session.add(goal)
        for position, section in enumerate(goal_data["sections"]):
            db.session.add(StrategySection(strategy=strategy, goal=goal, position=position, **section))
        if assessment := goal_data.get("assessment"):
            db.session.add(Assessment(goal=goal, **assessment))
    for position, name in enumerate(data.get("target_groups", []), start=1):
        if _group_named(name) is None:
            db.session.add(TargetGroup(name=name, position=position))
    db.session.flush()
    return strategy
