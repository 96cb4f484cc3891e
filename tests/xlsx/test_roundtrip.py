"""Export → import gives no changes; export → import into a fresh database → export gives the same cells."""

import pytest

from tests.factories import create_agreements
from tests.xlsx.helpers import MAX_BYTES, PLAN_KEYS, edit, sheet_values, wipe_database
from tests.factories import approve_demo_gonv
from tracker.demo.loader import load_demo
from tracker.extensions import db
from tracker.plans import services as plans
from tracker.vocabulary import Status
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import

@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()
    approve_demo_gonv()  # the demo leaves it a draft; these tests need a fastställd plan


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_export_then_import_into_the_same_plan_shows_no_changes(demo, tmp_path, key):
    _, data = export_plan(plans.get_plan(key), None, tmp_path)
    preview = preview_import(data, max_bytes=MAX_BYTES, plan_key=key)
    assert preview.problems == []
    assert preview.summary == "Inga ändringar"
    assert preview.count("unchanged") > 30


def who_and_when(values: dict) -> tuple[dict, list]:
    """The cells without those saying who updated a status and when (an import never takes them from the
    file), and those cells of the status sheet as (status, comment, updated, updated by)."""
    values = {title: [list(row) for row in rows] for title, rows in values.items()}
    stamps = [(row[3], row[4], row[5], row[6]) for row in values["Status per förvaltning"][1:]]
    for row in values["Status per förvaltning"][1:]:
        row[5:7] = [None, None]
    for row in values["Handlingsplan"][5:]:
        row[13] = None
    return values, stamps


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_export_import_into_a_fresh_database_export_gives_the_same_cells(demo, tmp_path, key):
    from tracker.clock import today
    from tracker.xlsx.apply import CLI_IMPORTER

    _, first = export_plan(plans.get_plan(key), None, tmp_path)
    wipe_database()
    preview = preview_import(first, max_bytes=MAX_BYTES)
    assert preview.problems == [] and preview.agreement_error  # an import makes no agreement: it is chosen
    create_agreements()  # as a strateg adds them under Överenskommelser

    preview = preview_import(first, max_bytes=MAX_BYTES)  # the key comes from the workbook
    assert preview.problems == [] and preview.plan is None and preview.agreement_error is None
    assert preview.new_plan["agreement"] in ("Ökad tillgänglighet", "God och nära vård")
    apply_import(preview, None, keep_approval=True)  # the operator, on the command line
    db.session.commit()

    _, second = export_plan(plans.get_plan(key), None, tmp_path)
    cells, stamps = who_and_when(sheet_values(second))
    assert cells == who_and_when(sheet_values(first))[0]
    # Who and when is the importer, today, for every status the import set; none is taken from the file.
    for status, comment, updated, updated_by in stamps:
        set_by_import = status != "Ej påbörjad" or comment
        day = updated.date() if updated else None  # openpyxl reads a date cell as a datetime
        assert (day, updated_by) == ((today(), CLI_IMPORTER) if set_by_import else (None, None))
    # a plan the file states as fastställd (the demo's 2021 plan) is created as such, by the operator's import
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
