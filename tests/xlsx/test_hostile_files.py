"""Bad and hostile files: each gets a clear Swedish message, and nothing is written."""

import io
import zipfile
from datetime import date

import pytest

from tests.factories import snapshot
from tests.xlsx.helpers import MAX_BYTES, ROW, edit, plan_workbook, to_bytes
from tracker.extensions import db
from tracker.xlsx.apply import ImportRefused, apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import
from tracker.xlsx.read import WorkbookError

def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_row(**changes) -> bytes:
    row = list(ROW)
    columns = {"ref": 0, "title": 3, "start": 7, "due": 8, "divisions": 10, "status": 11}
    for key, value in changes.items():
        row[columns[key]] = value
    return plan_workbook([row])


def refused(data: bytes, max_bytes: int = MAX_BYTES) -> list[str]:
    """The messages for a file; asserts that the database was not touched."""
    before = snapshot()
    try:
        preview = preview_import(data, max_bytes=max_bytes, plan_key="tillganglighet-2024")
    except WorkbookError as error:
        messages = [str(error)]
    else:
        assert not preview.clean
        messages = [str(p) for p in preview.problems]
        with pytest.raises(ImportRefused):
            apply_import(preview, None)
    db.session.rollback()
    assert snapshot() == before
    return messages


@pytest.fixture(autouse=True)
def _divisions(divisions):
    return divisions


def test_a_csv_file():
    data = "ID;Åtgärd\nFF01-A01;Teckna ramavtal\n".encode("utf-8")
    assert "textfil (till exempel CSV)" in refused(data)[0]


def test_a_renamed_text_file():
    assert "textfil" in refused(b"Det h\xc3\xa4r \xc3\xa4r ett brev, inte en arbetsbok.\n")[0]


def test_a_word_document():
    data = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert refused(data) == ["Filen är ett Word-dokument (.docx), inte en Excel-arbetsbok (.xlsx)."]


def test_an_old_xls_file():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048 + "Workbook".encode("utf-16-le")
    assert "gamla Excel-formatet .xls" in refused(data)[0]


def test_a_password_protected_workbook():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512
    assert "lösenordsskyddad" in refused(data)[0]


