"""The report's decisions after its godkännande bind to the page they were taken on: marking a bundle as sent to
the bundles and sendings it listed, a komplettering to the report as sent. Stale: 409, a link, nothing written."""

import pytest

from tests.factories import assert_refused_as_changed, form_seen, snapshot
from tests.reports.helpers import approve, create_report, question
from tracker.extensions import db
from tracker.reports import bundle as bundles
from tracker.reports import answers, lifecycle
from tracker.reports.models import Report
from tracker.vocabulary import ReportState, Role


@pytest.fixture
def people(make_user):
    return {"director": make_user(Role.DIRECTOR, name="Peter Dahl"), "strateg": make_user(Role.STRATEGIST)}


@pytest.fixture
def approved(divisions, people):
    report = approve(create_report(), director=people["director"])
    return report


def _state(report) -> ReportState:
    db.session.expire_all()
    return db.session.get(Report, report.id).state


def test_marking_a_bundle_sent_after_a_newer_bundle_was_made_isassert_refused_as_changed(login, people, approved):
    first = bundles.make_bundle(approved, people["strateg"])
    db.session.commit()
    client = login(people["strateg"])
    page, action = f"/redovisningar/{approved.key}", f"/redovisningar/{approved.key}/skickad"
    seen = form_seen(client, page, action)
    bundles.make_bundle(approved, people["director"])  # made in another tab while the page is open
    db.session.commit()
    before = snapshot()
    assert_refused_as_changed(client.post(action, data={"bundle": first.id, "seen": seen}), "ett nytt paket skapats",
             f"{page}#paket", before)
    assert _state(approved) is ReportState.APPROVED
    seen = form_seen(client, page, action)
    assert client.post(action, data={"bundle": first.id, "seen": seen}).status_code == 302
    assert _state(approved) is ReportState.SENT
    before = snapshot()  # the same page posted again, from a second tab: already marked
    assert_refused_as_changed(client.post(action, data={"bundle": first.id, "seen": seen}), "markerats som skickad",
             f"{page}#paket", before)


def test_a_komplettering_from_a_page_older_than_the_last_sending_isassert_refused_as_changed(login, people, approved):
    lifecycle.mark_sent(approved, people["strateg"], bundle=bundles.make_bundle(approved, people["strateg"]))
    db.session.commit()
    client = login(people["strateg"])
    page, action = f"/redovisningar/{approved.key}", f"/redovisningar/{approved.key}/komplettering"
    seen = form_seen(client, page, action)
    pair = question(approved, "Hur har 2024")
    # Meanwhile a whole komplettering: reopened, answered anew, approved and sent again.
    lifecycle.reopen(approved, [pair.id])
    answers.save_answer(pair, people["strateg"], {"answer": "Kompletterat svar.", "answer_second": ""},
                        expected_version=None)
    approve(approved, director=people["director"])
    lifecycle.mark_sent(approved, people["strateg"], bundle=bundles.make_bundle(approved, people["strateg"]))
    db.session.commit()
    before = snapshot()
    assert_refused_as_changed(client.post(action, data={"questions": [pair.id], "seen": seen}),
             "Redovisningen har ändrats sedan du öppnade den, så ingen fråga är öppnad för komplettering",
             f"{page}/historik", before)
    assert _state(approved) is ReportState.SENT
    seen = form_seen(client, page, action)
    assert client.post(action, data={"questions": [pair.id], "seen": seen}).status_code == 302
    assert _state(approved) is ReportState.COMPLETION
