"""No page is wider than the window, on a phone (400 px) or a laptop (1280 px): long plan titles,
wide tables and long option texts stay inside it (tables scroll in their own box)."""

import pytest

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
