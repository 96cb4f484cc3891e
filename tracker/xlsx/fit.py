"""Row heights that fit their texts.

Office suites keep the row heights a generated file states and do not fit them again on opening, so export
estimates each row's height: it wraps every wrapped text as the cell would, measuring it with Calibri's letter
widths against the column's width, and gives the row as many lines as its tallest text needs.
"""

import math
from functools import lru_cache

from openpyxl.utils import get_column_letter

from tracker.xlsx import layout

# Calibri's advance widths (Carlito's are the same) in 1/2048 of the font size, rounded up to 50; a column's
# width counts digits (1038). Letters not listed count as wide as b, d, n ...
_WIDTHS = {
    500: "ijl '", 550: "I.,;:·", 650: "f-()", 700: "tJ!", 750: "r", 800: "/", 850: 'sz"', 900: "cxL”",
    950: "kvyFS?", 1000: "agåäETYZÉ", 1050: "eé0123456789–≥≤+=", 1100: "bdhnopquöüCKPX", 1150: "BR",
    1200: "AVÅÄ", 1300: "DGH", 1350: "NUÜ", 1400: "OQÖ&", 1500: "w%", 1650: "m", 1800: "M", 1850: "W",
}
_DIGIT_WIDTHS = {letter: width / 1038 for width, letters in _WIDTHS.items() for letter in letters}
_OTHER = 1100 / 1038
_BOLD = 1.05  # Calibri Bold is about 3 % wider
_PADDING = 1  # digits of a column's width that its margins take
_BREAKS = ("-", "/")  # a line may also end after these, as LibreOffice's (and Excel's) wrapping does
EXCEL_DEFAULT_WIDTH = 8.43


def text_width(text: str, bold: bool = False) -> float:
    """The text's width in digits of its font."""
    return sum(_DIGIT_WIDTHS.get(letter, _OTHER) for letter in text) * (_BOLD if bold else 1)


# A plan repeats its words thousands of times: each is measured once per export.
_word_width = lru_cache(maxsize=1 << 16)(text_width)


@lru_cache(maxsize=1 << 16)
def _pieces(word: str) -> tuple[str, ...]:
    """A word cut after each hyphen or slash."""
    pieces, start = [], 0
    for index, letter in enumerate(word):
        if letter in _BREAKS:
            pieces.append(word[start:index + 1])
            start = index + 1
    return tuple(pieces + [word[start:]] if start < len(word) else pieces)


def _whole(word: str) -> tuple[str]:
    return (word,)


def line_count(text: str, width: float, bold: bool = False) -> int:
    """How many lines `text` takes wrapped in a cell `width` digits wide. Explicit line breaks count; a line
    breaks at spaces, or after a hyphen or slash; a piece wider than the cell is broken where it fills a line.
    Two ways of wrapping (after hyphens and slashes, or only at spaces) are tried, and the longer one counts."""
    room = max(width - _PADDING, 1)
    space = _word_width(" ", bold)

    def lines(words: list[str], cut) -> int:
        count, used = 1, 0.0
        for word in words:
            for number, piece in enumerate(cut(word)):
                size = _word_width(piece, bold)
                gap = space if used and number == 0 else 0.0
                if used and used + gap + size > room:
                    count, used, gap = count + 1, 0.0, 0.0
                while size > room:  # a piece wider than the cell fills lines by itself
                    count, size = count + 1, size - room
                used += gap + size
        return count

    total = 0
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if sum(_word_width(word, bold) for word in words) + space * max(len(words) - 1, 0) <= room:
            total += 1  # fits on one line whichever way it wraps
        else:
            total += max(lines(words, _pieces), lines(words, _whole))
    return total


def fit_row_heights(ws) -> None:
    """Give every row whose texts need more than one line of the workbook's font the height they need, at
    most layout.MAX_ROW_HEIGHT. Rows of one line keep no height of their own, so that Excel still fits them
    when someone edits them."""
    spans = {(m.min_row, m.min_col): range(m.min_col, m.max_col + 1) for m in ws.merged_cells.ranges}
    widths = {}

    def width(column: int) -> float:
        if column not in widths:
            widths[column] = ws.column_dimensions[get_column_letter(column)].width or EXCEL_DEFAULT_WIDTH
        return widths[column]

    looks: dict[tuple, tuple[float, bool, bool]] = {}  # a cell's style → (scale, bold, wrapped), looked up once

    def look(cell) -> tuple[float, bool, bool]:
        key = tuple(cell._style) if cell._style is not None else None
        if key not in looks:
            # a larger font: fewer, taller lines
            looks[key] = ((cell.font.sz or layout.FONT_SIZE) / layout.FONT_SIZE, bool(cell.font.b),
                          bool(cell.alignment.wrap_text))
        return looks[key]

    for row in ws.iter_rows():
        height = layout.LINE_HEIGHT
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            scale, bold, wrapped = look(cell)
            lines = 1
            if wrapped:
                room = sum(width(c) for c in spans.get((cell.row, cell.column), (cell.column,))) / scale
                lines = line_count(cell.value, room, bold)
            height = max(height, lines * layout.LINE_HEIGHT * scale)
        if height > layout.LINE_HEIGHT:
            ws.row_dimensions[row[0].row].height = min(math.ceil(height), layout.MAX_ROW_HEIGHT)
