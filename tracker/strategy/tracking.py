"""What the history records of the strategy's rows: every change to a delmål's text, its sections, its
bedömningar and the target groups, in the strategy's own history (`HistoryEntry.scope` "strategy:<id>")."""

from tracker.fields import Field, Fields
from tracker.history import recorder
from tracker.history.recorder import Tracked, parent, quote
from tracker.strategy.models import Assessment, Goal, Strategy, StrategySection, TargetGroup

HISTORY = "strategy"
TARGET_GROUPS = "target-groups"  # the target groups' scope: one list, whatever the strategy
GOAL = Fields(Field("text", "Text"))
SECTION = Fields(Field("heading", "Rubrik"), Field("body", "Text"), Field("level", "Nivå"),
                 Field("position", "Plats"))
ASSESSMENT = Fields(Field("year", "År"), Field("text", "Bedömning"),
                    Field("final", "Slutbedömning", show=lambda value: {True: "Ja", False: "Nej"}.get(value, value)))
GROUP = Fields(Field("name", "Namn"), Field("position", "Plats"))


def scope(strategy_id: int | None) -> str | None:
    return f"strategy:{strategy_id}" if strategy_id is not None else None


def _strategy_id(row) -> int | None:
    if isinstance(row, Strategy):
        return row.id
    if isinstance(row, Assessment):
        goal = parent(row, "goal")
        return _strategy_id(goal) if goal is not None else None
    if isinstance(row, StrategySection) and row.strategy_id is None and row.strategy is not None:
        return row.strategy.id
    if isinstance(row, Goal) and row.strategy_id is None and row.strategy is not None:
        return row.strategy.id
    return getattr(row, "strategy_id", None)


def _sentence(label: str, verb: str, changes: list) -> str:
    if verb == "created":
        return f"lade till {label}"
    if verb == "deleted":
        return f"tog bort {label}"
    if verb == "restored":
        return f"återställde {label}"
    return f"ändrade {label}: " + ", ".join(c[0].lower() for c in changes)


def _goal_of(row) -> str:
    goal = parent(row, "goal")
    return f" i delmål {goal.number}" if goal is not None else ""


def _track(model, kind: str, label: str, fields: Fields, summary, refs=None) -> None:
    refs = refs or (lambda row: {"scope": scope(_strategy_id(row))})
    recorder.track(model, Tracked(kind, fields, summary, lambda row: None, refs=refs), label, history=HISTORY)


_track(Goal, "goal", "Delmål", GOAL, lambda goal, verb, changes: _sentence(f"delmål {goal.number}", verb, changes))
_track(StrategySection, "section", "Avsnitt", SECTION, lambda section, verb, changes: _sentence(
    f"avsnittet {quote(section.heading)}{_goal_of(section)}", verb, changes))
_track(Assessment, "assessment", "Bedömning", ASSESSMENT, lambda assessment, verb, changes: _sentence(
    f"bedömningen {assessment.year}{_goal_of(assessment)}", verb, changes))
_track(TargetGroup, "target_group", "Målgrupp", GROUP, lambda group, verb, changes: _sentence(
    f"målgruppen {quote(group.name)}", verb, changes), refs=lambda group: {"scope": TARGET_GROUPS})
