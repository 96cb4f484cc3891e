"""Every change to a report is in its own history (HistoryEntry.report_id), and the chain stays intact."""

from datetime import datetime, timezone

import sqlalchemy as sa

from tests.reports.helpers import create_report, question
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting, entry_hash
from tracker.history.recorder import kinds as kinds_of
from tracker.history.services import verify_chain
from tracker.reports import answers, lifecycle, queries
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
        answers.save_contribution(contribution, contact, text="BUP-koordinatorer.", done=True,
                                  expected_version=contribution.version_id)
        db.session.commit()
    with acting(strategist, "web"):
        answers.save_answer(pair, strategist, {"answer": "Medlen användes.", "answer_second": ""},
                            expected_version=pair.version_id)
        lifecycle.submit_for_review(report)
        db.session.commit()
    with acting(director, "web"):
        lifecycle.approve(report, director, at=datetime(2024, 9, 27, 9, tzinfo=timezone.utc))
        lifecycle.mark_sent(report, director, bundle=None, sent_on="2024-09-30")
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
    monkeypatch.setattr(queries, "HISTORY_PAGE_SIZE", 10)
    report = create_report()
    login(make_user(Role.READER))
    first = client.get(f"/redovisningar/{report.key}/historik").get_data(as_text=True)
    assert "Visa äldre ändringar" in first and "bad Regionkontoret om ett bidrag till" in first
    last = len(_summaries(report)) // 10 + 1
    oldest = client.get(f"/redovisningar/{report.key}/historik?sida={last}").get_data(as_text=True)
    assert f"skapade redovisningen ”{report.title}”" in oldest


def _fixed_entry(**fields) -> HistoryEntry:
    values = dict(created_at=datetime(2024, 9, 30, 7, 15, tzinfo=timezone.utc), plan_id=7, kind="status",
                  verb="updated", object_id=42, action_id=11, division_id=3, user_id=5, user_name="Maria Strand",
                  user_division="Psykiatri Halland", source="web", summary="ändrade status",
                  changes=[["Status", "Ej påbörjad", "Pågår"]], snapshot=None, restores_id=None, report_id=None)
    return HistoryEntry(**{**values, **fields})


def test_the_hash_of_an_entry_without_a_report_is_what_it_was_before_reports():
    """Pinned: the entries written before the report_id column keep their hashes, so the chain still verifies."""
    assert entry_hash(_fixed_entry(), "0" * 64) == "88573f9c35aeefdb579edc8e7866b51e9c444b232ac1274ef14862b029c70462"


def test_the_hash_of_a_report_entry_covers_its_report():
    entry = _fixed_entry(plan_id=None, kind="report_question", action_id=None, division_id=None, user_division=None,
                         summary="ändrade svaret", changes=[["Svar", "–", "Ja"]], report_id=9)
    assert entry_hash(entry, "0" * 64) == "857c7c28947e605479b91a809acc87c116068d0c7d105ccb27cbbc1bcaabdd02"
    entry.report_id = 10
    assert entry_hash(entry, "0" * 64) != "857c7c28947e605479b91a809acc87c116068d0c7d105ccb27cbbc1bcaabdd02"


def test_insatser_and_contact_rows_have_their_own_kinds(divisions):
    report = create_report(answers=False)
    contacts, insatser = question(report, "Kontaktuppgifter"), question(report, "Beskriv hur regionen")
    answers.save_answer(contacts, None, {"contact_rows": "1", "contact-0-name": "Carina Werner"},
                        expected_version=None)
    answers.save_answer(insatser, None, {f"item-{insatser.items[0].id}": "Införda."}, expected_version=None)
    db.session.commit()
    kinds = {e.summary: e.kind for e in db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.report_id == report.id, HistoryEntry.verb != "created"))}
    assert kinds["ändrade svaret för insatsen ”Gemensamma väntelistor”"] == "report_item"
    created = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.summary.like("lade till kontaktpersonen%")))
    assert created.kind == "report_contact"
    assert {"report_item", "report_contact"} <= set(kinds_of("report"))
