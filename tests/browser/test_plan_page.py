import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(make_plan):
    return make_plan(
        actions=[
            {"title": "Gemensamma väntelistor inom ögonsjukvård", "divisions": ["HS"], "statuses": {"HS": Status.DONE}},
            {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"],
             "statuses": {"PH": Status.IN_PROGRESS}},
            {"title": "Mobil röntgen i särskilt boende", "divisions": ["ADH"], "due_date": date(2024, 6, 30)},
        ]
    )


def test_login_shows_the_plans(log_in, make_user, plan):
    page = log_in(make_user(Role.READER))
    expect(page.get_by_role("heading", name="Handlingsplaner")).to_be_visible()
    page.get_by_role("link", name=plan.title, exact=True).click()
    expect(page.get_by_role("heading", name="Ramavtal med externa vårdgivare")).to_be_visible()


def test_inline_status_update_swaps_the_row_and_survives_a_reload(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "ADH"))
    page.goto(f"{live_server}/planer/{plan.key}")
    page.evaluate("window.notReloaded = true")
    action = page.locator("article.action", has_text="Mobil röntgen")
    expect(action.locator(".flag-overdue")).to_be_visible()
    action.get_by_label("Status, Ambulans, Diagnostik och Hälsa").select_option(label="Genomförd")
    action.get_by_label("Kommentarresultat".replace("resultat", "/resultat")).fill("Mobil röntgen införd på alla särskilda boenden.")
    action.get_by_role("button", name="Spara").click()
    expect(action.get_by_role("status")).to_have_text("Sparat")
    # the roll-ups updated in place: the åtgärd, its framgångsfaktor and the plan
    expect(action.locator(".action-status .badge")).to_have_text("Genomförd")
    expect(action.locator(".flag-overdue")).to_have_count(0)
    expect(page.locator(f"#plan-{plan.id}-summary")).to_contain_text("2 av 3 genomförda")
    assert page.evaluate("window.notReloaded") is True
    page.reload()
    action = page.locator("article.action", has_text="Mobil röntgen")
    expect(action.get_by_label("Status, Ambulans, Diagnostik och Hälsa")).to_have_value("done")
    expect(action.locator("textarea")).to_have_value("Mobil röntgen införd på alla särskilda boenden.")


def test_stale_edit_shows_the_conflict_and_can_be_applied_again(log_in, make_user, plan, live_server, browser):
    colleague = make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH", name="Anna Berg"))
    url = f"{live_server}/planer/{plan.key}"
    page.goto(url)
    other_tab = browser.new_context().new_page()  # the colleague, on another computer
    other_tab.goto(f"{live_server}/logga-in")
    other_tab.get_by_label("E-postadress").fill(colleague.email)
    other_tab.get_by_label("Lösenord").fill(PASSWORD)
    other_tab.get_by_role("button", name="Logga in").click()
    other_tab.goto(url)
    label = "Status, Psykiatri Halland"

    first = other_tab.locator("article.action", has_text="BUP-enhet")
    first.get_by_label(label).select_option(label="Genomförd")
    first.get_by_role("button", name="Spara").click()
    expect(first.get_by_role("status")).to_have_text("Sparat")

    stale = page.locator("article.action", has_text="BUP-enhet")
    stale.get_by_label(label).select_option(label="Försenad")
    stale.locator("textarea").fill("Rekryteringen av koordinatorer dröjer.")
    stale.get_by_role("button", name="Spara").click()
    conflict = stale.get_by_role("alert")
    expect(conflict).to_contain_text("Omar Said har sparat statusen medan du redigerade")
    expect(conflict).to_contain_text("Genomförd")
    expect(conflict).to_contain_text("av Omar Said")
    expect(stale.locator("textarea")).to_have_value("Rekryteringen av koordinatorer dröjer.")

    stale.get_by_role("button", name="Spara min ändring ändå").click()
    expect(stale.get_by_role("status")).to_have_text("Sparat")
    page.reload()
    expect(page.locator("article.action", has_text="BUP-enhet").get_by_label(label)).to_have_value("delayed")


def test_filter_narrows_the_rows_and_updates_the_url(log_in, make_user, plan, live_server, divisions):
    page = log_in(make_user(Role.READER))
    page.goto(f"{live_server}/planer/{plan.key}")
    expect(page.locator("article.action")).to_have_count(3)
    page.get_by_label("Förvaltning", exact=True).select_option(label="Psykiatri Halland")
    expect(page.locator("article.action")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"division={divisions['PH'].id}"))
    page.get_by_label("Förvaltning", exact=True).select_option(label="Alla förvaltningar")
    page.get_by_label("Sök i planen").fill("röntgen")
    expect(page.locator("article.action")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=r%C3%B6ntgen"))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"q=r%C3%B6ntgen"))


def test_back_shows_the_filter_of_the_rows_it_restores(log_in, make_user, plan, live_server, divisions):
    page = log_in(make_user(Role.READER))
    console_errors = []  # e.g. the content security policy refusing an inline style during a swap
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server}/planer/{plan.key}")
    division, status = page.get_by_label("Förvaltning", exact=True), page.get_by_label("Status", exact=True)
    division.select_option(label="Psykiatri Halland")
    expect(page.locator("article.action")).to_have_count(1)
    status.select_option(label="Genomförd")
    expect(page.locator("article.action")).to_have_count(0)
    page.go_back()
    expect(page.locator("article.action")).to_have_count(1)
    expect(division).to_have_value(str(divisions["PH"].id))
    expect(status).to_have_value("")
    page.get_by_role("link", name="Visa alla").click()  # offered after filtering in place too
    expect(page.locator("article.action")).to_have_count(3)
    assert console_errors == []


def test_focus_stays_where_the_keyboard_user_was(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said"))
    page.goto(f"{live_server}/planer/{plan.key}")
    row = page.locator("article.action", has_text="BUP-enhet")
    row.get_by_label("Status, Psykiatri Halland").select_option(label="Avbruten")
    row.get_by_role("button", name="Spara").focus()
    page.keyboard.press("Enter")
    comment = row.locator("textarea")
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(comment).to_be_focused()  # on the field that needs a reason
    comment.fill("Ersätts av en regional lösning.")
    row.get_by_role("button", name="Spara").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("status")).to_have_text("Sparat")
    expect(row.get_by_role("button", name="Spara")).to_be_focused()  # not back at the top of the page
