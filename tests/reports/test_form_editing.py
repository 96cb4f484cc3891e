"""Editing the form keeps nothing stale and loses nothing written: a kind change drops the contribution requests
the new kind does not take (and asks again by default when it takes them), a section whose questions hold answers
or contributions is not deleted."""

import pytest
import sqlalchemy as sa

from tests.reports.helpers import create_report, question
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.reports import answers, form_editing, queries
from tracker.reports.models import ReportContribution, ReportQuestion, ReportSection
from tracker.vocabulary import QuestionKind, Role


def test_changing_a_question_to_the_contacts_table_drops_its_contribution_requests(divisions):
    report = create_report(answers=False)
    section = form_editing.add_section(report, number="9", title="Nytt", intro=None)
    added = form_editing.add_question(section, kind="text", prompt="Beskriv", asks_divisions="1")
    assert len(added.contributions) == 5
    form_editing.update_question(added, kind="contacts", prompt="Kontakter")
    db.session.commit()
    assert added.contributions == []
    assert db.session.scalar(sa.select(sa.func.count(ReportContribution.id))
                             .where(ReportContribution.question_id == added.id)) == 0
    form_editing.update_question(added, kind="pair", prompt="Beskriv", prompt_second="Resultat", asks_divisions="1")
    db.session.commit()
    assert len(added.contributions) == 5  # asked again


def test_a_section_with_answers_or_contributions_is_not_deleted(divisions):
    report = create_report()
    tree = queries.load_tree(report)
    with pytest.raises(ValidationError, match="svar eller bidrag") as error:
        form_editing.delete_section(tree[2].section)  # its subsections hold answers
    assert "section" in error.value.errors
    db.session.rollback()
    empty = create_report(answers=False, key="tom-2024")
    pair = question(empty, "Hur har 2024")
    contribution = next(c for c in pair.contributions if c.division.short_name == "PH")
    answers.save_contribution(contribution, None, text="Ett bidrag.", done=False, expected_version=None)
    db.session.commit()
    with pytest.raises(ValidationError, match="svar eller bidrag"):
        form_editing.delete_section(pair.section)
    db.session.rollback()
    form_editing.delete_section(queries.load_tree(empty)[1].section)  # Generellt: nothing answered in the copy
    db.session.commit()
    assert "Generellt" not in [v.section.title for v in queries.load_tree(empty)]


def test_the_editor_says_why_a_section_is_not_deleted(client, login, make_user, divisions):
    report = create_report()
    section = queries.load_tree(report)[1].section
    client = login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/avsnitt/{section.id}/ta-bort")
    assert response.status_code == 400 and "svar eller bidrag" in response.get_data(as_text=True)
    assert db.session.get(ReportSection, section.id) is not None


def test_editing_the_form(divisions):
    report = create_report(answers=False)
    section = form_editing.add_section(report, number="3.7", title="Barn- och ungdomspsykiatri", intro=None)
    added = form_editing.add_question(section, kind="pair", prompt="Hur har medlen använts?",
                                      prompt_second="Resultatet av genomförda insatser.")
    db.session.commit()
    assert [v.section.heading for v in queries.load_tree(report)][-1] == "3.7 Barn- och ungdomspsykiatri"
    form_editing.update_question(added, kind="text", prompt="Hur har medlen använts?")
    assert added.kind is QuestionKind.TEXT
    answers.save_answer(added, None, {"answer": "Till BUP."}, expected_version=None)
    with pytest.raises(ValidationError, match="obesvarad"):
        form_editing.update_question(added, kind="pair", prompt="Hur har medlen använts?")
    with pytest.raises(ValidationError, match="Okänd frågetyp"):
        form_editing.update_question(added, kind="matris", prompt="x")
    db.session.rollback()
    assert form_editing.move_section(section, -1)
    db.session.commit()
    headings = [v.section.heading for v in queries.load_tree(report)]
    assert headings.index("3.7 Barn- och ungdomspsykiatri") == 2
    form_editing.delete_section(section)
    db.session.commit()
    assert "3.7 Barn- och ungdomspsykiatri" not in [v.section.heading for v in queries.load_tree(report)]
    assert db.session.scalar(sa.select(sa.func.count(ReportQuestion.id)).where(ReportQuestion.id == added.id)) == 0
