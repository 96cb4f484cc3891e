"""The structure's rules: what makes a new version, long facts, moves, filters."""

from datetime import date

import pytest

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.followup import dashboard as followup
from tracker.locking import Conflict
from tracker.plans import services, structure
from tracker.vocabulary import Status


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{}, {}, {}], factors=2)


def test_changing_only_the_responsible_divisions_is_a_new_version(plan, divisions):
    action = plan.factors[0].actions[0]
    seen = action.version_id
    fields = {"title": action.title, "division_ids": [divisions["HS"].id, divisions["NSV"].id, divisions["ADH"].id]}
    structure.update_action(action, expected_version=seen, **fields)
    db.session.commit()
    with pytest.raises(Conflict):
        structure.update_action(action, expected_version=seen,
                                **{**fields, "division_ids": [divisions["HS"].id, divisions["NSV"].id]})
    db.session.rollback()


def test_long_plan_facts_are_refused_with_a_message(plan):
    with pytest.raises(ValidationError) as error:
        structure.new_plan(source=None, key="k" * 75, title="T", year="2025", agreement="Ökad tillgänglighet",
                           registry_number="RS" * 31)
    assert error.value.errors["key"] == "Nyckeln får ha högst 60 tecken; den har 75."
    assert error.value.errors["registry_number"].startswith("Diarienumret får ha högst 40 tecken")


@pytest.mark.parametrize("key", ["gonv--2021", "-gonv-2021", "gonv-2021-", "Gonv-2021", "gönv-2021", "gonv 2021"])
def test_a_plan_and_a_report_refuse_the_same_keys_alike(divisions, key):
    from tracker.reports import creation

    refused = "Nyckeln får bara innehålla små bokstäver a–z, siffror och bindestreck, t.ex. tillganglighet-2025."
    assert services.plan_errors(key, "Handlingsplan God och nära vård 2021")["key"] == refused
    assert creation.report_errors(key=key, title="Redovisning 2021", year=2021)["key"] == refused


def test_factors_can_be_moved_after_one_was_deleted(make_plan):
    plan = make_plan(factors=3)
    structure.delete_factor(plan.factors[0])
    new = structure.create_factor(plan, title="Digital Vårdcentral inom primärvård", area_id=plan.areas[0].id)
    db.session.commit()
    assert structure.move_factor(new, -1)
    db.session.commit()
    assert [f.title for f in services.load_factors(plan, fresh=True)][-2] == "Digital Vårdcentral inom primärvård"


def test_the_overdue_filter_with_a_division_uses_its_own_status(make_plan, login, make_user, divisions):
    plan = make_plan(actions=[
        {"title": "Båda pågår", "due_date": date(2024, 1, 31), "statuses": {"HS": Status.IN_PROGRESS,
                                                                           "NSV": Status.IN_PROGRESS}},
        {"title": "Sjukhuset klart", "due_date": date(2024, 1, 31), "statuses": {"HS": Status.DONE,
                                                                                "NSV": Status.IN_PROGRESS}},
    ])
    page = login(make_user()).get(f"/planer/{plan.key}?division={divisions['HS'].id}&status=overdue")
    text = page.get_data(as_text=True)
    assert "Båda pågår" in text and "Sjukhuset klart" not in text
    figures = followup.dashboard(plan, date(2024, 8, 1), 90)
    hs = next(f for f in figures["divisions"] if f.division.short_name == "HS")
    assert hs.overdue == 1
