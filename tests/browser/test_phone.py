"""On a 390 px phone, every page a förvaltningskontakt and a strateg use fits the window: with Region Halland's
real plans and reports (tracker demo), a round open and a report asking the förvaltningar. A wide table may
scroll in its own box; the page itself never scrolls sideways."""

from datetime import timedelta

import pytest

from tests.browser.helpers import PHONE, STICKING_OUT
from tests.reports.helpers import create_report
from tracker.agreements.services import find_agreement, year_of
from tracker.clock import today
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.plans import services as plans
from tracker.vocabulary import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(make_user):
    """The demo's plans and reports, a round open on the plan of 2023 and a report of 2025 on it that asks the
    förvaltningar; a contact of Psykiatri Halland and a strateg."""
    load_demo()
    plan = plans.get_plan("tillganglighet-2023")
    strategist = make_user(Role.STRATEGIST, name="Maria Strand")
    followup.open_round(plan, strategist, title="Delårsuppföljning 2025",
                        deadline=(today() + timedelta(days=15)).isoformat(), today=today())
    report = create_report(answers=False, key="tillganglighet-2025", plan=plan)
    db.session.commit()
    return {"plan": plan, "report": report, "strategist": strategist,
            "contact": make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")}


def pages_of(demo) -> dict:
    plan, report = demo["plan"].key, demo["report"].key
    both = ["/planer", f"/planer/{plan}", f"/planer/{plan}/oversikt", f"/planer/{plan}/indikatorer",
            f"/planer/{plan}/historik", f"/planer/{plan}/versioner", "/redovisningar", f"/redovisningar/{report}",
            f"/redovisningar/{report}/historik", "/redovisningar/tillganglighet-2024", "/konto/paminnelser"]
    years = [year_of(find_agreement(name), number) for name, number in (("Ökad tillgänglighet", 2024),
                                                                          ("God och nära vård", 2019))]
    both += [f"/overenskommelser/{year.id}/beslut" for year in years]  # the decision register, with the sources'
    decision = years[1].decisions[0]  # longest texts (§182)
    return {
        "contact": ["/mina-atgarder", "/mina-atgarder?plan=" + plan, "/mina-fragor", *both],
        "strategist": [f"/planer/{plan}/omgangar", "/import", f"/redovisningar/{report}/formular", *both,
                       f"/overenskommelser/beslut/{decision.id}/andra",
                       f"/overenskommelser/beslut/{decision.id}/ta-bort"],
    }


# The innermost elements that reach past the window's right edge: what to look at on a page too wide.


def too_wide(page, live_server, paths) -> dict[str, tuple[int, list[str]]]:
    """The pages (of `paths`) wider than the window: their width and what sticks out."""
    wide = {}
    for path in paths:
        assert page.goto(f"{live_server}{path}").status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("window.innerWidth"):
            wide[path] = (width, page.evaluate(STICKING_OUT))
    return wide


@pytest.mark.parametrize("who", ["contact", "strategist"])
def test_every_page_fits_a_phone(who, demo, log_in, live_server, page):
    page.set_viewport_size(PHONE)
    log_in(demo[who])
    assert too_wide(page, live_server, pages_of(demo)[who]) == {}
    # The header's last control is on the page, not cut off at its right edge.
    box = page.get_by_role("button", name="Logga ut").bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]


def test_the_check_can_fail(demo, log_in, live_server, page):
    """Guards the guard: a page made wider than the window is named."""
    page.set_viewport_size(PHONE)
    log_in(demo["contact"])
    page.add_init_script("addEventListener('DOMContentLoaded', () => "
                         "document.querySelector('h1').style.minWidth = '600px')")
    assert list(too_wide(page, live_server, ["/planer"])) == ["/planer"]
