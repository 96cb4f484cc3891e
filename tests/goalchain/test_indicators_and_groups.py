"""Jämställd och jämlik: indicators in the golden thread (their delmål and target groups, set in the indicator's
form with the change in the plan's history), outcomes split by kön, and the plan's Översikt per target group."""

import io
from datetime import date

import docx
import sqlalchemy as sa

from tracker.extensions import db
from tracker.followup import indicators as indicator_services
from tracker.followup.models import Indicator, IndicatorValue
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.strategy import services as strategy_services
from tracker.strategy.models import Goal
from tracker.versions import services as versions
from tracker.vocabulary import Direction, Role, Status

NAME = "Andel genomförda första besök inom 30 dagar vid BUP"


def goal(number: int) -> Goal:
    return db.session.scalar(sa.select(Goal).where(Goal.number == number))


def group(name: str):
    return next(g for g in strategy_services.target_groups() if g.name == name)


def make_indicator(plan, **values) -> Indicator:
    indicator = Indicator(plan_id=plan.id, area="BUP", name=NAME, target=75, unit="procent",
                          direction=Direction.AT_LEAST, **values)
    db.session.add(indicator)
    db.session.commit()
    return indicator


def latest_entry() -> HistoryEntry:
    return db.session.scalars(sa.select(HistoryEntry).order_by(HistoryEntry.id.desc())).first()


