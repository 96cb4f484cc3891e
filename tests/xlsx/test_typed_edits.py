"""Typed edits are taken or refused, never dropped: column L and M of Handlingsplan beside the status sheet."""

import pytest

from tests.xlsx.helpers import MAX_BYTES, edit
from tracker.extensions import db
from tracker.followup import status as followup
from tracker.history.recorder import acting
from tracker.plans import services as plans
from tracker.vocabulary import Role, Status
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import
from tracker.xlsx.read import Problem

SHEET = "Status per förvaltning"


@pytest.fixture
def workbook(make_plan, tmp_path):
    """FF01-A01 for Hallands sjukhus alone, FF01-A02 for Hallands sjukhus (status row 3) and Närsjukvården
    (row 4); the exported workbook (Handlingsplan rows 6 and 7)."""
    plan = make_plan(actions=[
        {"title": "Gemensamma väntelistor inom ögonsjukvård", "divisions": ["HS"]},
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["HS", "NSV"],
         "statuses": {"HS": Status.IN_PROGRESS, "NSV": Status.DONE}},
    ])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    return plan, data


def preview(plan, data, *cells):
    def change(wb):
        for sheet, cell, value in cells:
            wb[sheet][cell] = value
    return preview_import(edit(data, change), max_bytes=MAX_BYTES, plan_key=plan.key)


def stored(plan):
    db.session.expire_all()
    return {(a.ref, s.division.short_name): (s.status, s.comment)
            for a in plans.get_plan(plan.key).factors[0].actions for s in a.statuses}


def test_column_l_and_m_of_an_action_with_one_division_set_its_status_and_comment(workbook, make_user):
    plan, data = workbook
    result = preview(plan, data, ("Handlingsplan", "L6", "Genomförd"),
                     ("Handlingsplan", "M6", "Väntelistorna är gemensamma sedan mars."))
    assert result.problems == []
    [change] = [c for c in result.changes if c.state == "changed"]
    assert change.fields == [("Status, Hallands sjukhus", "Ej påbörjad", "Genomförd"),
                             ("Kommentar, Hallands sjukhus", "–", "Väntelistorna är gemensamma sedan mars.")]
    strateg = make_user(Role.STRATEGIST)
    with acting(strateg, "import"):
        apply_import(result, strateg)
        db.session.commit()
    assert stored(plan)["FF01-A01", "HS"] == (Status.DONE, "Väntelistorna är gemensamma sedan mars.")


def test_named_lines_of_column_m_go_to_their_divisions(workbook):
    plan, data = workbook
    result = preview(plan, data, ("Handlingsplan", "M7", "Hallands sjukhus: Koordinatorer finns i Halmstad.\n"
                                                         "Närsjukvården: Klart i hela länet."))
    assert result.problems == []
    [change] = [c for c in result.changes if c.state == "changed"]
    assert change.fields == [("Kommentar, Hallands sjukhus", "–", "Koordinatorer finns i Halmstad."),
                             ("Kommentar, Närsjukvården", "–", "Klart i hela länet.")]


def test_a_changed_column_l_of_several_divisions_is_a_problem_that_says_where_to_write(workbook):
    plan, data = workbook
    result = preview(plan, data, ("Handlingsplan", "L7", "Genomförd"))
    assert result.problems == [Problem(
        "Handlingsplan", 7, "L (Status)",
        "”Genomförd” är ändrad, men kolumnen är den sammanvägda statusen för 2 ansvariga förvaltningar (Hallands "
        "sjukhus, Närsjukvården) och säger inget om vilken av dem som ändrats. Ändra status per förvaltning på "
        "bladet Status per förvaltning, så räknas kolumnen fram.")]
    # Where the status sheet says the same, column L agrees with it: no problem.
    result = preview(plan, data, ("Handlingsplan", "L7", "Genomförd"), (SHEET, "D3", "Genomförd"))
    assert result.problems == [] and result.count("changed") == 1


def test_an_unnamed_text_in_column_m_of_several_divisions_is_a_problem(workbook):
    plan, data = workbook
    result = preview(plan, data, ("Handlingsplan", "M7", "Klart på alla enheter."))
    assert [(p.row, p.column) for p in result.problems] == [(7, "M (Resultat/kommentar)")]
    assert "står inte under någon förvaltnings namn" in result.problems[0].message


def test_the_same_change_in_both_places_is_taken_and_different_ones_are_a_problem(workbook):
    plan, data = workbook
    same = preview(plan, data, ("Handlingsplan", "L6", "Försenad"), (SHEET, "D2", "Försenad"))
    assert same.problems == [] and same.count("changed") == 1
    different = preview(plan, data, ("Handlingsplan", "L6", "Försenad"), (SHEET, "D2", "Genomförd"))
    assert different.problems == [Problem(
        "Handlingsplan", 6, "L (Status)",
        "Hallands sjukhus: status ”Försenad” här, men status ”Genomförd” på bladet Status per förvaltning (rad 2), "
        "och båda är ändrade sedan filen exporterades. Skriv samma på båda ställena, eller ändra bara på det ena.")]


