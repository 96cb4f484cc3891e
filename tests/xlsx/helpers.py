"""Workbook helpers for the tests: load values, build files people might send."""

from io import BytesIO

from openpyxl import Workbook, load_workbook

from tracker.xlsx import layout

MAX_BYTES = 10 * 1024 * 1024


def sheet_values(data: bytes) -> dict[str, list[tuple]]:
    """Every cell value of every sheet; the export timestamp is blanked."""
    wb = load_workbook(BytesIO(data))
    values = {}
    for ws in wb.worksheets:
        rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
        if ws.title == layout.INSTRUCTION_SHEET:
            rows = [(r[0], "<tid>") if r and r[0] == "Exporterad" else r for r in rows]
        values[ws.title] = rows
    return values


def to_bytes(wb) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def edit(data: bytes, change) -> bytes:
    """Load the workbook, let `change(wb)` edit it as a person would in Excel, save."""
    wb = load_workbook(BytesIO(data))
    change(wb)
    return to_bytes(wb)


def plan_workbook(rows: list[list], headers: list[str] | None = None, header_row: int = 5,
                  sheet: str = "Handlingsplan") -> bytes:
    """A hand-made workbook with just a Handlingsplan sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.cell(1, 1, "Handlingsplan för ökad tillgänglighet 2024")
    headers = headers or [c.header for c in layout.PLAN.columns]
    for index, header in enumerate(headers, start=1):
        ws.cell(header_row, index, header)
    for r, row in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    return to_bytes(wb)
