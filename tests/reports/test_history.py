"""Every change to a report is in its own history (HistoryEntry.report_id), and the chain stays intact."""

from datetime import datetime, timezone

import sqlalchemy as sa

from tests.reports.helpers import create_report, question
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.history.services import verify_chain
from tracker.reports import services
from tracker.vocabulary import Role


def _summaries(report) -> list[str]:
    return [e.summary for e in db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.report_id == report.id).order_by(HistoryEntry.id))]


def test_answers_contributions_and_the_life_cycle_are_recorded(divisions, make_user):
    strategist, director = make_user(Role.STRATEGIST, name="Maria Strand"), make_user(Role.DIRECTOR)
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    report = create_report(answers=False)
    pair = question(report, "Hur har 2024")
    contribution = next(c for c in pair.contributions if c.division.short_name == "PH")
    with acting(contact, "web"):
        services.save_contribution(contribution, contact, text="BUP-koordinatorer.", done=True,
                                   expected_version=contribution.version_id)
        db.session.commit()
    with acting(strategist, "web"):
        services.save_answer(pair, strategist, {"answer": "Medlen användes.", "answer_second": ""},
                             expected_version=pair.version_id)
        services.submit_for_review(report)
        db.session.commit()
    with acting(director, "web"):
        services.approve(report, director, at=datetime(2024, 9, 27, 9, tzinfo=timezone.utc))
        services.mark_sent(report, director, bundle=None, sent_on="2024-09-30")
        db.session.commit()
    summaries = _summaries(report)
    assert summaries[0] == f"skapade redovisningen ”{report.title}”"
    assert "skrev Psykiatri Hallands bidrag till ”Hur har 2024 års medel använts? Hur kommer 2024 års medel att " \
           "användas framöver?” och markerade det som klart" in summaries
    assert any(s.startswith("ändrade svaret på ”Hur har 2024") for s in summaries)
    for text in ("lämnade redovisningen för granskning", "godkände redovisningen",
                 "markerade redovisningen som skickad till Socialstyrelsen", "skickade redovisningen 2024-09-30"):
        assert text in summaries
    answer = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.summary.like("ändrade svaret på%")))
    assert answer.changes == [["Svar", "–", "Medlen användes."]] and answer.user_name == "Maria Strand"
    # the report's entries are its own, not the plan's, and the chain holds them
    assert all(e.plan_id is None for e in db.session.scalars(sa.select(HistoryEntry)
                                                              .where(HistoryEntry.report_id == report.id)))
    assert verify_chain().intact


def test_the_history_page(client, login, make_user, divisions, monkeypatch):
    monkeypatch.setattr(services, "HISTORY_PAGE_SIZE", 10)
    report = create_report()
    login(make_user(Role.READER))
    first = client.get(f"/redovisningar/{report.key}/historik").get_data(as_text=True)
    assert "Visa äldre ändringar" in first and "bad Regionkontoret om ett bidrag till" in first
    last = len(_summaries(report)) // 10 + 1
    oldest = client.get(f"/redovisningar/{report.key}/historik?sida={last}").get_data(as_text=True)
    assert f"skapade redovisningen ”{report.title}”" in oldest
