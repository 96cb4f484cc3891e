"""Ny plan från föregående år: next year's plan for the same agreement carries the structure (statuses anew), the
contacts and the indicators as the same indicators continuing, whose chart shows every year; and a report copied
from last year's keeps its form."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import snapshot
from tests.reports.helpers import create_report
from tracker.extensions import db
from tracker.followup import indicators as followup
from tracker.followup.models import Indicator, IndicatorValue, PlanContact
from tracker.history.models import HistoryEntry
from tracker.plans import services
from tracker.reports import creation, queries
from tracker.vocabulary import Direction, Role, Status


@pytest.fixture
def plan(make_plan, divisions):
    plan = make_plan(actions=[{"divisions": ["PH", "HS"], "statuses": {"PH": Status.DONE}}])
    plan.factors[0].actions[0].statuses[0].comment = "Klart i april."
    plan.contacts = [PlanContact(name="Lena Lindqvist", phone="035-13 40 00", email="lena@regionhalland.se",
                                 comment="Redovisningen")]
    indicator = Indicator(plan_id=plan.id, area="BUP", name="Andel första besök inom 30 dagar", target=75,
                          unit="procent", direction=Direction.AT_LEAST, factor=plan.factors[0],
                          division=divisions["PH"])
    indicator.values = [IndicatorValue(period="2023-05", value=68), IndicatorValue(period="2023-11", value=72)]
    db.session.add(indicator)
    db.session.commit()
    return plan


@pytest.fixture
def strateg(login, make_user):
    return login(make_user(Role.STRATEGIST))


def test_the_form_starts_with_next_years_key_and_title(plan, strateg):
    page = strateg.get(f"/planer/{plan.key}/nytt-ar").get_data(as_text=True)
    assert 'value="tillganglighet-2024"' in page and 'value="Handlingsplan för ökad tillgänglighet 2024"' in page


def test_next_years_plan_carries_structure_contacts_and_continuing_indicators(plan, strateg):
    response = strateg.post(f"/planer/{plan.key}/nytt-ar", data={
        "key": "tillganglighet-2024", "title": "Handlingsplan för ökad tillgänglighet 2024"})
    assert response.status_code == 302
    db.session.expire_all()
    new = services.get_plan("tillganglighet-2024")
    old = services.get_plan(plan.key)
    assert (new.year, new.agreement, new.state.value, new.registry_number) == (2024, old.agreement, "draft", None)
    assert new.agreement_year is not None and new.agreement_year.year == 2024
    action = new.factors[0].actions[0]
    assert [a.title for a in new.areas] == [a.title for a in old.areas]
    assert (action.title, action.owner, action.start_date) == (old.factors[0].actions[0].title,
                                                               old.factors[0].actions[0].owner, date(2024, 1, 1))
    assert [(s.division.short_name, s.status, s.comment) for s in action.statuses] == [
        ("HS", Status.NOT_STARTED, None), ("PH", Status.NOT_STARTED, None)] or \
        {(s.division.short_name, s.status, s.comment) for s in action.statuses} == {
        ("HS", Status.NOT_STARTED, None), ("PH", Status.NOT_STARTED, None)}
    assert [(c.name, c.phone, c.email, c.comment) for c in new.contacts] == [
        ("Lena Lindqvist", "035-13 40 00", "lena@regionhalland.se", "Redovisningen")]
    [indicator] = new.indicators
    assert indicator.continues_id == old.indicators[0].id and indicator.values == []
    assert (indicator.name, indicator.target, indicator.division.short_name) == (
        "Andel första besök inom 30 dagar", 75, "PH")
    assert indicator.factor == new.factors[0]  # the new plan's framgångsfaktor, not last year's
    summaries = db.session.scalars(sa.select(HistoryEntry.summary).where(HistoryEntry.verb == "next_year")).all()
    assert any("gjorde nästa års plan" in s for s in summaries) and any("gjordes av förra årets plan" in s
                                                                         for s in summaries)
    history = strateg.get("/planer/tillganglighet-2024/historik").get_data(as_text=True)
    assert "gjordes av förra årets plan" in history


def test_the_continuing_indicators_chart_shows_every_year(plan, strateg):
    strateg.post(f"/planer/{plan.key}/nytt-ar", data={"key": "tillganglighet-2024",
                                                      "title": "Handlingsplan för ökad tillgänglighet 2024"})
    new = services.get_plan("tillganglighet-2024")
    new.indicators[0].values.append(IndicatorValue(period="2024-05", value=77))
    db.session.commit()
    [view] = followup.indicator_views(new)
    assert [v.period for v in view.series] == ["2023-05", "2023-11", "2024-05"]
    assert [v.period for v in view.values] == ["2024-05"]
    page = strateg.get("/planer/tillganglighet-2024/indikatorer").get_data(as_text=True)
    assert "Tidigare år (2 utfall, i diagrammet)" in page
    assert page.count("<circle") == 3  # one dot per value of the series, 2023's included


def test_a_third_year_continues_the_series(plan, strateg):
    strateg.post(f"/planer/{plan.key}/nytt-ar", data={"key": "tillganglighet-2024", "title": "Plan 2024"})
    strateg.post("/planer/tillganglighet-2024/nytt-ar", data={"key": "tillganglighet-2025", "title": "Plan 2025"})
    [view] = followup.indicator_views(services.get_plan("tillganglighet-2025"))
    assert [v.period for v in view.earlier] == ["2023-05", "2023-11"]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"key": "tillganglighet-2023", "title": "Plan 2024"}, "key", "Det finns redan en plan med nyckeln"),
    ({"key": "Tillgänglighet 2024", "title": "Plan 2024"}, "key", "nyckel"),
    ({"key": "tillganglighet-2024", "title": " "}, "title", "Ange planens titel."),
])
def test_bad_facts_are_refused(plan, strateg, data, field, message):
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/nytt-ar", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message.lower() in body.lower() and f'id="next-{field}-error"' in body
    db.session.expire_all()
    assert snapshot() == before


def test_a_second_plan_for_next_year_is_refused(plan, strateg):
    strateg.post(f"/planer/{plan.key}/nytt-ar", data={"key": "tillganglighet-2024", "title": "Plan 2024"})
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/nytt-ar", data={"key": "tillganglighet-2024-b", "title": "B"})
    assert response.status_code == 400
    assert "Ökad tillgänglighet har redan en plan för 2024: Plan 2024" in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.READER, Role.DIVISION_CONTACT, Role.ADMIN])
def test_only_strateg_and_direktor_make_next_years_plan(plan, login, make_user, role):
    client = login(make_user(role, "PH" if role is Role.DIVISION_CONTACT else None))
    before = snapshot()
    assert client.get(f"/planer/{plan.key}/nytt-ar").status_code == 403
    assert client.post(f"/planer/{plan.key}/nytt-ar", data={"key": "tillganglighet-2024",
                                                            "title": "Plan 2024"}).status_code == 403
    db.session.expire_all()
    assert snapshot() == before


def test_a_report_copied_from_last_years_keeps_its_form(plan):
    original = create_report(plan=plan)
    copy = creation.create_from_source(f"report:{original.key}", answers=False, key="tillganglighet-2025",
                                      title="Redovisning 2025", year=2025)
    db.session.commit()

    def form(report):
        data = queries.report_data(report)
        def strip(section):
            return {"number": section["number"], "title": section["title"], "intro": section["intro"],
                    "questions": [{k: v for k, v in q.items() if k in ("kind", "prompt", "help", "prompt_second")}
                                  for q in section["questions"]],
                    "sections": [strip(s) for s in section["sections"]]}
        return [strip(s) for s in data["sections"]]

    assert form(copy) == form(original) and form(copy)
    assert copy.agreement == original.agreement and copy.agreement_year.year == 2025
    assert all(not q.get("answer") for s in queries.report_data(copy)["sections"] for q in s["questions"])
