"""The demo's strategy: Hallands hälso- och sjukvårdsstrategi 2017–2025 as its final follow-up words it
(data/strategy-2017-2025.json, taken verbatim from docs/sources/003), the target groups, and the links from the
demo plans' åtgärder and indicators to the delmål they plainly serve."""

import json
from importlib import resources

import sqlalchemy as sa

from tracker.extensions import db
from tracker.followup.models import Indicator
from tracker.plans.models import Action, Plan, SuccessFactor
from tracker.strategy import services as strategy
from tracker.strategy.models import Strategy

STRATEGY_FILE = "strategy-2017-2025.json"


def read_strategy_data() -> dict:
    return json.loads(resources.files("tracker.demo").joinpath("data", STRATEGY_FILE).read_text(encoding="utf-8"))


def load_strategy() -> list[str]:
    """The strategy and its links, unless the strategy is there already; one line per thing done."""
    data = read_strategy_data()
    if db.session.scalar(sa.select(Strategy.id).where(Strategy.name == data["name"])) is not None:
        return [f"Strategin {data['name']} finns redan; den lämnas orörd."]
    loaded = strategy.load_strategy(data)
    goals = {g.number: g for g in loaded.goals}
    groups = {g.name: g for g in strategy.target_groups()}
    linked = 0
    for key, links in data["links"].items():
        plan = db.session.scalar(sa.select(Plan).where(Plan.key == key))
        if plan is None:
            continue
        actions = {a.ref: a for a in db.session.scalars(
            sa.select(Action).join(SuccessFactor).where(SuccessFactor.plan_id == plan.id))}
        for ref, numbers in links["actions"].items():
            strategy.set_links(actions[ref], goals=[goals[n] for n in numbers],
                               groups=[groups[name] for name in links["groups"].get(ref, [])])
            linked += 1
        for ref, names in links["groups"].items():
            if ref not in links["actions"]:
                strategy.set_links(actions[ref], groups=[groups[name] for name in names])
        indicators = list(db.session.scalars(sa.select(Indicator).where(Indicator.plan_id == plan.id)))
        for prefix, numbers in links["indicators"].items():
            for indicator in indicators:
                if indicator.name.startswith(prefix):
                    strategy.set_links(indicator, goals=[goals[n] for n in numbers])
    db.session.flush()
    return [f"Strategin {loaded.name} {loaded.period} är inläst: {len(loaded.goals)} delmål, "
            f"{linked} åtgärder kopplade till delmålen."]
