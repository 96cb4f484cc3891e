import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.helpers import serious_violations
from tracker.extensions import db
from tracker.plans.models import Action
from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE}},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]}])


@pytest.fixture
def editor_page(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.STRATEGIST, name="Maria Strand"))
    page.goto(f"{live_server}/planer/{plan.key}")
    page.get_by_role("link", name="Redigera planen").click()
    page.wait_for_url("**redigera=1")  # loaded, so htmx handles the editor's links
    return page


def titles(page):
    return page.locator("article.action h4").all_inner_texts()


def test_create_an_action_with_a_validation_message_first(editor_page, plan):
    page = editor_page
    page.get_by_role("link", name="Lägg till åtgärd under Ramavtal med externa vårdgivare").click()
    form = page.locator(f"#new-action-{plan.factors[0].id}")
    form.get_by_label("Ansvarig (person eller funktion)").fill("Verksamhetschef, ADH")
    form.get_by_role("button", name="Spara").click()
    expect(form.get_by_text("Ange en rubrik; den får inte vara tom.")).to_be_visible()
    expect(form.get_by_label("Ansvarig (person eller funktion)")).to_have_value("Verksamhetschef, ADH")
    assert serious_violations(page) == []
    form.get_by_label("Rubrik").fill("Mobil röntgen i särskilt boende")
    form.get_by_label("Ambulans, Diagnostik och Hälsa").check()
    form.get_by_role("button", name="Spara").click()
    expect(page.locator("article.action", has_text="Mobil röntgen i särskilt boende")).to_be_visible()
    page.reload()
    expect(page.locator("article.action", has_text="FF01-A03 Mobil röntgen i särskilt boende")).to_be_visible()


def test_the_form_on_a_page_of_its_own_saves_once_and_returns_to_the_plan(log_in, make_user, plan, live_server):
    """Opened in a tab of its own (or clicked before the page's script ran), the form posts as a plain form: its
    save lands on the plan, not in a swap into a plan body this page does not have (which left the form standing,
    the åtgärd saved, and a second click saving it twice)."""
    page = log_in(make_user(Role.STRATEGIST))
    factor = plan.factors[0]
    page.goto(f"{live_server}/planer/{plan.key}/atgarder/ny?faktor={factor.id}")
    form = page.locator(f"#new-action-{factor.id}")
    form.get_by_role("button", name="Spara").click()
    expect(form.get_by_text("Ange en rubrik; den får inte vara tom.")).to_be_visible()
    form.get_by_label("Rubrik").fill("Mobil röntgen i särskilt boende")
    form.get_by_label("Ambulans, Diagnostik och Hälsa").check()
    form.get_by_role("button", name="Spara").click()
    expect(page.locator("article.action", has_text="Mobil röntgen i särskilt boende")).to_be_visible()
    assert "redigera=1" in page.url
    assert db.session.scalar(sa.select(sa.func.count(Action.id)).where(
        Action.title == "Mobil röntgen i särskilt boende")) == 1


def test_reorder_two_actions_and_the_order_survives_a_reload(editor_page):
    page = editor_page
    assert titles(page)[:2] == ["FF01-A01 Gemensamma väntelistor inom ögonsjukvård",
                                "FF01-A02 Tillgänglighetskoordinatorer på varje BUP-enhet"]
    up = page.get_by_role("button", name="Upp med FF01-A02 Tillgänglighetskoordinatorer på varje BUP-enhet")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("article.action h4").first).to_have_text(
        "FF01-A02 Tillgänglighetskoordinatorer på varje BUP-enhet")
    expect(up).to_be_focused()  # the keyboard stays on the item that moved
    page.reload()
    assert titles(page)[:2] == ["FF01-A02 Tillgänglighetskoordinatorer på varje BUP-enhet",
                                "FF01-A01 Gemensamma väntelistor inom ögonsjukvård"]


def test_delete_with_confirmation_and_restore_from_the_history(editor_page, live_server, plan):
    page = editor_page
    page.get_by_role("link", name="Ta bort FF01-A01 Gemensamma väntelistor inom ögonsjukvård").click()
    confirm = page.get_by_role("alert")
    expect(confirm).to_contain_text("Ta bort åtgärden FF01-A01 ”Gemensamma väntelistor inom ögonsjukvård” med 2 "
                                    "ansvariga förvaltningar, varav 1 med status eller kommentar?")
    assert serious_violations(page) == []
    confirm.get_by_role("button", name="Ja, ta bort").click()
    expect(page.locator("article.action", has_text="Gemensamma väntelistor")).to_have_count(0)
    page.goto(f"{live_server}/planer/{plan.key}/historik")
    entry = page.locator("li.history-entry", has_text="tog bort åtgärden ”Gemensamma väntelistor")
    entry.get_by_role("button", name="Återställ").click()
    expect(page.locator("#messages")).to_contain_text("återställde åtgärden ”Gemensamma väntelistor")
    page.goto(f"{live_server}/planer/{plan.key}")
    restored = page.locator("article.action", has_text="Gemensamma väntelistor inom ögonsjukvård")
    expect(restored.locator(".division-statuses .badge").first).to_have_text("Genomförd")


