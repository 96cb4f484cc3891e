"""A strateg adds a villkor to an agreement's year and marks it fulfilled, on a desktop and on a 390 px phone:
the forms work as plain forms, a refused field says why, and the pages never scroll sideways."""

import pytest

from tests.browser.helpers import PHONE, STICKING_OUT, violations
from tracker.agreements import services as agreements
from tracker.extensions import db
from tracker.vocabulary import Role

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_strateg_adds_a_villkor_and_marks_it_fulfilled(viewport, log_in, make_user, make_plan, live_server, page):
    plan = make_plan()
    year = agreements.year_of(plan.agreement, 2024)
    db.session.commit()
    if viewport:
        page.set_viewport_size(viewport)
    log_in(make_user(Role.STRATEGIST, name="Sara Strand"))
    page.get_by_role("link", name="Överenskommelser").click()
    page.get_by_role("link", name="2024").click()
    assert page.url == f"{live_server}/overenskommelser/{year.id}"

    form = page.locator("#new-condition")
    form.get_by_label("Slag").select_option(label="Lämna redovisning")
    form.get_by_label("Villkor", exact=True).fill(
        "Redovisning av hur medlen har använts ska lämnas senast den 30 september 2024.")
    form.get_by_label("Sista dag (ÅÅÅÅ-MM-DD)").fill("2024-09-30")
    form.get_by_label("Mottagare").fill("Socialstyrelsen")
    form.get_by_label("Belopp det ger (kr)").fill("1 237,5 miljoner")
    form.get_by_role("button", name="Lägg till villkoret").click()
    amount = page.locator("#new-condition").get_by_label("Belopp det ger (kr)")
    assert amount.get_attribute("aria-invalid") == "true"
    assert "är inget belopp" in page.locator("#new-condition").inner_text()
    amount.fill("1 237 500 000")
    page.locator("#new-condition").get_by_role("button", name="Lägg till villkoret").click()

    condition = page.locator("article.condition")
    assert "Lämna redovisning senast 30 september 2024" in condition.inner_text()
    assert "1\u202f237\u202f500\u202f000\u00a0kr" in condition.inner_text()
    condition.get_by_text("Markera uppfyllt").first.click()  # the <details>' summary
    condition.get_by_label("Uppfyllt den (tomt: paketets eller versionens datum)").fill("2024-09-20")
    condition.get_by_label("Anteckning").fill("Skickad till Socialstyrelsen via e-post.")
    condition.get_by_role("button", name="Markera uppfyllt").click()
    condition = page.locator("article.condition")
    assert "Uppfyllt 20 september 2024 (markerat av Sara Strand)" in condition.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), \
        page.evaluate(STICKING_OUT)

    page.get_by_role("link", name="Årshjul", exact=True).click()  # the main menu's
    page.get_by_role("link", name="2024").click()
    assert "Uppfyllt 20 september 2024" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), \
        page.evaluate(STICKING_OUT)
    page.goto(f"{live_server}/overenskommelser")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), \
        page.evaluate(STICKING_OUT)


def test_the_agreements_pages_have_no_serious_accessibility_violations(log_in, make_user, make_plan, live_server):
    from datetime import date


    plan = make_plan()
    year = agreements.year_of(plan.agreement, 2024)
    agreements.add_funds(year, {"label": "Andra utbetalningen", "amount": "1 237 500 000"})
    late = agreements.add_condition(year, {"kind": "report", "text": "Redovisningen.", "deadline": "2024-09-30"})
    met = agreements.add_condition(year, {"kind": "plan", "text": "Handlingsplanen.", "deadline": "2024-03-31"})
    agreements.fulfil(met, None, fulfilled_on=date(2024, 3, 20), note="Fastställd.", expected_version=None)
    db.session.commit()
    page = log_in(make_user(Role.STRATEGIST))
    for path in ("/overenskommelser", f"/overenskommelser/{year.id}", "/arshjul?ar=2024"):
        page.goto(live_server + path)
        assert violations(page) == [], path
    assert f"villkor-{late.id}" in page.content()
    page.goto(f"{live_server}/overenskommelser/{year.id}")
    page.locator("#new-condition").get_by_label("Sista dag (ÅÅÅÅ-MM-DD)").fill("2024-05-01")
    page.locator("#new-condition").get_by_role("button", name="Lägg till villkoret").click()  # no kind, no text
    assert page.locator("#new-condition .field-error").count() == 2
    assert violations(page) == []
