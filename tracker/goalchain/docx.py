"""The strategy's follow-up as a Word document, assembled from the data (a slutuppföljning like the region's
2017–2025 one): per delmål its text, its sections, the linked åtgärder by agreement and year with their status,
the indicators' development over the years, what is done for each target group, and the bedömningar. In the house
style of tracker/word.py."""

import io

from tracker import word
from tracker.display import display_value
from tracker.goalchain.services import GoalPage
from tracker.strategy.models import Strategy


def follow_up_docx(strategy: Strategy, pages: list[GoalPage], *, whole: bool) -> bytes:
    """The whole follow-up (`whole`: the strategy's own sections first), or one delmål's section of it."""
    title = f"Uppföljning {strategy.name} {strategy.period}"
    if not whole and len(pages) == 1:
        title += f", delmål {pages[0].goal.number}"
    document = word.new_document(title=title, subject=f"Uppföljning av {strategy.name} {strategy.period}")
    document.add_heading(title, level=0)
    document.add_paragraph(word.REGION + (f", diarienummer {strategy.registry_number}"
                                          if strategy.registry_number else ""), style="Subtitle")
    if whole:
        for section in strategy.sections:
            _section(document, section.heading, section.body, level=1)
    for page in pages:
        _goal(document, page)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _section(document, heading: str, body: str, level: int) -> None:
    document.add_heading(heading, level=level)
    _body(document, body)


def _body(document, body: str) -> None:
    """Plain text: a line starting with "- " is a list item, a blank line separates paragraphs."""
    paragraph_lines: list[str] = []

    def flush():
        if paragraph_lines:
            word.paragraphs(document, " ".join(paragraph_lines))
            paragraph_lines.clear()

    for line in (body or "").splitlines():
        if line.startswith("- "):
            flush()
            document.add_paragraph(line[2:].strip(), style="List Bullet")
        elif not line.strip():
            flush()
        else:
            paragraph_lines.append(line.strip())
    flush()


def _goal(document, page: GoalPage) -> None:
    goal = page.goal
    document.add_heading(f"Delmål {goal.number}. {goal.text}", level=1)
    for section in goal.sections:
        _section(document, section.heading, section.body, level=1 + section.level)
    document.add_heading("Åtgärder i handlingsplanerna", level=2)
    if not page.years:
        document.add_paragraph("Inga åtgärder i handlingsplanerna är kopplade till delmålet.")
    for year in page.years:
        document.add_heading(f"{year.agreement} {year.year} – {year.summary.text}", level=3)
        rows = [(plan.plan.title, linked.action.ref, linked.action.title, linked.status.label)
                for plan in year.plans for linked in plan.actions]
        table = word.table(document, 1 + len(rows), 4)
        for column, header in enumerate(("Plan", "ID", "Åtgärd", "Status")):
            word.cell(table.cell(0, column), header, bold=True)
        for number, row in enumerate(rows, start=1):
            for column, text in enumerate(row):
                word.cell(table.cell(number, column), text)
        document.add_paragraph()
    if page.series:
        document.add_heading("Indikatorernas utveckling", level=2)
        for series in page.series:
            unit = f" ({series.unit})" if series.unit else ""
            target = f" Målvärde: {display_value(series.target)}{unit}." if series.target is not None else ""
            document.add_paragraph().add_run(f"{series.name}{unit}.{target}").bold = True
            if series.points:
                headers = ("Period", "Utfall", "Varav kvinnor", "Varav män", "Plan") if series.split else \
                    ("Period", "Utfall", "Plan")
                table = word.table(document, 1 + len(series.points), len(headers))
                for column, header in enumerate(headers):
                    word.cell(table.cell(0, column), header, bold=True)
                for number, point in enumerate(series.points, start=1):
                    split = (display_value(point.women), display_value(point.men)) if series.split else ()
                    for column, text in enumerate((point.period, display_value(point.value), *split, point.plan)):
                        word.cell(table.cell(number, column), text)
                document.add_paragraph()
            else:
                document.add_paragraph("Inga utfall är inlagda.")
    if page.groups:
        document.add_heading("Jämställd och jämlik vård: vad som görs för varje målgrupp", level=2)
        for group in page.groups:
            document.add_paragraph(f"{group.name}: {group.summary.text}", style="List Bullet")
    for assessment in goal.assessments:
        heading = "Samlad strategisk bedömning" + ("" if assessment.final else f" {assessment.year}")
        if assessment.final:
            heading += f" ({assessment.year}, slutbedömning)"
        _section(document, heading, assessment.text, level=2)