def test_a_strateg_links_an_indicator_to_delmal_and_target_groups_with_the_history(strategy, login, make_user,
                                                                                   make_plan):
    plan = make_plan()
    client = login(make_user(Role.STRATEGIST, name="Maria Strand"))
    page = client.get(f"/planer/{plan.key}/indikatorer").get_data(as_text=True)
    assert "Delmål i regionens strategi som indikatorn följer" in page and "Barn och unga" in page
    children, women = group("Barn och unga"), group("Kvinnor")
    fields = {"name": NAME, "area": "BUP", "target": "75", "direction": "≥", "unit": "procent", "frequency": "month",
              "links": "1", "goals": [goal(1).id, goal(3).id], "target_groups": [children.id]}
    assert client.post(f"/planer/{plan.key}/indikatorer", data=fields).status_code == 302
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.name == NAME))
    assert [g.number for g in indicator.goals] == [1, 3] and [g.name for g in indicator.target_groups] == [
        "Barn och unga"]
    entry = latest_entry()
    assert (entry.kind, entry.object_id, entry.plan_id, entry.user_name) == ("indicator", indicator.id, plan.id,
                                                                             "Maria Strand")
    assert entry.changes == [["Delmål", "–", "Delmål 1, Delmål 3"], ["Målgrupper", "–", "Barn och unga"]]
    assert entry.summary == f"ändrade indikatorn ”{NAME}”: delmål, målgrupper"
    page = client.get(f"/planer/{plan.key}/indikatorer").get_data(as_text=True)
    assert "Delmål: 1, 3 · Målgrupper: Barn och unga" in page
    assert f'name="goals" value="{goal(3).id}" checked' in page  # the change form starts from what is stored

    response = client.post(f"/indikatorer/{indicator.id}", data={**fields, "goals": [goal(3).id],
                                                                 "target_groups": [children.id, women.id]})
    assert response.status_code == 302
    entry = latest_entry()
    assert entry.changes == [["Delmål", "Delmål 1, Delmål 3", "Delmål 3"],
                             ["Målgrupper", "Barn och unga", "Kvinnor, Barn och unga"]]
    assert "ändrade indikatorn" in client.get(f"/planer/{plan.key}/historik").get_data(as_text=True)

    # A delmål or target group that is not there (a stale page, a forged form) is refused at its field.
    count = db.session.scalar(sa.select(sa.func.count(HistoryEntry.id)))
    response = client.post(f"/indikatorer/{indicator.id}", data={**fields, "goals": [987654], "target": "80"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="indicator-{indicator.id}-goals-error">Ett av de valda delmålen finns inte längre' in page
    response = client.post(f"/planer/{plan.key}/indikatorer", data={**fields, "target_groups": ["x"]})
    assert response.status_code == 400
    assert 'id="indicator-new-target_groups-error">”x” är ingen målgrupp.' in response.get_data(as_text=True)
    db.session.expire_all()
    indicator = db.session.get(Indicator, indicator.id)
    assert [g.number for g in indicator.goals] == [3] and indicator.target == 75
    assert db.session.scalar(sa.select(sa.func.count(Indicator.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(HistoryEntry.id))) == count

    # A form without the strategy's fields (an old page, a script) leaves the links as they are.
    fields.pop("links"), fields.pop("goals"), fields.pop("target_groups")
    assert client.post(f"/indikatorer/{indicator.id}", data={**fields, "target": "80"}).status_code == 302
    db.session.expire_all()
    assert [g.number for g in db.session.get(Indicator, indicator.id).goals] == [3]


def test_a_fastställd_plans_indicator_keeps_its_links(strategy, login, make_user, make_plan):
    plan = make_plan()
    indicator = make_indicator(plan)
    director = make_user(Role.DIRECTOR)
    with acting(director, "web"):
        versions.approve(plan, director)
        db.session.commit()
    client = login(director)
    response = client.post(f"/indikatorer/{indicator.id}", data={
        "name": NAME, "area": "BUP", "target": "75", "direction": "≥", "unit": "procent", "links": "1",
        "goals": [goal(1).id]})
    assert response.status_code == 409 and "är fastställd" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).goals == []


def test_an_outcome_is_split_by_kon_where_it_is_known(strategy, login, make_user, make_plan, divisions):
    plan = make_plan()
    indicator = make_indicator(plan, division_id=divisions["PH"].id)
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    page = client.get(f"/planer/{plan.key}/indikatorer").get_data(as_text=True)
    assert "Varav kvinnor (valfritt)" in page and "Varav män (valfritt)" in page
    # Checked as the outcome is, each message at its field, nothing stored.
    response = client.post(f"/indikatorer/{indicator.id}/utfall", data={
        "period": "2024-06", "value": "72", "value_women": "många", "value_men": "101"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (f'id="value-{indicator.id}-women-error">”många” är inget tal. Ange utfallet för kvinnor som ett tal, '
            "t.ex. 87,5.") in page
    assert f'id="value-{indicator.id}-men-error">101 är ingen andel: ett utfall i procent ligger mellan 0 och 100.' \
        in page
    assert 'value="många"' in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == 0

    assert client.post(f"/indikatorer/{indicator.id}/utfall", data={
        "period": "2024-06", "value": "72", "value_women": "75,5", "value_men": "68"}).status_code == 302
    assert client.post(f"/indikatorer/{indicator.id}/utfall", data={
        "period": "2024-05", "value": "70", "value_women": " ", "value_men": ""}).status_code == 302
    stored = {v.period: (v.value, v.value_women, v.value_men) for v in db.session.scalars(sa.select(IndicatorValue))}
    assert stored == {"2024-06": (72, 75.5, 68), "2024-05": (70, None, None)}
    entry = db.session.scalar(sa.select(HistoryEntry).where(
        HistoryEntry.summary == f"registrerade utfall för ”{NAME}” (2024-06)"))
    assert ["Varav kvinnor", "–", "75,5"] in entry.changes and ["Varav män", "–", "68"] in entry.changes
    page = client.get(f"/planer/{plan.key}/indikatorer").get_data(as_text=True)
    assert "<strong>72 procent</strong> (kvinnor 75,5, män 68)" in page
    assert '<th scope="col">Varav kvinnor</th><th scope="col">Varav män</th>' in page
    assert "<td>72</td><td>75,5</td><td>68</td>" in page and "<td>70</td><td>–</td><td>–</td>" in page


def test_the_delmal_page_and_its_word_section_show_women_and_men_beside_the_total(strategy, login, make_user,
                                                                                   make_plan):
    plan = make_plan()
    indicator = make_indicator(plan)
    split = make_indicator(plan)
    split.name = "Andel patienter med fast läkarkontakt"
    with acting(None, "cli", "test"):
        for each in (indicator, split):
            strategy_services.set_links(each, goals=[goal(1)])
        indicator_services.record_value(indicator, period="2024-06", value="72", comment=None, today=date(2024, 8, 1))
        indicator_services.record_value(split, period="2024-06", value="60", value_women="64", value_men="55,5",
                                        comment=None, today=date(2024, 8, 1))
        indicator_services.record_value(split, period="2024-07", value="61", value_men="57", comment=None,
                                        today=date(2024, 8, 1))
        db.session.commit()
    client = login(make_user(Role.READER))
    page = client.get(f"/strategi/delmal/{goal(1).id}").get_data(as_text=True)
    series = page[page.index('id="series-heading"'):page.index('id="assessments-heading"')]
    bup, fast = series.split("<h3>Andel patienter med fast läkarkontakt")
    assert "Varav kvinnor" not in bup and "<td>72</td><td>" in bup  # a series without a split has no such columns
    assert '<th scope="col">Varav kvinnor</th><th scope="col">Varav män</th>' in fast
    assert "<td>60</td><td>64</td><td>55,5</td>" in fast and "<td>61</td><td>–</td><td>57</td>" in fast
    document = docx.Document(io.BytesIO(client.get(f"/strategi/delmal/{goal(1).id}/uppfoljning.docx").data))
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["Period", "Utfall", "Varav kvinnor", "Varav män", "Plan"] in rows
    assert ["2024-06", "60", "64", "55,5", plan.title] in rows and ["2024-06", "72", plan.title] in rows


def test_the_plans_overview_shows_what_is_done_for_each_target_group(strategy, login, make_user, make_plan):
    plan = make_plan(actions=[{"statuses": {"HS": Status.DONE, "NSV": Status.DONE}}, {},
                              {"statuses": {"HS": Status.CANCELLED, "NSV": Status.CANCELLED}}])
    other = make_plan(key="gonv-2024", title="God och nära vård 2024", actions=[{}])
    children, elderly = group("Barn och unga"), group("Äldre")
    actions = plan.factors[0].actions
    with acting(None, "cli", "test"):
        for action in actions:
            strategy_services.set_links(action, groups=[children])
        strategy_services.set_links(actions[0], groups=[children, elderly])
        strategy_services.set_links(other.factors[0].actions[0], groups=[group("Kvinnor")])
        db.session.commit()
    page = login(make_user(Role.DIRECTOR)).get(f"/planer/{plan.key}/oversikt").get_data(as_text=True)
    assert "vad som görs för varje målgrupp" in page
    assert "<li>Barn och unga: 1 av 2 genomförda (1 avbruten)</li>" in page and "<li>Äldre: 1 av 1 genomförda</li>" in page
    assert page.index("Barn och unga:") < page.index("Äldre:")  # the list's order
    assert "Kvinnor:" not in page  # another plan's work
    empty = login(make_user(Role.READER)).get(f"/planer/{other.key}/oversikt").get_data(as_text=True)
    assert "<li>Kvinnor: 0 av 1 genomförda</li>" in empty and "Barn och unga:" not in empty
