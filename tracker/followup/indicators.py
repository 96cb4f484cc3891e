"""Follow-up's indicators: their outcomes against the målvärden, and the strateg's editing of them."""

import math
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.display import display_value
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup.models import Indicator, IndicatorValue
from tracker.followup.tracking import record_links
from tracker.parsing import optional_id, required_text, text_field
from tracker.plans.models import Plan, SuccessFactor
from tracker.strategy import services as strategy
from tracker.users.models import Division, User
from tracker.vocabulary import Direction, Frequency, Role
from tracker.followup.series import earlier_values

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
COMMENT_MAX = 1000



def meets_target(value: float | None, target: float | None, direction: Direction | None) -> bool | None:
    """Whether an outcome reaches its målvärde: ≥ at least the target, ≤ at most; None when unknown."""
    if value is None or target is None:
        return None
    if direction is Direction.AT_MOST:
        return value <= target
    return value >= target


@dataclass
class IndicatorView:
    indicator: Indicator
    values: list[IndicatorValue]
    # The values of the indicators it continues, last year's and before (series.py): the chart shows them too.
    earlier: list[IndicatorValue] = field(default_factory=list)

    @property
    def series(self) -> list[IndicatorValue]:
        """Every year's values, oldest first."""
        return sorted([*self.earlier, *self.values], key=lambda v: v.period)

    @property
    def latest(self) -> IndicatorValue | None:
        with_value = [v for v in self.values if v.value is not None]
        return with_value[-1] if with_value else None

    @property
    def met(self) -> bool | None:
        latest = self.latest
        return meets_target(latest.value if latest else None, self.indicator.target, self.indicator.direction)


def indicator_views(plan: Plan) -> list[IndicatorView]:
    indicators = db.session.scalars(
        sa.select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.position)
        .options(so.selectinload(Indicator.values), so.joinedload(Indicator.division), so.joinedload(Indicator.factor),
                 so.selectinload(Indicator.goals), so.selectinload(Indicator.target_groups))
        .execution_options(populate_existing=True)
    ).unique().all()
    earlier = earlier_values(indicators)
    return [IndicatorView(i, sorted(i.values, key=lambda v: v.period), earlier[i.id]) for i in indicators]


def can_enter_values(user: User, indicator: Indicator) -> bool:
    """A strateg (or direktör), or the contact of the förvaltning responsible for the indicator."""
    return user.can_edit_structure or (
        user.role is Role.DIVISION_CONTACT and indicator.division_id is not None
        and indicator.division_id == user.division_id
    )


def _number(text: str | None) -> float | None:
    """A number as people write it ("87,5", "87.5 %"); None for anything else, infinity and NaN included."""
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "").rstrip("%").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def is_percentage(indicator: Indicator) -> bool:
    return (indicator.unit or "").strip().lower() in ("%", "procent", "andel (%)", "procentenheter")


def delete_value(entry: IndicatorValue) -> None:
    """Remove an outcome entered by mistake; the history keeps what it was."""
    entry.indicator.values.remove(entry)
    db.session.flush()


def _outcome(errors: dict, field: str, indicator: Indicator, text: str | None, what: str) -> float | None:
    """An outcome typed in `field`, checked as every outcome is: a number, and a share between 0 and 100 when the
    indicator is in procent."""
    number = _number(text)
    if number is None:
        errors[field] = f"”{text.strip()}” är inget tal. Ange {what} som ett tal, t.ex. 87,5."
    elif is_percentage(indicator) and not 0 <= number <= 100:
        errors[field] = f"{text.strip()} är ingen andel: ett utfall i procent ligger mellan 0 och 100."
    return number


