"""The Word document as its reader sees it: LibreOffice opens the demo's 2024 report and prints it; the printed
pages carry the headings in the form's order, the answers, and the page numbers the PAGE field fills in."""

import pytest

from tests import office
from tests.reports.helpers import all_questions
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.reports import queries
from tracker.reports.docx import report_docx

pytestmark = pytest.mark.office


def test_libreoffice_prints_the_2024_report_with_numbered_pages(tmp_path):
    if lacking := office.missing():
        pytest.skip(f"LibreOffice cannot read the document here: {', '.join(lacking)} missing")
    load_demo()
    db.session.commit()
    report = queries.get_report("tillganglighet-2024")
    document = tmp_path / "tillganglighet-2024.docx"
    document.write_bytes(report_docx(report))
    pages = office.pdf_pages(office.convert([document], tmp_path / "pdf")[0])
    assert len(pages) > 3
    for page in pages:  # "Sida N" at the foot of every page, N its number
        bottom = sorted(page.words, key=lambda w: w.y0)[-2:]
        assert [w.text for w in bottom] == ["Sida", str(page.number)]
    text = office.unbroken(" ".join(page.text for page in pages))
    headings = ["Kontaktuppgifter", "Generellt", *(f"3.{n}" for n in range(1, 8))]
    places = [text.index(office.unbroken(h)) for h in headings]
    assert places == sorted(places)
    for question in all_questions(report)[:8]:
        if question.answer:
            assert office.unbroken(question.answer.split("\n\n")[0])[:60] in text
