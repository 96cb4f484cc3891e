"""Files edited by hand: header anywhere in the first 15 rows, synonyms, any order, any case."""

from tracker.agreements.services import find_agreement
from datetime import date, datetime

from tests.xlsx.helpers import MAX_BYTES, plan_workbook
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.vocabulary import Horizon, Role, Status
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import


def preview(data, **kwargs):
    return preview_import(data, max_bytes=MAX_BYTES, plan_key=kwargs.pop("plan_key", "tillganglighet-2025"),
                                   **kwargs)


def test_synonyms_any_order_extra_columns_and_header_lower_down(divisions):
    headers = ["  aktivitet ", "Prioritet", "FÖRVALTNINGAR", "Fokusområde", "Framgångsfaktor", "Slutdatum",
               "Status", "Ansvar", "Mål", "Kommentar"]
    rows = [
        ["Gemensamma väntelistor inom ögonsjukvård", "Hög", "Hallands sjukhus; NSV", "3.6 Regionala handlingsplaner",
         "Ökad samverkan inom och mellan kliniker", datetime(2025, 6, 30), "pågående", "Verksamhetschef ögon",
         "Kortare väntetider", "Hallands sjukhus: Listorna slogs ihop i mars."],
        [None] * 10,  # an empty row in the middle is ignored
        ["Tillgänglighetskoordinatorer på varje BUP-enhet", None, "psykiatri halland", None,
         "Insatser inom barn- och ungdomspsykiatri", "2025-12-31", "GENOMFÖRD", None, None, "Klart på alla enheter."],
    ]
    result = preview(plan_workbook(rows, headers=headers, header_row=9))
    assert result.problems == []
    assert result.read.notes == ["Handlingsplan, kolumn B (Prioritet): okänd kolumn, ignoreras."]
    first, second = result.read.rows.actions
    assert (first["title"], first["due_date"], first["divisions"], first["status"]) == (
        "Gemensamma väntelistor inom ögonsjukvård", date(2025, 6, 30), ("Hallands sjukhus", "Närsjukvården"),
        Status.IN_PROGRESS)
    assert second["due_date"] == date(2025, 12, 31) and second["divisions"] == ("Psykiatri Halland",)
    # Without a Status per förvaltning sheet, column L applies to every responsible förvaltning,
    # and each gets its own part of the comments.
    statuses = {(s["ref"], s["division"]): (s["status"], s["comment"]) for s in result.read.rows.statuses}
    assert statuses == {
        ("FF01-A01", "Hallands sjukhus"): (Status.IN_PROGRESS, "Listorna slogs ihop i mars."),
        ("FF01-A01", "Närsjukvården"): (Status.IN_PROGRESS, None),
        ("FF02-A01", "Psykiatri Halland"): (Status.DONE, "Klart på alla enheter."),
    }
    assert result.summary == "2 nya, 0 ändrade, 0 oförändrade"


def test_a_new_plan_takes_its_facts_from_the_key_and_says_so(divisions, make_user):
    result = preview(plan_workbook([[None, None, "Lean som verksamhetsstrategi", "Utbilda processledare", None, None,
                                     "Lång sikt", None, None, None, "Regionkontoret", "Ej påbörjad"]]))
    assert result.new_plan == {"agreement_id": find_agreement("Ökad tillgänglighet").id,
                               "agreement": "Ökad tillgänglighet", "year": 2025,
                               "title": "Handlingsplan Ökad tillgänglighet 2025", "registry_number": None}
    assert result.assumptions == [
        "Överenskommelse anges inte; antar ”Ökad tillgänglighet”.",
        "År anges inte; antar 2025 utifrån nyckeln.",
        "Titel anges inte; antar ”Handlingsplan Ökad tillgänglighet 2025”.",
    ]
    plan = apply_import(result, make_user(), new_plan={"title": "Handlingsplan för ökad tillgänglighet 2025"})
    db.session.commit()
    plan = plans.get_plan("tillganglighet-2025")
    assert plan.title == "Handlingsplan för ökad tillgänglighet 2025"
    action = plan.factors[0].actions[0]
    assert (action.ref, action.horizon, [s.division.name for s in action.statuses]) == (
        "FF01-A01", Horizon.LONG, ["Regionkontoret"])


