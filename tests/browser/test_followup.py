import pytest
from playwright.sync_api import expect

from tests.browser.helpers import serious_violations
from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as services
from tracker.followup.models import Indicator
from tracker.vocabulary import Direction, Role, Status

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(make_plan, divisions, make_user):
    plan = make_plan(actions=[
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"],
         "statuses": {"PH": Status.IN_PROGRESS}},
        {"title": "En väg in för barn och unga med psykisk ohälsa", "divisions": ["PH"]},
    ])
    db.session.add(Indicator(plan_id=plan.id, area="BUP", name="Andel genomförda första besök inom 30 dagar vid BUP",
                             target=75, unit="procent", direction=Direction.AT_LEAST,
                             division_id=divisions["PH"].id))
    services.open_round(plan, make_user(Role.STRATEGIST), title="Delårsuppföljning 2024",
                        deadline=today().replace(year=today().year + 1).isoformat(), today=today())
    db.session.commit()
    return plan


def test_contact_confirms_unchanged_and_the_progress_moves(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.goto(f"{live_server}/mina-atgarder")
    banner = page.locator(".round-banner")
    expect(banner).to_contain_text("2 av 2 kvar att bekräfta")
    assert serious_violations(page) == []
    row = page.locator("article.my-row", has_text="Tillgänglighetskoordinatorer")
    row.get_by_role("button", name="Oförändrad").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_text("✓ Bekräftad i Delårsuppföljning 2024")).to_be_visible()
    expect(row.locator(".round-confirm")).to_be_focused()  # the keyboard stays on the row it confirmed
    expect(banner).to_contain_text("1 av 2 kvar att bekräfta")
    page.goto(f"{live_server}/planer/{plan.key}/omgangar")
    row = page.get_by_role("table", name="Hur långt förvaltningarna har kommit").get_by_role("row", name="Psykiatri")
    expect(row.get_by_role("cell")).to_have_text(["1", "1", "2"])


def test_contact_records_an_indicator_value(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.goto(f"{live_server}/planer/{plan.key}/indikatorer")
    form = page.locator(".value-form")
    form.get_by_label("Period (ÅÅÅÅ-MM)").fill("2024-06")
    form.get_by_label("Utfall").fill("sjuttio")
    form.get_by_role("button", name="Registrera utfall").click()
    expect(page.get_by_text("”sjuttio” är inget tal.")).to_be_visible()
    assert serious_violations(page) == []
    page.locator(".value-form").get_by_label("Utfall").fill("78,5")
    page.locator(".value-form").get_by_role("button", name="Registrera utfall").click()
    expect(page.locator(".outcome")).to_contain_text("78,5 procent – ✓ når målvärdet")
    assert serious_violations(page) == []


def test_dashboard_is_accessible(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIRECTOR))
    page.goto(f"{live_server}/planer/{plan.key}/oversikt")
    expect(page.get_by_role("heading", name="Status per förvaltning")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server}/planer/{plan.key}/omgangar")
    assert serious_violations(page) == []


def test_an_update_confirms_the_row_and_moves_the_count(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.goto(f"{live_server}/mina-atgarder")
    row = page.locator("article.my-row", has_text="En väg in")
    row.get_by_label("Status, Psykiatri Halland").select_option(label="Pågående")
    row.get_by_role("button", name="Spara").click()
    expect(row.get_by_role("status").first).to_have_text("Sparat")
    expect(row.get_by_text("✓ Bekräftad i Delårsuppföljning 2024")).to_be_visible()
    expect(page.locator(".round-banner")).to_contain_text("1 av 2 kvar att bekräfta")
