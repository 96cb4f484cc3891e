"""The workbook of docs/excel-template.md, described once: export writes it and import reads it from this.

Replacing the rebuilt layout with Socialstyrelsen's real template is a change to this
description (sheet and header texts, order, widths, lists), not to the code that uses it.
"""

from dataclasses import dataclass
from typing import Literal

from tracker.vocabulary import Direction, Horizon, Status

Kind = Literal["text", "date", "number", "list", "multi"]


@dataclass(frozen=True)
class Column:
    key: str  # the field of a row in the code
    header: str
    kind: Kind = "text"
    width: float = 16
    required: bool = False
    synonyms: tuple[str, ...] = ()
    vocabulary: str | None = None  # the name of a list on the Listor sheet
    derived: bool = False  # written by the app (computed, or who and when); export writes it, import ignores it
    max_length: int | None = None  # the database column's length
    # The plan's internal note, never sent to Socialstyrelsen: export leaves the column empty, and import keeps
    # the plan's value where the cell is empty (only a text typed in the file changes it).
    internal: bool = False
    # False: a column of the region's own that export never writes into the attachment (Socialstyrelsen's
    # template has no such column), and import reads when a file has it.
    exported: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    header_row: int = 1  # where export writes the header; import searches for it

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def written(self) -> tuple[Column, ...]:
        """The columns export writes, in order."""
        return tuple(c for c in self.columns if c.exported)

    @property
    def read_width(self) -> int:
        """The columns import reads: the sheet's own, and EXTRA_COLUMNS more for headers moved to the right."""
        return len(self.columns) + EXTRA_COLUMNS


@dataclass(frozen=True)
class Vocabulary:
    name: str  # the list's header on the Listor sheet and its defined name
    values: tuple[str, ...] = ()
    error: str = ""  # the data validation's message in Excel


HEADER_SEARCH_ROWS = 15
# Import reads a bounded part of each sheet, whatever the sheet declares as its size or holds far to the right
# or far down: its columns and EXTRA_COLUMNS more, rows 1 to MAX_ROWS. A plan of thousands of rows fits.
EXTRA_COLUMNS = 50
MAX_ROWS = 20_000
MULTI_SEPARATOR = "; "
DATE_FORMAT = "yyyy-mm-dd"
REGION = "Region Halland"

# Column widths count digits of this font, the workbook's default; export fits each row's height to its
# texts (fit.py), a line of text taking LINE_HEIGHT as in Excel, up to Excel's largest row. (LibreOffice sets
# Carlito's lines 11.2 points apart, so it prints these rows with room below the text; a smaller LINE_HEIGHT
# would hide a cell's last lines in Excel.) A text column is at least as wide as the longest word the demo
# plans write in it, so that no word is broken (tests/xlsx/test_fit.py); the width left over goes to the
# long texts (Beskrivning, Resultat/kommentar), which decide how tall a row is.
FONT_NAME = "Calibri"
FONT_SIZE = 11
LINE_HEIGHT = 15  # points
MAX_ROW_HEIGHT = 409  # points

# Printed: A4 landscape, one page wide and as many pages tall as the rows need, the header row on every page,
# a footer naming the plan, its version and the page (in the font of the cells, scaled with them).
PAGE_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.75, "header": 0.3, "footer": 0.3}  # inches
PAGE_NUMBER = "Sida &P av &N"  # Excel's codes for this page and the number of pages

INSTRUCTION_SHEET = "Instruktion"
INSTRUCTION_WIDTHS = (22, 100)  # columns A (labels) and B (values); the guidance spans both
LIST_SHEET = "Listor"

# The Instruktion sheet: label in column A, value in column B, from row 3.
INSTRUCTION_FIELDS = (
    ("title", "Plan"),
    ("region", "Region"),
    ("agreement", "Överenskommelse"),
    ("year", "År"),
    ("key", "Planens nyckel"),
    ("registry_number", "Diarienummer"),
    ("version", "Version"),
    ("approved", "Fastställd"),
    ("exported", "Exporterad"),
)
GUIDANCE = (
    "Fyll i en rad per åtgärd på bladet Handlingsplan. Kolumnen ID identifierar åtgärden: låt den stå kvar "
    "när du ändrar en befintlig åtgärd, och lämna den tom för en ny åtgärd.",
    "Status och kommentar per förvaltning står på bladet Status per förvaltning. Kolumnen Status på bladet "
    "Handlingsplan är den sammanvägda statusen och räknas fram av verktyget.",
    "Flera ansvariga förvaltningar skrivs med semikolon emellan, t.ex. Hallands sjukhus; Närsjukvården.",
    "Datum skrivs ÅÅÅÅ-MM-DD. Formler räknas inte ut vid import: skriv in värden.",
)

