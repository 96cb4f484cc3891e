"""The region's strategy as its final follow-up words it (the demo's data, from docs/sources/003)."""

import pytest

from tracker.demo.strategy import read_strategy_data
from tracker.extensions import db
from tracker.history.recorder import acting
from tracker.strategy import services as strategy_services


@pytest.fixture
def strategy(divisions):
    data = read_strategy_data()
    with acting(None, "cli", "test"):
        loaded = strategy_services.load_strategy(data)
        db.session.commit()
    return loaded
