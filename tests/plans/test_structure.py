"""The strateg's operations on the structure: each checked, recorded, and conflict-safe."""

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.locking import Conflict
from tracker.plans.tracking import StructureLocked
from tracker.versions.services import approve
from tracker.plans import services, structure
from tracker.vocabulary import Horizon, Role, Status


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[
        {"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE}},
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]},
    ], factors=2)


def form(divisions, **overrides):
    return {"title": "Mobil röntgen i särskilt boende", "owner": "Verksamhetschef, ADH", "horizon": "short",
            "start_date": "2025-01-01", "due_date": "2025-12-31", "description": "", "expected_result": "",
            "division_ids": [divisions["ADH"].id], **overrides}


def test_create_action_gets_an_id_and_a_status_per_division(plan, divisions):
    action = structure.create_action(plan.factors[0], **form(divisions, division_ids=[divisions["ADH"].id,
                                                                                        divisions["NSV"].id]))
    db.session.commit()
    assert (action.ref, action.horizon, action.due_date) == ("FF01-A03", Horizon.SHORT, date(2025, 12, 31))
    assert [(s.division.short_name, s.status) for s in action.statuses] == [("NSV", Status.NOT_STARTED),
                                                                            ("ADH", Status.NOT_STARTED)]


def test_every_problem_is_reported_next_to_its_field(plan, divisions):
    with pytest.raises(ValidationError) as error:
        structure.create_action(plan.factors[0], **form(divisions, title="   ", start_date="2025-06-01",
                                                        due_date="2025-01-31", division_ids=[], horizon="snart"))
    assert error.value.errors == {
        "title": "Ange en rubrik; den får inte vara tom.",
        "due_date": "Klart senast (2025-01-31) kan inte vara före start (2025-06-01).",
        "divisions": "Välj minst en ansvarig förvaltning.",
        "horizon": "Välj Kort sikt eller Lång sikt.",
    }


def test_removing_a_division_with_a_status_needs_confirmation(plan, divisions):
    action = plan.factors[0].actions[0]  # Hallands sjukhus: Genomförd; Närsjukvården: Ej påbörjad
    fields = form(divisions, title=action.title, division_ids=[divisions["NSV"].id])
    with pytest.raises(structure.NeedsConfirmation) as error:
        structure.update_action(action, expected_version=action.version_id, **fields)
    assert error.value.errors["divisions"].startswith("Om du tar bort Hallands sjukhus (Genomförd) försvinner")
    db.session.rollback()
    structure.update_action(action, expected_version=action.version_id, confirm_removal=True, **fields)
    db.session.commit()
    assert [s.division.short_name for s in action.statuses] == ["NSV"]


def test_a_stale_edit_is_a_conflict(plan, divisions):
    action = plan.factors[0].actions[1]
    seen = action.version_id
    structure.update_action(action, expected_version=seen, **form(divisions, title="Koordinatorer på BUP",
                                                                 division_ids=[divisions["PH"].id]))
    db.session.commit()
    with pytest.raises(Conflict):
        structure.update_action(action, expected_version=seen, **form(divisions, title="Något annat",
                                                                      division_ids=[divisions["PH"].id]))
    db.session.rollback()
    assert action.title == "Koordinatorer på BUP"


def test_move_reorders_and_moves_between_factors(plan, divisions):
    first, second = plan.factors
    a, b = first.actions
    assert structure.move_action(b, -1)
    db.session.commit()
    assert [x.ref for x in services.load_factors(plan, fresh=True)[0].actions] == [b.ref, a.ref]
    assert not structure.move_action(b, -1)  # already first
    structure.update_action(a, expected_version=a.version_id, factor=second,
                            **form(divisions, title=a.title, division_ids=[s.division_id for s in a.statuses]))
    db.session.commit()
    fresh = services.load_factors(plan, fresh=True)
    assert [x.ref for x in fresh[0].actions] == [b.ref]
    assert [x.ref for x in fresh[1].actions][-1] == a.ref
    moved = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.kind == "action")
                              .order_by(HistoryEntry.id.desc()).limit(1))
    assert ["Framgångsfaktor", "Ramavtal med externa vårdgivare", "Lean som verksamhetsstrategi"] in moved.changes


def test_delete_factor_takes_its_actions_and_an_area_must_be_empty(plan):
    area = plan.areas[0]
    with pytest.raises(ValidationError, match="har 2 framgångsfaktorer"):
        structure.delete_area(area)
    factor = plan.factors[1]
    structure.delete_factor(factor)
    db.session.commit()
    assert len(services.load_factors(plan, fresh=True)) == 1
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted"))
    assert entry.summary == "tog bort framgångsfaktorn ”Lean som verksamhetsstrategi” med 2 åtgärder"


