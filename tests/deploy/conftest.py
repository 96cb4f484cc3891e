"""Everything here starts real processes (servers, a PostgreSQL cluster, the wheel's install): slow, so
`pytest -m "not slow"` leaves it out of the quick loop; `make test` runs it."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)