def test_a_corrupt_workbook():
    data = with_row()
    assert "skadad" in refused(data[: len(data) // 2])[0]


def test_a_zip_without_a_workbook():
    assert "ingen Excel-arbetsbok" in refused(zip_of({"readme.txt": b"hej"}))[0]


def test_an_empty_file():
    assert "Filen är tom" in refused(b"")[0]


def test_an_empty_workbook():
    from openpyxl import Workbook

    assert "Arbetsboken är tom" in refused(to_bytes(Workbook()))[0]


def test_a_file_over_the_size_limit():
    data = with_row()
    assert refused(data, max_bytes=1024)[0].startswith(f"Filen är {len(data) / 1024 / 1024:.1f} MB")


def test_a_zip_bomb():
    data = zip_of({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * (40 * 1024 * 1024)})
    assert len(data) < 200 * 1024
    assert "orimligt" in refused(data)[0]


def test_xml_entities_are_refused():
    source = zipfile.ZipFile(io.BytesIO(with_row()))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    doctype = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    members["xl/worksheets/sheet1.xml"] = doctype + sheet.replace(b"Handlingsplan f", b"&lol2; f", 1)
    assert "otillåtna XML-konstruktioner" in refused(zip_of(members))[0]


def test_a_missing_sheet():
    data = plan_workbook([ROW], sheet="Blad1")
    messages = refused(data)
    assert messages == ["Handlingsplan: Bladet Handlingsplan saknas. Arbetsboken har bladen: Blad1. Åtgärderna ska "
                        "stå på ett blad som heter Handlingsplan, med rubrikraden bland de 15 första raderna."]


def test_a_missing_required_column():
    headers = ["ID", "Framgångsfaktor", "Åtgärd/insats", "Status"]
    data = plan_workbook([["", "Lean som verksamhetsstrategi", "Utbilda chefer", "Pågående"]], headers=headers)
    assert refused(data) == ["Handlingsplan, rad 5, kolumn Ansvariga förvaltningar: Kolumnen ”Ansvariga "
                             "förvaltningar” saknas i rubrikraden (rad 5). Den måste finnas."]


def test_a_duplicate_id():
    first, second = list(ROW), list(ROW)
    first[0] = second[0] = "FF01-A01"
    messages = refused(plan_workbook([first, second]))
    assert messages == ["Handlingsplan, rad 7, kolumn A (ID): ID FF01-A01 förekommer flera gånger (även rad 6). "
                        "Varje åtgärd ska ha ett eget ID; lämna ID tomt för en ny åtgärd."]


def test_an_unknown_division_and_status_and_an_impossible_date_are_all_reported_at_once():
    messages = refused(with_row(divisions="Regionkontoret; Tandvården", status="Klar", due="2024-02-30"))
    assert messages == [
        "Handlingsplan, rad 6, kolumn I (Klart senast): ”2024-02-30” är inget giltigt datum (det datumet finns "
        "inte). Ange datum som ÅÅÅÅ-MM-DD, t.ex. 2024-12-31.",
        "Handlingsplan, rad 6, kolumn K (Ansvariga förvaltningar): Okänd förvaltning ”Tandvården”. Kända "
        "förvaltningar: Ambulans, Diagnostik och Hälsa, Hallands sjukhus, Närsjukvården, Psykiatri Halland, "
        "Regionkontoret.",
        "Handlingsplan, rad 6, kolumn L (Status): ”Klar” är inget giltigt värde. Giltiga värden: Ej påbörjad, "
        "Pågående, Försenad, Genomförd, Avbruten.",
    ]


def test_text_that_is_no_date():
    assert "”nästa vår” är inget datum" in refused(with_row(due="nästa vår"))[0]


def test_formulas_are_reported_never_evaluated():
    messages = refused(with_row(title="=HYPERLINK(\"http://evil.example\",\"Klicka\")"))
    assert messages == ['Handlingsplan, rad 6, kolumn D (Åtgärd/insats): Cellen innehåller en formel '
                        '(=HYPERLINK("http://evil.example","Klicka")). Formler räknas inte ut vid import; skriv in '
                        'värdet i stället.']


def test_required_values_missing():
    messages = refused(with_row(title=None, divisions=None))
    assert "Handlingsplan, rad 6, kolumn D (Åtgärd/insats): Värde saknas; kolumnen måste vara ifylld." in messages
    assert "Handlingsplan, rad 6, kolumn K (Ansvariga förvaltningar): Värde saknas; kolumnen måste vara ifylld." in messages


def test_a_status_row_for_an_unknown_id_is_noted_not_counted(make_plan, tmp_path):
    plan = make_plan(key="tillganglighet-2024")
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    data = edit(data, lambda wb: wb["Status per förvaltning"].__setitem__("A2", "FF09-A09"))
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert preview.problems == []
    assert preview.read.notes == ["Status per förvaltning, rad 2: ID FF09-A09 finns inte på bladet Handlingsplan; "
                                  "raden räknas inte."]


def test_today_is_no_excuse_for_a_date_object():
    # Real Excel dates are read as dates, not reported.
    preview = preview_import(with_row(due=date(2024, 12, 31)), max_bytes=MAX_BYTES,
                                      plan_key="tillganglighet-2024")
    assert preview.problems == []


def test_a_text_longer_than_the_database_keeps():
    messages = refused(with_row(title="Väntelistor " * 30))
    assert messages == ["Handlingsplan, rad 6, kolumn D (Åtgärd/insats): Texten har 359 tecken; högst 300 får plats. "
                        "Korta den, eller flytta det mesta till Beskrivning."]
