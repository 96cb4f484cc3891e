"""Fixtures of the Excel tests."""

import pytest

from tracker.demo.strategy import read_strategy_data
from tracker.extensions import db
from tracker.history.recorder import acting
from tracker.strategy import services as strategy_services


@pytest.fixture
def strategy(divisions):
    """The region's strategy with its five delmål, as the demo has it (no links to any åtgärd)."""
    with acting(None, "cli", "test"):
        loaded = strategy_services.load_strategy(read_strategy_data())
        db.session.commit()
    return loaded
