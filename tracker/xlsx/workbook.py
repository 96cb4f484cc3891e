"""Writes PlanRows as the workbook described in layout.py (the export service in export.py calls it)."""

from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from tracker.parsing import without_control_characters
from tracker.vocabulary import LabelledEnum
from tracker.xlsx import layout
from tracker.xlsx.fit import fit_row_heights
from tracker.xlsx.rows import PlanRows

# Rows below the data that still get the dropdowns, so that added rows are checked too.
VALIDATION_MARGIN = 500
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _styles() -> dict[str, NamedStyle]:
    thin = Side(style="thin", color="9AA5B1")
    font = {"name": layout.FONT_NAME, "size": layout.FONT_SIZE}
    header = NamedStyle(
        "tracker_header",
        font=Font(**font, bold=True),
        fill=PatternFill("solid", fgColor="D9EAD3"),
        alignment=Alignment(wrap_text=True, vertical="top"),
        border=Border(bottom=thin, top=thin, left=thin, right=thin),
    )
    text = NamedStyle("tracker_text", font=Font(**font), alignment=Alignment(wrap_text=True, vertical="top"))
    day = NamedStyle("tracker_date", font=Font(**font), number_format=layout.DATE_FORMAT,
                     alignment=Alignment(vertical="top"))
    title = NamedStyle("tracker_title", font=Font(name=layout.FONT_NAME, bold=True, size=14),
                       alignment=Alignment(wrap_text=True, vertical="top"))
    return {"header": header, "text": text, "date": day, "title": title}


def cell_value(value):
    """A row value as the workbook shows it; a text stored before control characters were refused is written
    without them (the file's XML cannot hold them), so that what is stored never stops an export."""
    if isinstance(value, LabelledEnum):  # before str: the vocabularies are str enums
        return value.label
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, tuple):
        return layout.MULTI_SEPARATOR.join(value) or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _write(ws, row: int, column: int, value, style: str | None = None):
    cell = ws.cell(row=row, column=column)
    value = cell_value(value)
    cell.value = value
    if style:
        cell.style = style
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        # Text, never a formula: stored as a string and shown with Excel's quote prefix.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _title(ws, text: str, columns: int) -> None:
    """A sheet's title in row 1, wrapped across its columns: a long title stays within the printed width."""
    _write(ws, 1, 1, text, "tracker_title")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)


def _write_table(ws, sheet: layout.Sheet, rows: list[dict], list_ranges: dict[str, str]) -> None:
    header_row = sheet.header_row
    for index, column in enumerate(sheet.written, start=1):
        _write(ws, header_row, index, column.header, "tracker_header")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    styles = [("date" if c.kind == "date" else "text") for c in sheet.written]
    styles = ["tracker_" + s for s in styles]
    for r, row in enumerate(rows, start=header_row + 1):
        for index, column in enumerate(sheet.written, start=1):
            _write(ws, r, index, None if column.internal else row.get(column.key), styles[index - 1])
    last_row = header_row + max(len(rows), 1)
    last_column = get_column_letter(len(sheet.written))
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    for index, column in enumerate(sheet.written, start=1):
        if column.vocabulary and column.kind == "list":
            vocabulary = layout.VOCABULARIES[column.vocabulary]
            validation = DataValidation(
                type="list", formula1=list_ranges[column.vocabulary], allow_blank=not column.required,
                showErrorMessage=True, errorTitle="Ogiltigt värde", error=vocabulary.error,
                showInputMessage=True, promptTitle=column.header, prompt=vocabulary.error,
            )
            letter = get_column_letter(index)
            validation.add(f"{letter}{header_row + 1}:{letter}{last_row + VALIDATION_MARGIN}")
            ws.add_data_validation(validation)


def plan_name(meta: dict) -> str:
    """What the workbook calls the plan: its Instruktion sheet's heading, and its printed pages' footer."""
    return f"Regional handlingsplan – {meta['agreement']} {meta['year']}"


