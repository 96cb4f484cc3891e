"""The import keeps the rules of the web: one outcome per period, the status rules, fastställda plans."""

import pytest

from tests.test_permissions import snapshot
from tests.xlsx.helpers import MAX_BYTES, edit
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.xlsx import services
from tracker.xlsx.read import Problem

KEY = "tillganglighet-2023"


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


@pytest.fixture
def exported(demo, tmp_path):
    """The demo's tillgänglighet plan as its workbook."""
    _, data = services.export_plan(plans.get_plan(KEY), None, tmp_path)
    db.session.commit()
    return data


def preview(data, key=KEY):
    return services.preview_import(data, max_bytes=MAX_BYTES, plan_key=key)


def test_two_outcomes_for_the_same_indicator_and_period_are_a_problem(exported):
    def twice(wb):
        ws = wb["Indikatorer"]
        first = [c.value for c in ws[2]]
        ws["F2"], ws["G2"] = "2024-06", 90
        ws.append([*first[:5], "2024-06", 91, None])

    data = edit(exported, twice)
    result = preview(data)
    row = result.read.rows.indicators[0]
    assert result.problems == [Problem(
        "Indikatorer", len(result.read.rows.indicators) + 1, "F (Period)",
        f"Indikatorn «{row['name']}» har redan ett utfall för perioden 2024-06 (rad 2). Varje period har ett "
        "utfall: ta bort den ena raden eller rätta perioden.",
    )]
    before = snapshot()
    with pytest.raises(services.ImportRefused):
        services.apply_import(result, None)
    assert snapshot() == before