def test_caller_facts_come_before_the_key(divisions):
    result = preview(plan_workbook([[None, None, "1.1 Samverkan", "Gemensam vårdplanering", None, None, None, None,
                                     None, None, "Närsjukvården", "Pågående"]]),
                     plan_key="gonv-2026", agreement="God och nära vård", year=2026, title="GoNV 2026")
    assert result.new_plan["agreement"] == "God och nära vård" and result.new_plan["title"] == "GoNV 2026"
    assert result.assumptions == []


def test_an_approved_plan_is_refused_with_advice(make_plan, make_user, tmp_path):
    from tests.xlsx.helpers import edit
    from tracker.versions.services import approve

    plan = make_plan(key="tillganglighet-2025")
    approve(plan, make_user(Role.DIRECTOR))
    db.session.commit()
    _, data = export_plan(plan, None, tmp_path)
    unchanged = preview(data)
    assert unchanged.clean and unchanged.summary == "Inga ändringar"
    changed = preview(edit(data, lambda wb: wb["Handlingsplan"].__setitem__("J6", "Regiondirektör")))
    assert not changed.clean
    assert changed.refusal == (
        "Planen tillganglighet-2025 är fastställd (version 1). En import i en fastställd plan får ändra status, "
        "kommentarer, utfall och kontaktpersoner, men filen ändrar planens struktur: Åtgärd FF01-A01: Ansvarig. "
        "Ta bort de ändringarna ur filen, eller starta en revidering (en ny version av planen) och importera filen "
        "till den.")


def test_a_year_on_the_instruktion_sheet_that_is_no_year_is_not_taken(divisions, tmp_path, make_plan):
    from tests.xlsx.helpers import edit

    _, data = export_plan(make_plan(), None, tmp_path)

    def odd_year(wb):
        for row in wb["Instruktion"].iter_rows():
            if row[0].value == "År":
                row[1].value = "²"

    result = preview(edit(data, odd_year), plan_key="tillganglighet-2025")
    assert result.problems == [] and result.new_plan["year"] == 2025
    assert "År anges inte; antar 2025 utifrån nyckeln." in result.assumptions


def test_a_comment_of_several_lines_keeps_its_lines_without_the_status_sheet(divisions):
    comments = ("Hallands sjukhus: Listorna slogs ihop i mars.\nUppföljning i juni.\n"
                "Närsjukvården: Startar hösten 2025.\n\nInväntar IT-stöd.")
    row = [None, None, "Ökad samverkan inom och mellan kliniker", "Gemensamma väntelistor inom ögonsjukvård", None,
           None, None, None, None, None, "Hallands sjukhus; Närsjukvården", "Pågående", comments]
    result = preview(plan_workbook([row]))
    assert result.problems == []
    assert {s["division"]: s["comment"] for s in result.read.rows.statuses} == {
        "Hallands sjukhus": "Listorna slogs ihop i mars.\nUppföljning i juni.",
        "Närsjukvården": "Startar hösten 2025.\n\nInväntar IT-stöd.",
    }


def test_export_without_the_status_sheet_then_import_keeps_a_comment_of_several_lines(make_plan, tmp_path):
    from tests.xlsx.helpers import edit

    plan = make_plan()
    plan.factors[0].actions[0].statuses[0].comment = "Rad ett.\nRad två."
    db.session.commit()
    _, data = export_plan(plan, None, tmp_path)
    result = preview(edit(data, lambda wb: wb.remove(wb["Status per förvaltning"])), plan_key=plan.key)
    assert result.problems == [] and result.summary == "Inga ändringar"
