"""Several "Oförändrad" at once on Mina åtgärder moves the round's progress (htmx, and the plain form)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import serious_violations
from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as services
from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(make_plan, make_user):
    plan = make_plan(factors=2, actions=[
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"],
         "statuses": {"PH": Status.IN_PROGRESS}},
        {"title": "En väg in för barn och unga med psykisk ohälsa", "divisions": ["PH"]},
    ])
    services.open_round(plan, make_user(Role.STRATEGIST), title="Delårsuppföljning 2024",
                        deadline=today().replace(year=today().year + 1).isoformat(), today=today())
    db.session.commit()
    return plan


def progress_row(page, live_server, plan):
    page.goto(f"{live_server}/planer/{plan.key}/omgangar")
    return page.get_by_role("table", name="Hur långt förvaltningarna har kommit").get_by_role("row", name="Psykiatri")


def test_picked_rows_and_a_whole_framgångsfaktor_confirmed_at_once(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.goto(f"{live_server}/mina-atgarder")
    banner = page.locator(".round-banner")
    expect(banner).to_contain_text("4 av 4 kvar att bekräfta")
    assert serious_violations(page) == []
    first_factor, second_factor = plan.factors
    first_ref = first_factor.actions[0].ref
    page.get_by_label(f"Välj {first_ref} Tillgänglighetskoordinatorer").check()
    page.get_by_role("button", name="Bekräfta valda som oförändrade").first.click()
    expect(banner).to_contain_text("3 av 4 kvar att bekräfta")
    done = page.get_by_role("status").filter(has_text="1 åtgärd är bekräftad som oförändrade i Delårsuppföljning 2024.")
    expect(done).to_be_visible()
    row = page.locator("article.my-row", has=page.get_by_text(first_ref, exact=True))
    expect(row.get_by_text("✓ Bekräftad i Delårsuppföljning 2024")).to_be_visible()
    expect(page.get_by_role("button", name="Bekräfta valda som oförändrade").first).to_be_focused()

    page.get_by_label("Framgångsfaktor").select_option(label=f"{second_factor.title} (2 kvar)")
    page.get_by_role("button", name="Bekräfta alla kvar i framgångsfaktorn som oförändrade").click()
    expect(banner).to_contain_text("1 av 4 kvar att bekräfta")
    assert serious_violations(page) == []
    row = progress_row(page, live_server, plan)
    expect(row.get_by_role("cell")).to_have_text(["3", "1", "4"])
    row.get_by_role("link", name="1 kvar för Psykiatri Halland").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kvar för Psykiatri Halland")
    expect(page.get_by_role("table", name="Kvar att bekräfta").get_by_role("row")).to_have_count(2)
    assert serious_violations(page) == []


def test_rows_picked_far_down_are_confirmed_from_the_end_of_the_list(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.set_viewport_size({"width": 1000, "height": 500})
    page.goto(f"{live_server}/mina-atgarder")
    last = plan.factors[-1].actions[-1]
    page.get_by_label(f"Välj {last.ref} ").check()
    at_end = page.get_by_role("button", name="Bekräfta valda som oförändrade").last
    expect(at_end).to_be_in_viewport()  # right after the box: no scrolling back to the form
    expect(page.locator(".bulk-confirm")).not_to_be_in_viewport()
    at_end.click()
    done = page.get_by_role("status").filter(has_text="1 åtgärd är bekräftad som oförändrade i Delårsuppföljning 2024.")
    expect(done).to_be_in_viewport()  # focus is back at the form, where the message is
    expect(page.locator(".round-banner")).to_contain_text("3 av 4 kvar att bekräfta")
    row = page.locator("article.my-row", has=page.get_by_text(last.ref, exact=True))
    expect(row.get_by_text("✓ Bekräftad i Delårsuppföljning 2024")).to_be_visible()
    assert serious_violations(page) == []


def test_without_javascript_the_plain_form_does_the_same(browser, live_server, make_user, plan):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    user = make_user(Role.DIVISION_CONTACT, "PH")
    from tests.factories import PASSWORD

    page.goto(f"{live_server}/logga-in")
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(f"{live_server}/mina-atgarder")
    for action in plan.factors[0].actions:
        page.get_by_label(f"Välj {action.ref} ").check()
    page.get_by_role("button", name="Bekräfta valda som oförändrade").first.click()
    expect(page.locator(".message-info")).to_have_text("2 åtgärder är bekräftade som oförändrade i Delårsuppföljning 2024.")
    expect(page.locator(".round-banner")).to_contain_text("2 av 4 kvar att bekräfta")
    expect(progress_row(page, live_server, plan).get_by_role("cell")).to_have_text(["2", "2", "4"])
    context.close()


def test_turning_reminders_off_is_accessible(log_in, make_user, live_server):
    page = log_in(make_user(Role.DIVISION_CONTACT, "PH"))
    page.get_by_role("link", name="Påminnelser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina påminnelser")
    assert serious_violations(page) == []
    page.get_by_label("Nej, inga påminnelser").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".message-info")).to_contain_text("Du får inga påminnelser.")
    expect(page.get_by_label("Nej, inga påminnelser")).to_be_checked()