def test_copy_brings_the_structure_with_fresh_statuses(plan, make_user):
    plan.factors[0].actions[0].statuses[0].comment = "Klart i mars."
    plan.factors[0].actions[0].start_date, plan.factors[0].actions[0].due_date = date(2023, 2, 1), date(2024, 2, 29)
    db.session.commit()
    copy = structure.new_plan(source=plan, key="tillganglighet-2024", title="Handlingsplan 2024", year="2024",
                              agreement="Ökad tillgänglighet")
    db.session.commit()
    original = services.load_factors(plan, fresh=True)
    copied = services.load_factors(copy, fresh=True)
    assert [(f.title, f.area.heading) for f in copied] == [(f.title, f.area.heading) for f in original]
    pairs = [(a, b) for f, g in zip(original, copied) for a, b in zip(f.actions, g.actions)]
    assert len(pairs) == 4
    for a, b in pairs:
        assert (b.ref, b.title, b.owner) == (a.ref, a.title, a.owner)
        assert [s.division_id for s in b.statuses] == [s.division_id for s in a.statuses]
        assert all(s.status is Status.NOT_STARTED and s.comment is None and s.updated_at is None for s in b.statuses)
        assert b.id != a.id
    assert plan.factors[0].actions[0].statuses[0].comment == "Klart i mars."
    # The copy is for 2024, a year after the original: its timetable moves one year with it.
    first = copied[0].actions[0]
    assert (first.start_date, first.due_date) == (date(2024, 2, 1), date(2025, 2, 28))
    assert all(b.due_date is None for a, b in pairs if a.due_date is None)


def test_new_plan_reports_every_problem(plan):
    with pytest.raises(ValidationError) as error:
        structure.new_plan(source=None, key="Tillgänglighet 2025", title="", year="25", agreement="")
    assert set(error.value.errors) == {"key", "title", "year", "agreement"}
    with pytest.raises(ValidationError, match="Det finns redan en plan med nyckeln"):
        structure.new_plan(source=None, key=plan.key, title="X", year="2025", agreement="Ökad tillgänglighet")


def test_structure_of_an_approved_plan_cannot_change(plan, make_user, divisions):
    approve(plan, make_user(Role.DIRECTOR))
    db.session.commit()
    with pytest.raises(StructureLocked):
        structure.create_action(plan.factors[0], **form(divisions))
    db.session.rollback()


def test_an_inactive_division_takes_no_new_action_but_keeps_its_own(plan, divisions):
    divisions["HS"].active = False
    db.session.commit()
    with pytest.raises(ValidationError, match="Hallands sjukhus är inaktiv och kan inte bli ansvarig"):
        structure.create_action(plan.factors[0], **form(divisions, division_ids=[divisions["HS"].id]))
    db.session.rollback()
    action = plan.factors[0].actions[0]  # Hallands sjukhus is responsible already
    structure.update_action(action, expected_version=action.version_id,
                            **form(divisions, title="Nytt namn", division_ids=[divisions["HS"].id,
                                                                                 divisions["NSV"].id]))
    db.session.commit()
    assert action.title == "Nytt namn"


def test_deleting_an_action_records_the_deletion_not_moves_of_the_others(make_plan):
    plan = make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård"},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet"},
                              {"title": "Digitala vårdmöten i primärvården"}])
    first, second, third = plan.factors[0].actions
    before = db.session.scalar(sa.select(sa.func.max(HistoryEntry.id)))
    structure.delete_action(first)
    db.session.commit()
    entries = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.id > before)).all()
    assert [e.summary for e in entries] == [
        "tog bort åtgärden ”Gemensamma väntelistor inom ögonsjukvård” (" + first.ref + ")"]
    assert [a.position for a in services.load_factors(plan, fresh=True)[0].actions] == [0, 1]
    structure.move_action(third, -1)  # a real move is still recorded
    db.session.commit()
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).order_by(HistoryEntry.id.desc()).limit(2)).all()
    assert f"flyttade åtgärden ”Digitala vårdmöten i primärvården” ({third.ref}) från plats 2 till plats 1" in summaries


def test_a_real_move_in_the_same_change_as_a_deletion_is_recorded(make_plan):
    """As an import does: Två is removed and Fyra moved up in one flush; only Fyra's move is news."""
    plan = make_plan(actions=[{"title": t} for t in ("Ett", "Två", "Tre", "Fyra")])
    one, two, three, four = plan.factors[0].actions
    before = db.session.scalar(sa.select(sa.func.max(HistoryEntry.id)))
    factor = plan.factors[0]
    factor.actions.remove(two)
    one.position, four.position, three.position = 0, 1, 2
    db.session.commit()
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.id > before)).all()
    assert f"tog bort åtgärden ”Två” ({two.ref})" in summaries
    assert f"flyttade åtgärden ”Fyra” ({four.ref}) från plats 4 till plats 2" in summaries
    assert not any("”Tre”" in s for s in summaries)  # still third: no move


def test_a_one_step_move_of_a_factor_is_described_by_its_place_in_its_insatsomrade(make_plan):
    """Framgångsfaktorer are numbered across the plan; the history counts them where the user sees them."""
    plan = make_plan(factors=3)
    area = plan.areas[0]
    other = services.add_area(plan, code="3.7", title="Barn- och ungdomspsykiatri")
    first, second, third = plan.factors
    second.area = other  # the first and the third stand two places apart in the plan, side by side in 3.6
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.max(HistoryEntry.id)))
    structure.move_factor(third, -1)
    db.session.commit()
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.id > before)).all()
    assert summaries == [f"flyttade framgångsfaktorn ”{third.title}” från plats 2 till plats 1"]
    assert [f.title for f in sorted(plan.factors, key=lambda f: f.position) if f.area is area] == [third.title,
                                                                                                 first.title]
