"""The plan's comments on its contacts are internal: the attachment leaves them out, and a file that does not
carry them (an export, or a file without the column) keeps them."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.xlsx.helpers import MAX_BYTES, edit
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.xlsx import layout
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import

KEY = "tillganglighet-2023"
INTERNAL = "Hälso- och sjukvårdsstrateg, Regionkontoret; handläggare och kontaktperson för redovisningen 2024"


@pytest.fixture
def exported(app, tmp_path):
    load_demo()
    db.session.commit()
    _, data = export_plan(plans.get_plan(KEY), None, tmp_path)
    return data


def contact_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(data))[layout.CONTACTS.name].iter_rows(values_only=True))


def comments() -> dict[str, str | None]:
    db.session.expire_all()
    return {c.name: c.comment for c in plans.get_plan(KEY).contacts}


def test_the_attachment_names_the_contacts_without_the_plans_comments_on_them(exported):
    header, *rows = contact_rows(exported)
    assert header == ("Kontaktperson", "Telefonnummer", "Mejladress", "Ev. kommentar")
    assert [row[0] for row in rows] == list(comments()) and comments()["Carina Werner"] == INTERNAL
    assert [row[3] for row in rows] == [None] * len(rows)


def drop_comment_column(wb):
    wb[layout.CONTACTS.name].delete_cols(4)


@pytest.mark.parametrize("change", [None, drop_comment_column], ids=["as exported", "without the column"])
def test_a_file_without_the_comments_keeps_them_and_changes_nothing(exported, tmp_path, change):
    before = comments()
    data = edit(exported, change) if change else exported
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key=KEY)
    assert preview.problems == [] and preview.summary == "Inga ändringar"
    apply_import(preview, None)
    db.session.commit()
    assert comments() == before
    _, again = export_plan(plans.get_plan(KEY), None, tmp_path)
    assert preview_import(again, max_bytes=MAX_BYTES, plan_key=KEY).summary == "Inga ändringar"


def test_a_comment_typed_in_the_file_is_taken(exported):
    data = edit(exported, lambda wb: wb[layout.CONTACTS.name].__setitem__("D2", "Nås bäst per mejl"))
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key=KEY)
    [change] = [c for c in preview.changes if c.state == "changed"]
    assert (change.kind, change.key, change.fields) == ("Kontaktperson", "Carina Werner",
                                                        [("Kommentar", INTERNAL, "Nås bäst per mejl")])
    apply_import(preview, None)
    db.session.commit()
    assert comments()["Carina Werner"] == "Nås bäst per mejl"
