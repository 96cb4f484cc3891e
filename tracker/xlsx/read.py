"""Reads a workbook that people filled in by hand, by the rules in docs/excel-template.md.

Checks the file before openpyxl opens it (type, size, zip bomb), reads cell values
only (a formula is reported, never evaluated), and collects every problem at once,
each with sheet, row and column, in Swedish.

Every read names its rows and columns (layout.MAX_ROWS, Sheet.read_width) and streams
one row at a time, so neither the size a sheet declares in its <dimension> (openpyxl's
read-only mode trusts it otherwise) nor stray cells far right or far down cost memory.
"""

import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from tracker.vocabulary import Direction, Horizon, Status
from tracker.xlsx import layout
from tracker.xlsx.rows import PlanRows

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A plan of thousands of rows unpacks to a few MB; far more than this is a zip bomb.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LIST_ENUMS = {"horizon": Horizon, "status": Status, "direction": Direction}
DIRECTION_ALIASES = {">=": "≥", ">": "≥", "<=": "≤", "<": "≤"}


class WorkbookError(Exception):
    """The file as a whole cannot be read; the message says why, in Swedish."""


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None  # "I (Klart senast)"
    message: str

    def __str__(self) -> str:
        place = [self.sheet]
        if self.row:
            place.append(f"rad {self.row}")
        if self.column:
            place.append(f"kolumn {self.column}")
        return f"{', '.join(place)}: {self.message}"


@dataclass
class ReadResult:
    rows: PlanRows
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_status_sheet: bool = False
    # (ID, förvaltning) → {status, comment} as exported, when the file is an export of this app (hidden sheet)
    exported: dict[tuple[str, str], dict] | None = None
    division_names: list[str] = field(default_factory=list)  # the workbook's Listor, in order
    sheet_titles: dict[str, str] = field(default_factory=dict)  # layout name → the title in the file
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # layout name → key → "K (Ansvariga …)"
    absent: dict[str, set[str]] = field(default_factory=dict)  # layout name → keys of columns not in the file

    def problem(self, sheet: layout.Sheet, row: int | None, key: str | None, message: str) -> None:
        """A problem found after reading (by comparing with the plan), placed like the reader's own."""
        place = None
        if key is not None:
            place = self.columns.get(sheet.name, {}).get(key) or sheet.column(key).header
        self.problems.append(Problem(self.sheet_titles.get(sheet.name, sheet.name), row, place, message))


def check_container(data: bytes, max_bytes: int) -> None:
    """Refuse what is not a reasonable .xlsx before any XML is parsed."""
    if not data:
        raise WorkbookError("Filen är tom. Välj Excel-arbetsboken (.xlsx) med handlingsplanen.")
    if len(data) > max_bytes:
        raise WorkbookError(
            f"Filen är {len(data) / 1024 / 1024:.1f} MB; den största tillåtna storleken är "
            f"{max_bytes / 1024 / 1024:.0f} MB."
        )
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise WorkbookError(
                "Filen är lösenordsskyddad. Ta bort lösenordet i Excel (Arkiv › Info › Skydda arbetsbok) "
                "och försök igen."
            )
        raise WorkbookError(
            "Filen är i det gamla Excel-formatet .xls. Öppna den i Excel, spara som Excel-arbetsbok (.xlsx) "
            "och försök igen."
        )
    if not data.startswith(ZIP_MAGIC):
        if _looks_like_text(data):
            raise WorkbookError(
                "Filen är en textfil (till exempel CSV), inte en Excel-arbetsbok. Öppna den i Excel och spara "
                "som Excel-arbetsbok (.xlsx)."
            )
        raise WorkbookError("Filen är inte en Excel-arbetsbok (.xlsx).")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise WorkbookError("Filen är skadad och kan inte öppnas som Excel-arbetsbok.") from error
    names = {info.filename for info in infos}
    if "word/document.xml" in names:
        raise WorkbookError("Filen är ett Word-dokument (.docx), inte en Excel-arbetsbok (.xlsx).")
    if "xl/workbook.xml" not in names:
        raise WorkbookError("Filen är ett zip-arkiv men ingen Excel-arbetsbok (.xlsx).")
    unpacked = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 10 * 1024 * 1024 and unpacked / packed > MAX_RATIO):
        raise WorkbookError(
            f"Filen packas upp till {unpacked / 1024 / 1024:.0f} MB från {len(data) / 1024:.0f} kB. "
            "Det är orimligt för en handlingsplan, och filen läses inte av säkerhetsskäl."
        )


