"""The golden thread in the import: the optional column Delmål (regional strategi) of Handlingsplan links an
åtgärd to the current strategy's delmål, through the editor's link_action; export leaves the column out."""

from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.xlsx.helpers import MAX_BYTES, ROW, edit, plan_workbook, preview_form, upload
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.plans import services as plans
from tracker.plans import structure
from tracker.plans.models import Action
from tracker.strategy.models import Goal, Strategy
from tracker.vocabulary import Role
from tracker.xlsx import layout
from tracker.xlsx.apply import ImportConflict, ImportRefused, apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import
from tracker.xlsx.read import read_workbook

COLUMN = "O (Delmål (regional strategi))"  # where an exported file gets the column when someone adds it


@pytest.fixture
def workbook(make_plan, tmp_path):
    """FF01-A01 (Handlingsplan row 6) and FF01-A02 (row 7), exported."""
    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård", "divisions": ["HS"]},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["HS"]}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    return plan, data


def with_goals(data: bytes, *cells, header: str = "Delmål (regional strategi)") -> bytes:
    """The exported file with the column added after the last one (O) and these cells of rows 6, 7 … filled."""
    def change(wb):
        ws = wb[layout.PLAN.name]
        ws["O5"] = header
        for r, value in enumerate(cells, start=6):
            ws[f"O{r}"] = value
    return edit(data, change)


def preview(plan, data):
    return preview_import(data, max_bytes=MAX_BYTES, plan_key=plan.key)


def action(plan, ref) -> Action:
    db.session.expire_all()
    return next(a for f in plans.get_plan(plan.key).factors for a in f.actions if a.ref == ref)


def numbers(plan, ref) -> list[int]:
    return [g.number for g in action(plan, ref).goals]


def goal(number: int) -> Goal:
    return db.session.scalar(sa.select(Goal).where(Goal.number == number))


def apply(result, user):
    with acting(user, "import"):
        apply_import(result, user)
        db.session.commit()


def change_of(result, ref):
    return next(c for c in result.changes if c.kind == "Åtgärd" and c.key == ref)


# --- Reading ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Delmål (regional strategi)", "Delmål", "  DELMÅL  "])
def test_the_column_is_read_by_its_header_or_synonym_wherever_it_stands(header):
    headers = [c.header for c in layout.PLAN.written]
    data = plan_workbook([["", *ROW[1:4], "1, 4", *ROW[4:]]], headers=[*headers[:4], header, *headers[4:]])
    result = read_workbook(data, known_divisions=None, max_bytes=MAX_BYTES)
    assert result.problems == [] and result.notes == []
    assert result.columns[layout.PLAN.name]["goals"] == "E (Delmål (regional strategi))"
    assert result.rows.actions[0]["goals"] == "1, 4" and result.rows.actions[0]["description"] is None


def test_export_leaves_the_column_out_of_the_attachment(strategy, workbook, tmp_path):
    plan, _ = workbook
    structure.link_action(action(plan, "FF01-A01"), goals=[goal(1), goal(4)], groups=None)
    db.session.commit()
    _, data = export_plan(plans.get_plan(plan.key), None, tmp_path)
    ws = load_workbook(BytesIO(data))[layout.PLAN.name]
    assert [c.value for c in ws[5]] == [c.header for c in layout.PLAN.written]
    assert "Delmål (regional strategi)" not in [c.header for c in layout.PLAN.written]
    assert ws.max_column == len(layout.PLAN.written)
    assert not any("Delmål" in str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


# --- Preview and apply -----------------------------------------------------------------------------------


def test_a_changed_link_is_previewed_as_a_field_and_written_with_the_editors_history(strategy, workbook, make_user):
    plan, data = workbook
    before = action(plan, "FF01-A01").version_id
    result = preview(plan, with_goals(data, "1, 4", "Delmål 2; Delmål 5"))
    assert result.problems == []
    assert change_of(result, "FF01-A01").state == "changed"
    assert change_of(result, "FF01-A01").fields == [("Delmål", "–", "Delmål 1, Delmål 4")]
    assert change_of(result, "FF01-A02").fields == [("Delmål", "–", "Delmål 2, Delmål 5")]
    assert result.summary == "0 nya, 2 ändrade, 0 oförändrade"

    strateg = make_user(Role.STRATEGIST, name="Maria Strand")
    apply(result, strateg)
    assert numbers(plan, "FF01-A01") == [1, 4] and numbers(plan, "FF01-A02") == [2, 5]
    assert action(plan, "FF01-A01").version_id == before + 1  # a save of the åtgärd, as in the editor
    entry = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.action_id == action(plan, "FF01-A01").id)
                               .order_by(HistoryEntry.id.desc())).first()
    assert entry.changes == [["Delmål", "–", "Delmål 1, Delmål 4"]]
    assert entry.source == "import" and entry.user_name == "Maria Strand" and entry.plan_id == plan.id
    assert "delmål" in entry.summary

    # The same file again changes nothing.
    again = preview(plan, with_goals(data, "1, 4", "Delmål 2; Delmål 5"))
    assert again.problems == [] and again.summary == "Inga ändringar"


