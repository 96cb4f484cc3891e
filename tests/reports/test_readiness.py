"""Going on with what is missing: review and approval ask to confirm the gaps, a complete report goes on, the
sending date is checked at its field, a sent report awaits nothing, a draft plan in the bundle is warned about."""

from datetime import timedelta

import pytest

from tests.factories import form_seen
from tests.reports.helpers import all_questions, approve, create_report
from tracker import clock
from tracker.extensions import db
from tracker.reports import bundle as bundles
from tracker.reports import lifecycle, queries
from tracker.reports.models import Report
from tracker.vocabulary import ReportState, Role


@pytest.fixture
def report(divisions):
    return create_report()


def test_a_future_sending_date_is_refused_next_to_the_field(client, login, make_user, report):
    """R3: the date field says what is wrong (and keeps the date typed); nothing is recorded."""
    director = make_user(Role.DIRECTOR)
    approve(report, director=director)
    bundle = bundles.make_bundle(report, director)
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert f'max="{clock.today().isoformat()}"' in page
    future = (clock.today() + timedelta(days=400)).isoformat()
    seen = form_seen(client, f"/redovisningar/{report.key}", f"/redovisningar/{report.key}/skickad")
    response = client.post(f"/redovisningar/{report.key}/skickad",
                           data={"bundle": bundle.id, "sent_on": future, "seen": seen})
    assert response.status_code == 302  # to the report's own address (Post/Redirect/Get)
    assert response.location == f"/redovisningar/{report.key}#livscykel"
    body = client.get(response.location).get_data(as_text=True)
    assert 'id="sent-on-error"' in body and "ligger i framtiden" in body and f'value="{future}"' in body
    assert 'aria-describedby="sent-on-error"' in body
    db.session.expire_all()
    stored = db.session.get(Report, report.id)
    assert stored.state is ReportState.APPROVED and not stored.sendings


def test_going_to_review_with_gaps_asks_for_a_confirmation(client, login, make_user, divisions):
    """R4: the missing answers and waiting contributions are summed up, and going on asks to confirm."""
    report = create_report(answers=False)
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    readiness = queries.readiness(report)
    assert readiness.unanswered and readiness.waiting_total > 0
    assert f"{len(readiness.unanswered)} frågor saknar svar" in page
    assert f"{readiness.waiting_total} bidrag väntar från förvaltningarna" in page
    assert "Till granskning ändå, trots det som saknas" in page
    response = client.post(f"/redovisningar/{report.key}/granskning", follow_redirects=True)
    assert response.request.path == f"/redovisningar/{report.key}"
    assert 'id="confirm-review-error"' in response.get_data(as_text=True)
    # shown once: the page loaded again shows the report as it is
    assert 'id="confirm-review-error"' not in client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Report, report.id).state is ReportState.DRAFT
    assert client.post(f"/redovisningar/{report.key}/granskning", data={"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).state is ReportState.REVIEW
    login(make_user(Role.DIRECTOR))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Det här saknas innan redovisningen godkänns" in page and "Godkänn ändå" in page
    seen = form_seen(client, f"/redovisningar/{report.key}", f"/redovisningar/{report.key}/godkann")
    refused = client.post(f"/redovisningar/{report.key}/godkann", data={"seen": seen}, follow_redirects=True)
    assert refused.request.path == f"/redovisningar/{report.key}"
    assert 'id="confirm-approve-error"' in refused.get_data(as_text=True)
    assert client.post(f"/redovisningar/{report.key}/godkann", data={"confirm": "1", "seen": seen}).status_code == 302


def test_a_complete_report_goes_on_without_a_confirmation(client, login, make_user, report):
    for q in all_questions(report):
        for contribution in q.contributions:
            contribution.text, contribution.done = "Klart.", True
    db.session.commit()
    assert queries.readiness(report).gaps == []
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Alla frågor har svar och alla förvaltningars bidrag är klara." in page
    assert client.post(f"/redovisningar/{report.key}/granskning").status_code == 302


def test_a_sent_report_does_not_show_contributions_as_still_awaited(client, login, make_user, report):
    """R4: after the sending the table no longer says "Kvar"."""
    director = make_user(Role.DIRECTOR)
    approve(report, director=director)
    lifecycle.mark_sent(report, director, bundle=bundles.make_bundle(report, director))
    db.session.commit()
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert "Väntar" not in page and '<th scope="row">Inte lämnade' in page and "Inte lämnat</span>" in page
    assert "bidrag som inte blev klara väntas inte längre" in page


def test_the_bundle_of_a_draft_plan_is_warned_about(client, login, make_user, divisions, make_plan):
    """R5: a plan with no fastställd version is attached as its draft: the page says so before the bundle."""
    plan = make_plan()
    db.session.commit()
    report = create_report(plan=plan)
    director = make_user(Role.DIRECTOR)
    approve(report, director=director)
    login(director)
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert 'id="draft-plan"' in page and "är ett utkast, utan fastställd version" in page
    assert page.index('id="draft-plan"') < page.index("Skapa paket")