def _looks_like_text(data: bytes) -> bool:
    sample = data[:2048]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in sample


def _unreadable(error: Exception) -> WorkbookError:
    """The Swedish message for an error openpyxl raised while parsing the package."""
    cause = error
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        return WorkbookError(
            "Filen innehåller otillåtna XML-konstruktioner (till exempel entiteter) och läses inte av "
            "säkerhetsskäl. Spara om den i Excel och försök igen."
        )
    return WorkbookError(
        "Filen är skadad eller inte en giltig Excel-arbetsbok och kan inte läsas. Spara om den i Excel "
        "som Excel-arbetsbok (.xlsx) och försök igen."
    )


def open_workbook(data: bytes, max_bytes: int):
    check_container(data, max_bytes)
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a broken package
        raise _unreadable(error) from error


class _SheetReader:
    """Finds the header row of one sheet and turns its data rows into dicts, streamed from the sheet."""

    def __init__(self, sheet: layout.Sheet, ws, result: ReadResult, divisions: dict[str, str] | None):
        self.sheet, self.ws, self.name, self.result, self.divisions = sheet, ws, ws.title, result, divisions
        self.flagged: set[tuple[int, str]] = set()  # cells with a problem already reported
        self.header_row, self.columns = self._find_header()
        # What the app writes for people to read (roll-ups, who and when) is found, never taken.
        derived = {c.key for c in sheet.columns if c.derived}
        self.read_columns = {key: i for key, i in self.columns.items() if key not in derived}
        result.sheet_titles[sheet.name] = self.name
        result.columns[sheet.name] = {key: self.place(sheet.column(key)) for key in self.columns}
        if self.header_row is not None:
            result.absent[sheet.name] = {c.key for c in sheet.columns if c.key not in self.columns}

    def place(self, column: layout.Column) -> str:
        if column.key in self.columns:
            return f"{get_column_letter(self.columns[column.key] + 1)} ({column.header})"
        return column.header

    def _find_header(self) -> tuple[int | None, dict[str, int]]:
        lookup = {layout.normalise_header(n): c.key for c in self.sheet.columns for n in c.names}
        top = list(self.ws.iter_rows(max_row=layout.HEADER_SEARCH_ROWS, max_col=self.sheet.read_width))
        best_row, best = None, {}
        for r, row in enumerate(top, start=1):
            found = {}
            for index, cell in enumerate(row):
                key = lookup.get(layout.normalise_header(cell.value))
                if key and key not in found:
                    found[key] = index
            if len(found) > len(best):
                best_row, best = r, found
        if best_row is None or len(best) < 2:
            return None, {}
        for index, cell in enumerate(top[best_row - 1]):
            text = layout.normalise_header(cell.value)
            if text and index not in best.values():
                self.result.notes.append(
                    f"{self.name}, kolumn {get_column_letter(index + 1)} ({cell.value}): okänd kolumn, ignoreras."
                )
        return best_row, best

    def missing_required(self, keys) -> list[layout.Column]:
        return [c for c in self.sheet.columns if c.key in keys and c.key not in self.columns]

    def problem(self, row: int | None, column: layout.Column | None, message: str) -> None:
        if column is not None and row is not None:
            self.flagged.add((row, column.key))
        place = self.place(column) if column is not None else None
        self.result.problems.append(Problem(self.name, row, place, message))

    def require(self, r: int, row: dict, keys) -> None:
        """A required value is missing, unless its cell was already reported for another reason."""
        for key in keys:
            if not row.get(key) and (r, key) not in self.flagged:
                self.problem(r, self.sheet.column(key), "Värde saknas; kolumnen måste vara ifylld.")

    def rows(self):
        """(row number, {key: value}) for each non-empty data row, to row layout.MAX_ROWS.

        A sheet that goes on below that row is a problem, whatever the rows there hold: whether they are
        empty or hold åtgärder is only known by reading them, and an åtgärd left unread would look deleted."""
        if self.header_row is None:
            return
        last = layout.MAX_ROWS
        rows = self.ws.iter_rows(min_row=self.header_row + 1, max_row=last + 1, max_col=self.sheet.read_width)
        for r, row in enumerate(rows, start=self.header_row + 1):
            if r > last:
                limit = f"{last:,}".replace(",", "\u00a0")
                self.problem(None, None, f"Bladet fortsätter nedanför rad {limit}, men importen läser inte längre "
                                         "ner än så. Raderna där kan vara tomma men formaterade, eller ha enstaka "
                                         "celler långt till höger. Ta bort raderna under planens sista rad (markera "
                                         "dem, högerklicka och välj Ta bort), spara och importera igen.")
                return
            cells = {key: row[i] for key, i in self.read_columns.items()}
            if all(c.value is None or str(c.value).strip() == "" for c in cells.values()):
                continue
            values = {}
            for column in self.sheet.columns:
                if not column.derived:
                    cell = cells.get(column.key)
                    values[column.key] = self._value(r, column, cell) if cell is not None else None
            yield r, values

    def _value(self, r: int, column: layout.Column, cell):
        value = cell.value
        if cell.data_type == "f":
            self.problem(r, column, f"Cellen innehåller en formel ({value}). Formler räknas inte ut vid import; "
                                    "skriv in värdet i stället.")
            return None
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        kind = column.kind
        if kind == "date":
            return self._date(r, column, value)
        if kind == "number":
            return self._number(r, column, value)
        if kind == "list" and column.vocabulary in LIST_ENUMS:
            return self._member(r, column, value)
        if kind in ("list", "multi") and column.vocabulary == "division":
            names = [n for n in re.split(r"[;\n]", str(value)) if n.strip()]
            found = tuple(n for n in (self._division(r, column, n) for n in names) if n)
            return found if kind == "multi" else (found[0] if found else None)
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if column.max_length and len(text) > column.max_length:
            self.problem(r, column, f"Texten har {len(text)} tecken; högst {column.max_length} får plats. "
                                    "Korta den, eller flytta det mesta till Beskrivning.")
            return None
        return text

    def _date(self, r, column, value) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and 20000 < value < 80000:
            return from_excel(value).date()
        text = str(value).strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return date.fromisoformat(text)
        except ValueError:
            self.problem(r, column, f"”{text}” är inget giltigt datum (det datumet finns inte). "
                                    "Ange datum som ÅÅÅÅ-MM-DD, t.ex. 2024-12-31.")
            return None
        self.problem(r, column, f"”{text}” är inget datum. Ange datum som ÅÅÅÅ-MM-DD, t.ex. 2024-12-31.")
        return None

    def _number(self, r, column, value) -> float | None:
        if isinstance(value, bool):
            value = str(value)
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").rstrip("%").replace(",", ".")
        try:
            number = float(value) if isinstance(value, (int, float)) else float(text)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            self.problem(r, column, f"”{value}” är inget tal. Ange ett tal, t.ex. 95 eller 87,5.")
            return None
        return number

    def _member(self, r, column, value):
        enum = LIST_ENUMS[column.vocabulary]
        text = str(value).strip()
        member = enum.from_label(DIRECTION_ALIASES.get(text, text))
        if member is None:
            allowed = ", ".join(m.label for m in enum)
            self.problem(r, column, f"”{text}” är inget giltigt värde. Giltiga värden: {allowed}.")
        return member

    def _division(self, r, column, name: str) -> str | None:
        wanted = " ".join(name.split())
        if self.divisions is None:  # an empty database: the file brings its förvaltningar
            return wanted
        found = self.divisions.get(wanted.casefold())
        if found is None:
            known = ", ".join(sorted(set(self.divisions.values())))
            self.problem(r, column, f"Okänd förvaltning ”{wanted}”. Kända förvaltningar: {known}.")
        return found


