"""Without JavaScript every form still answers where the user was: a status saved on Mina åtgärder comes back to
the same filtered list at its row, which says "Sparat"; "Oförändrad" keeps the filter; a refused step of the
report is shown at the report's own address, so reloading it does not post again or say "Metoden är inte
tillåten här"."""

import re

import pytest
from playwright.sync_api import expect

from tests.reports.helpers import create_report
from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser

TITLES = ["Gemensamma väntelistor inom ögonsjukvård", "Tillgänglighetskoordinatorer på varje BUP-enhet",
          "En väg in för barn och unga med psykisk ohälsa", "Digitala vårdbesök inom psykiatrin",
          "Samordnad vårdplanering vid utskrivning", "Uppföljning av väntetider varje månad"]


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "java_script_enabled": False}


@pytest.fixture
def plan(make_plan, make_user):
    """A plan where Psykiatri Halland has six åtgärder, a round open on it, and another plan of PH (so that
    Mina åtgärder has its filter by plan)."""
    plan = make_plan(actions=[{"title": title, "divisions": ["PH"]} for title in TITLES])
    make_plan(key="gonv-2021", title="Handlingsplan God och nära vård 2021", actions=[{"divisions": ["PH"]}])
    followup.open_round(plan, make_user(Role.STRATEGIST), title="Delårsuppföljning 2024",
                        deadline=today().replace(year=today().year + 1).isoformat(), today=today())
    db.session.commit()
    return plan


def row_ids(page) -> list[str]:
    return page.locator("article.my-row").evaluate_all("rows => rows.map(row => row.id)")


def test_a_status_saved_comes_back_to_the_filtered_list_at_its_row(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    mine = f"{live_server}/mina-atgarder?plan={plan.key}"
    page.goto(mine)
    before = row_ids(page)
    row = page.locator("article.my-row").nth(2)
    saved_id = before[2]
    row.get_by_label("Status, Psykiatri Halland").select_option(label=Status.IN_PROGRESS.label)
    row.get_by_label("Kommentar/resultat").fill("Arbetet har börjat.")
    row.get_by_role("button", name="Spara").click()

    expect(page).to_have_url(f"{mine}#{saved_id}")  # htmx would have swapped the cell and left the address
    row = page.locator(f"#{saved_id}")
    expect(row.get_by_role("status")).to_have_text("Sparat")
    expect(page.get_by_text("Sparat", exact=True)).to_have_count(1)
    expect(page.locator("#messages")).to_be_empty()
    expect(row.get_by_label("Kommentar/resultat")).to_have_value("Arbetet har börjat.")
    # Confirmed in the round by the save, the row would sort below those the round still waits for: it stays where
    # it was read, as with htmx, and the page is scrolled to it.
    assert row_ids(page) == before
    expect(row.get_by_role("heading", level=2)).to_be_in_viewport()
    page.reload()
    expect(page.get_by_text("Sparat", exact=True)).to_have_count(0)  # said once, not on every load
    after = row_ids(page)  # a new load orders the list by what is left to do
    assert sorted(after) == sorted(before) and after.index(saved_id) > 2


def test_unchanged_keeps_the_plan_filter(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    mine = f"{live_server}/mina-atgarder?plan={plan.key}"
    page.goto(mine)
    row_id = row_ids(page)[3]
    page.locator(f"#{row_id}").get_by_role("button", name="Oförändrad").click()
    expect(page).to_have_url(f"{mine}#{row_id}")
    expect(page.get_by_label("Plan", exact=True)).to_have_value(plan.key)
    expect(page.locator(f"#{row_id}")).to_contain_text("✓ Bekräftad i Delårsuppföljning 2024")
    expect(page.locator(f"#{row_id}").get_by_role("heading", level=2)).to_be_in_viewport()


def test_a_refused_report_step_stays_at_the_reports_address(log_in, make_user, make_plan, live_server):
    report = create_report(answers=False, plan=make_plan())
    page = log_in(make_user(Role.STRATEGIST))
    address = f"{live_server}/redovisningar/{report.key}"
    page.goto(address)
    page.get_by_role("button", name="Klar för granskning").click()

    expect(page).to_have_url(f"{address}#livscykel")
    box = page.get_by_label("Till granskning ändå, trots det som saknas")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#confirm-review-error")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Läge: Utkast")).to_be_visible()

    response = page.reload()
    assert response.status == 200 and response.request.method == "GET"
    expect(page.get_by_text("Metoden är inte tillåten här")).to_have_count(0)
    expect(page.locator("#confirm-review-error")).to_have_count(0)  # the refusal was shown once

    box.check()
    page.get_by_role("button", name="Klar för granskning").click()
    expect(page).to_have_url(f"{address}#livscykel")
    expect(page.locator("#messages")).to_contain_text("klar för granskning")
    assert re.search("Läge: Klar för granskning", page.content())
