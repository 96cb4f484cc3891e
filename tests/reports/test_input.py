"""Bad input to the report is refused at its field: control characters (Word's soft line break reads as a line
break; the export copes with what was stored before the check), a forged row count of the contacts table."""

import io

import pytest
import sqlalchemy as sa
from docx import Document

from tests.reports.helpers import create_report, question
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.reports import answers, creation, form_editing
from tracker.reports.docx import report_docx
from tracker.reports.models import ReportSection
from tracker.vocabulary import Role


def test_a_soft_line_break_is_saved_as_a_line_break_and_the_report_still_exports(divisions):
    report = create_report()
    pair = question(report, "Hur har 2024")
    answers.save_answer(pair, None, {"answer": "Rad ett\x0brad två\x0csida", "answer_second": "x\ty"},
                        expected_version=pair.version_id)
    db.session.commit()
    assert pair.answer == "Rad ett\nrad två\nsida" and pair.answer_second == "x\ty"
    assert report_docx(report)[:2] == b"PK"


def test_nul_and_other_control_characters_are_refused_at_the_field(divisions):
    report = create_report()
    pair = question(report, "Hur har 2024")
    with pytest.raises(ValidationError) as error:
        answers.save_answer(pair, None, {"answer": "ok", "answer_second": "a\x00b"}, expected_version=None)
    assert "styrtecken (U+0000)" in error.value.errors["answer_second"] and "answer" not in error.value.errors
    db.session.rollback()
    contribution = question(report, "Hur har 2024").contributions[0]
    with pytest.raises(ValidationError) as error:
        answers.save_contribution(contribution, None, text="a\x1bb", done=False, expected_version=None)
    assert "styrtecken" in error.value.errors["text"]
    db.session.rollback()
    section = db.session.scalars(sa.select(ReportSection).where(ReportSection.report_id == report.id)).first()
    with pytest.raises(ValidationError) as error:
        form_editing.update_section(section, number=None, title="Rubrik\x07", intro=None)
    assert "styrtecken" in error.value.errors["title"]


def test_the_word_export_strips_control_characters_stored_before_the_check(divisions):
    report = create_report()
    pair = question(report, "Hur har 2024")
    pair.answer, pair.answer_second = "Före\x0befter", "escape\x1btecken"  # NUL: PostgreSQL never stores it
    db.session.commit()
    text = "\n".join(cell.text for table in Document(io.BytesIO(report_docx(report))).tables
                     for row in table.rows for cell in row.cells)
    assert "Före\nefter" in text and "escapetecken" in text


@pytest.mark.parametrize("rows", ["abc", "999999999", "-3"])
def test_a_forged_row_count_is_refused_with_a_message(divisions, rows):
    contacts = question(create_report(answers=False), "Kontaktuppgifter")
    with pytest.raises(ValidationError) as error:
        answers.save_answer(contacts, None, {"contact_rows": rows, "contact-0-name": "Carina Werner"},
                            expected_version=None)
    assert "rader" in error.value.errors["contact_rows"]


def test_a_forged_row_count_gets_its_message_and_no_endless_table(client, login, make_user, divisions, htmx_headers):
    contacts = question(create_report(answers=False), "Kontaktuppgifter")
    client = login(make_user(Role.STRATEGIST))
    response = client.post(f"/redovisningar/fragor/{contacts.id}/svar", headers=htmx_headers,
                           data={"version": contacts.version_id, "contact_rows": "999999999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "högst 50 rader" in page
    assert 'name="contact_rows" value="50"' in page and "contact-50-name" not in page


def test_the_plan_and_the_report_check_titles_and_dates_with_the_same_helpers(divisions):
    """One rule for a title and a date (tracker/parsing.py): the plan's åtgärd refuses a control character as the
    report does, and both read a date alike."""
    from tracker.plans.structure import action_errors

    _, errors = action_errors(title="Åtgärd\x00", due_date="30/9")
    assert "styrtecken" in errors["title"]
    assert errors["due_date"] == "Klart senast måste vara ett datum som ÅÅÅÅ-MM-DD, t.ex. 2025-09-30."
    report = create_report()
    with pytest.raises(ValidationError) as error:
        creation.update_facts(report, title="Titel\x00", deadline="30/9", recipient=None, plan_key=None,
                              plan_version=None, expected_version=None)
    assert "styrtecken" in error.value.errors["title"]
    assert error.value.errors["deadline"] == "Sista dag måste vara ett datum som ÅÅÅÅ-MM-DD, t.ex. 2025-09-30."
