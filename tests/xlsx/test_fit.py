"""Row heights from the texts: how many lines a text takes in its cell, and what height its row gets.
(tests/xlsx/test_office.py checks the same against LibreOffice's printed pages.)"""

import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from tests.xlsx.helpers import PLAN_KEYS
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.xlsx import fit, layout
from tracker.xlsx.export import export_plan
from tracker.xlsx.fit import fit_row_heights, line_count, text_width


def test_a_text_wraps_at_spaces_and_after_hyphens_and_slashes():
    assert line_count("Kort sikt", 12) == 1
    assert text_width("mmmm") > text_width("iiii") * 3
    # 26 digits wide: "Teckna och förvalta ramavtal" is just too long for one line
    assert line_count("Teckna och förvalta ramavtal med externa vårdgivare", 26) == 2
    assert line_count("Hälso- och sjukvårdsstrateg, Regionkontoret", 16) == 3
    # a word wider than the cell is broken where it fills a line, or after a slash
    assert line_count("behandlingsprocesser/handläggningsöverenskommelser", 20) == 3
    assert line_count("Genomförandegrupp", 10) == 2


def test_explicit_line_breaks_count_and_bold_takes_more_room():
    assert line_count("Hallands sjukhus: Klart.\nNärsjukvården: Klart.\nRegionkontoret: Pågår.", 40) == 3
    text = "Ansvariga förvaltningar och samordnare"
    assert line_count(text, 35) == 1 and line_count(text, 35, bold=True) == 2


def test_rows_get_the_height_their_tallest_text_needs_at_most_excels_largest():
    wb = Workbook()
    ws = wb.active
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 20
    wrap = Alignment(wrap_text=True)
    rows = [
        ("kort", "kort"),
        ("kort", "en text som tar tre rader i en kolumn som är tjugo tecken bred"),
        ("ord " * 2000, None),
        ("en text som inte radbryts fast den är lång", None),
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value).alignment = wrap if r != 4 else Alignment()
    ws["A5"] = "Rubrik"
    ws["A5"].font = Font(size=22)
    ws.merge_cells("A6:B6")
    ws["A6"] = "två rader i en kolumn, en över två"
    ws["A6"].alignment = wrap

    fit_row_heights(ws)
    heights = {r: ws.row_dimensions[r].height for r in range(1, 7)}
    assert heights == {1: None, 2: 3 * layout.LINE_HEIGHT, 3: layout.MAX_ROW_HEIGHT, 4: None, 5: 30, 6: None}


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_every_word_of_the_demo_plans_fits_its_column(app, tmp_path, key):
    """A column as wide as its longest word: "Verksamhetsutvecklare" is not broken in the middle. (A line may
    end after a hyphen or a slash: the parts between count as words.)"""
    load_demo()
    db.session.commit()
    _, data = export_plan(plans.get_plan(key), None, tmp_path)
    wb = load_workbook(BytesIO(data))
    broken = []
    for sheet in layout.DATA_SHEETS:
        ws = wb[sheet.name]
        for r, row in enumerate(ws.iter_rows(min_row=sheet.header_row, values_only=True), start=sheet.header_row):
            for column, value in zip(sheet.written, row):
                words = re.split(r"\s+|(?<=[-/])", value) if isinstance(value, str) else []
                broken += [(sheet.name, column.header, word) for word in words
                           if fit.line_count(word, column.width, bold=r == sheet.header_row) > 1]
    assert broken == []
