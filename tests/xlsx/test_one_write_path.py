"""The import writes an åtgärd as the editor saves it: through structure.update_action, with its rules, its new
version and its history; and the one ordering and one-line rules the editor, the import and the mail share."""

import pytest

from tests.xlsx.helpers import MAX_BYTES, edit
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.ordering import move
from tracker.parsing import one_line, one_line_field
from tracker.plans import services as plans
from tracker.vocabulary import Role
from tracker.xlsx.apply import apply_import
from tracker.xlsx.export import export_plan
from tracker.xlsx.preview import preview_import


@pytest.fixture
def workbook(make_plan, tmp_path):
    """FF01-A01 for Hallands sjukhus (Handlingsplan row 6), FF01-A02 for Hallands sjukhus and Närsjukvården."""
    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård", "divisions": ["HS"]},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["HS", "NSV"]}])
    _, data = export_plan(plan, None, tmp_path)
    db.session.commit()
    return plan, data


def _preview(plan, data, **cells):
    def change(wb):
        for cell, value in cells.items():
            wb["Handlingsplan"][cell] = value
    return preview_import(edit(data, change), max_bytes=MAX_BYTES, plan_key=plan.key)


def _action(plan, ref):
    db.session.expire_all()
    return next(a for f in plans.get_plan(plan.key).factors for a in f.actions if a.ref == ref)


def test_changing_only_the_responsible_divisions_by_import_is_a_new_version_as_in_the_editor(workbook, make_user):
    plan, data = workbook
    before = _action(plan, "FF01-A01").version_id
    result = _preview(plan, data, K6="Hallands sjukhus; Närsjukvården")
    assert result.problems == []
    strateg = make_user(Role.STRATEGIST)
    with acting(strateg, "import"):
        apply_import(result, strateg)
        db.session.commit()
    action = _action(plan, "FF01-A01")
    assert sorted(s.division.short_name for s in action.statuses) == ["HS", "NSV"]
    assert action.version_id == before + 1


def test_the_import_keeps_the_editors_rules_for_what_changed_after_the_preview(workbook, make_user, divisions):
    plan, data = workbook
    result = _preview(plan, data, K6="Hallands sjukhus; Närsjukvården", J6="Verksamhetschef")
    assert result.problems == []
    divisions["NSV"].active = False
    db.session.commit()
    strateg = make_user(Role.STRATEGIST)
    with pytest.raises(ValidationError) as error, acting(strateg, "import"):
        apply_import(result, strateg)
    db.session.rollback()
    assert error.value.errors["divisions"].startswith("Åtgärd FF01-A01: Närsjukvården är inaktiv")
    action = _action(plan, "FF01-A01")
    assert action.owner != "Verksamhetschef" and [s.division.short_name for s in action.statuses] == ["HS"]


def test_an_imported_change_of_an_action_is_recorded_as_the_editors_save(workbook, make_user):
    plan, data = workbook
    result = _preview(plan, data, J6="Verksamhetschef")
    strateg = make_user(Role.STRATEGIST)
    with acting(strateg, "import"):
        apply_import(result, strateg)
        db.session.commit()
    action = _action(plan, "FF01-A01")
    assert action.owner == "Verksamhetschef"
    assert db.session.scalar(db.select(HistoryEntry).where(HistoryEntry.kind == "action",
                                                           HistoryEntry.object_id == action.id)) is not None


class Item:
    def __init__(self, name, group, position):
        self.name, self.group, self.position = name, group, position


def test_moving_among_a_group_swaps_with_the_next_of_the_group_and_renumbers():
    items = [Item("a", 1, 0), Item("b", 2, 1), Item("c", 1, 2), Item("d", 2, 3)]
    b, d = items[1], items[3]
    assert not move(items, b, -1, among=[i for i in items if i.group == 2])
    assert move(items, d, -1, among=[i for i in items if i.group == 2])
    assert [(i.name, i.position) for i in items] == [("a", 0), ("d", 1), ("c", 2), ("b", 3)]
    assert not move(items, items[3], +1)


def test_one_line_texts_share_one_rule():
    errors = {}
    assert one_line_field(errors, "name", "  Anna\nAndersson ", "Namnet", 200, "Ange namnet.") == "Anna\nAndersson"
    assert errors == {"name": "Namnet får inte innehålla radbrytningar eller andra styrtecken."}
    one_line_field(errors, "title", "x" * 11, "Rubriken", 10, "Ange rubriken.")
    one_line_field(errors, "other", "  ", "Rubriken", 10, "Ange rubriken.")
    assert errors["title"] == "Rubriken får ha högst 10 tecken." and errors["other"] == "Ange rubriken."
    assert one_line("Delår\n 2024\t") == "Delår 2024"


def test_a_new_plans_facts_have_one_set_of_rules_for_the_editor_and_the_import(divisions):
    from tracker.plans.structure import plan_facts
    from tracker.xlsx.preview import new_plan_errors

    _, errors = plan_facts("ny-plan-2025", title="Ny plan", year="", agreement="Ökad tillgänglighet",
                           registry_number="RS" + "1" * 40)
    assert errors == {"year": "Ange året med fyra siffror, t.ex. 2025.",
                      "registry_number": "Diarienumret får ha högst 40 tecken, t.ex. RS231576."}
    # An agreement is one there is (chosen, never typed): a name that is none is refused with the ones to choose.
    assert new_plan_errors("ny-plan-2025", {"title": "Ny plan", "year": 1999, "agreement": "Okänd"}) == {
        "year": "”1999” är inget år. Ange året med fyra siffror mellan 2000 och 2100, t.ex. 2025.",
        "agreement": "Överenskommelsen ”Okänd” finns inte. Välj en av: God och nära vård, Ökad tillgänglighet. "
                     "En ny överenskommelse läggs upp under Överenskommelser."}
