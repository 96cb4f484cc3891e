"""Outcomes are numbers a person can mean."""

from datetime import date

import pytest

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import indicators as followup
from tracker.followup.models import Indicator


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{}, {}, {}], factors=2)


@pytest.mark.parametrize("text", ["inf", "nan", "1e400", "-Infinity"])
def test_infinite_numbers_are_no_numbers(plan, text):
    indicator = Indicator(plan_id=plan.id, name="Andel besvarade samtal dag 0", target=95)
    db.session.add(indicator)
    db.session.commit()
    with pytest.raises(ValidationError, match="är inget tal"):
        followup.record_value(indicator, period="2024-06", value=text, comment=None, today=date(2024, 8, 1))
