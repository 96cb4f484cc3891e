"""Export → import gives no changes; export → import into a fresh database → export gives the same cells."""

import pytest

from tests.xlsx.helpers import MAX_BYTES, edit, sheet_values
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.vocabulary import Status
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import

PLAN_KEYS = ["tillganglighet-2023", "gonv-2021"]


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


def wipe_database():
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_export_then_import_into_the_same_plan_shows_no_changes(demo, tmp_path, key):
    _, data = export_plan(plans.get_plan(key), None, tmp_path)
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key=key)
    assert preview.problems == []
    assert preview.summary == "Inga ändringar"
    assert preview.count("unchanged") > 30


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_export_import_into_a_fresh_database_export_gives_the_same_cells(demo, tmp_path, key):
    _, first = export_plan(plans.get_plan(key), None, tmp_path)
    wipe_database()

    preview = preview_import(first, max_bytes=MAX_BYTES)  # the key comes from the workbook
    assert preview.problems == [] and preview.plan is None
    assert preview.new_plan["agreement"] in ("Ökad tillgänglighet", "God och nära vård")
    apply_import(preview, None)
    db.session.commit()

    _, second = export_plan(plans.get_plan(key), None, tmp_path)
    assert sheet_values(second) == sheet_values(first)
    # a plan the file states as fastställd (the demo's 2021 plan) is created as such
    approved = key == "gonv-2021"
    assert (plans.get_plan(key).state.value == "approved") is approved


def test_a_hand_edit_shows_as_a_field_by_field_change(demo, tmp_path):
    _, data = export_plan(plans.get_plan("tillganglighet-2023"), None, tmp_path)

    def change(wb):
        ws = wb["Handlingsplan"]
        ws["J6"] = "Hälso- och sjukvårdsdirektör"
        statuses = wb["Status per förvaltning"]
        statuses["D2"] = "genomförd"  # any letter case
        ws.delete_rows(7)  # an åtgärd missing from the file (its statuses are left: noted, not counted)

    preview = preview_import(edit(data, change), max_bytes=MAX_BYTES, plan_key="tillganglighet-2023")
    assert preview.problems == []
    changed = [c for c in preview.changes if c.state == "changed"]
    assert [(c.key, c.fields) for c in changed] == [
        ("FF01-A01", [("Ansvarig", "Hälso- och sjukvårdsstrateg, Regionkontoret", "Hälso- och sjukvårdsdirektör"),
                      ("Status, Regionkontoret", "Pågående", "Genomförd")]),
    ]
    assert [c.key for c in preview.changes if c.state == "missing"] == ["FF01-A02"]
    assert preview.summary.startswith("0 nya, 1 ändrad,") and "1 finns i planen men saknas i filen" in preview.summary


@pytest.mark.parametrize("remove", [False, True])
def test_apply_writes_everything_and_keeps_or_removes_what_the_file_lacks(demo, tmp_path, make_user, remove):
    user = make_user()
    plan = plans.get_plan("tillganglighet-2023")
    _, data = export_plan(plan, None, tmp_path)

    def change(wb):
        wb["Status per förvaltning"]["D2"] = "Genomförd"
        wb["Status per förvaltning"].delete_rows(3, 2)
        wb["Handlingsplan"].delete_rows(7)

    data = edit(data, change)
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key=plan.key)
    apply_import(preview, user, remove_missing=remove)
    db.session.commit()
    db.session.expire_all()
    refs = [a.ref for f in plans.get_plan(plan.key).factors for a in f.actions]
    assert ("FF01-A02" in refs) is not remove
    status = next(s for f in plan.factors for a in f.actions if a.ref == "FF01-A01" for s in a.statuses)
    assert (status.status, status.updated_by_id) == (Status.DONE, user.id)
    again = preview_import(data, max_bytes=MAX_BYTES, plan_key=plan.key)
    assert again.count("changed") == 0 and again.count("new") == 0
