"""Reading is bounded: neither a sheet's declared size nor stray cells far right or far down cost memory."""

import io
import re
import time
import tracemalloc
import zipfile

import pytest

from tests.xlsx.helpers import MAX_BYTES, ROW, plan_workbook
from tracker.xlsx import layout
from tracker.xlsx.preview import preview_import

PEAK_LIMIT = 20 * 1024 * 1024  # the unbounded reader took 377 MB and 64 MB for the first two files here
BEYOND_THE_LAST_ROW = (
    "Handlingsplan: Bladet fortsätter nedanför rad 20\u00a0000, men importen läser inte längre ner än så. Raderna "
    "där kan vara tomma men formaterade, eller ha enstaka celler långt till höger. Ta bort raderna under planens "
    "sista rad (markera dem, högerklicka och välj Ta bort), spara och importera igen."
)


@pytest.fixture(autouse=True)
def _divisions(divisions):
    return divisions


def patched(data: bytes, stray_rows=(), dimension: str | None = None) -> bytes:
    """The workbook with a number in column XFD (the last there is) on each of `stray_rows`, as a sheet gets
    when someone types far right and fills down. Its <dimension> declares `dimension`, or by default the
    size as Excel would: A1 to XFD and the last row."""
    if dimension is None and stray_rows:
        dimension = f"A1:XFD{max(stray_rows)}"
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in stray_rows)
                content = content.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
                if dimension:
                    content, count = re.subn(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'.encode(),
                                             content)
                    assert count == 1
            archive.writestr(info, content)
    return buffer.getvalue()


def numbered(count: int) -> list[list]:
    """`count` rows of åtgärder, each with an ID and a title of its own."""
    return [[f"FF01-A{i:03d}", *ROW[1:3], f"Åtgärd {i}", *ROW[4:]] for i in range(1, count + 1)]


def preview_of(data: bytes):
    return preview_import(data, max_bytes=MAX_BYTES, plan_key="tillganglighet-2024")


def preview_traced(data: bytes):
    """The preview of the file, its peak traced memory in bytes, and the seconds it took."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        preview = preview_of(data)
        return preview, tracemalloc.get_traced_memory()[1], time.perf_counter() - start
    finally:
        tracemalloc.stop()


def test_thousands_of_rows_with_a_stray_cell_far_right():
    data = patched(plan_workbook(numbered(3)), stray_rows=range(9, 3009))
    preview, peak, _ = preview_traced(data)
    assert preview.problems == []
    assert [a["title"] for a in preview.read.rows.actions] == ["Åtgärd 1", "Åtgärd 2", "Åtgärd 3"]
    assert peak < PEAK_LIMIT, f"{peak / 1024 / 1024:.0f} MB"


def test_the_declared_dimension_is_not_trusted():
    rows = numbered(500)
    preview, peak, _ = preview_traced(patched(plan_workbook(rows), dimension="A1:XFD1048576"))
    assert preview.problems == [] and len(preview.read.rows.actions) == 500
    assert peak < PEAK_LIMIT, f"{peak / 1024 / 1024:.0f} MB"
    # A size declared too small hides no rows either.
    preview = preview_of(patched(plan_workbook(rows), dimension="A1:C2"))
    assert preview.problems == [] and len(preview.read.rows.actions) == 500


def test_a_stray_cell_on_every_row_down_to_the_last_row_excel_has():
    data = patched(plan_workbook(numbered(3)), stray_rows=range(9, 1_048_577))
    assert len(data) < MAX_BYTES
    preview, peak, seconds = preview_traced(data)
    assert [str(p) for p in preview.problems] == [BEYOND_THE_LAST_ROW]
    assert peak < PEAK_LIMIT, f"{peak / 1024 / 1024:.0f} MB"
    assert seconds < 15  # streaming the whole sheet took 23 s here, without tracemalloc


def test_a_sheet_that_goes_on_below_the_last_row_read():
    last = layout.MAX_ROWS
    rows = numbered(3)
    assert preview_of(patched(plan_workbook(rows), stray_rows=[last])).problems == []
    preview = preview_of(patched(plan_workbook(rows), stray_rows=[last + 1]))
    assert [str(p) for p in preview.problems] == [BEYOND_THE_LAST_ROW]
    assert not preview.clean


def test_headers_moved_right_are_found_within_the_read_width():
    shift = [None] * 30  # the plan's 15 columns (Delmål last) from AE; the read width is 15 + layout.EXTRA_COLUMNS
    headers = [*shift, *(c.header for c in layout.PLAN.columns), "Prioritet"]
    headers += [None] * (layout.PLAN.read_width - len(headers)) + ["Utanför"]
    preview = preview_of(plan_workbook([[*shift, *ROW]], headers=headers))
    assert preview.problems == [] and [a["title"] for a in preview.read.rows.actions] == [ROW[3]]
    assert preview.read.notes == ["Handlingsplan, kolumn AT (Prioritet): okänd kolumn, ignoreras."]
