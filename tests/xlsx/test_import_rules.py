"""The import keeps the rules of the web: one outcome per period, the status rules, fastställda plans."""

import pytest

from tests.factories import snapshot
from tests.xlsx.helpers import MAX_BYTES, edit
from tests.factories import approve_demo_gonv
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.xlsx.apply import ImportRefused, apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import
from tracker.xlsx.read import Problem

KEY = "tillganglighet-2023"


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()
    approve_demo_gonv()  # the demo leaves it a draft; these tests need a fastställd plan


@pytest.fixture
def exported(demo, tmp_path):
    """The demo's tillgänglighet plan as its workbook."""
    _, data = export_plan(plans.get_plan(KEY), None, tmp_path)
    db.session.commit()
    return data


def preview(data, key=KEY):
    return preview_import(data, max_bytes=MAX_BYTES, plan_key=key)


def test_two_outcomes_for_the_same_indicator_and_period_are_a_problem(exported):
    def twice(wb):
        ws = wb["Indikatorer"]
        first = [c.value for c in ws[2]]
        ws["F2"], ws["G2"] = "2024-06", 90
        ws.append([*first[:5], "2024-06", 91, None])

    data = edit(exported, twice)
    result = preview(data)
    row = result.read.rows.indicators[0]
    assert result.problems == [Problem(
        "Indikatorer", len(result.read.rows.indicators) + 1, "F (Period)",
        f"Indikatorn ”{row['name']}” har redan ett utfall för perioden 2024-06 (rad 2). Varje period har ett "
        "utfall: ta bort den ena raden eller rätta perioden.",
    )]
    before = snapshot()
    with pytest.raises(ImportRefused):
        apply_import(result, None)
    assert snapshot() == before


@pytest.fixture
def plan_file(make_plan, tmp_path):
    """One åtgärd (FF01-A01) for Hallands sjukhus (status row 2) and Närsjukvården (row 3), and its workbook."""

    def make(**statuses):
        plan = make_plan(actions=[{"statuses": statuses}])
        _, data = export_plan(plan, None, tmp_path)
        db.session.commit()
        return plan, data

    return make


def statuses_of(plan):
    db.session.expire_all()
    action = plans.get_plan(plan.key).factors[0].actions[0]
    return {s.division.short_name: s for s in action.statuses}


def test_the_status_rules_of_the_web_form_hold_on_the_status_sheet(plan_file):
    plan, data = plan_file()

    def change(wb):
        ws = wb["Status per förvaltning"]
        ws["D2"], ws["E2"] = "Avbruten", None
        ws["E3"] = "x" * 2001

    result = preview(edit(data, change), plan.key)
    assert result.problems == [
        Problem("Status per förvaltning", 2, "E (Kommentar)", "Skriv i kommentaren varför åtgärden avbryts."),
        Problem("Status per förvaltning", 3, "E (Kommentar)", "Kommentaren får vara högst 2000 tecken; texten har 2001. Inget är sparat."),
    ]


def test_the_status_rules_hold_for_column_l_and_m_without_the_status_sheet(plan_file):
    plan, data = plan_file()

    def change(wb):
        wb.remove(wb["Status per förvaltning"])
        wb["Handlingsplan"]["L6"] = "Avbruten"
        wb["Handlingsplan"]["M6"] = "Närsjukvården: Ersätts av den regionala vårdförmedlingen."

    result = preview(edit(data, change), plan.key)
    assert result.problems == [
        Problem("Handlingsplan", 6, "M (Resultat/kommentar)",
                "Hallands sjukhus: Skriv i kommentaren varför åtgärden avbryts."),
    ]


def test_an_inactive_division_takes_on_no_new_action_but_keeps_its_own(plan_file, divisions):
    plan, data = plan_file()
    divisions["HS"].active = False
    divisions["ADH"].active = False
    db.session.commit()
    assert preview(data, plan.key).summary == "Inga ändringar"  # Hallands sjukhus keeps FF01-A01

    def add(wb):
        wb["Handlingsplan"]["K6"] = "Hallands sjukhus; Närsjukvården; ADH"

    result = preview(edit(data, add), plan.key)
    assert result.problems == [Problem(
        "Handlingsplan", 6, "K (Ansvariga förvaltningar)",
        "Ambulans, Diagnostik och Hälsa är inaktiv och kan inte bli ansvarig för nya åtgärder. Välj en aktiv "
        "förvaltning.",
    )]


