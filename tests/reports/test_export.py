"""The Word document read back with python-docx, and the bundle's manifest against the files it holds."""

import hashlib
import io
import json
import zipfile
from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from tests.reports.helpers import approve, create_report
from tracker.extensions import db
from tracker.reports import creation, lifecycle
from tracker.reports.bundle import bundle_content, make_bundle
from tracker.reports.docx import report_docx
from tracker.vocabulary import Role
from tracker.versions.models import Export


def _read(data: bytes):
    return docx.Document(io.BytesIO(data))


def _body(document) -> list[tuple[str, object]]:
    """The body's blocks in order: ("heading", (style, text)), ("paragraph", text) or ("table", rows)."""
    blocks = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = docx.text.paragraph.Paragraph(child, document)
            if paragraph.style.name.startswith(("Heading", "Title")):
                blocks.append(("heading", (paragraph.style.name, paragraph.text)))
            elif paragraph.text:
                blocks.append(("paragraph", paragraph.text))
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            blocks.append(("table", [[cell.text for cell in row.cells] for row in table.rows]))
    return blocks


@pytest.fixture
def report(divisions):
    return create_report()


def test_headings_in_the_forms_order_with_nesting(report):
    document = _read(report_docx(report))
    headings = [b[1] for b in _body(document) if b[0] == "heading"]
    assert headings == [
        ("Title", report.title), ("Heading 1", "Kontaktuppgifter"), ("Heading 1", "Generellt"),
        ("Heading 1", "3 Redovisning per område"), ("Heading 2", "3.1 Nationell vårdförmedling för kortare köer"),
        ("Heading 2", "3.6 Regionala handlingsplaner för ökad tillgänglighet"),
    ]
    assert document.paragraphs[1].text == "Region Halland"


def test_tables_as_in_the_form(report):
    blocks = _body(_read(report_docx(report)))
    tables = [b[1] for b in blocks if b[0] == "table"]
    contacts, yes_no, pair, insatser, plan_updated, text = tables
    assert contacts[0] == ["Kontaktperson", "Telefonnummer", "Mejladress", "Ev. kommentar"]
    assert contacts[1] == ["Carina Werner", "035-13 48 00", "carina.werner@regionhalland.se", ""]
    # three ja/nej in one table; the comment on its own row
    assert [row[1] for row in yes_no[:3]] == ["Ja", "Ja", "Nej"]
    assert yes_no[3][0] == "Ev. kommentar: Ev. kommentar saknas."
    # a pair is two columns: the prompts above, the answers below (paragraphs kept)
    assert pair[0][0].startswith("Hur har 2024 års medel använts?")
    assert pair[0][1] == "Resultatet av genomförda insatser."
    assert pair[1] == ["Medlen har använts till vårdförmedlingen.\nOch till gemensamma väntelistor.",
                       "Kortare köer inom ögonsjukvård."]
    assert insatser == [["Insats", "Svar från regionen"], ["Gemensamma väntelistor", "Införda inom lungsjukvård."],
                        ["Ramavtal med externa vårdgivare", ""]]
    assert plan_updated[0][1] == "Nej"
    assert text == [["Övriga kommentarer"], [""]]  # an empty answer is left blank
    # order: each table after its section's heading
    order = [b[1][1] if b[0] == "heading" else b[0] for b in blocks if b[0] in ("heading", "table")]
    assert order.index("3.1 Nationell vårdförmedling för kortare köer") < order.index("3.6 Regionala handlingsplaner "
                                                                                        "för ökad tillgänglighet")


def test_the_footer_numbers_the_pages(report):
    footer = _read(report_docx(report)).sections[0].footer
    xml = footer.paragraphs[0]._p.xml
    assert "Sida" in footer.paragraphs[0].text
    assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and 'w:fldCharType="end"' in xml


def test_a_cover_letter_comes_first(divisions):
    data = creation.read_shipped_form("gonv-2020")
    report = creation.create_report(data, answers=True, ask_divisions=False)
    db.session.commit()
    blocks = _body(_read(report_docx(report)))
    texts = [b[1] if b[0] == "paragraph" else b[1][1] if b[0] == "heading" else "" for b in blocks]
    assert texts.index("Datum: 2021-03-10") < blocks.index(("heading", ("Title", report.title)))
    assert "Region Hallands redovisning för God och nära vård 2020" in texts
    assert "Diarienummer: RS200203" in texts and "Jörgen Preuss, Regiondirektör" in texts


def test_the_bundle_holds_the_report_the_plans_workbook_and_a_manifest(divisions, make_plan, make_user):
    strategist = make_user(Role.STRATEGIST, name="Maria Strand")
    plan = make_plan()
    report = approve(create_report(plan=plan))
    bundle = make_bundle(report, strategist)
    db.session.commit()
    content = bundle_content(bundle)
    assert hashlib.sha256(content).hexdigest() == bundle.sha256 and len(content) == bundle.size
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = archive.namelist()
        files = {name: archive.read(name) for name in names}
    assert manifest == bundle.manifest
    assert manifest["made_by"] == "Maria Strand" and manifest["report"] == report.key
    assert [f["name"] for f in manifest["files"]] == [n for n in names if n != "manifest.json"]
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
        assert len(files[entry["name"]]) == entry["size"]
    # the workbook is the plan's own export, kept among its exports
    export = db.session.get(Export, bundle.export_id)
    assert export.plan_id == plan.id and export.sha256 == manifest["files"][1]["sha256"]
    assert _body(_read(files[f"{report.key}.docx"]))[0] == ("heading", ("Title", report.title))


def test_sending_records_which_bundle(divisions, make_user):
    director = make_user(Role.DIRECTOR)
    report = create_report()
    approve(report, date(2024, 9, 27), director)
    bundle = make_bundle(report, director)
    sending = lifecycle.mark_sent(report, director, bundle=bundle, sent_on="2024-09-30")
    db.session.commit()
    assert sending.bundle_id == bundle.id and sending.sha256 == bundle.sha256


def test_the_word_file_is_ready_to_send_a4_swedish_one_font_properties_of_the_report(report):
    data = report_docx(report)
    document = _read(data)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    properties = document.core_properties
    assert properties.title == report.title and properties.author == "Region Halland"
    assert properties.last_modified_by == "Region Halland" and properties.language == "sv-SE"
    assert properties.comments == "" and "python-docx" not in (properties.subject + properties.keywords)
    assert properties.created.date() >= date(2026, 1, 1) and properties.created == properties.modified
    xml = zipfile.ZipFile(io.BytesIO(data))
    styles = xml.read("word/styles.xml").decode()
    assert 'w:val="sv-SE"' in styles and "Theme" not in styles.split("<w:latentStyles")[0].split("</w:docDefaults>")[0]
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == "Arial" and fonts.get(qn("w:asciiTheme")) is None, name
        if name != "Normal":
            assert str(document.styles[name].font.color.rgb) == "000000", name
    assert "python-docx" not in xml.read("docProps/core.xml").decode()
    for table in document.tables:  # no row of a question and its answer split across two pages
        assert all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
                   for row in table.rows)


def test_kontaktuppgifter_stands_once(report):
    text = [b[1] for b in _body(_read(report_docx(report))) if b[0] in ("heading", "paragraph")]
    assert sum("Kontaktuppgifter" in (t[1] if isinstance(t, tuple) else t) for t in text) == 1
