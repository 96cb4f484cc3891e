"""An indicator's series across the years: an indicator of next year's plan continues last year's (made by
next_year.py), so its chart shows the values of every year, not only this plan's."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.extensions import db
from tracker.followup.models import Indicator, IndicatorValue

MAX_YEARS = 50  # a chain longer than this is no series of yearly plans (and a loop is cut here)


def earlier_values(indicators: list[Indicator]) -> dict[int, list[IndicatorValue]]:
    """{indicator id: the values of the indicators it continues, year after year back}, in one query per year
    back however many indicators there are."""
    chains = {i.id: i.continues_id for i in indicators if i.continues_id is not None}
    earlier: dict[int, list[IndicatorValue]] = {i.id: [] for i in indicators}
    for _ in range(MAX_YEARS):
        wanted = {previous for previous in chains.values() if previous is not None}
        if not wanted:
            break
        found = {i.id: i for i in db.session.scalars(
            sa.select(Indicator).where(Indicator.id.in_(wanted)).options(so.selectinload(Indicator.values)))}
        for indicator_id, previous in list(chains.items()):
            if previous is None or previous not in found:
                chains[indicator_id] = None
                continue
            earlier[indicator_id].extend(found[previous].values)
            chains[indicator_id] = found[previous].continues_id
    return {i: sorted(values, key=lambda v: v.period) for i, values in earlier.items()}
