"""Word documents in the region's house style, with python-docx: A4 with the region's margins, Swedish as the
document's language (Word checks the spelling as Swedish), one font for headings and text (the template's theme
fonts removed), black headings, table rows never split across pages, "Sida N" in the footer, and the file's
properties (title, author, dates) from what the document is, not from python-docx's template. The redovisning, the
beslutsunderlag and the strategy's follow-up are made with it."""

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tracker.parsing import without_control_characters
from tracker.types import utcnow

FONT = "Arial"
LANGUAGE = "sv-SE"
HEADING_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4")
REGION = "Region Halland"


def new_document(*, title: str, subject: str, author: str = REGION):
    """An empty document in the house style, its properties saying what it is, made now."""
    document = Document()
    house_style(document)
    a4(document)
    properties(document, title=title, subject=subject, author=author)
    page_numbers(document)
    return document


def properties(document, *, title: str, subject: str, author: str = REGION) -> None:
    """The file's properties (Word's Arkiv → Information), made now."""
    made = utcnow()  # python-docx writes the properties' times as UTC
    core = document.core_properties
    core.title = title
    core.author = core.last_modified_by = author
    core.subject = subject
    core.comments = core.keywords = core.category = ""
    core.language = LANGUAGE
    core.created = core.modified = made.replace(tzinfo=None, microsecond=0)
    core.revision = 1


def house_style(document) -> None:
    """The region's font for every text, headings in black, and Swedish as the language of every run."""
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10)
    for style in (normal, *(styles[name] for name in HEADING_STYLES)):
        font(style.element.get_or_add_rPr())
        if style is not normal:
            style.font.color.rgb = RGBColor(0, 0, 0)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    font(run_defaults)
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(attribute), LANGUAGE)


def font(run_properties) -> None:
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


def a4(document) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)


def page_numbers(document) -> None:
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


def paragraphs(container, text: str | None) -> None:
    for part in (without_control_characters(text) or "").split("\n\n"):
        if part.strip():
            container.add_paragraph(part.strip())


def cell(target, text: str | None, *, bold: bool = False, help: str | None = None) -> None:
    """A table cell holding paragraphs of text (and a form's italic help under a prompt)."""
    text, help = without_control_characters(text), without_control_characters(help)  # stored before the check
    parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()] or [""]
    target.paragraphs[0].add_run(parts[0]).bold = bold
    for part in parts[1:]:
        target.add_paragraph().add_run(part).bold = bold
    if help:
        target.add_paragraph().add_run(help).italic = True


def table(document, rows: int, columns: int):
    """A grid whose rows are never split across pages (a question and its answer stay together)."""
    made = document.add_table(rows=rows, cols=columns)
    made.style = "Table Grid"
    for row in made.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return made