VOCABULARIES = {
    "horizon": Vocabulary("Tidshorisont", tuple(h.label for h in Horizon),
                          "Välj Kort sikt eller Lång sikt i listan."),
    "status": Vocabulary("Status", tuple(s.label for s in Status),
                         "Välj en status i listan: " + ", ".join(s.label for s in Status) + "."),
    "direction": Vocabulary("Riktning", tuple(d.label for d in Direction),
                            "Välj ≥ (minst målvärdet) eller ≤ (högst målvärdet)."),
    # Filled from the database at export: the list is data.
    "division": Vocabulary("Förvaltningar", error="Välj en förvaltning i listan."),
}

CONTACTS = Sheet(
    "Kontaktuppgifter",
    (
        Column("name", "Kontaktperson", width=28, required=True, max_length=120),
        Column("phone", "Telefonnummer", width=18, max_length=40),
        Column("email", "Mejladress", width=32, max_length=254),
        Column("comment", "Ev. kommentar", width=16, internal=True),
    ),
)

PLAN = Sheet(
    "Handlingsplan",
    (
        Column("ref", "ID", width=10, max_length=40),
        Column("area", "Insatsområde", width=17.5, synonyms=("Område", "Fokusområde"), max_length=300),
        Column("factor", "Framgångsfaktor", width=29, required=True, max_length=300),
        Column("title", "Åtgärd/insats", width=29, required=True, synonyms=("Åtgärd", "Insats", "Aktivitet"),
               max_length=300),
        Column("description", "Beskrivning", width=35.5),
        Column("expected_result", "Mål/förväntat resultat", width=27.5, synonyms=("Mål", "Målsättning")),
        Column("horizon", "Tidshorisont", "list", width=12, vocabulary="horizon"),
        Column("start_date", "Start", "date", width=11),
        Column("due_date", "Klart senast", "date", width=11, synonyms=("Slutdatum", "Tidsplan")),
        Column("owner", "Ansvarig", width=24.5, synonyms=("Ansvar",), max_length=200),
        Column("divisions", "Ansvariga förvaltningar", "multi", width=14, required=True,
               synonyms=("Förvaltning", "Förvaltningar"), vocabulary="division"),
        Column("status", "Status", "list", width=11, required=True, vocabulary="status"),
        Column("comments", "Resultat/kommentar", width=34, synonyms=("Kommentar", "Resultat")),
        Column("last_updated", "Senast uppdaterad", "date", width=12, derived=True),
        # The golden thread: the delmål of the region's current strategy the åtgärd serves, by number ("1, 4" or
        # "Delmål 1; Delmål 4"). The region's own link, not Socialstyrelsen's: export leaves the column out,
        # a file that has it links the åtgärder, an empty cell keeps the åtgärd's links and "–" removes them.
        Column("goals", "Delmål (regional strategi)", width=14, synonyms=("Delmål",), internal=True,
               exported=False, max_length=200),
    ),
    header_row=5,
)

STATUSES = Sheet(
    "Status per förvaltning",
    (
        Column("ref", "ID", width=10, required=True, max_length=40),
        Column("title", "Åtgärd/insats", width=56, synonyms=("Åtgärd", "Insats", "Aktivitet"), derived=True),
        Column("division", "Förvaltning", "list", width=19, required=True, vocabulary="division"),
        Column("status", "Status", "list", width=11, required=True, vocabulary="status"),
        Column("comment", "Kommentar", width=70, synonyms=("Resultat/kommentar", "Resultat")),
        Column("updated", "Uppdaterad", "date", width=12, derived=True),
        Column("updated_by", "Uppdaterad av", width=16, max_length=120, derived=True),
    ),
)

INDICATORS = Sheet(
    "Indikatorer",
    (
        Column("area", "Område", width=18, synonyms=("Insatsområde", "Fokusområde"), max_length=120),
        Column("name", "Indikator", width=60, required=True, max_length=300),
        Column("target", "Målvärde", "number", width=10),
        Column("unit", "Enhet", width=10, max_length=40),
        Column("direction", "Riktning", "list", width=9, vocabulary="direction"),
        Column("period", "Period", width=9),
        Column("value", "Utfall", "number", width=9),
        Column("comment", "Kommentar", width=40),
    ),
)

# Each status and comment as exported (hidden): what lets the import tell an edit in the file from a value
# that only grew old while the plan moved on (a status saved on the web after the export is kept).
EXPORTED = Sheet(
    "Exportvärden",
    (
        Column("ref", "ID", width=12, required=True, max_length=40),
        Column("division", "Förvaltning", width=30, required=True, max_length=120),
        Column("status", "Status", "list", width=13, required=True, vocabulary="status"),
        Column("comment", "Kommentar", width=60),
    ),
)

# In workbook order; the Instruktion sheet comes first, then these, then Listor and Exportvärden (hidden).
DATA_SHEETS = (CONTACTS, PLAN, STATUSES, INDICATORS)


def normalise_header(text) -> str:
    """Header texts compare case-insensitively and ignoring extra spaces."""
    return " ".join(str(text).split()).casefold() if text is not None else ""