def test_statuses_the_import_sets_during_an_open_round_are_confirmed_in_it(plan_file, make_user):
    from datetime import date

    from tracker.followup import rounds as followup
    from tracker.vocabulary import Role

    plan, data = plan_file()
    strateg = make_user(Role.STRATEGIST)
    round_ = followup.open_round(plan, strateg, title="Delårsuppföljning 2024", deadline="2030-09-15",
                                 today=date(2024, 8, 1))
    db.session.commit()
    result = preview(edit(data, lambda wb: wb["Status per förvaltning"].__setitem__("D2", "Pågående")), plan.key)
    apply_import(result, strateg)
    db.session.commit()
    statuses = statuses_of(plan)
    assert followup.confirmed_ids(round_) == {statuses["HS"].id}  # Närsjukvården's row did not change


def test_a_division_added_in_column_k_starts_as_not_started_whatever_column_l_says(plan_file):
    from tracker.vocabulary import Status

    plan, data = plan_file(HS=Status.DONE, NSV=Status.DONE)
    result = preview(edit(data, lambda wb: wb["Handlingsplan"].__setitem__(
        "K6", "Hallands sjukhus; Närsjukvården; Regionkontoret")), plan.key)
    assert result.problems == [] and result.read.notes == []
    [change] = [c for c in result.changes if c.state == "changed"]
    assert change.fields == [
        ("Ansvariga förvaltningar", "Hallands sjukhus; Närsjukvården", "Hallands sjukhus; Närsjukvården; Regionkontoret"),
        ("Status, Regionkontoret", "–", "Ej påbörjad"),
    ]
    apply_import(result, None)
    db.session.commit()
    added = statuses_of(plan)["RK"]
    assert (added.status, added.updated_at, added.updated_by_name) == (Status.NOT_STARTED, None, None)


def test_a_division_left_off_the_status_sheet_keeps_its_status(plan_file):
    from tracker.vocabulary import Status

    plan, data = plan_file(HS=Status.IN_PROGRESS, NSV=Status.DONE)
    result = preview(edit(data, lambda wb: wb["Status per förvaltning"].delete_rows(3)), plan.key)
    assert result.problems == [] and result.summary == "Inga ändringar"


@pytest.fixture
def approved_gonv(exported, tmp_path):
    """The demo's God och nära vård plan (fastställd, version 1) and its workbook."""
    plan = plans.get_plan("gonv-2021")
    assert plan.state.value == "approved"
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    return plan, data


def test_statuses_comments_and_outcomes_are_imported_into_a_fastställd_plan(approved_gonv, make_user):
    from tracker.vocabulary import Role, Status

    plan, data = approved_gonv

    def follow_up(wb):
        ws = wb["Status per förvaltning"]
        ws["D2"], ws["E2"] = "Försenad", "Avvaktar beslut om IT-stöd."
        wb["Handlingsplan"].move_range("A6:N7", rows=200)  # sorted in Excel: a fastställd plan keeps its order
        wb["Handlingsplan"].delete_rows(6, 2)
        indicators = wb["Indikatorer"]
        indicators.append([indicators["A2"].value, indicators["B2"].value, indicators["C2"].value,
                           indicators["D2"].value, indicators["E2"].value, "2020-12", 41, None])

    result = preview(edit(data, follow_up), plan.key)
    assert result.problems == [] and result.refusal is None
    assert "Planen är fastställd: åtgärderna står i en annan ordning i filen än i planen" in result.read.notes[0]
    assert {c.kind for c in result.changes if c.state == "changed"} == {"Åtgärd", "Indikator"}
    order = [a.ref for f in plan.factors for a in f.actions]
    apply_import(result, make_user(Role.STRATEGIST))
    db.session.commit()
    db.session.expire_all()
    plan = plans.get_plan("gonv-2021")
    assert plan.state.value == "approved" and [a.ref for f in plan.factors for a in f.actions] == order
    first = next(s for f in plan.factors for a in f.actions for s in a.statuses
                 if a.ref == "FF01-A01" and s.division.name == "Regionkontoret")  # row 2 of the status sheet
    assert (first.status, first.comment) == (Status.DELAYED, "Avvaktar beslut om IT-stöd.")
    assert "2020-12" in {v.period for i in plan.indicators for v in i.values}
    assert preview(edit(data, follow_up), plan.key).count("changed") == 0


def test_a_structure_change_to_a_fastställd_plan_is_refused_and_named(approved_gonv):
    plan, data = approved_gonv

    def restructure(wb):
        wb["Handlingsplan"]["J6"] = "Hälso- och sjukvårdsdirektör"
        wb["Status per förvaltning"]["D2"] = "Genomförd"
        wb["Indikatorer"]["C2"] = 99
        for row in wb["Instruktion"].iter_rows():
            if row[0].value == "Diarienummer":
                row[1].value = "RS000001"

    result = preview(edit(data, restructure), plan.key)
    ref = result.read.rows.actions[0]["ref"]
    indicator = result.read.rows.indicators[0]
    assert result.refusal == (
        "Planen gonv-2021 är fastställd (version 1). En import i en fastställd plan får ändra status, kommentarer, "
        f"utfall och kontaktpersoner, men filen ändrar planens struktur: Plan gonv-2021: Diarienummer; Åtgärd {ref}: "
        f"Ansvarig; Indikator {' / '.join(filter(None, (indicator['area'], indicator['name'])))}: Målvärde. "
        "Ta bort de ändringarna ur filen, eller starta en revidering (en ny version av planen) och importera filen "
        "till den.")
    before = snapshot()
    with pytest.raises(ImportRefused):
        apply_import(result, None)
    assert snapshot() == before


