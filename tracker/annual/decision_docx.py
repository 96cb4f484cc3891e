"""A decision's beslutsunderlag as a Word document, in the shape of the utskott's paragraphs (docs/sources 000,
001, 004): the organ, the paragraph and the ärende's heading, its diarienummer and date, then *Ärendet*,
*Förslag till beslut* ("… beslutar att" and its clauses), *Beslutsunderlag* (the report, the fastställd plan
version and the bundle the decision names, then the other documents) and *Expedieras till*; "Paragrafen är
justerad" when it is. The house style of the redovisning (tracker/reports/docx.py): A4, Swedish, Arial, black
headings, "Sida N" in the footer, the file's properties from the decision."""

import io
import re

from tracker import word
from tracker.agreements.models import Decision
from tracker.annual.decisions import named_documents, year_documents
from tracker.display import long_date
from tracker.parsing import without_control_characters
from tracker.reports.models import Report
from tracker.extensions import db

BULLET = re.compile(r"^[-–•*]\s+")


def decision_docx(decision: Decision) -> bytes:
    document = word.new_document(title=decision.title, subject=f"Beslutsunderlag, {decision.agreement_year.label}")
    document.add_paragraph().add_run(decision.organ).bold = True
    if decision.paragraph:
        document.add_heading(decision.paragraph, level=1)
    document.add_heading(decision.title, level=2 if decision.paragraph else 1)
    facts = [text for text in (decision.registry_number, long_date(decision.decided_on)) if text]
    if facts:
        document.add_paragraph(" · ".join(facts))
    document.add_heading("Ärendet", level=3)
    _text(document, decision.matter or _matter_from_report(decision))
    document.add_heading("Förslag till beslut", level=3)
    clauses = decision.proposal_list
    if clauses:
        lead = f"{decision.organ} beslutar"
        if not all(clause.lower().startswith("att ") for clause in clauses):
            lead += " att"
        document.add_paragraph(lead)
        for clause in clauses:
            document.add_paragraph(without_control_characters(clause), style="List Bullet")
    else:
        document.add_paragraph("Inget förslag till beslut är skrivet.")
    document.add_heading("Beslutsunderlag", level=3)
    documents = named_documents(decision, year_documents(decision.agreement_year))
    for text in documents:
        document.add_paragraph(without_control_characters(text), style="List Bullet")
    if not documents:
        document.add_paragraph("Inga handlingar är angivna.")
    document.add_heading("Expedieras till", level=3)
    for receiver in decision.dispatch_list:
        document.add_paragraph(without_control_characters(receiver))
    if not decision.dispatch_list:
        document.add_paragraph("Ingen mottagare är angiven.")
    if decision.adjusted:
        document.add_paragraph().add_run("Paragrafen är justerad").bold = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def file_name(decision: Decision) -> str:
    """ "beslutsunderlag-RS231576-146.docx": the diarienummer and paragraph, or the decision's number."""
    parts = [decision.registry_number, (decision.paragraph or "").replace("§", "").strip().replace(" ", "")]
    name = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-") for part in parts if part)
    return f"beslutsunderlag-{name or decision.id}.docx"


def _matter_from_report(decision: Decision) -> str | None:
    """Without a written Ärendet: what the report it names says of itself (recipient, deadline, sending)."""
    report = db.session.get(Report, decision.report_id) if decision.report_id else None
    if report is None:
        return None
    parts = [f"{report.region}s redovisning ”{report.title}”"]
    if report.recipient:
        parts.append(f"till {report.recipient}")
    if report.deadline:
        parts.append(f"ska lämnas senast {long_date(report.deadline)}")
    text = " ".join(parts) + "."
    if report.sendings:
        text += f" Den skickades {long_date(report.sendings[-1].sent_on)}."
    return text


def _text(document, text: str | None) -> None:
    """Paragraphs separated by blank lines; lines that begin with "- " are bullets, as the sources list."""
    text = without_control_characters(text)
    if not text:
        document.add_paragraph("Ärendet är inte beskrivet.")
        return
    for block in text.split("\n\n"):
        prose = []
        for line in block.splitlines():
            if BULLET.match(line.strip()):
                if prose:
                    document.add_paragraph(" ".join(prose))
                    prose = []
                indent = len(line) - len(line.lstrip())
                document.add_paragraph(BULLET.sub("", line.strip()),
                                       style="List Bullet 2" if indent >= 2 else "List Bullet")
            elif line.strip():
                prose.append(line.strip())
        if prose:
            document.add_paragraph(" ".join(prose))
