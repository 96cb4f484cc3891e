"""The form's texts as shown: a report in chapters shows each heading once; texts naming an earlier year are
listed, a later year is not."""

import io

import pytest

from tests.reports.helpers import all_questions, create_report, question
from tracker.extensions import db
from tracker.reports import creation, form_years, queries
from tracker.vocabulary import Role


@pytest.fixture
def report(divisions):
    return create_report()


def test_a_report_in_chapters_shows_each_heading_once_and_no_excel_attachment(client, login, make_user, divisions):
    """R12: gonv-2020 (chapters of free text, no plan): a prompt equal to its section's title is not repeated, on
    the page nor in the Word file; the bundle's hint names no Excel attachment."""
    from docx import Document

    from tracker.reports.docx import report_docx

    report = creation.create_report(creation.read_shipped_form("gonv-2020"), answers=True, ask_divisions=False)
    db.session.commit()
    title = "Ökad tillgänglighet i barnhälsovården"
    chapter = next(q for q in all_questions(report) if q.prompt == title)
    assert chapter.repeats_heading
    assert not question(create_report(key="t-2024"), "Hur har 2024").repeats_heading
    login(make_user(Role.STRATEGIST))
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert page.count(title) == 1
    assert "Ingen plan är bifogad redovisningen, så paketet har ingen Excelbilaga." in page
    assert "planens Excelbilaga" not in page
    texts = [p.text for p in Document(io.BytesIO(report_docx(report))).paragraphs]
    cells = [c.text for t in Document(io.BytesIO(report_docx(report))).tables for r in t.rows for c in r.cells]
    assert texts.count(title) == 1 and title not in cells


def test_a_report_for_another_year_lists_the_texts_naming_another_year(client, login, make_user, report):
    """R7: a 2025 report made from the 2024 form names the texts still saying 2024, on its page and in the editor."""
    login(make_user(Role.STRATEGIST))
    assert form_years.other_year_texts(report) == []  # the form's own year
    page = client.get(f"/redovisningar/{report.key}").get_data(as_text=True)
    assert 'id="other-years"' not in page
    response = client.post("/redovisningar", data={"source": "report:tillganglighet-2024", "key": "tillganglighet-2025",
                                                   "title": "Redovisning 2025", "year": "2025"})
    assert response.status_code == 302
    new = queries.get_report("tillganglighet-2025")
    found = form_years.other_year_texts(new)
    asked = "Hur har 2024 års medel använts? Hur kommer 2024 års medel att användas framöver?"
    assert any(o.text == asked and o.years == ["2024"] for o in found)
    for path in (f"/redovisningar/{new.key}", f"/redovisningar/{new.key}/formular"):
        page = client.get(path).get_data(as_text=True)
        assert 'id="other-years"' in page and "ett tidigare år än 2025" in page
        assert f"”{asked}” (2024)" in page
        anchor = f'#edit-question-{question(new, "Hur har 2024").id}"'
        if path.endswith("/formular"):  # on the editor itself: a link within the page, no "go to" the page
            assert f'href="{anchor}' in page and "Ändra dem under" not in page
        else:
            assert f'href="/redovisningar/{new.key}/formular{anchor}' in page


def test_a_later_year_is_no_leftover_of_last_years_form(divisions):
    """R7: "Vision e-hälsa 2025" in the 2020 report names a programme, not last year's wording."""
    report = creation.create_report(creation.read_shipped_form("gonv-2020"), answers=True, ask_divisions=False)
    db.session.commit()
    assert form_years.other_year_texts(report) == []