def test_what_a_file_lacks_is_not_removed_from_a_fastställd_plan(approved_gonv):
    plan, data = approved_gonv
    result = preview(edit(data, lambda wb: wb["Handlingsplan"].delete_rows(6)), plan.key)
    assert result.clean and result.count("missing") == 1
    with pytest.raises(ImportRefused, match="det som saknas i filen tas inte bort"):
        apply_import(result, None, remove_missing=True)


def test_a_changed_diarienummer_is_shown_and_written(plan_file):
    plan, data = plan_file()

    def renumber(wb):
        for row in wb["Instruktion"].iter_rows():
            if row[0].value == "Diarienummer":
                row[1].value = "RS240001"

    result = preview(edit(data, renumber), plan.key)
    unchanged = preview(data, plan.key)
    assert result.problems == [] and result.summary == "0 nya, 1 ändrad, 1 oförändrad"
    assert [(c.kind, c.fields) for c in result.changes if c.state == "changed"] == [
        ("Plan", [("Diarienummer", "RS231576", "RS240001")])]
    assert result.fingerprint != unchanged.fingerprint
    apply_import(result, None)
    db.session.commit()
    assert plans.get_plan(plan.key).registry_number == "RS240001"


def column_of(ws, header: str) -> int:
    row = next(r for r in ws.iter_rows(max_row=15) if any(c.value == header for c in r))
    return next(c.column for c in row if c.value == header)


def test_a_deleted_optional_column_keeps_the_plans_values_and_is_noted(exported):
    def delete_columns(wb):
        ws = wb["Handlingsplan"]
        ws.delete_cols(column_of(ws, "Beskrivning"))
        ws.delete_cols(column_of(ws, "Mål/förväntat resultat"))
        wb["Status per förvaltning"].delete_cols(column_of(wb["Status per förvaltning"], "Kommentar"))
        indicators = wb["Indikatorer"]
        indicators.delete_cols(column_of(indicators, "Utfall"))
        indicators.delete_cols(column_of(indicators, "Målvärde"))

    result = preview(edit(exported, delete_columns))
    assert result.problems == [] and result.summary == "Inga ändringar"
    assert result.read.notes == [
        "Handlingsplan: kolumnerna ”Beskrivning”, ”Mål/förväntat resultat” saknas i filen; det som står där i "
        "planen behålls.",
        "Status per förvaltning: kolumnen ”Kommentar” saknas i filen; det som står där i planen behålls.",
        "Indikatorer: kolumnerna ”Målvärde”, ”Utfall” saknas i filen; det som står där i planen behålls.",
    ]


def test_without_a_period_column_the_outcomes_stay(exported):
    def delete_period(wb):
        wb["Indikatorer"].delete_cols(column_of(wb["Indikatorer"], "Period"))

    result = preview(edit(exported, delete_period))
    assert result.problems == [] and result.summary == "Inga ändringar"
    assert result.read.notes == ["Indikatorer: kolumnen ”Period” saknas i filen; det som står där i planen behålls."]


def test_without_column_m_and_the_status_sheet_the_comments_stay(plan_file):
    plan, data = plan_file()
    plan.factors[0].actions[0].statuses[0].comment = "Listorna slogs ihop i mars."
    db.session.commit()

    def strip(wb):
        wb.remove(wb["Status per förvaltning"])
        wb["Handlingsplan"].delete_cols(column_of(wb["Handlingsplan"], "Resultat/kommentar"))

    result = preview(edit(data, strip), plan.key)
    assert result.problems == [] and result.summary == "Inga ändringar"


def test_without_the_comment_column_a_new_avbruten_still_needs_a_reason(plan_file):
    plan, data = plan_file()

    def cancel(wb):
        ws = wb["Status per förvaltning"]
        ws.delete_cols(column_of(ws, "Kommentar"))
        ws["D2"] = "Avbruten"

    result = preview(edit(data, cancel), plan.key)
    assert result.problems == [Problem("Status per förvaltning", 2, "Kommentar",
                                       "Skriv i kommentaren varför åtgärden avbryts.")]