def _find_sheet(wb, sheet: layout.Sheet):
    wanted = layout.normalise_header(sheet.name)
    for ws in wb.worksheets:
        if layout.normalise_header(ws.title) == wanted:
            return ws
    return None


def _instructions(wb) -> dict:
    """Plan facts from the Instruktion sheet, where the workbook states them."""
    ws = _find_sheet(wb, layout.Sheet(layout.INSTRUCTION_SHEET, ()))
    if ws is None:
        return {}
    labels = {layout.normalise_header(label): key for key, label in layout.INSTRUCTION_FIELDS}
    meta = {}
    for row in ws.iter_rows(max_row=40, max_col=2, values_only=True):
        if len(row) == 2 and row[0] is not None and layout.normalise_header(row[0]) in labels and row[1] is not None:
            meta[labels[layout.normalise_header(row[0])]] = str(row[1]).strip()
    if "year" in meta:
        meta["year"] = int(meta["year"]) if re.fullmatch(r"[0-9]{4}", meta["year"]) else None
    return meta


def _list_divisions(wb) -> list[str]:
    ws = _find_sheet(wb, layout.Sheet(layout.LIST_SHEET, ()))
    if ws is None:
        return []
    header = layout.normalise_header(layout.VOCABULARIES["division"].name)
    width = len(layout.VOCABULARIES) + layout.EXTRA_COLUMNS
    for column, text in enumerate(next(ws.iter_rows(max_row=1, max_col=width, values_only=True), ()), start=1):
        if layout.normalise_header(text) == header:
            values = (row[0] for row in ws.iter_rows(min_row=2, max_row=layout.MAX_ROWS, min_col=column,
                                                     max_col=column, values_only=True))
            return [str(v).strip() for v in values if v is not None and str(v).strip()]
    return []


