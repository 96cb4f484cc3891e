import pytest
from playwright.sync_api import expect

from tests.xlsx.helpers import edit
from tracker.vocabulary import Role, Status

from tests.browser.helpers import serious_violations

pytestmark = pytest.mark.browser


def test_strateg_exports_edits_and_imports_the_attachment(log_in, make_user, make_plan, live_server, tmp_path):
    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE}},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]}])
    page = log_in(make_user(Role.STRATEGIST, name="Maria Strand"))
    page.goto(f"{live_server}/planer/{plan.key}")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exportera till Excel").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"{plan.key}_utkast-v1_")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    page.reload()
    expect(page.get_by_role("table", name="Tidigare exporter")).to_contain_text("Maria Strand")
    page.get_by_role("button", name="Markera som skickad").click()
    expect(page.get_by_role("table", name="Tidigare exporter")).to_contain_text("Skickad")

    edited = tmp_path / "redigerad.xlsx"
    edited.write_bytes(edit(path.read_bytes(), lambda wb: wb["Status per förvaltning"].__setitem__("D4", "pågående")))
    page.get_by_role("link", name="Importera från Excel").click()
    page.get_by_label("Excel-fil (.xlsx), högst 10 MB").set_input_files(str(edited))
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_text("0 nya, 1 ändrad, 1 oförändrad")).to_be_visible()
    expect(page.get_by_role("table", name="Ändringar")).to_contain_text("Status, Psykiatri Halland: Ej påbörjad → Pågående")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Spara importen").click()
    expect(page.locator("#messages")).to_contain_text("Importen av redigerad.xlsx är sparad")
    action = page.locator("article.action", has_text="BUP-enhet")
    expect(action.locator(".action-status .badge")).to_have_text("Pågående")


def test_a_bad_file_is_explained_on_the_form(log_in, make_user, live_server, tmp_path):
    page = log_in(make_user(Role.DIRECTOR))
    bad = tmp_path / "plan.csv"
    bad.write_text("ID;Åtgärd\n", encoding="utf-8")
    page.goto(f"{live_server}/import")
    page.get_by_label("Excel-fil (.xlsx), högst 10 MB").set_input_files(str(bad))
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("alert")).to_contain_text("textfil (till exempel CSV)")
    assert serious_violations(page) == []


def test_the_preview_lists_a_move_and_a_title_match_and_the_import_does_just_that(
        log_in, make_user, make_plan, live_server, tmp_path):
    from tracker.extensions import db
    from tracker.xlsx.export import export_plan

    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård"}], factors=3)
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()

    def reorder(wb):
        ws = wb["Handlingsplan"]
        ws.move_range("A6:N8", rows=1)
        ws.move_range("A9:N9", rows=-3)  # Insatser inom barn- och ungdomspsykiatri first
        ws["A8"] = None  # Lean's row typed again without its ID

    edited = tmp_path / "omflyttad.xlsx"
    edited.write_bytes(edit(data, reorder))
    page = log_in(make_user(Role.STRATEGIST, name="Maria Strand"))
    page.goto(f"{live_server}/import?plan={plan.key}")
    page.get_by_label("Excel-fil (.xlsx), högst 10 MB").set_input_files(str(edited))
    page.get_by_role("button", name="Förhandsgranska").click()
    changes = page.get_by_role("table", name="Ändringar")
    expect(changes).to_contain_text("Framgångsfaktor Insatser inom barn- och ungdomspsykiatri")
    expect(changes).to_contain_text("Plats: 3 → 1")
    expect(page.get_by_role("region", name="Att notera")).to_contain_text(
        "raden saknar ID och gäller åtgärden FF02-A01")
    expect(page.get_by_text("0 nya, 1 ändrad, 3 oförändrade")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Spara importen").click()
    expect(page.locator("#messages")).to_contain_text("Importen av omflyttad.xlsx är sparad")
    expect(page.locator("h3").first).to_contain_text("Insatser inom barn- och ungdomspsykiatri")
    page.goto(f"{live_server}/planer/{plan.key}/historik")
    expect(page.locator("ol.history")).to_contain_text(
        "flyttade framgångsfaktorn ”Insatser inom barn- och ungdomspsykiatri” från plats 3 till plats 1")
    expect(page.locator("ol.history")).not_to_contain_text("från plats 1 till plats 2")
