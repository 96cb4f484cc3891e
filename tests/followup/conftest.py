"""The follow-up tests' world: a plan of two framgångsfaktorer with åtgärder for two förvaltningar, and a round
open on it."""

from datetime import timedelta

import pytest

from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as services
from tracker.vocabulary import Role, Status


@pytest.fixture
def plan(make_plan):
    """Two framgångsfaktorer; Psykiatri Halland has two åtgärder in each, Hallands sjukhus one in the first."""
    return make_plan(factors=2, actions=[
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH", "HS"],
         "statuses": {"PH": Status.IN_PROGRESS}},
        {"title": "En väg in för barn och unga med psykisk ohälsa", "divisions": ["PH"]},
    ])


@pytest.fixture
def round_(plan, make_user):
    round_ = services.open_round(plan, make_user(Role.STRATEGIST), title="Delårsuppföljning 2024",
                                 deadline=(today() + timedelta(days=20)).isoformat(), today=today())
    db.session.commit()
    return round_