def test_an_empty_insatsomrade_cell_keeps_the_framgangsfaktor_where_it_is(exported):
    """A row added by hand with column B left empty: the framgångsfaktor stays under its insatsområde."""
    def add_row(wb):
        ws = wb["Handlingsplan"]
        ws.append([None, None, ws["C6"].value, "Upphandla ramavtal för hyrläkare", None, None, None, None, None,
                   None, "Regionkontoret", "Ej påbörjad"])

    plan = plans.get_plan(KEY)
    factor_title = plans.load_factors(plan)[0].title
    area_before = plans.load_factors(plan)[0].area.heading
    result = preview(edit(exported, add_row))
    assert result.clean, result.problems
    assert [(c.state, c.title) for c in result.changes if c.state != "unchanged"] == [
        ("new", "Upphandla ramavtal för hyrläkare")]
    apply_import(result, None)
    db.session.commit()
    factor = next(f for f in plans.load_factors(plans.get_plan(KEY), fresh=True) if f.title == factor_title)
    assert factor.area.heading == area_before
    assert factor.actions[-1].title == "Upphandla ramavtal för hyrläkare"


def test_one_framgangsfaktor_under_two_insatsomraden_is_a_problem(exported):
    def move_one_row(wb):
        ws = wb["Handlingsplan"]
        ws.append([None, "3.7 Ett annat insatsområde", ws["C6"].value, "Upphandla ramavtal för hyrläkare", None,
                   None, None, None, None, None, "Regionkontoret", "Ej påbörjad"])

    data = edit(exported, move_one_row)
    result = preview(data)
    last_row = 5 + len(result.read.rows.actions)
    first_area = result.read.rows.actions[0]["area"]
    assert result.problems == [Problem(
        "Handlingsplan", last_row, "B (Insatsområde)",
        f"Framgångsfaktorn ”{result.read.rows.actions[0]['factor']}” står under ”{first_area}” på rad 6. "
        "En framgångsfaktor hör till ett insatsområde: skriv samma på båda raderna.")]


def test_without_the_status_sheet_an_unchanged_column_l_keeps_each_divisions_status(plan_file):
    """Column L is the roll-up: left as it was, it does not flatten the förvaltningar's own statuses;
    changed, it applies to every responsible förvaltning (TEMPLATE.md)."""
    from tracker.vocabulary import Status

    plan, data = plan_file(HS=Status.DONE, NSV=Status.IN_PROGRESS)  # rolls up to Pågående
    without_sheet = edit(data, lambda wb: wb.remove(wb["Status per förvaltning"]))
    assert preview(without_sheet, plan.key).summary == "Inga ändringar"

    def set_l(wb):
        wb["Handlingsplan"]["L6"] = "Försenad"

    result = preview(edit(without_sheet, set_l), plan.key)
    assert result.clean, result.problems
    apply_import(result, None)
    db.session.commit()
    assert {k: s.status for k, s in statuses_of(plan).items()} == {"HS": Status.DELAYED, "NSV": Status.DELAYED}


def test_the_exported_list_of_divisions_offers_no_inactive_one_the_plan_does_not_name(make_plan, divisions,
                                                                                     tmp_path):
    from io import BytesIO

    from openpyxl import load_workbook

    plan = make_plan()  # Hallands sjukhus and Närsjukvården
    divisions["HS"].active = False
    divisions["ADH"].active = False
    db.session.commit()
    _, data = export_plan(plan, None, tmp_path)
    lists = load_workbook(BytesIO(data))["Listor"]
    [names] = [values for col in lists.columns if "Hallands sjukhus" in (values := [c.value for c in col[1:] if c.value])]
    assert names == ["Hallands sjukhus", "Psykiatri Halland", "Närsjukvården", "Regionkontoret"]


def test_a_kept_avbruten_still_needs_its_reason(plan_file, tmp_path):
    """Column L unchanged keeps Hallands sjukhus's Avbruten; a column M without its reason is a problem."""
    from tracker.vocabulary import Status

    plan, data = plan_file(HS=Status.CANCELLED, NSV=Status.IN_PROGRESS)
    statuses = statuses_of(plan)
    statuses["HS"].comment = "Ingen resurs."
    db.session.commit()
    _, data = export_plan(plans.get_plan(plan.key), None, tmp_path)

    def drop_reason(wb):
        wb.remove(wb["Status per förvaltning"])
        wb["Handlingsplan"]["M6"] = "Närsjukvården: Arbetet pågår."

    result = preview(edit(data, drop_reason), plan.key)
    assert result.problems == [Problem(
        "Handlingsplan", 6, "M (Resultat/kommentar)",
        "Hallands sjukhus har status Avbruten: Skriv i kommentaren varför åtgärden avbryts.")]