def read_workbook(data: bytes, *, known_divisions: dict[str, str] | None, max_bytes: int) -> ReadResult:
    """Parse the workbook. `known_divisions` maps casefolded names and short names to names;
    None means the database has no förvaltningar yet and the file's are taken as they are."""
    wb = open_workbook(data, max_bytes)
    try:
        return _read(wb, known_divisions)
    except (DefusedXmlException, ParseError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        # Read-only mode parses each sheet only when it is read.
        raise _unreadable(error) from error
    finally:
        wb.close()


def _read(wb, known_divisions) -> ReadResult:
    meta = _instructions(wb)
    result = ReadResult(rows=PlanRows(meta=meta), division_names=_list_divisions(wb))
    width = max(sheet.read_width for sheet in layout.DATA_SHEETS)
    if not any(v is not None for ws in wb.worksheets
               for row in ws.iter_rows(max_row=layout.MAX_ROWS, max_col=width, values_only=True) for v in row):
        result.problems.append(Problem("Arbetsboken", None, None, "Arbetsboken är tom: inget blad har något "
                                                                "innehåll. Välj filen med handlingsplanen."))
        return result
    plan_ws = _find_sheet(wb, layout.PLAN)
    if plan_ws is None:
        names = ", ".join(ws.title for ws in wb.worksheets)
        result.problems.append(Problem(
            layout.PLAN.name, None, None,
            f"Bladet {layout.PLAN.name} saknas. Arbetsboken har bladen: {names}. Åtgärderna ska stå på ett blad "
            f"som heter {layout.PLAN.name}, med rubrikraden bland de {layout.HEADER_SEARCH_ROWS} första raderna.",
        ))
        return result
    status_ws = _find_sheet(wb, layout.STATUSES)
    result.has_status_sheet = status_ws is not None
    plan_reader = _SheetReader(layout.PLAN, plan_ws, result, known_divisions)
    _read_actions(plan_reader, result)
    if status_ws is not None:
        _read_statuses(_SheetReader(layout.STATUSES, status_ws, result, known_divisions), result)
    ws = _find_sheet(wb, layout.EXPORTED)
    if ws is not None:
        _read_exported(_SheetReader(layout.EXPORTED, ws, result, known_divisions), result)
    ws = _find_sheet(wb, layout.CONTACTS)
    if ws is not None:
        result.rows.contacts += [row for _, row in _read_simple(_SheetReader(layout.CONTACTS, ws, result,
                                                                             known_divisions))]
    ws = _find_sheet(wb, layout.INDICATORS)
    if ws is not None:
        result.rows.indicators += _read_indicators(_SheetReader(layout.INDICATORS, ws, result, known_divisions))
    return result


def _require_header(reader: _SheetReader, required: set[str]) -> bool:
    if reader.header_row is None:
        expected = ", ".join(c.header for c in reader.sheet.written)
        reader.problem(None, None, f"Hittar ingen rubrikrad bland de {layout.HEADER_SEARCH_ROWS} första raderna. "
                                   f"Förväntade rubriker: {expected}.")
        return False
    missing = reader.missing_required(required)
    for column in missing:
        reader.problem(reader.header_row, column, f"Kolumnen ”{column.header}” saknas i rubrikraden "
                                                  f"(rad {reader.header_row}). Den måste finnas.")
    return not missing


def _read_actions(reader: _SheetReader, result: ReadResult) -> None:
    required = {"factor", "title", "divisions"} | (set() if result.has_status_sheet else {"status"})
    if not _require_header(reader, required):
        return
    seen: dict[str, int] = {}
    for r, row in reader.rows():
        reader.require(r, row, required)
        ref = row.get("ref")
        if ref:
            if ref in seen:
                reader.problem(r, reader.sheet.column("ref"),
                               f"ID {ref} förekommer flera gånger (även rad {seen[ref]}). Varje åtgärd ska ha "
                               "ett eget ID; lämna ID tomt för en ny åtgärd.")
                continue
            seen[ref] = r
        row["divisions"] = row.get("divisions") or ()
        row["_row"] = r
        result.rows.actions.append(row)


def _read_statuses(reader: _SheetReader, result: ReadResult) -> None:
    if not _require_header(reader, {"ref", "division", "status"}):
        return
    seen: dict[tuple, int] = {}
    for r, row in reader.rows():
        reader.require(r, row, ("ref", "division", "status"))
        ref, division = row.get("ref"), row.get("division")
        if not ref or not division or row.get("status") is None:
            continue  # reported: a value missing, or no status of the list (the plan's stays meanwhile)
        if (ref, division) in seen:
            reader.problem(r, reader.sheet.column("division"),
                           f"{ref} har redan en rad för {division} (rad {seen[ref, division]}).")
            continue
        seen[ref, division] = r
        row["_row"] = r
        result.rows.statuses.append(row)


def _read_exported(reader: _SheetReader, result: ReadResult) -> None:
    """The hidden sheet of exported values. It is the app's own and nobody types in it: a sheet that is not
    whole is left unused rather than reported."""
    if reader.header_row is None or reader.missing_required({"ref", "division", "status"}):
        return
    problems = len(result.problems)
    exported = {(row["ref"], row["division"]): row for _, row in reader.rows() if row.get("ref")}
    whole = len(result.problems) == problems and all(row.get("status") is not None for row in exported.values())
    del result.problems[problems:]
    if whole:
        result.exported = exported


def _read_simple(reader: _SheetReader) -> list[tuple[int, dict]]:
    required = {c.key for c in reader.sheet.columns if c.required}
    if not _require_header(reader, required):
        return []
    rows = []
    for r, row in reader.rows():
        reader.require(r, row, required)
        period = row.get("period")
        if period is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(period)):
            period = row["period"] = str(period)[:7]  # Excel made a date of it
        if period is not None and not PERIOD.match(str(period)):
            reader.problem(r, reader.sheet.column("period"), f"”{period}” är ingen period. Ange ÅÅÅÅ-MM, t.ex. 2024-06.")
        rows.append((r, row))
    return rows


def _read_indicators(reader: _SheetReader) -> list[dict]:
    """The indicator rows; an indicator has one outcome per period (the database holds no more)."""
    rows, seen = [], {}
    for r, row in _read_simple(reader):
        rows.append(row)
        if not row.get("name") or not row.get("period"):
            continue
        key = (row.get("area") or "", row["name"], row["period"])
        if key in seen:
            reader.problem(r, reader.sheet.column("period"),
                           f"Indikatorn ”{row['name']}” har redan ett utfall för perioden {row['period']} "
                           f"(rad {seen[key]}). Varje period har ett utfall: ta bort den ena raden eller rätta "
                           "perioden.")
        else:
            seen[key] = r
    return rows


