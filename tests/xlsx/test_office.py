"""The attachment as its reader sees it: LibreOffice opens the exported workbook of each demo plan, prints it
to PDF and saves it again. The tests read the printed pages' words, with their boxes, and the saved file."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import office
from tests.xlsx.helpers import PLAN_KEYS, sheet_values, wipe_database
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.history.recorder import acting
from tracker.plans import services as plans
from tracker.xlsx import layout
from tracker.xlsx.export import export_plan

pytestmark = pytest.mark.office

A4_LANDSCAPE = (841.9, 595.3)  # points
# Each demo plan's printed pages, as measured: the attachment of Ökad tillgänglighet took 14 before its columns
# were balanced (each as wide as its longest word, the width left over to the long texts).
MOST_PAGES = {"tillganglighet-2023": 10, "gonv-2021": 10}
LEGIBLE = 6  # points: the least height of a printed word's box


@dataclass
class Printed:
    workbook: Path  # as exported
    saved: Path  # as LibreOffice saves it again
    pages: list[office.Page]


@pytest.fixture(scope="module")
def printed(app, tmp_path_factory) -> dict[str, Printed]:
    """Each demo plan's exported workbook, printed and saved again by LibreOffice (two soffice runs in all)."""
    if lacking := office.missing():
        pytest.skip(f"LibreOffice cannot read the workbook here: {', '.join(lacking)} missing "
                    "(make test installs Debian's packages for it)")
    directory = tmp_path_factory.mktemp("office")
    with app.app_context(), acting(None, "cli", "Testdata"):
        load_demo()
        db.session.commit()
        workbooks = []
        for key in PLAN_KEYS:
            _, data = export_plan(plans.get_plan(key), None, directory / "exports")
            workbooks.append(directory / f"{key}.xlsx")
            workbooks[-1].write_bytes(data)
        wipe_database()
    pdfs = office.convert(workbooks, directory / "pdf")
    saved = office.convert(workbooks, directory / "saved", to="xlsx")
    return {key: Printed(w, s, office.pdf_pages(p)) for key, w, p, s in zip(PLAN_KEYS, workbooks, pdfs, saved)}


def header_line(page: office.Page, sheet: layout.Sheet) -> office.Word | None:
    """The first word of the sheet's header row, if the page shows that row (every header on one line)."""
    first_words = [column.header.split()[0] for column in sheet.written]
    for anchor in (w for w in page.words if w.text == first_words[0]):
        line = {w.text for w in page.words if abs(w.y0 - anchor.y0) < 0.5}
        if all(word in line for word in first_words):
            return anchor
    return None


def column_bounds(page: office.Page, sheet: layout.Sheet, key: str) -> tuple[float, float]:
    """Where a column's words start on the page: from its header's first word to the next column's."""
    anchor = header_line(page, sheet)
    line = sorted((w for w in page.words if abs(w.y0 - anchor.y0) < 0.5), key=lambda w: w.x0)
    lefts = []  # each header's first word, left to right (two headers may start with the same word)
    for column in sheet.written:
        lefts.append(next(w.x0 for w in line if w.text == column.header.split()[0] and w.x0 > (lefts or [-1])[-1]))
    index = [c.key for c in sheet.written].index(key)
    return lefts[index] - 1, (lefts[index + 1] if index + 1 < len(lefts) else page.width) - 1


def column_text(page: office.Page, sheet: layout.Sheet, key: str, top: float | None = None,
                bottom: float | None = None) -> str:
    """What the page shows in a column below its header (or between `top` and `bottom`), top to bottom,
    unbroken."""
    left, right = column_bounds(page, sheet, key)
    top = header_line(page, sheet).y1 if top is None else top
    words = sorted((w for w in page.words if top < w.y0 < (bottom or page.height) and left <= w.x0 < right),
                   key=lambda w: (w.y0, w.x0))
    return office.unbroken(" ".join(w.text for w in words))


def plan_pages(pages: list[office.Page], sheet: layout.Sheet = layout.PLAN) -> list[office.Page]:
    return [page for page in pages if header_line(page, sheet)]