def _print_setup(ws, meta: dict, header_row: int | None = None) -> None:
    """A4 landscape, one page wide and as many pages tall as the rows need; the header row on every page;
    a footer naming the plan, its version and the page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # automatic
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**layout.PAGE_MARGINS)
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.gridLines = True  # on paper, the cells' edges keep the columns apart
    # "&" starts a code in a header or footer: a plan's own "&" is written "&&".
    ws.oddFooter.left.text = f"{plan_name(meta)} · {meta['version']}".replace("&", "&&")
    ws.oddFooter.right.text = layout.PAGE_NUMBER


def _lists(wb: Workbook, divisions: list[str]) -> dict[str, str]:
    """The hidden Listor sheet; returns each list's range for the data validations."""
    ws = wb.create_sheet(layout.LIST_SHEET)
    ws.sheet_state = "hidden"
    ranges = {}
    for index, (key, vocabulary) in enumerate(layout.VOCABULARIES.items(), start=1):
        values = tuple(divisions) if key == "division" else vocabulary.values
        letter = get_column_letter(index)
        _write(ws, 1, index, vocabulary.name)
        for r, value in enumerate(values, start=2):
            _write(ws, r, index, value)
        ws.column_dimensions[letter].width = 32
        ranges[key] = f"{quote_sheetname(layout.LIST_SHEET)}!${letter}$2:${letter}${max(len(values), 1) + 1}"
    return ranges


def _instructions(ws, rows: PlanRows, exported_at: datetime) -> None:
    meta = rows.meta
    _title(ws, plan_name(meta), len(layout.INSTRUCTION_WIDTHS))
    values = {
        **meta,
        "region": layout.REGION,
        "approved": meta.get("approved") or "Utkast",
        "exported": exported_at.strftime("%Y-%m-%d %H:%M"),
    }
    row = 3
    for key, label in layout.INSTRUCTION_FIELDS:
        _write(ws, row, 1, label, "tracker_header")
        _write(ws, row, 2, values.get(key), "tracker_text")
        row += 1
    row += 1
    _write(ws, row, 1, "Så fyller du i", "tracker_header")
    for text in layout.GUIDANCE:
        row += 1
        _write(ws, row, 1, text, "tracker_text")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(layout.INSTRUCTION_WIDTHS))
    row += 2
    _write(ws, row, 1, "Listor", "tracker_header")
    for key, vocabulary in layout.VOCABULARIES.items():
        if key == "division":
            continue
        row += 1
        _write(ws, row, 1, vocabulary.name)
        _write(ws, row, 2, ", ".join(vocabulary.values), "tracker_text")
    for index, width in enumerate(layout.INSTRUCTION_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def build_workbook(rows: PlanRows, divisions: list[str], exported_at: datetime) -> Workbook:
    wb = Workbook()
    for style in _styles().values():
        wb.add_named_style(style)
    instructions = wb.active
    instructions.title = layout.INSTRUCTION_SHEET
    sheets = {sheet.name: wb.create_sheet(sheet.name) for sheet in layout.DATA_SHEETS}
    list_ranges = _lists(wb, divisions)
    _instructions(instructions, rows, exported_at)
    _print_setup(instructions, rows.meta)

    data = {
        layout.CONTACTS.name: rows.contacts,
        layout.PLAN.name: rows.actions,
        layout.STATUSES.name: rows.statuses,
        layout.INDICATORS.name: rows.indicators,
    }
    for sheet in layout.DATA_SHEETS:
        ws = sheets[sheet.name]
        _write_table(ws, sheet, data[sheet.name], list_ranges)
        _print_setup(ws, rows.meta, sheet.header_row)

    exported = wb.create_sheet(layout.EXPORTED.name)
    exported.sheet_state = "hidden"
    for index, column in enumerate(layout.EXPORTED.columns, start=1):
        _write(exported, 1, index, column.header)
        for r, row in enumerate(rows.statuses, start=2):
            _write(exported, r, index, row.get(column.key))

    plan_ws = sheets[layout.PLAN.name]
    _title(plan_ws, rows.meta["title"], len(layout.PLAN.written))
    _write(plan_ws, 2, 1, f"{layout.REGION} · {rows.meta['agreement']} {rows.meta['year']}"
                          + (f" · Diarienummer {rows.meta['registry_number']}" if rows.meta["registry_number"] else ""))
    _write(plan_ws, 3, 1, rows.meta["version"]
                          + (f", fastställd {rows.meta['approved']}" if rows.meta.get("approved") else ""))
    for ws in (instructions, *sheets.values()):
        fit_row_heights(ws)
    # The file's properties (Excel's Arkiv → Information): the region's, not the library's.
    wb.properties.creator = wb.properties.lastModifiedBy = layout.REGION
    wb.properties.title = rows.meta["title"]
    wb.properties.language = "sv-SE"
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

