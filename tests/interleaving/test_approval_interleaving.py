"""A decision binds to what its page showed: another user's change between the page and the click refuses it
(409, a Swedish message with a link to the change, nothing written); a change outside what is decided does not.

Each test loads the decider's page, lets another user change something over the web, then posts the decision
from the page as it was loaded, and finally from the page loaded again."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import assert_refused_as_changed, form_seen, snapshot
from tests.reports.helpers import create_report, question
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.followup.models import ReportingRound
from tracker.plans.models import Plan
from tracker.reports import lifecycle
from tracker.reports.models import Report
from tracker.versions import services as versions
from tracker.versions.models import PlanVersion
from tracker.vocabulary import PlanState, ReportState, Role, Status

ACTION_FORM = {"title": "Gemensamma väntelistor inom ortopedisk vård", "owner": "Verksamhetschef ortopedi",
               "horizon": "short", "start_date": "2025-01-01", "due_date": "2025-12-31"}


@pytest.fixture
def people(make_user):
    return {"director": make_user(Role.DIRECTOR, name="Peter Dahl"), "strateg": make_user(Role.STRATEGIST),
            "contact": make_user(Role.DIVISION_CONTACT, "HS")}


# --- Fastställ (tracker/versions) vs editor save, start of a revision, status save ------------------------------


@pytest.fixture
def plan(make_plan):
    return make_plan(factors=2)


def _fastställ(client, plan, seen):
    return client.post(f"/planer/{plan.key}/faststall", data={"decision": "RS231576", "confirm": "1", "seen": seen})


def _versions_seen(client, plan):
    return form_seen(client, f"/planer/{plan.key}/versioner", f"/planer/{plan.key}/faststall")


def test_fastställ_after_an_editor_save_isassert_refused_as_changed(login, people, plan, htmx_headers):
    seen = _versions_seen(login(people["director"]), plan)
    action = plan.factors[0].actions[0]
    client = login(people["strateg"])
    assert client.post(f"/atgarder/{action.id}", data={**ACTION_FORM, "version": action.version_id,
                                                       "divisions": [action.statuses[0].division_id]}
                       ).status_code == 302
    client = login(people["director"])
    before = snapshot()
    assert_refused_as_changed(_fastställ(client, plan, seen), "Planen har ändrats sedan du öppnade sidan, så den fastställs inte",
             f"/planer/{plan.key}/historik", before)
    assert db.session.get(Plan, plan.id).state is PlanState.DRAFT
    # With htmx the same refusal comes as the message alone, for the page's message area.
    response = client.post(f"/planer/{plan.key}/faststall", headers=htmx_headers,
                           data={"confirm": "1", "seen": seen})
    assert_refused_as_changed(response, "Planen har ändrats sedan du öppnade sidan", f"/planer/{plan.key}/historik", before)
    assert "<html" not in response.get_data(as_text=True)

    assert _fastställ(client, plan, _versions_seen(client, plan)).status_code == 302
    fixed = versions.get_version(db.session.get(Plan, plan.id), 1).snapshot
    assert fixed["factors"][0]["actions"][0]["title"] == ACTION_FORM["title"]


def test_fastställ_after_another_fastställande_and_a_revision_isassert_refused_as_changed(login, people, plan):
    """Version 1 fastställd and a revision started elsewhere: the page showed the draft of version 1, not 2."""
    seen = _versions_seen(login(people["director"]), plan)
    client = login(people["director"])
    assert _fastställ(client, plan, seen).status_code == 302  # the other tab, or the other direktör
    assert login(people["strateg"]).post(f"/planer/{plan.key}/revidering").status_code == 302
    client = login(people["director"])
    before = snapshot()
    assert_refused_as_changed(_fastställ(client, plan, seen), "Planen har ändrats sedan du öppnade sidan",
             f"/planer/{plan.key}/historik", before)
    assert db.session.scalar(sa.select(sa.func.count(PlanVersion.id))) == 1
    assert _fastställ(client, plan, _versions_seen(client, plan)).status_code == 302
    assert versions.get_version(db.session.get(Plan, plan.id), 2) is not None


def test_a_status_save_does_not_make_the_fastställ_page_stale(login, people, plan):
    """Statuses are follow-up, not what is fastställd (DOMAIN.md): the förvaltningar go on while the direktör reads."""
    seen = _versions_seen(login(people["director"]), plan)
    status = next(s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "HS")
    assert login(people["contact"]).post(f"/status/{status.id}", data={
        "status": "in_progress", "comment": "Väntelistan är gemensam för lungsjukvården.",
        "version": status.version_id}).status_code == 302
    assert _fastställ(login(people["director"]), plan, seen).status_code == 302
    assert db.session.get(Plan, plan.id).state is PlanState.APPROVED


# --- Godkänn (tracker/reports) vs answer save, contribution, back to writing ------------------------------------


@pytest.fixture
def report(divisions):
    report = create_report()
    lifecycle.submit_for_review(report)
    db.session.commit()
    return report


def _report_seen(client, report):
    return form_seen(client, f"/redovisningar/{report.key}", f"/redovisningar/{report.key}/godkann")


def _godkänn(client, report, seen):
    return client.post(f"/redovisningar/{report.key}/godkann", data={"confirm": "1", "seen": seen})


def _rewrite(login, people, report, change) -> None:
    """The strateg takes the report back, `change` happens, and it goes to review again."""
    client = login(people["strateg"])
    assert client.post(f"/redovisningar/{report.key}/tillbaka").status_code == 302
    change()
    client = login(people["strateg"])
    assert client.post(f"/redovisningar/{report.key}/granskning", data={"confirm": "1"}).status_code == 302


def test_godkänn_after_an_answer_was_changed_and_sent_to_review_again_isassert_refused_as_changed(login, people, report):
    seen = _report_seen(login(people["director"]), report)
    pair = question(report, "Hur har 2024")

    def answer():
        assert login(people["strateg"]).post(f"/redovisningar/fragor/{pair.id}/svar", data={
            "answer": "Medlen har använts till den nationella vårdförmedlingen.", "answer_second": "Kortare köer.",
            "version": pair.version_id}).status_code == 302
    _rewrite(login, people, report, answer)
    client = login(people["director"])
    before = snapshot()
    assert_refused_as_changed(_godkänn(client, report, seen), "Redovisningen har ändrats sedan du öppnade den, så den är inte godkänd",
             f"/redovisningar/{report.key}/historik", before)
    assert db.session.get(Report, report.id).state is ReportState.REVIEW
    assert _godkänn(client, report, _report_seen(client, report)).status_code == 302
    assert db.session.get(Report, report.id).state is ReportState.APPROVED


def test_godkänn_after_a_contribution_was_changed_isassert_refused_as_changed(login, people, report):
    seen = _report_seen(login(people["director"]), report)
    contribution = next(c for c in question(report, "Hur har 2024").contributions if c.division.short_name == "HS")

    def contribute():
        assert login(people["contact"]).post(f"/redovisningar/bidrag/{contribution.id}", data={
            "text": "Hallands sjukhus: gemensamma väntelistor för ögonsjukvården.", "done": "1",
            "version": contribution.version_id}).status_code == 302
    _rewrite(login, people, report, contribute)
    client = login(people["director"])
    before = snapshot()
    assert_refused_as_changed(_godkänn(client, report, seen), "Redovisningen har ändrats sedan du öppnade den",
             f"/redovisningar/{report.key}/historik", before)
    assert _godkänn(client, report, _report_seen(client, report)).status_code == 302


def test_godkänn_of_a_report_taken_back_to_writing_is_refused_and_one_sent_back_unchanged_is_approved(
        login, people, report):
    seen = _report_seen(login(people["director"]), report)
    assert login(people["strateg"]).post(f"/redovisningar/{report.key}/tillbaka").status_code == 302
    client = login(people["director"])
    before = snapshot()
    response = _godkänn(client, report, seen)
    assert response.status_code == 409 and "Redovisningen är utkast" in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before
    # Back to review with nothing changed: the page showed what is there, so the approval holds.
    assert login(people["strateg"]).post(f"/redovisningar/{report.key}/granskning",
                                          data={"confirm": "1"}).status_code == 302
    assert _godkänn(login(people["director"]), report, seen).status_code == 302


# --- Closing a follow-up round vs status save, bulk Oförändrad ----------------------------------------------


@pytest.fixture
def round_(plan, people):
    round_ = followup.open_round(plan, people["strateg"], title="Delårsuppföljning 2024", deadline="2030-09-15",
                                 today=date(2024, 8, 1))
    db.session.commit()
    return round_


def _rounds_seen(client, plan, round_):
    return form_seen(client, f"/planer/{plan.key}/omgangar", f"/omgangar/{round_.id}/stang")


def _close(client, round_, seen):
    return client.post(f"/omgangar/{round_.id}/stang", data={"confirm": "1", "seen": seen})


def _hs_statuses(plan):
    return [s for f in plan.factors for a in f.actions for s in a.statuses if s.division.short_name == "HS"]


def _is_open(round_) -> bool:
    db.session.expire_all()
    return db.session.get(ReportingRound, round_.id).is_open


def test_closing_after_a_status_save_confirmed_a_row_isassert_refused_as_changed(login, people, plan, round_):
    seen = _rounds_seen(login(people["strateg"]), plan, round_)
    status = _hs_statuses(plan)[0]
    assert login(people["contact"]).post(f"/status/{status.id}", data={
        "status": "done", "comment": "Gemensam väntelista införd.", "version": status.version_id}).status_code == 302
    client = login(people["strateg"])
    before = snapshot()
    assert_refused_as_changed(_close(client, round_, seen), "Omgångens läge har ändrats sedan du öppnade sidan",
             f"/planer/{plan.key}/omgangar", before)
    assert _is_open(round_)
    assert _close(client, round_, _rounds_seen(client, plan, round_)).status_code == 302
    assert not _is_open(round_)


def test_closing_after_a_bulk_oförändrad_isassert_refused_as_changed(login, people, plan, round_):
    seen = _rounds_seen(login(people["strateg"]), plan, round_)
    assert login(people["contact"]).post(f"/omgangar/{round_.id}/bekrafta", data={
        "status_id": [s.id for s in _hs_statuses(plan)]}).status_code == 302
    client = login(people["strateg"])
    before = snapshot()
    assert_refused_as_changed(_close(client, round_, seen), "Omgångens läge har ändrats sedan du öppnade sidan",
             f"/planer/{plan.key}/omgangar", before)
    assert _is_open(round_)
    assert _close(client, round_, _rounds_seen(client, plan, round_)).status_code == 302


def test_a_later_edit_of_a_confirmed_status_does_not_stop_the_close(login, people, plan, round_):
    """The strateg closes on how far the förvaltningar have come; the round keeps each status as it is at closing."""
    status = _hs_statuses(plan)[0]
    client = login(people["contact"])
    assert client.post(f"/status/{status.id}", data={"status": "in_progress", "comment": "",
                                                     "version": status.version_id}).status_code == 302
    seen = _rounds_seen(login(people["strateg"]), plan, round_)
    db.session.expire_all()
    status = db.session.get(type(status), status.id)
    assert login(people["contact"]).post(f"/status/{status.id}", data={
        "status": "done", "comment": "Klart i augusti.", "version": status.version_id}).status_code == 302
    assert _close(login(people["strateg"]), round_, seen).status_code == 302
    kept = {row["status_id"]: row for row in db.session.get(ReportingRound, round_.id).snapshot}
    assert kept[status.id]["status"] == Status.DONE.value


def test_a_decision_without_what_its_page_showed_isassert_refused_as_changed(login, people, plan):
    client = login(people["director"])
    before = snapshot()
    response = client.post(f"/planer/{plan.key}/faststall", data={"confirm": "1"})
    assert response.status_code == 400 and "Ladda om sidan" in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before
