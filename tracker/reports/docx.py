"""The report as a Word document, in the form's order, with python-docx: title, region, the contacts table,
sections as headings ("3.1 Nationell vårdförmedling …"), the question/answer tables as the form has them (pairs
as two columns, ja/nej as "Ja"/"Nej"), page numbers in the footer. An empty answer is left blank.

Ready to send as it is: the house style of tracker/word.py, the file's properties from the report."""

import io

from tracker import word
from tracker.reports.models import Report, ReportQuestion
from tracker.reports.queries import SectionView, load_tree
from tracker.vocabulary import QuestionKind

CONTACT_HEADERS = ("Kontaktperson", "Telefonnummer", "Mejladress", "Ev. kommentar")
YES_NO = {True: "Ja", False: "Nej", None: ""}


def report_docx(report: Report) -> bytes:
    document = word.new_document(title=report.title, author=report.region,
                                 subject=f"Redovisning till Socialstyrelsen, {report.agreement.name} {report.year}")
    if report.cover_letter:
        _cover_letter(document, report)
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.region, style="Subtitle")
    for view in load_tree(report):
        _section(document, view, level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cover_letter(document, report: Report) -> None:
    letter = report.cover_letter
    facts = [("Mottagare", letter.get("recipient")), ("Datum", letter.get("date")),
             ("Diarienummer", letter.get("registry_number"))]
    for label, value in facts:
        if value:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(str(value))
    word.paragraphs(document, letter.get("text"))
    for signatory in letter.get("signatories") or []:
        document.add_paragraph(signatory)
    document.add_page_break()


def _section(document, view: SectionView, level: int) -> None:
    section = view.section
    document.add_heading(section.heading, level=min(level, 4))
    word.paragraphs(document, section.intro)
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


def _question(document, question: ReportQuestion) -> None:
    kind = question.kind
    if kind is QuestionKind.TEXT and question.repeats_heading:
        word.paragraphs(document, question.answer)  # a chapter's text under its heading, the prompt not again
    elif kind is QuestionKind.TEXT:
        table = word.table(document, 2, 1)
        word.cell(table.cell(0, 0), question.prompt, bold=True, help=question.help)
        word.cell(table.cell(1, 0), question.answer)
    elif kind is QuestionKind.PAIR:
        table = word.table(document, 2, 2)
        word.cell(table.cell(0, 0), question.prompt, bold=True, help=question.help)
        word.cell(table.cell(0, 1), question.prompt_second, bold=True)
        word.cell(table.cell(1, 0), question.answer)
        word.cell(table.cell(1, 1), question.answer_second)
    elif kind is QuestionKind.CONTACTS:
        if question.prompt and not question.repeats_heading:
            document.add_paragraph().add_run(question.prompt).bold = True
        table = word.table(document, 1 + len(question.contacts), 4)
        for column, header in enumerate(CONTACT_HEADERS):
            word.cell(table.cell(0, column), header, bold=True)
        for row, contact in enumerate(question.contacts, start=1):
            for column, value in enumerate((contact.name, contact.phone, contact.email, contact.comment)):
                word.cell(table.cell(row, column), value)
    elif kind is QuestionKind.INSATSER:
        paragraph = document.add_paragraph()
        paragraph.add_run(question.prompt).bold = True
        if question.help:
            document.add_paragraph().add_run(question.help).italic = True
        second = bool(question.prompt_second)
        table = word.table(document, 1 + len(question.items), 3 if second else 2)
        word.cell(table.cell(0, 0), "Insats", bold=True)
        word.cell(table.cell(0, 1), "Svar från regionen", bold=True)
        if second:
            word.cell(table.cell(0, 2), question.prompt_second, bold=True)
        for row, item in enumerate(question.items, start=1):
            word.cell(table.cell(row, 0), item.name)
            word.cell(table.cell(row, 1), item.answer)
            if second:
                word.cell(table.cell(row, 2), item.answer_second)
    document.add_paragraph()


def _yes_no_table(document, questions: list[ReportQuestion]) -> None:
    """Consecutive ja/nej questions as one table: the question, then Ja or Nej; a comment on its own row."""
    rows = sum(1 + bool(q.answer) for q in questions)
    table = word.table(document, rows, 2)
    row = 0
    for question in questions:
        word.cell(table.cell(row, 0), question.prompt, bold=True, help=question.help)
        word.cell(table.cell(row, 1), YES_NO[question.answer_yes])
        row += 1
        if question.answer:
            merged = table.cell(row, 0).merge(table.cell(row, 1))
            word.cell(merged, f"Ev. kommentar: {question.answer}")
            row += 1
    document.add_paragraph()