def test_a_status_saved_on_the_web_after_the_export_is_not_undone_by_the_file(workbook, make_user):
    plan, data = workbook
    contact = make_user(Role.DIVISION_CONTACT, "NSV")
    status = next(s for a in plan.factors[0].actions for s in a.statuses
                  if a.ref == "FF01-A02" and s.division.short_name == "NSV")
    with acting(contact, "web"):
        followup.save_status(status, contact, status="Pågående", comment="Ett BUP-team kvar.",
                          expected_version=status.version_id)
        db.session.commit()
    result = preview(plan, data, (SHEET, "D3", "Genomförd"))  # the file changes Hallands sjukhus only
    assert result.problems == []
    [change] = [c for c in result.changes if c.state == "changed"]
    assert change.fields == [("Status, Hallands sjukhus", "Pågående", "Genomförd")]


def test_the_same_file_imported_twice_gives_no_changes(workbook, make_user):
    plan, data = workbook
    edited = edit(data, lambda wb: (wb["Handlingsplan"].__setitem__("L6", "Pågående"),
                                    wb[SHEET].__setitem__("D4", "Försenad")))
    strateg = make_user(Role.STRATEGIST)
    with acting(strateg, "import"):
        apply_import(preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key), strateg)
        db.session.commit()
    assert stored(plan)["FF01-A01", "HS"][0] is Status.IN_PROGRESS
    assert stored(plan)["FF01-A02", "NSV"][0] is Status.DELAYED
    again = preview_import(edited, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert again.problems == [] and again.summary == "Inga ändringar"


def test_who_updated_a_status_and_when_is_the_importer_now_never_the_file(workbook, make_user):
    from datetime import date, datetime, timedelta, timezone

    plan, data = workbook

    def add_division(wb):
        wb["Handlingsplan"]["K6"] = "Hallands sjukhus; Närsjukvården"
        wb[SHEET].append(["FF01-A01", None, "Närsjukvården", "Pågående", "Väntelistan delas med Varberg.",
                          date(2020, 1, 1), "Någon Annan"])

    strateg = make_user(Role.STRATEGIST, name="Maria Strand")
    result = preview_import(edit(data, add_division), max_bytes=MAX_BYTES, plan_key=plan.key)
    assert result.problems == []
    with acting(strateg, "import"):
        apply_import(result, strateg)
        db.session.commit()
    db.session.expire_all()
    status = next(s for a in plans.get_plan(plan.key).factors[0].actions for s in a.statuses
                  if a.ref == "FF01-A01" and s.division.short_name == "NSV")
    assert (status.status, status.updated_by, status.updated_by_name) == (Status.IN_PROGRESS, strateg, None)
    assert datetime.now(timezone.utc) - status.updated_at < timedelta(minutes=5)


@pytest.mark.parametrize("typed", ["Klar", None, "=1+1"])
def test_a_status_sheet_cell_that_is_no_status_is_a_problem_not_a_crash(workbook, typed):
    plan, data = workbook
    result = preview(plan, data, (SHEET, "D2", typed), ("Handlingsplan", "L6", "Genomförd"))
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [(SHEET, 2, "D (Status)")]
    assert not result.clean


def test_the_status_sheet_counts_for_a_row_matched_by_title(workbook):
    plan, data = workbook
    result = preview(plan, data, ("Handlingsplan", "A7", None), (SHEET, "D3", "Genomförd"))
    assert result.problems == []
    [change] = [c for c in result.changes if c.state == "changed"]
    assert (change.key, change.fields) == ("FF01-A02", [("Status, Hallands sjukhus", "Pågående", "Genomförd")])


def test_column_m_on_one_line_with_semicolons_before_the_names_agrees_with_the_status_sheet(workbook):
    """As column K separates the names with "; ", M may too; a semicolon not before a name is the comment's."""
    plan, data = workbook
    result = preview(plan, data, ("Handlingsplan", "M7", "Hallands sjukhus: Halmstad; Varberg i vår; "
                                                         "närsjukvården: Klart i hela länet."),
                     (SHEET, "E3", "Halmstad; Varberg i vår"), (SHEET, "E4", "Klart i hela länet."))
    assert result.problems == []
    [change] = [c for c in result.changes if c.state == "changed"]
    assert change.fields == [("Kommentar, Hallands sjukhus", "–", "Halmstad; Varberg i vår"),
                             ("Kommentar, Närsjukvården", "–", "Klart i hela länet.")]


def test_a_file_without_exported_values_is_told_both_differ_from_the_plan(workbook):
    plan, data = workbook
    different = preview_import(edit(data, lambda wb: (wb.remove(wb["Exportvärden"]),
                                                      wb["Handlingsplan"].__setitem__("L6", "Försenad"),
                                                      wb[SHEET].__setitem__("D2", "Genomförd"))),
                               max_bytes=MAX_BYTES, plan_key=plan.key)
    assert different.problems == [Problem(
        "Handlingsplan", 6, "L (Status)",
        "Hallands sjukhus: status ”Försenad” här, men status ”Genomförd” på bladet Status per förvaltning (rad 2), "
        "och båda skiljer sig från planen. Filen är inte exporterad från planen i verktyget, så det går inte att se "
        "vilket av dem som är ändrat. Skriv samma på båda ställena, eller ändra bara på det ena.")]
