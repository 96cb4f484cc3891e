"""Benchmark of the Excel attachment (issue: Excel attachment).

For a generated plan of 1,000 åtgärder × 4 förvaltningar, prints:
- export time against a baseline measured in the same run: openpyxl itself writing the same
  cells with the same styles (target: ratio ≤ 1.5);
- import time: parse + validate + preview of that export (target ≤ 3 s);
- the peak memory (tracemalloc) of each, and the import's against a baseline measured in the same run:
  openpyxl itself reading the same file in read-only mode, the values of every row of every sheet (target:
  ratio ≤ 2). Reading a file is having its values: an import cannot compare what it does not hold. The peak of
  openpyxl streaming the rows and keeping nothing is printed beside it, and so is the reader's own part
  (read_workbook).

Run: `make bench` or `.venv/bin/python bench/excel.py [--database-url URL] [--runs N]`.
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from io import BytesIO

from openpyxl import Workbook, load_workbook

from common import generate_plan, make_app
from tracker.plans.services import get_plan
from tracker.users.services import list_divisions
from tracker.xlsx import layout
from tracker.xlsx.read import read_workbook
from tracker.xlsx.workbook import _styles, cell_value
from tracker.xlsx.rows import plan_rows
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import


def measure(fn, runs: int) -> tuple[float, float]:
    """(median seconds of `runs` calls, peak MB of one more call traced by tracemalloc).

    Memory is traced in a separate call: tracemalloc slows Python down several times."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 1024 / 1024


def baseline(rows) -> bytes:
    """openpyxl alone: the same sheets, cells and named styles, no app code around it."""
    wb = Workbook()
    styles = _styles()
    for style in styles.values():
        wb.add_named_style(style)
    data = {layout.CONTACTS.name: rows.contacts, layout.PLAN.name: rows.actions,
            layout.STATUSES.name: rows.statuses, layout.INDICATORS.name: rows.indicators,
            layout.EXPORTED.name: rows.statuses}
    for sheet in (*layout.DATA_SHEETS, layout.EXPORTED):
        ws = wb.create_sheet(sheet.name)
        for index, column in enumerate(sheet.columns, start=1):
            ws.cell(sheet.header_row, index, column.header).style = "tracker_header"
        for r, row in enumerate(data[sheet.name], start=sheet.header_row + 1):
            for index, column in enumerate(sheet.columns, start=1):
                cell = ws.cell(r, index, cell_value(row.get(column.key)))
                cell.style = "tracker_date" if column.kind == "date" else "tracker_text"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_only(data: bytes, keep_values: bool = False) -> list[tuple]:
    """openpyxl alone reading the file: read-only mode, every row of every sheet. Nothing is kept, or with
    `keep_values` every row's values: the least an import holds to compare the file with the plan."""
    wb = load_workbook(BytesIO(data), read_only=True)
    kept = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=keep_values):
            if keep_values:
                kept.append(row)
    wb.close()
    return kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--actions", type=int, default=1000)
    args = parser.parse_args()
    app, _ = make_app(args.database_url)
    with app.app_context():
        generate_plan("bench-excel", args.actions)
        plan = get_plan("bench-excel")
        rows = plan_rows(plan)
        export_dir = app.config["EXPORT_DIR"]
        base_time, base_memory = measure(lambda: baseline(rows), args.runs)
        export_time, export_memory = measure(lambda: export_plan(plan, None, export_dir), args.runs)
        _, data = export_plan(plan, None, export_dir)
        divisions = len(list_divisions())

        def do_import():
            preview = preview_import(data, max_bytes=app.config["IMPORT_MAX_BYTES"], plan_key=plan.key)
            assert preview.clean and preview.summary == "Inga ändringar", preview.summary

        import_time, import_memory = measure(do_import, args.runs)
        read_time, read_memory = measure(lambda: read_only(data), args.runs)
        _, kept_memory = measure(lambda: read_only(data, keep_values=True), 1)
        # known_divisions=None: the file's förvaltningar as they are, which costs what the lookup does.
        reader_time, reader_memory = measure(
            lambda: read_workbook(data, known_divisions=None, max_bytes=app.config["IMPORT_MAX_BYTES"]), args.runs)

    ratio = export_time / base_time
    memory_ratio = import_memory / kept_memory
    print(f"Plan: {args.actions} åtgärder × {divisions} förvaltningar, {len(data) / 1024:.0f} kB som .xlsx")
    print(f"openpyxl själv (baslinje):     {base_time:.3f} s   topp {base_memory:.1f} MB")
    print(f"Export (plan → arbetsbok):     {export_time:.3f} s   topp {export_memory:.1f} MB")
    print(f"Kvot export/baslinje:          {ratio:.2f}   (mål ≤ 1,5: {'OK' if ratio <= 1.5 else 'ÖVER'})")
    print(f"Import (läs + kontroll + förhandsgranskning): {import_time:.3f} s   topp {import_memory:.1f} MB"
          f"   (mål ≤ 3 s: {'OK' if import_time <= 3 else 'ÖVER'})")
    print(f"  därav läsningen (read_workbook): {reader_time:.3f} s   topp {reader_memory:.1f} MB")
    print(f"openpyxl läser filens värden (read-only, alla rader, baslinje): topp {kept_memory:.1f} MB")
    print(f"Kvot minne import/baslinje:    {memory_ratio:.2f}   (mål ≤ 2: {'OK' if memory_ratio <= 2 else 'ÖVER'})")
    print(f"  openpyxl som bara strömmar raderna och inget behåller: {read_time:.3f} s   topp {read_memory:.1f} MB "
          f"(importen {import_memory / read_memory:.1f} gånger det)")
    return 0 if ratio <= 1.5 and import_time <= 3 and memory_ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
