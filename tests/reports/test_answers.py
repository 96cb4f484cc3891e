"""The region's answers and the förvaltningar's contributions: saved under the optimistic lock, too long refused
whole, the contacts table and insatser, contributions klara and inserted, and who is asked."""


import pytest

from tests.reports.helpers import all_questions, create_report, question
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.locking import Conflict
from tracker.reports import answers, models, queries
from tracker.reports.models import ReportQuestion
from tracker.vocabulary import Role


def test_an_answer_is_saved_with_optimistic_locking(divisions, make_user):
    strategist = make_user(Role.STRATEGIST)
    report = create_report()
    pair = question(report, "Hur har 2024")
    version = pair.version_id
    answers.save_answer(pair, strategist, {"answer": "Ny text", "answer_second": "Resultat"},
                        expected_version=version)
    db.session.commit()
    assert pair.version_id == version + 1 and pair.updated_by == strategist
    with pytest.raises(Conflict):
        answers.save_answer(pair, strategist, {"answer": "Gammal sida", "answer_second": ""}, expected_version=version)
    db.session.rollback()
    assert db.session.get(ReportQuestion, pair.id).answer == "Ny text"


def test_an_over_long_answer_saves_nothing(divisions):
    report = create_report()
    pair = question(report, "Hur har 2024")
    with pytest.raises(ValidationError) as error:
        answers.save_answer(pair, None, {"answer": "ok", "answer_second": "x" * (models.TEXT_MAX + 1)},
                            expected_version=pair.version_id)
    assert "högst 20000 tecken" in error.value.errors["answer_second"]
    db.session.rollback()
    assert db.session.get(ReportQuestion, pair.id).answer.startswith("Medlen")


def test_contacts_and_insatser_answers(divisions):
    report = create_report(answers=False)
    contacts = question(report, "Kontaktuppgifter")
    answers.save_answer(contacts, None, {"contact_rows": "2", "contact-0-name": "Carina Werner",
                                         "contact-0-email": "carina.werner@regionhalland.se"}, expected_version=None)
    db.session.commit()
    assert [(c.name, c.email, c.phone) for c in contacts.contacts] == [
        ("Carina Werner", "carina.werner@regionhalland.se", None)]
    with pytest.raises(ValidationError) as error:
        answers.save_answer(contacts, None, {"contact_rows": "2", "contact-0-name": "Carina Werner",
                                             "contact-1-phone": "035-13 48 00"}, expected_version=None)
    assert "contact-1-name" in error.value.errors
    db.session.rollback()
    assert len(contacts.contacts) == 1
    insatser = question(report, "Beskriv hur regionen")
    first = insatser.items[0]
    answers.save_answer(insatser, None, {f"item-{first.id}": "Införda."}, expected_version=insatser.version_id)
    db.session.commit()
    assert first.answer == "Införda." and insatser.items[1].answer is None


def test_contributions_marked_klar_and_inserted(divisions, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    report = create_report(answers=False)
    pair = question(report, "Hur har 2024")
    mine = queries.my_questions(contact)
    assert len(mine) == len([q for q in all_questions(report) if q.asks_divisions]) == 2
    assert queries.awaiting_count(contact) == len(mine)
    contribution = next(c for c in pair.contributions if c.division.short_name == "PH")
    with pytest.raises(ValidationError):
        answers.save_contribution(contribution, contact, text="", done=True, expected_version=1)
    db.session.rollback()
    answers.save_contribution(contribution, contact, text="BUP har fått tillgänglighetskoordinatorer.", done=True,
                              expected_version=contribution.version_id)
    db.session.commit()
    assert queries.awaiting_count(contact) == len(mine) - 1
    progress = {p.division.short_name: (p.done, p.left) for p in queries.contribution_matrix(report).totals}
    assert progress["PH"] == (1, len(mine) - 1) and progress["HS"] == (0, len(mine))
    answers.insert_text(pair, None, "answer_second", contribution.text, expected_version=pair.version_id)
    db.session.commit()
    assert pair.answer_second == "BUP har fått tillgänglighetskoordinatorer."
    answers.insert_text(pair, None, "answer_second", "Och mer.", expected_version=pair.version_id)
    assert pair.answer_second == "BUP har fått tillgänglighetskoordinatorer.\n\nOch mer."


def test_assigning_divisions(divisions):
    report = create_report(answers=False)
    pair = question(report, "Hur har 2024")
    answers.assign_divisions(pair, [divisions["PH"].id, divisions["HS"].id])
    db.session.commit()
    assert sorted(c.division.short_name for c in pair.contributions) == ["HS", "PH"]
