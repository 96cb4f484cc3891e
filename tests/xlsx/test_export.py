"""The exported workbook: sheets, headers, validations, styles, print set-up, text never a formula."""

import hashlib
from io import BytesIO
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

from tracker.extensions import db
from tracker.xlsx import layout
from tracker.xlsx import export
from tracker.xlsx.export import export_plan
from tracker.versions.models import Export


def test_workbook_follows_the_template(make_plan, make_user, tmp_path):
    plan = make_plan()
    record, data = export_plan(plan, make_user(), tmp_path)
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["Instruktion", "Kontaktuppgifter", "Handlingsplan", "Status per förvaltning",
                             "Indikatorer", "Listor", "Exportvärden"]
    assert wb["Listor"].sheet_state == "hidden" and wb["Exportvärden"].sheet_state == "hidden"
    assert [tuple(r) for r in wb["Exportvärden"].iter_rows(values_only=True)] == [
        ("ID", "Förvaltning", "Status", "Kommentar"),
        ("FF01-A01", "Hallands sjukhus", "Ej påbörjad", None), ("FF01-A01", "Närsjukvården", "Ej påbörjad", None)]

    ws = wb["Handlingsplan"]
    assert ws["A1"].value == plan.title
    assert [c.value for c in ws[5]] == [c.header for c in layout.PLAN.written]
    assert ws["A5"].font.b and ws["A5"].fill.fgColor.rgb.endswith("D9EAD3") and ws["A5"].alignment.wrap_text
    assert ws.freeze_panes == "A6"
    assert ws.auto_filter.ref == "A5:N6"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows == "$5:$5" and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.oddFooter.left.text == f"Regional handlingsplan – {plan.agreement.name} {plan.year} · Utkast till version 1"
    assert ws.oddFooter.right.text == "Sida &P av &N"
    assert ws.row_dimensions[5].height == 2 * layout.LINE_HEIGHT  # "Ansvariga förvaltningar" wraps
    assert ws["H6"].is_date and ws["H6"].number_format == "yyyy-mm-dd"
    row = [c.value for c in ws[6]]
    assert row[:4] == ["FF01-A01", "3.6 Regionala handlingsplaner för ökad tillgänglighet",
                       "Ramavtal med externa vårdgivare", "Gemensamma väntelistor inom lungsjukvård och ögonsjukvård"]
    assert row[10] == "Hallands sjukhus; Närsjukvården" and row[11] == "Ej påbörjad"

    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    status = validations["L6:L506"]
    assert status.formula1 == "'Listor'!$B$2:$B$6" and status.showErrorMessage
    assert status.error == "Välj en status i listan: Ej påbörjad, Pågående, Försenad, Genomförd, Avbruten."
    assert [c.value for c in wb["Listor"]["B"]][:6] == ["Status", "Ej påbörjad", "Pågående", "Försenad", "Genomförd",
                                                        "Avbruten"]
    assert [c.value for c in wb["Status per förvaltning"][1]] == [
        "ID", "Åtgärd/insats", "Förvaltning", "Status", "Kommentar", "Uppdaterad", "Uppdaterad av"]
    assert [c.value for c in wb["Indikatorer"][1]] == [
        "Område", "Indikator", "Målvärde", "Enhet", "Riktning", "Period", "Utfall", "Kommentar"]
    assert [c.value for c in wb["Kontaktuppgifter"][1]] == ["Kontaktperson", "Telefonnummer", "Mejladress",
                                                            "Ev. kommentar"]
    instructions = {r[0]: r[1] for r in wb["Instruktion"].iter_rows(values_only=True) if r[0]}
    assert instructions["Planens nyckel"] == plan.key and instructions["Fastställd"] == "Utkast"

    # kept in the database with its checksum, and copied to the export folder when one is set
    db.session.commit()
    stored = db.session.get(Export, record.id)
    assert stored.content == data and Path(tmp_path, stored.file_name).read_bytes() == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.file_name.startswith(f"{plan.key}_utkast-v1_") and stored.file_name.endswith(".xlsx")


def test_texts_that_look_like_formulas_are_written_as_text(make_plan, tmp_path):
    plan = make_plan(actions=[{"title": "=HYPERLINK(\"http://evil.example\")"}, {"title": "+46 35 13 48 00"},
                              {"title": "-minska väntetider"}, {"title": "@alla"}, {"title": "\tindrag"}])
    _, data = export_plan(plan, None, tmp_path)
    ws = load_workbook(BytesIO(data))["Handlingsplan"]
    cells = [ws.cell(row, 4) for row in range(6, 11)]
    assert [c.value for c in cells] == ["=HYPERLINK(\"http://evil.example\")", "+46 35 13 48 00",
                                        "-minska väntetider", "@alla", "\tindrag"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_swedish_characters_and_long_texts_survive(make_plan, tmp_path):
    title = "Åtgärder för ökad tillgänglighet – kortare väntetider i Halmstad, Varberg och Kungsbacka"
    plan = make_plan(actions=[{"title": title}])
    plan.factors[0].actions[0].description = "Långa väntetider ska kortas. " * 40
    db.session.commit()
    _, data = export_plan(plan, None, tmp_path)
    ws = load_workbook(BytesIO(data))["Handlingsplan"]
    assert ws["D6"].value == title and ws["D6"].alignment.wrap_text
    assert ws["E6"].value == "Långa väntetider ska kortas. " * 40 and ws["E6"].alignment.wrap_text


def test_exports_made_in_the_same_second_get_names_of_their_own(make_plan, tmp_path, monkeypatch):
    plan = make_plan()
    first, first_data = export_plan(plan, None, tmp_path)
    monkeypatch.setattr(export, "utcnow", lambda: first.created_at)
    second, _ = export_plan(plan, None)
    assert second.file_name == first.file_name.replace(".xlsx", "-2.xlsx")
    # A file of that name already in the export folder is not written over; the database keeps the export.
    taken = tmp_path / first.file_name.replace(".xlsx", "-3.xlsx")
    taken.write_bytes(b"en annan fil")
    third, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    assert third.file_name == taken.name and taken.read_bytes() == b"en annan fil"
    assert db.session.get(Export, third.id).content == data
    assert (tmp_path / first.file_name).read_bytes() == first_data
    assert len(db.session.scalars(sa.select(Export)).all()) == 3


def test_the_workbook_names_the_region_as_its_maker_and_its_version_once(make_plan):
    from io import BytesIO

    from openpyxl import load_workbook

    from tracker.xlsx.export import export_plan

    plan = make_plan()
    _, data = export_plan(plan, None)
    wb = load_workbook(BytesIO(data))
    assert wb.properties.creator == "Region Halland" and wb.properties.lastModifiedBy == "Region Halland"
    assert wb.properties.title == plan.title and "openpyxl" not in (wb.properties.creator or "")
    assert wb["Handlingsplan"]["A3"].value == "Utkast till version 1"