def test_an_empty_cell_keeps_the_links_a_dash_removes_them_and_no_column_changes_none(strategy, workbook, make_user):
    plan, data = workbook
    for ref in ("FF01-A01", "FF01-A02"):
        structure.link_action(action(plan, ref), goals=[goal(3)], groups=None)
        db.session.commit()
    assert preview(plan, data).summary == "Inga ändringar"  # the export: no column
    result = preview(plan, with_goals(data, None, "–"))
    assert result.problems == []
    assert change_of(result, "FF01-A01").state == "unchanged"
    assert change_of(result, "FF01-A02").fields == [("Delmål", "Delmål 3", "–")]
    apply(result, make_user(Role.STRATEGIST))
    assert numbers(plan, "FF01-A01") == [3] and numbers(plan, "FF01-A02") == []


def test_a_new_atgard_is_linked_when_it_is_created(strategy, workbook, make_user):
    plan, data = workbook

    def change(wb):
        ws = wb[layout.PLAN.name]
        ws["O5"] = "Delmål"
        for column, value in zip("BCDEFGHIJKLMN", [*ROW[1:], None][:13]):
            ws[f"{column}8"] = value
        ws["C8"], ws["O8"] = ws["C6"].value, "2"
    result = preview(plan, edit(data, change))
    assert result.problems == []
    new = next(c for c in result.changes if c.state == "new")
    assert ("Delmål", "–", "Delmål 2") in new.fields
    apply(result, make_user(Role.STRATEGIST))
    created = action(plan, new.key)
    assert [g.number for g in created.goals] == [2]
    entries = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.action_id == created.id)).all()
    [entry] = [e for e in entries if e.kind == "action" and e.verb == "updated"]
    assert entry.changes == [["Delmål", "–", "Delmål 2"]] and entry.source == "import"


def test_links_to_another_strategys_delmal_are_kept(strategy, workbook, make_user):
    plan, data = workbook
    older = Strategy(name="Hälso- och sjukvårdsstrategi 2010–2016", first_year=2010, last_year=2016)
    older_goal = Goal(strategy=older, number=1, text="Ett äldre delmål.")
    db.session.add_all([older, older_goal])
    structure.link_action(action(plan, "FF01-A01"), goals=[older_goal], groups=None)
    db.session.commit()
    result = preview(plan, with_goals(data, "1"))
    assert change_of(result, "FF01-A01").fields == [("Delmål", "–", "Delmål 1")]  # the current strategy's only
    apply(result, make_user(Role.STRATEGIST))
    assert sorted((g.strategy.first_year, g.number) for g in action(plan, "FF01-A01").goals) == [(2010, 1),
                                                                                                   (2017, 1)]


def test_a_link_saved_in_the_editor_after_the_preview_stops_the_import(strategy, workbook, make_user):
    plan, data = workbook
    result = preview(plan, with_goals(data, "1"))
    saved = action(plan, "FF01-A01")
    structure.update_action(saved, expected_version=saved.version_id, **structure.action_form(
        {f: getattr(saved, f) for f in structure.ACTION_FORM_FIELDS}),
        division_ids=[s.division_id for s in saved.statuses], goal_ids=[goal(5).id])
    db.session.commit()
    with pytest.raises(ImportConflict):
        apply(result, make_user(Role.STRATEGIST))
    db.session.rollback()
    assert numbers(plan, "FF01-A01") == [5]