def record_value(indicator: Indicator, *, period: str | None, value: str | None, comment: str | None,
                 today: date, value_women: str | None = None, value_men: str | None = None) -> IndicatorValue:
    """A new outcome for one period, and where it is known the outcome for women and for men ("varav kvinnor",
    "varav män", Jämställd hälsa); every problem reported next to its field."""
    errors = {}
    period = (period or "").strip()
    match = PERIOD.match(period)
    if not match:
        errors["period"] = "Ange perioden som ÅÅÅÅ-MM, t.ex. 2024-06."
    elif (int(match.group(1)), int(match.group(2))) > (today.year, today.month):
        errors["period"] = f"Perioden {period} har inte börjat ännu; ange en månad som har varit."
    elif any(v.period == period for v in indicator.values):
        existing = next(v for v in indicator.values if v.period == period)
        shown = display_value(existing.value)
        errors["period"] = (f"Det finns redan ett utfall för {period} ({shown}). Varje period har ett utfall: "
                            "ta bort det under ”Alla utfall” om det ska rättas.")
    number = None
    if not (value or "").strip():
        errors["value"] = "Ange utfallet som ett tal, t.ex. 87,5."
    else:
        number = _outcome(errors, "value", indicator, value, "utfallet")
    split = {}
    for name, text, what in (("value_women", value_women, "utfallet för kvinnor"),
                             ("value_men", value_men, "utfallet för män")):
        split[name] = _outcome(errors, name, indicator, text, what) if (text or "").strip() else None
    comment = text_field(errors, "comment", comment, "Kommentaren", COMMENT_MAX)
    if errors:
        raise ValidationError(errors)
    entry = IndicatorValue(period=period, value=number, comment=comment, **split)
    indicator.values.append(entry)
    db.session.flush()
    return entry


# --- Editing indicators (the strateg's) ---------------------------------------------------------


def check_indicator(plan: Plan, *, name, area=None, target=None, unit=None, direction=None, frequency=None,
                    factor_id=None, division_id=None) -> dict:
    errors = {}
    values = {"name": required_text(errors, "name", name, "Namnet", 300, "Ange indikatorns namn."),
              "area": text_field(errors, "area", area, "Området", 120),
              "unit": text_field(errors, "unit", unit, "Enheten", 40)}
    values["target"] = _number(target) if (target or "").strip() else None
    if (target or "").strip() and values["target"] is None:
        errors["target"] = f"”{target.strip()}” är inget tal. Ange målvärdet som ett tal, t.ex. 95."
    values["direction"] = Direction.from_label(direction) if (direction or "").strip() else None
    if (direction or "").strip() and values["direction"] is None:
        errors["direction"] = "Välj ≥ (minst målvärdet) eller ≤ (högst målvärdet)."
    values["frequency"] = Frequency.from_label(frequency or "month")
    if values["frequency"] is None:
        errors["frequency"] = "Välj månad, kvartal eller år."
    values["factor_id"] = optional_id(factor_id)
    if (factor_id or values["factor_id"]) and db.session.scalar(sa.select(SuccessFactor.plan_id).where(
            SuccessFactor.id == values["factor_id"])) != plan.id:
        errors["factor_id"] = "Välj en framgångsfaktor i planen."
    values["division_id"] = optional_id(division_id)
    if (division_id or values["division_id"]) and (
            values["division_id"] is None or db.session.get(Division, values["division_id"]) is None):
        errors["division_id"] = "Välj en förvaltning i listan."
    if errors:
        raise ValidationError(errors)
    return values


def _links(goal_ids, group_ids):
    """The delmål and target groups a form names (None: the form does not ask, leave them)."""
    goals = strategy.goals_from_ids(goal_ids) if goal_ids is not None else None
    groups = strategy.groups_from_ids(group_ids) if group_ids is not None else None
    return goals, groups


def link_indicator(indicator: Indicator, *, goals, groups) -> None:
    """Link the indicator to these delmål and target groups (None: leave), with an entry in the plan's history."""
    record_links(indicator, strategy.set_links(indicator, goals=goals, groups=groups))


def create_indicator(plan: Plan, *, goal_ids=None, group_ids=None, **form) -> Indicator:
    """A new indicator last in the plan; `goal_ids` and `group_ids` (ids of delmål and target groups; None: the
    form does not ask) link it to the strategy."""
    values = check_indicator(plan, **form)
    goals, groups = _links(goal_ids, group_ids)
    position = 1 + (db.session.scalar(sa.select(sa.func.max(Indicator.position)).where(Indicator.plan_id == plan.id))
                    or -1)
    indicator = Indicator(plan_id=plan.id, position=position, **values)
    db.session.add(indicator)
    db.session.flush()  # the indicator's id, for the links' history entry
    link_indicator(indicator, goals=goals, groups=groups)
    db.session.flush()
    return indicator


def update_indicator(indicator: Indicator, plan: Plan, *, goal_ids=None, group_ids=None, **form) -> Indicator:
    values = check_indicator(plan, **form)
    goals, groups = _links(goal_ids, group_ids)
    for field_name, value in values.items():
        if getattr(indicator, field_name) != value:
            setattr(indicator, field_name, value)
    link_indicator(indicator, goals=goals, groups=groups)
    db.session.flush()
    return indicator


def delete_indicator(indicator: Indicator) -> None:
    db.session.delete(indicator)
    db.session.flush()

