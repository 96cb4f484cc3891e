"""axe-core finds no serious or critical violation on the main pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def plan(make_plan):
    return make_plan(
        actions=[
            {"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE}},
            {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH", "HS"]},
        ],
        factors=2,
    )


def test_login_page(page, live_server):
    page.goto(f"{live_server}/logga-in")
    assert serious_violations(page) == []


def test_login_page_with_errors(page, live_server):
    page.goto(f"{live_server}/logga-in")
    page.get_by_role("button", name="Logga in").click()
    assert page.locator(".field-error").count() == 2
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/planer", "/planer/{key}", "/planer/{key}?status=done", "/mina-atgarder"])
def test_pages_of_a_division_contact(log_in, make_user, plan, live_server, path):
    page = log_in(make_user(Role.DIVISION_CONTACT, "HS"))
    page.goto(live_server + path.format(key=plan.key))
    assert serious_violations(page) == []


def test_plan_page_of_a_reader(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.READER))
    page.goto(f"{live_server}/planer/{plan.key}")
    assert serious_violations(page) == []


def test_the_check_can_fail(page, live_server):
    """Guards the guard: a form control without a label is reported."""
    page.goto(f"{live_server}/logga-in")
    page.evaluate("document.querySelector('label[for=email]').remove()")
    assert any(v.startswith("label ") for v in serious_violations(page))