def test_a_link_is_structure_that_a_fastställd_plan_keeps(strategy, workbook, make_user):
    plan, data = workbook
    from tracker.versions.services import approve
    with acting(None, "cli", "test"):
        approve(plans.get_plan(plan.key), make_user(Role.DIRECTOR), "RS1")
        db.session.commit()
    result = preview(plan, with_goals(data, "1"))
    assert result.refusal is not None and "FF01-A01: Delmål" in result.refusal


# --- Cells that name no delmål ------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, message", [
    ("7", "”7” är inget delmål. Skriv delmålens nummer, t.ex. ”1, 4”, bland 1, 2, 3, 4, 5."),
    ("Delmål x", "”Delmål x” är inget delmål."),
    ("1, 9", "”9” är inget delmål."),
    ("1 och 4", "”1 och 4” är inget delmål."),
    (1.5, "”1.5” är inget delmål."),
    (0, "”0” är inget delmål."),
    ("=SUMMA(1;3)", "Cellen innehåller en formel (=SUMMA(1;3))."),
    ("1, " * 100, "Texten har 299 tecken; högst 200 får plats."),
])
def test_a_cell_naming_no_delmal_is_a_problem_at_its_cell_and_nothing_is_written(strategy, workbook, make_user,
                                                                                  cell, message):
    plan, data = workbook
    result = preview(plan, with_goals(data, "2", cell))
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("Handlingsplan", 7, COLUMN)
    assert message in problem.message
    with pytest.raises(ImportRefused):
        apply(result, make_user(Role.STRATEGIST))
    db.session.rollback()
    assert numbers(plan, "FF01-A01") == [] and numbers(plan, "FF01-A02") == []


@pytest.mark.parametrize("cell, linked", [
    ("Delmål 1\nDelmål 4", [1, 4]),  # one a line (Alt+Enter)
    (" 4 ;1;4 ", [1, 4]),  # any order, repeated, spaces
    ("delmål 2.", [2]),
    (3, [3]),  # a number, as Excel keeps a typed 3
    (3.0, [3]),
])
def test_odd_but_clear_cells_are_taken(strategy, workbook, make_user, cell, linked):
    plan, data = workbook
    result = preview(plan, with_goals(data, cell))
    assert result.problems == []
    apply(result, make_user(Role.STRATEGIST))
    assert numbers(plan, "FF01-A01") == linked


# --- Round trip ----------------------------------------------------------------------------------------------


def test_export_and_import_change_no_links(strategy, workbook, make_user, tmp_path):
    plan, _ = workbook
    structure.link_action(action(plan, "FF01-A01"), goals=[goal(1), goal(4)], groups=None)
    db.session.commit()
    _, data = export_plan(plans.get_plan(plan.key), None, tmp_path)
    db.session.commit()
    result = preview(plan, data)
    assert result.problems == [] and result.summary == "Inga ändringar"
    apply(result, make_user(Role.STRATEGIST))
    assert numbers(plan, "FF01-A01") == [1, 4]
    # The column added with the links as they are is no change either.
    assert preview(plan, with_goals(data, "Delmål 1, Delmål 4", "")).summary == "Inga ändringar"


# --- No strategy ----------------------------------------------------------------------------------------------


def test_without_a_strategy_the_column_is_refused_if_filled_and_ignored_if_empty(workbook):
    plan, data = workbook
    result = preview(plan, with_goals(data, None, "1"))
    [problem] = result.problems
    assert (problem.row, problem.column) == (7, COLUMN)
    assert "Det finns ingen regional strategi i verktyget" in problem.message
    empty = preview(plan, with_goals(data, None, None))
    assert empty.problems == [] and empty.summary == "Inga ändringar"


# --- The web ---------------------------------------------------------------------------------------------------


def test_the_preview_page_shows_the_link_and_the_confirmation_writes_it(strategy, workbook, client, login, make_user):
    plan, data = workbook
    login(make_user(Role.STRATEGIST))
    page = upload(client, with_goals(data, "1, 4"), plan=plan.key).get_data(as_text=True)
    assert "Delmål 1, Delmål 4" in page
    token, fingerprint = preview_form(page)
    response = client.post(f"/import/{token}", data={"fingerprint": fingerprint})
    assert response.status_code == 302
    assert numbers(plan, "FF01-A01") == [1, 4]
