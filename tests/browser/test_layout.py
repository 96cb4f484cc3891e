"""No page is wider than the window, on a phone (400 px) or a laptop (1280 px): long plan titles,
wide tables and long option texts stay inside it (tables scroll in their own box)."""

from datetime import timedelta

import pytest

from tracker.clock import today
from tracker.extensions import db
from tracker.followup import rounds as services
from tracker.vocabulary import Role, Status

pytestmark = pytest.mark.browser

TITLE = "Handlingsplan för ökad tillgänglighet inom hälso- och sjukvård 2023"


@pytest.fixture
def plan(make_plan):
    return make_plan(title=TITLE, factors=2, actions=[
        {"title": "Gemensamma väntelistor inom ögonsjukvård", "divisions": ["HS", "PH", "NSV", "ADH", "RK"],
         "statuses": {"HS": Status.DONE, "PH": Status.DELAYED}},
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]},
    ])


@pytest.mark.parametrize("width", [400, 1280])
def test_pages_fit_the_window(width, log_in, make_user, plan, live_server, page):
    page.set_viewport_size({"width": width, "height": 900})
    key = plan.key
    pages_of = {
        Role.ADMIN: ["/planer", f"/planer/{key}", f"/planer/{key}/oversikt", f"/planer/{key}/indikatorer",
                     f"/planer/{key}/omgangar", f"/planer/{key}/versioner", f"/planer/{key}/historik",
                     "/admin/anvandare", "/admin/forvaltningar"],
        Role.STRATEGIST: ["/import", "/planer/ny", f"/planer/{key}?redigera=1"],
    }
    too_wide = {}
    for role, paths in pages_of.items():
        page.context.clear_cookies()
        log_in(make_user(role))
        for path in paths:
            assert page.goto(f"{live_server}{path}").status == 200, path
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[path] = scroll_width
    assert too_wide == {}


@pytest.mark.parametrize("width", [400, 1280])
def test_the_round_pages_box_sits_beside_its_label_and_the_mail_note_clear_of_the_table(
        width, log_in, make_user, plan, live_server, page):
    strategist = make_user(Role.STRATEGIST)
    services.open_round(plan, strategist, title="Delårsuppföljning 2024",
                        deadline=(today() + timedelta(days=15)).isoformat(), today=today())
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(strategist)
    page.goto(f"{live_server}/planer/{plan.key}/omgangar")
    box = page.get_by_role("checkbox", name="Stäng omgången nu").bounding_box()
    label = page.locator("label[for=confirm-close]").bounding_box()
    assert label["x"] >= box["x"] + box["width"]  # to its right, not on a line of its own below it
    assert label["y"] <= box["y"] < label["y"] + 24  # on its first line
    table = page.get_by_role("region", name="Öppen omgång").bounding_box()
    note = page.get_by_text("E-post är avstängd").bounding_box()
    assert note["y"] >= table["y"] + table["height"] + 8
    assert page.evaluate("document.documentElement.scrollWidth") <= width
