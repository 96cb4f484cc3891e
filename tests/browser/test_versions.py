import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import serious_violations
from tracker.extensions import db
from tracker.history.recorder import acting
from tracker.plans.models import Action
from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser


def test_director_approves_strateg_revises_and_compares(log_in, make_user, make_plan, live_server, browser):
    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE}}])
    director = make_user(Role.DIRECTOR, name="Peter Dahl")
    strateg = make_user(Role.STRATEGIST, name="Maria Strand")

    page = log_in(director)
    page.goto(f"{live_server}/planer/{plan.key}")
    page.get_by_role("link", name="Versioner och fastställande").click()
    page.get_by_label("Beslut (diarienummer), frivilligt").fill("RS231576")
    page.get_by_label("Jag fastställer planen som version 1").check()
    page.get_by_role("button", name="Fastställ version 1").click()
    expect(page.locator("#messages")).to_contain_text("Version 1 är fastställd.")
    expect(page.get_by_role("table", name="Fastställda versioner")).to_contain_text("Peter Dahl")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Logga ut").click()

    page = log_in(strateg)
    page.goto(f"{live_server}/planer/{plan.key}/versioner")
    page.get_by_role("button", name="Starta revidering (version 2)").click()
    expect(page.locator("#messages")).to_contain_text("utkast till version 2")

    page.goto(f"{live_server}/planer/{plan.key}/jamfor?fran=1&till=nu")
    expect(page.locator(".answer")).to_contain_text("Nej")
    with acting(strateg, "web"):  # the plan editor is the next issue; change the draft directly
        action = db.session.get(Action, plan.factors[0].actions[0].id)
        action.owner = "Verksamhetschef ögonkliniken"
        db.session.commit()
    page.get_by_role("button", name="Jämför").click()
    expect(page.locator(".answer")).to_contain_text("Ja")
    expect(page.get_by_role("table", name="Skillnader")).to_contain_text(
        "Ansvarig: Verksamhetschef, Hallands sjukhus → Verksamhetschef ögonkliniken")
    assert serious_violations(page) == []
    page.goto(f"{live_server}/planer/{plan.key}/historik")
    expect(page.locator("ol.history")).to_contain_text("påbörjade en revidering: utkast till version 2")
    expect(page.locator("ol.history")).to_contain_text("fastställde version 1 (RS231576)")
    assert serious_violations(page) == []
    page.get_by_label("Typ av ändring").select_option(label="Version")
    expect(page.locator("li.history-entry")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"typ=version"))
