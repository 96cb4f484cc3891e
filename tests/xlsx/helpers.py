"""Workbook helpers for the tests: load values, build files people might send, upload one and read the preview,
run a command, start from an empty database."""

from io import BytesIO

from openpyxl import Workbook, load_workbook

from tracker.extensions import db
from tracker.xlsx import layout

MAX_BYTES = 10 * 1024 * 1024
# The demo's plans that the round trip and LibreOffice take.
PLAN_KEYS = ["tillganglighet-2023", "gonv-2021"]
# An åtgärd's row of the Handlingsplan sheet, as a file states it.
ROW = ["", "3.6 Regionala handlingsplaner för ökad tillgänglighet", "Ramavtal med externa vårdgivare",
       "Teckna ramavtal med externa vårdgivare", None, None, "Kort sikt", "2024-01-01", "2024-12-31",
       "Strateg, Regionkontoret", "Regionkontoret", "Pågående", None, None]


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


def upload(client, data: bytes, **form):
    return client.post("/import", data={"file": (BytesIO(data), "bilaga.xlsx"), **form},
                       content_type="multipart/form-data")


def preview_form(page: str) -> tuple[str, str]:
    """The token and fingerprint a preview page posts back to confirm."""
    return (page.split('action="/import/')[1].split('"')[0],
            page.split('name="fingerprint" value="')[1].split('"')[0])


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def wipe_database():
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
