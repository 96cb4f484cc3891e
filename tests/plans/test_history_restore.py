"""Restoring from the history."""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.history import restore
from tracker.plans import services, structure
from tracker.plans.models import Action


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{}, {}, {}], factors=2)


def test_a_restored_action_whose_id_was_reused_gets_a_new_one(plan, divisions):
    factor = plan.factors[0]
    structure.delete_action(factor.actions[2])
    db.session.commit()
    newcomer = structure.create_action(factor, title="Mobil röntgen", division_ids=[divisions["ADH"].id])
    db.session.commit()
    assert newcomer.ref == "FF01-A03"
    restore(db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted")))
    db.session.commit()
    refs = db.session.scalars(sa.select(Action.ref).join(Action.factor).where(Action.factor_id == factor.id)).all()
    assert len(refs) == len(set(refs)) == 4
    positions = [a.position for a in services.load_factors(plan, fresh=True)[0].actions]
    assert positions == [0, 1, 2, 3]
