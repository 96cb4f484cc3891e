"""axe-core finds no serious or critical violation on the main pages, nor two landmarks of one name."""

import pytest

from tests.browser.helpers import serious_violations, violations
from tests.reports.helpers import create_report
from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser


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
    assert violations(page) == []


def test_login_page_with_errors(page, live_server):
    page.goto(f"{live_server}/logga-in")
    page.get_by_role("button", name="Logga in").click()
    assert page.locator(".field-error").count() == 2
    assert violations(page) == []


@pytest.fixture
def report(plan):
    return create_report(answers=False, plan=plan)


@pytest.mark.parametrize("path", ["/planer", "/planer/{key}", "/planer/{key}?status=done", "/mina-atgarder",
                                  "/planer/{key}/oversikt", "/redovisningar/{report}", "/mina-fragor"])
def test_pages_of_a_division_contact(log_in, make_user, plan, report, live_server, path):
    page = log_in(make_user(Role.DIVISION_CONTACT, "HS"))
    page.goto(live_server + path.format(key=plan.key, report=report.key))
    assert violations(page) == []


def test_plan_page_of_a_reader(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.READER))
    page.goto(f"{live_server}/planer/{plan.key}")
    assert violations(page) == []


@pytest.mark.parametrize("path", ["/planer/{key}/oversikt", "/redovisningar/{report}",
                                  "/redovisningar/{report}?per=2024-06-30"])
def test_pages_of_a_strateg(log_in, make_user, plan, report, live_server, path):
    page = log_in(make_user(Role.STRATEGIST))
    page.goto(live_server + path.format(key=plan.key, report=report.key))
    assert violations(page) == []


def test_the_check_can_fail(page, live_server):
    """Guards the guard: a form control without a label is reported."""
    page.goto(f"{live_server}/logga-in")
    page.evaluate("document.querySelector('label[for=email]').remove()")
    assert any(v.startswith("label ") for v in serious_violations(page))


def test_the_check_finds_two_landmarks_of_one_name(log_in, make_user, plan, live_server):
    """Guards the guard: a second menu named like the first is reported, though axe rates it moderate."""
    page = log_in(make_user(Role.READER))
    page.goto(f"{live_server}/planer")
    page.evaluate("document.querySelector('main').append(document.querySelector('nav[aria-label]').cloneNode(true))")
    assert any(v.startswith("landmark-unique ") for v in violations(page))
