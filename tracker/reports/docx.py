"""The report as a Word document, in the form's order, with python-docx: title, region, the contacts table,
sections as headings ("3.1 Nationell vårdförmedling …"), the question/answer tables as the form has them (pairs
as two columns, ja/nej as "Ja"/"Nej"), page numbers in the footer. An empty answer is left blank.

Ready to send as it is: A4 with the region's margins, Swedish as the document's language (Word checks the
spelling as Swedish), one font for headings and text, black headings, table rows that are never split across
pages, and the file's properties (title, author, dates) from the report, not from python-docx's template."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor


from tracker.parsing import without_control_characters
from tracker.reports.models import Report, ReportQuestion
from tracker.reports.queries import SectionView, load_tree
from tracker.types import utcnow
from tracker.vocabulary import QuestionKind

CONTACT_HEADERS = ("Kontaktperson", "Telefonnummer", "Mejladress", "Ev. kommentar")
YES_NO = {True: "Ja", False: "Nej", None: ""}


FONT = "Arial"
LANGUAGE = "sv-SE"
HEADING_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4")


def report_docx(report: Report) -> bytes:
    document = Document()
    _house_style(document)
    _a4(document)
    _properties(document, report)
    _page_numbers(document)
    if report.cover_letter:
        _cover_letter(document, report)
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.region, style="Subtitle")
    for view in load_tree(report):
        _section(document, view, level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _house_style(document) -> None:
    """The region's font for every text, headings in black, and Swedish as the language of every run."""
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10)
    for style in (normal, *(styles[name] for name in HEADING_STYLES)):
        _font(style.element.get_or_add_rPr())
        if style is not normal:
            style.font.color.rgb = RGBColor(0, 0, 0)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _font(run_defaults)
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(attribute), LANGUAGE)


def _font(run_properties) -> None:
    """FONT for every script, in place of the template's theme fonts (Calibri/Cambria), which win over a name."""
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):
            del fonts.attrib[attribute]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def _a4(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)


def _properties(document, report: Report) -> None:
    """The file's properties (Word's Arkiv → Information) from the report, made now."""
    made = utcnow()  # python-docx writes the properties' times as UTC
    properties = document.core_properties
    properties.title = report.title
    properties.author = properties.last_modified_by = report.region
    properties.subject = f"Redovisning till Socialstyrelsen, {report.agreement.name} {report.year}"
    properties.comments = properties.keywords = properties.category = ""
    properties.language = LANGUAGE
    properties.created = properties.modified = made.replace(tzinfo=None, microsecond=0)
    properties.revision = 1


def _page_numbers(document) -> None:
    """ "Sida N" in every footer, N a PAGE field that Word and LibreOffice fill in."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Sida ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _cover_letter(document, report: Report) -> None:
    letter = report.cover_letter
    facts = [("Mottagare", letter.get("recipient")), ("Datum", letter.get("date")),
             ("Diarienummer", letter.get("registry_number"))]
    for label, value in facts:
        if value:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(str(value))
    _paragraphs(document, letter.get("text"))
    for signatory in letter.get("signatories") or []:
        document.add_paragraph(signatory)
    document.add_page_break()


def _paragraphs(container, text: str | None) -> None:
    for part in (without_control_characters(text) or "").split("\n\n"):
        if part.strip():
            container.add_paragraph(part.strip())


def _cell(cell, text: str | None, *, bold: bool = False, help: str | None = None) -> None:
    """A table cell holding paragraphs of text (and the form's italic help under a prompt)."""
    text, help = without_control_characters(text), without_control_characters(help)  # stored before the check
    parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()] or [""]
    cell.paragraphs[0].add_run(parts[0]).bold = bold
    for part in parts[1:]:
        cell.add_paragraph().add_run(part).bold = bold
    if help:
        cell.add_paragraph().add_run(help).italic = True


def _section(document, view: SectionView, level: int) -> None:
    section = view.section
    document.add_heading(section.heading, level=min(level, 4))
    _paragraphs(document, section.intro)
    questions = view.questions
    index = 0
    while index < len(questions):
        question = questions[index]
        if question.kind is QuestionKind.YES_NO:
            run = [question]
            while index + len(run) < len(questions) and questions[index + len(run)].kind is QuestionKind.YES_NO:
                run.append(questions[index + len(run)])
            _yes_no_table(document, run)
            index += len(run)
            continue
        _question(document, question)
        index += 1
    for child in view.children:
        _section(document, child, level + 1)


def _table(document, rows: int, columns: int):
    table = document.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    for row in table.rows:  # a question and its answer stay together on one page
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return table


def _question(document, question: ReportQuestion) -> None:
    kind = question.kind
    if kind is QuestionKind.TEXT and question.repeats_heading:
        _paragraphs(document, question.answer)  # a chapter's text under its heading, the prompt not again
    elif kind is QuestionKind.TEXT:
        table = _table(document, 2, 1)
        _cell(table.cell(0, 0), question.prompt, bold=True, help=question.help)
        _cell(table.cell(1, 0), question.answer)
    elif kind is QuestionKind.PAIR:
        table = _table(document, 2, 2)
        _cell(table.cell(0, 0), question.prompt, bold=True, help=question.help)
        _cell(table.cell(0, 1), question.prompt_second, bold=True)
        _cell(table.cell(1, 0), question.answer)
        _cell(table.cell(1, 1), question.answer_second)
    elif kind is QuestionKind.CONTACTS:
        if question.prompt and not question.repeats_heading:
            document.add_paragraph().add_run(question.prompt).bold = True
        table = _table(document, 1 + len(question.contacts), 4)
        for column, header in enumerate(CONTACT_HEADERS):
            _cell(table.cell(0, column), header, bold=True)
        for row, contact in enumerate(question.contacts, start=1):
            for column, value in enumerate((contact.name, contact.phone, contact.email, contact.comment)):
                _cell(table.cell(row, column), value)
    elif kind is QuestionKind.INSATSER:
        paragraph = document.add_paragraph()
        paragraph.add_run(question.prompt).bold = True
        if question.help:
            document.add_paragraph().add_run(question.help).italic = True
        second = bool(question.prompt_second)
        table = _table(document, 1 + len(question.items), 3 if second else 2)
        _cell(table.cell(0, 0), "Insats", bold=True)
        _cell(table.cell(0, 1), "Svar från regionen", bold=True)
        if second:
            _cell(table.cell(0, 2), question.prompt_second, bold=True)
        for row, item in enumerate(question.items, start=1):
            _cell(table.cell(row, 0), item.name)
            _cell(table.cell(row, 1), item.answer)
            if second:
                _cell(table.cell(row, 2), item.answer_second)
    document.add_paragraph()


def _yes_no_table(document, questions: list[ReportQuestion]) -> None:
    """Consecutive ja/nej questions as one table: the question, then Ja or Nej; a comment on its own row."""
    rows = sum(1 + bool(q.answer) for q in questions)
    table = _table(document, rows, 2)
    row = 0
    for question in questions:
        _cell(table.cell(row, 0), question.prompt, bold=True, help=question.help)
        _cell(table.cell(row, 1), YES_NO[question.answer_yes])
        row += 1
        if question.answer:
            merged = table.cell(row, 0).merge(table.cell(row, 1))
            _cell(merged, f"Ev. kommentar: {question.answer}")
            row += 1
    document.add_paragraph()