def test_copy_a_plan(log_in, make_user, plan, live_server):
    page = log_in(make_user(Role.STRATEGIST))
    page.get_by_role("link", name="Ny plan").click()
    page.get_by_label("Utgå från").select_option(label=f"{plan.title} ({plan.key})")
    page.get_by_label("Överenskommelse").select_option(label="Ökad tillgänglighet")  # a select, never typed
    page.get_by_label("År").fill("2024")
    page.get_by_label("Titel").fill("Handlingsplan för ökad tillgänglighet 2024")
    page.get_by_label("Nyckel (små bokstäver, siffror och bindestreck), t.ex. tillganglighet-2025").fill(
        "tillganglighet-2024")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Skapa planen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Handlingsplan för ökad tillgänglighet 2024")
    expect(page.locator("article.action")).to_have_count(2)
    expect(page.locator("article.action .badge", has_text="Genomförd")).to_have_count(0)


def test_the_edit_form_opens_with_the_keyboard_on_its_first_field(editor_page):
    page = editor_page
    change = page.get_by_role("link", name="Ändra FF01-A01 Gemensamma väntelistor inom ögonsjukvård")
    change.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Rubrik")).to_be_focused()


@pytest.fixture
def htmx_errors(editor_page):
    """The page's console errors and htmx's error events (a swap target missing: htmx:targetError), as they come."""
    errors = []
    editor_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    editor_page.evaluate("""() => document.body.addEventListener("htmx:error", (event) =>
        console.error(`htmx: ${event.detail.errorInfo.eventName || "error"}`))""")
    return errors


def test_after_avbryt_a_new_action_is_saved_once_shown_and_the_filter_still_works(editor_page, plan, htmx_errors):
    """Avbryt inherited the form's outerHTML swap and replaced #plan-body with a fragment without the id: the next
    save was stored but not shown, its form stayed open (a second Spara stored it twice), and the filter had no
    target until a reload."""
    page = editor_page
    factor = plan.factors[0]
    add = page.get_by_role("link", name="Lägg till åtgärd under Ramavtal med externa vårdgivare")
    add.click()
    form = page.locator(f"#new-action-{factor.id}")
    form.get_by_role("link", name="Avbryt").click()
    expect(page.locator(".edit-box")).to_have_count(0)
    expect(add).to_be_focused()  # back on the control that opened the form
    add.click()
    form.get_by_label("Rubrik").fill("Mobil röntgen i särskilt boende")
    form.get_by_label("Ambulans, Diagnostik och Hälsa").check()
    form.get_by_role("button", name="Spara").dblclick()
    expect(page.locator("article.action", has_text="FF01-A03 Mobil röntgen i särskilt boende")).to_be_visible()
    expect(page.locator(".edit-box")).to_have_count(0)
    assert db.session.scalar(sa.select(sa.func.count(Action.id)).where(
        Action.title == "Mobil röntgen i särskilt boende")) == 1
    page.get_by_label("Sök i planen").fill("röntgen")
    expect(page.locator("article.action")).to_have_count(1)
    expect(page.locator(".result-count")).to_contain_text("Visar 1 av 3 åtgärder.")
    page.get_by_label("Sök i planen").fill("")
    page.get_by_label("Förvaltning", exact=True).select_option(label="Psykiatri Halland")
    expect(page.locator("article.action h4")).to_have_text(["FF01-A02 Tillgänglighetskoordinatorer på varje BUP-enhet"])
    assert htmx_errors == []


def test_avbryt_in_a_changed_action_returns_to_its_change_link(editor_page, htmx_errors):
    page = editor_page
    change = page.get_by_role("link", name="Ändra FF01-A02 Tillgänglighetskoordinatorer på varje BUP-enhet")
    change.click()
    page.get_by_role("link", name="Avbryt").click()
    expect(page.locator(".edit-box")).to_have_count(0)
    expect(change).to_be_focused()
    assert htmx_errors == []