def instruction_value(workbook: Path, label: str) -> str:
    ws = load_workbook(workbook)[layout.INSTRUCTION_SHEET]
    return next(str(value) for name, value in ws.iter_rows(max_col=2, values_only=True) if name == label)


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_no_printed_word_is_drawn_over_another(printed, key):
    for page in printed[key].pages:
        pairs = office.overlapping(page.words)
        assert pairs == [], f"page {page.number}: {[(a.text, b.text) for a, b in pairs[:5]]}"


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_handlingsplan_takes_several_legible_pages_each_with_its_header_row(printed, key):
    pages = printed[key].pages
    plan = plan_pages(pages)
    assert len(plan) > 1
    assert [p.number for p in plan] == list(range(plan[0].number, plan[0].number + len(plan)))
    small = [(p.number, w.text, round(w.height, 1)) for p in plan for w in p.words if w.height < LEGIBLE]
    assert small == []
    # the page after the plan is the next sheet's first: the header row was on every page of the plan
    assert header_line(pages[plan[-1].number], layout.STATUSES)


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_every_action_title_is_printed_whole(printed, key):
    ws = load_workbook(printed[key].workbook)[layout.PLAN.name]
    column = [c.key for c in layout.PLAN.written].index("title")
    titles = [row[column] for row in ws.iter_rows(min_row=layout.PLAN.header_row + 1, values_only=True)]
    assert len(titles) > 30
    shown = "".join(column_text(page, layout.PLAN, "title") for page in plan_pages(printed[key].pages))
    assert [t for t in titles if office.unbroken(t) not in shown] == []


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_pages_are_a4_landscape_with_a_footer_naming_the_plan_its_version_and_the_page(printed, key):
    workbook = printed[key].workbook
    name = load_workbook(workbook)[layout.INSTRUCTION_SHEET]["A1"].value
    footer = office.unbroken(f"{name} · {instruction_value(workbook, 'Version')}")
    pages = printed[key].pages
    for page in pages:
        assert (page.width, page.height) == pytest.approx(A4_LANDSCAPE, abs=1)
        text = office.unbroken(page.text)
        assert footer in text and f"Sida{page.number}av{len(pages)}" in text, page.number


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_instruktion_prints_its_values_and_guidance_on_one_page(printed, key):
    first, second = printed[key].pages[:2]
    text = office.unbroken(first.text)
    title = instruction_value(printed[key].workbook, "Plan")
    assert all(office.unbroken(t) in text for t in (title, *layout.GUIDANCE))
    assert all(w.x1 < first.width for w in first.words)
    assert header_line(second, layout.CONTACTS)


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_libreoffice_reads_every_cell_and_keeps_the_dropdowns_and_the_print_set_up(printed, key):
    exported, saved = printed[key].workbook, printed[key].saved
    assert sheet_values(saved.read_bytes()) == sheet_values(exported.read_bytes())

    def set_up(path):
        wb = load_workbook(path)
        return {
            ws.title: (
                ws.sheet_state,
                sorted((dv.type, dv.formula1.replace("'", ""), str(dv.sqref), dv.showErrorMessage)
                       for dv in ws.data_validations.dataValidation),
                (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.print_title_rows,
                 ws.oddFooter.left.text, ws.oddFooter.right.text) if ws.sheet_state == "visible" else None,
            )
            for ws in wb.worksheets
        }

    expected = set_up(exported)
    assert set_up(saved) == expected
    assert expected[layout.LIST_SHEET][0] == "hidden"
    assert len(expected[layout.PLAN.name][1]) == 2 and len(expected[layout.STATUSES.name][1]) == 2


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_the_attachment_prints_on_few_pages(printed, key):
    assert len(printed[key].pages) <= MOST_PAGES[key]


@pytest.mark.parametrize("sheet", [layout.PLAN, layout.STATUSES], ids=lambda sheet: sheet.name)
@pytest.mark.parametrize("key", PLAN_KEYS)
def test_every_row_shows_all_its_text_within_its_height(printed, key, sheet):
    """No row is clipped: each row's band on the page, from its ID to the next row's (at most the row's height),
    shows every text of the row, whole, and no line of it is cut at the band's lower edge."""
    ws = load_workbook(printed[key].workbook)[sheet.name]
    rows = [(r, [cell.value for cell in row]) for r, row in enumerate(ws.iter_rows(min_row=sheet.header_row + 1),
                                                                       start=sheet.header_row + 1)]
    heights = [ws.row_dimensions[r].height or layout.LINE_HEIGHT for r, _ in rows]
    pages = plan_pages(printed[key].pages, sheet)
    id_left, id_right = column_bounds(pages[0], sheet, "ref")
    footer = A4_LANDSCAPE[1] - layout.PAGE_MARGINS["bottom"] * 72  # where the page's footer begins
    tops = [sorted(w.y0 for w in page.words
                   if header_line(page, sheet).y1 < w.y0 < footer and id_left <= w.x0 < id_right) for page in pages]
    # fitted to the page's width, a sheet prints at one scale: two rows' distance over the first one's height
    first = next(page_tops for page_tops in tops if len(page_tops) > 1)
    scale = (first[1] - first[0]) / heights[sum(len(t) for t in tops[:tops.index(first)])]
    assert sum(len(page_tops) for page_tops in tops) == len(rows)
    index, texts = 0, [c.key for c in sheet.written]
    for page, page_tops in zip(pages, tops):
        for number, top in enumerate(page_tops):
            r, values = rows[index]
            bottom = min([top + heights[index] * scale] + page_tops[number + 1:number + 2])
            shown = {k: column_text(page, sheet, k, top - 0.5, bottom - 0.5) for k, v in zip(texts, values)
                     if isinstance(v, str)}
            expected = {k: office.unbroken(v) for k, v in zip(texts, values) if isinstance(v, str)}
            assert shown == expected, f"{sheet.name}, rad {r} (sida {page.number})"
            # a line is visible down to its baseline, about four fifths down the word's box
            cut = [w.text for w in page.words if top - 0.5 < w.y0 < bottom - 0.5 and w.y0 + 0.8 * w.height > bottom]
            assert cut == [], f"{sheet.name}, rad {r} (sida {page.number})"
            index += 1
