"""The life cycle holds what the direktör reviews: answers and contributions frozen in review, the report row
locked (and its state read again) by every write and by the approval, a sending dated between the approval and
today, a bundle made only of an approved report."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.reports.helpers import create_report, question
from tracker import clock
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.reports import bundle as bundles
from tracker.reports import answers, form_editing, lifecycle
from tracker.reports.models import Report, ReportContribution
from tracker.vocabulary import ReportState, Role


def test_answers_and_contributions_are_frozen_during_review(divisions):
    report = create_report()
    pair = question(report, "Hur har 2024")
    contribution = pair.contributions[0]
    lifecycle.submit_for_review(report)
    db.session.commit()
    assert not pair.is_editable
    with pytest.raises(lifecycle.ReportLocked, match="Tillbaka till skrivande"):
        answers.save_answer(pair, None, {"answer": "x"}, expected_version=None)
    with pytest.raises(lifecycle.ReportLocked, match="Tillbaka till skrivande"):
        answers.save_contribution(contribution, None, text="x", done=False, expected_version=None)
    db.session.rollback()
    lifecycle.back_to_draft(report)
    answers.save_answer(pair, None, {"answer": "Ändrat", "answer_second": ""}, expected_version=None)
    db.session.commit()
    assert pair.answer == "Ändrat"


def test_a_write_reads_the_reports_state_under_a_lock(divisions):
    """The report row is locked and read again by every write: a state changed since the page loaded it wins."""
    report = create_report()
    pair = question(report, "Hur har 2024")
    contribution_id = pair.contributions[0].id
    assert report.state is ReportState.DRAFT  # loaded; now the direktör's approval happens elsewhere
    with db.engine.begin() as connection:
        connection.execute(sa.update(Report).where(Report.id == report.id).values(state=ReportState.APPROVED))
    with pytest.raises(lifecycle.ReportLocked, match="godkänd"):
        answers.save_answer(pair, None, {"answer": "x"}, expected_version=None)
    db.session.rollback()
    with pytest.raises(lifecycle.ReportLocked, match="godkänd"):
        answers.save_contribution(db.session.get(ReportContribution, contribution_id), None, text="x", done=False,
                                  expected_version=None)


def test_approval_reads_the_state_under_a_lock(divisions, make_user):
    director = make_user(Role.DIRECTOR)
    report = create_report()
    lifecycle.submit_for_review(report)
    db.session.commit()
    assert report.state is ReportState.REVIEW  # loaded; now the strateg takes it back to writing elsewhere
    with db.engine.begin() as connection:
        connection.execute(sa.update(Report).where(Report.id == report.id).values(state=ReportState.DRAFT))
    with pytest.raises(lifecycle.ReportLocked):
        lifecycle.approve(report, director)


def _approved(director, day):
    report = create_report()
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, director, at=datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc))
    return report


def test_a_sending_may_not_be_dated_in_the_future_or_before_the_approval(divisions, make_user):
    director = make_user(Role.DIRECTOR)
    today = clock.today()
    report = _approved(director, today - timedelta(days=5))
    for day, message in ((today + timedelta(days=1), "framtiden"), (today - timedelta(days=6), "godkändes")):
        with pytest.raises(ValidationError) as error:
            lifecycle.mark_sent(report, director, bundle=None, sent_on=day.isoformat())
        assert message in error.value.errors["sent_on"]
    sending = lifecycle.mark_sent(report, director, bundle=None, sent_on=None)
    assert sending.sent_on == today


def test_a_bundle_is_made_only_once_the_report_is_approved(divisions, make_user):
    director = make_user(Role.DIRECTOR)
    report = create_report()
    with pytest.raises(lifecycle.ReportLocked, match="godkänd"):
        bundles.make_bundle(report, director)
    lifecycle.submit_for_review(report)
    with pytest.raises(lifecycle.ReportLocked, match="godkänd"):
        bundles.make_bundle(report, director)
    lifecycle.approve(report, director)
    assert bundles.make_bundle(report, director).sha256


def test_the_bundle_button_is_refused_before_approval(client, login, make_user, divisions):
    report = create_report()
    client = login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/{report.key}/paket")
    assert response.status_code == 409 and "godkänd" in response.get_data(as_text=True)
    assert not bundles.list_bundles(report)


def test_the_life_cycle_locks_after_approval_and_a_komplettering_reopens_named_questions(divisions, make_user):
    director = make_user(Role.DIRECTOR)
    report = create_report()
    pair, other = question(report, "Hur har 2024"), question(report, "Övriga kommentarer")
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, director, at=datetime(2024, 9, 27, 9, tzinfo=timezone.utc))
    assert report.state is ReportState.APPROVED
    with pytest.raises(lifecycle.ReportLocked):
        answers.save_answer(pair, director, {"answer": "x"}, expected_version=None)
    with pytest.raises(lifecycle.ReportLocked):
        form_editing.add_section(report, title="Nytt avsnitt", number=None, intro=None)
    sending = lifecycle.mark_sent(report, director, bundle=None, sent_on="2024-09-30")
    assert (sending.number, sending.sent_on, report.state) == (1, date(2024, 9, 30), ReportState.SENT)
    lifecycle.reopen(report, [pair.id], note=None)
    assert report.state is ReportState.COMPLETION
    answers.save_answer(pair, director, {"answer": "Kompletterat", "answer_second": ""},
                        expected_version=pair.version_id)
    with pytest.raises(lifecycle.ReportLocked, match="ingår inte i kompletteringen"):
        answers.save_answer(other, director, {"answer": "x"}, expected_version=None)
    with pytest.raises(lifecycle.ReportLocked):
        form_editing.add_section(report, title="Nytt avsnitt", number=None, intro=None)
    lifecycle.submit_for_review(report)
    lifecycle.approve(report, director, at=datetime(2024, 10, 14, 9, tzinfo=timezone.utc))
    second = lifecycle.mark_sent(report, director, bundle=None, sent_on="2024-10-15")
    db.session.commit()
    assert [s.number for s in report.sendings] == [1, 2]
    assert second.reopened == [pair.prompt] and not pair.reopened
