"""The strategy as data and its golden thread: the delmål's pages, their editing and history, the target groups,
the follow-up in Word, and the demo's verbatim text."""

import io
import re

import docx
import sqlalchemy as sa

from tracker.demo.strategy import read_strategy_data
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.plans.models import Action
from tracker.strategy import services as strategy_services
from tracker.strategy.models import Goal, StrategySection, TargetGroup
from tracker.vocabulary import Role, Status

DELMAL_1 = ("Hälso- och sjukvården i Halland arbetar hälsofrämjande och levererar en individuell hälso- och sjukvård "
            "av hög kvalitet för en god och jämlik hälsa")


def goal(number: int) -> Goal:
    return db.session.scalar(sa.select(Goal).where(Goal.number == number))


def link(plan, numbers, statuses=None):
    """Link every åtgärd of `plan` to the delmål `numbers`."""
    with acting(None, "cli", "test"):
        for action in db.session.scalars(sa.select(Action)):
            if action.factor.plan_id == plan.id:
                strategy_services.set_links(action, goals=[goal(n) for n in numbers])
        db.session.commit()


def test_the_strategy_holds_the_follow_ups_words(strategy, login, make_user):
    """The five delmål with their texts, sections and final bedömningar, as the region's follow-up words them."""
    assert [g.number for g in strategy.goals] == [1, 2, 3, 4, 5]
    assert goal(1).text == DELMAL_1
    assert goal(5).text == "Hälso- och sjukvården i Halland har en tydlig prioritering av hur kompetens och resurser används"
    headings = [s.heading for s in goal(2).sections]
    assert headings[:2] == ["Övergripande förflyttningar", "Exempel på konkreta åtgärder och utvecklingsarbeten"]
    assert "Sammantagna effekter" in headings and "Samlad strategisk bedömning" not in headings
    effects = next(s for s in goal(2).sections if s.heading == "Sammantagna effekter")
    assert "- Minskad tid som utskrivningsklar på sjukhus (ned mot ca 2,5 dagar)" in effects.body
    final = goal(5).assessments[0]
    assert (final.year, final.final) == (2025, True)
    assert final.text.startswith("Under perioden har Region Halland successivt stärkt sin strategiska styrförmåga")
    assert "Elin Allard" not in final.text  # the document's signature is not part of the bedömning
    client = login(make_user(Role.READER))
    page = client.get(f"/strategi/delmal/{goal(1).id}").get_data(as_text=True)
    assert DELMAL_1 in page and "Systematisk utveckling av hjärtsjukvården" in page
    assert "<li>Barnhus Halland</li>" in page
    overview = client.get("/strategi").get_data(as_text=True)
    assert "Strategiska medskick" in overview and "Delmål 5" in overview


def test_a_delmals_page_rolls_up_the_linked_atgarder_of_every_plan_and_year(strategy, login, make_user, make_plan):
    plan_2023 = make_plan(actions=[{"statuses": {"HS": Status.DONE, "NSV": Status.DONE}}, {}])
    plan_2024 = make_plan(key="tillganglighet-2024", title="Handlingsplan för ökad tillgänglighet 2024",
                          actions=[{"statuses": {"HS": Status.DONE, "NSV": Status.DONE}}])
    plan_2024.year = 2024
    db.session.commit()
    link(plan_2023, [2])
    link(plan_2024, [2, 4])
    client = login(make_user(Role.READER))
    page = client.get(f"/strategi/delmal/{goal(2).id}").get_data(as_text=True)
    assert "2 av 3 genomförda" in page  # the delmål: three åtgärder over two plans and years
    assert re.search(r"Ökad tillgänglighet 2024\s*<span class=\"meta\">– 1 av 1 genomförda", page)
    assert re.search(r"Ökad tillgänglighet 2023\s*<span class=\"meta\">– 1 av 2 genomförda", page)
    assert page.index("Ökad tillgänglighet 2024") < page.index("Ökad tillgänglighet 2023")  # newest year first
    assert "1 av 1 genomförda" in client.get(f"/strategi/delmal/{goal(4).id}").get_data(as_text=True)
    assert "Inga åtgärder är kopplade" in client.get(f"/strategi/delmal/{goal(3).id}").get_data(as_text=True)
    overview = client.get("/strategi").get_data(as_text=True)
    assert "3 åtgärder i 2 planer: 2 av 3 genomförda" in overview


def test_a_delmals_page_asks_the_same_number_of_queries_for_10_and_500_atgarder(
        strategy, login, make_user, make_plan, count_queries):
    """Åtgärder across 8 plans: the page reads them, their statuses and their target groups in fixed queries."""
    client = login(make_user(Role.READER))
    url = f"/strategi/delmal/{goal(1).id}"

    def queries() -> int:
        db.session.close()  # as on a server: nothing the test loaded is there for the page
        client.get(url)  # warm: the session's user
        db.session.close()
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    plans = [make_plan(key=f"plan-{n}", actions=[{}]) for n in range(8)]
    for plan in plans[:2]:
        link(plan, [1])
    few = queries()
    with acting(None, "cli", "test"):
        groups = strategy_services.target_groups()[:2]
        for plan in plans:
            factor = plan.factors[0]
            for n in range(62):
                action = Action(factor=factor, ref=f"X{n:03d}", title=f"Åtgärd {n}", position=n + 1)
                db.session.add(action)
                strategy_services.set_links(action, goals=[goal(1)], groups=groups[: n % 3])
        db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) >= 500
    assert queries() == few


def test_a_strateg_edits_a_delmal_and_its_sections_with_the_history_kept(strategy, login, make_user):
    client = login(make_user(Role.STRATEGIST, name="Maria Strand"))
    delmal = goal(3)
    response = client.post(f"/strategi/delmal/{delmal.id}/text", data={"text": delmal.text + " för alla",
                                                                       "version": delmal.version_id})
    assert response.status_code == 302
    assert goal(3).text.endswith(" för alla")
    client.post(f"/strategi/delmal/{delmal.id}/avsnitt", data={"heading": "Uppföljning 2026", "level": "1",
                                                              "body": "- Ny mätning av patientsäkerhet"})
    section = db.session.scalar(sa.select(StrategySection).where(StrategySection.heading == "Uppföljning 2026"))
    assert section.goal_id == delmal.id and section.position == len(goal(3).sections) - 1
    entries = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.scope == f"strategy:{strategy.id}",
                                                               HistoryEntry.user_name == "Maria Strand")
                                 .order_by(HistoryEntry.id)).all()
    assert [e.summary for e in entries] == ["ändrade delmål 3: text",
                                            "lade till avsnittet ”Uppföljning 2026” i delmål 3"]
    history = client.get("/strategi/historik").get_data(as_text=True)
    assert "Maria Strand lade till avsnittet ”Uppföljning 2026” i delmål 3" in history


def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(strategy, login, make_user):
    client = login(make_user(Role.STRATEGIST))
    delmal = goal(1)
    before = delmal.text
    response = client.post(f"/strategi/delmal/{delmal.id}/text", data={"text": "  ", "version": delmal.version_id})
    assert response.status_code == 400 and "Skriv delmålets text." in response.get_data(as_text=True)
    response = client.post(f"/strategi/delmal/{delmal.id}/bedomning", data={"year": "1999", "text": "Bra"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Ange ett år inom strategins period, 2017–2025" in page
    response = client.post(f"/strategi/delmal/{delmal.id}/avsnitt", data={"heading": "Ny", "body": "x\x07y"})
    assert response.status_code == 400 and "osynligt styrtecken (U+0007)" in response.get_data(as_text=True)
    assert goal(1).text == before and len(goal(1).assessments) == 1


def test_a_save_on_an_older_page_is_refused_with_what_is_stored(strategy, login, make_user):
    client = login(make_user(Role.STRATEGIST))
    delmal = goal(2)
    seen = delmal.version_id
    assert client.post(f"/strategi/delmal/{delmal.id}/text", data={"text": "Första", "version": seen}).status_code == 302
    response = client.post(f"/strategi/delmal/{delmal.id}/text", data={"text": "Andra", "version": seen})
    assert response.status_code == 409 and "Någon annan har ändrat detta" in response.get_data(as_text=True)
    assert goal(2).text == "Första"


def test_a_bedomning_is_written_per_year_and_one_is_final(strategy, login, make_user):
    client = login(make_user(Role.DIRECTOR))
    delmal = goal(4)
    for year, text in ((2023, "Digitala vårdmöten växer."), (2024, "Egenmonitorering breddas.")):
        assert client.post(f"/strategi/delmal/{delmal.id}/bedomning",
                           data={"year": year, "text": text}).status_code == 302
    client.post(f"/strategi/delmal/{delmal.id}/bedomning", data={"year": 2024, "text": "Egenmonitorering breddas i hela regionen.",
                                                                "final": "1"})
    assessments = {a.year: (a.text, a.final) for a in goal(4).assessments}
    assert assessments[2024] == ("Egenmonitorering breddas i hela regionen.", True)
    assert assessments[2025][1] is False  # the earlier final one is final no longer
    assert assessments[2023] == ("Digitala vårdmöten växer.", False)


def test_only_strateg_and_direktor_change_the_strategy(strategy, login, make_user):
    delmal = goal(1)
    groups = len(strategy_services.target_groups())
    for role in (Role.READER, Role.DIVISION_CONTACT, Role.ADMIN):
        client = login(make_user(role))
        response = client.post(f"/strategi/delmal/{delmal.id}/text", data={"text": "Nej", "version": delmal.version_id})
        assert response.status_code == 403
        assert client.post("/strategi/malgrupper", data={"name": "Nej"}).status_code == 403
    assert goal(1).text == DELMAL_1 and len(strategy_services.target_groups()) == groups


def test_target_groups_are_a_list_the_strateg_keeps_and_a_delmal_shows_the_work_for_each(
        strategy, login, make_user, make_plan):
    client = login(make_user(Role.STRATEGIST))
    assert "Personer med psykisk ohälsa" in [g.name for g in strategy_services.target_groups()]  # the demo's list
    assert client.post("/strategi/malgrupper", data={"name": "Personer med funktionsnedsättning"}).status_code == 302
    assert strategy_services.target_groups()[-1].name == "Personer med funktionsnedsättning"
    response = client.post("/strategi/malgrupper", data={"name": " barn  och unga "})
    assert response.status_code == 400 and "Målgruppen ”Barn och unga” finns redan." in response.get_data(as_text=True)
    plan = make_plan(actions=[{"statuses": {"HS": Status.DONE, "NSV": Status.DONE}}, {}])
    children = db.session.scalar(sa.select(TargetGroup).where(TargetGroup.name == "Barn och unga"))
    with acting(None, "cli", "test"):
        for action in plan.factors[0].actions:
            strategy_services.set_links(action, goals=[goal(1)], groups=[children])
        db.session.commit()
    page = client.get(f"/strategi/delmal/{goal(1).id}").get_data(as_text=True)
    assert "<li>Barn och unga: 1 av 2 genomförda</li>" in page and "Äldre:" not in page


def test_the_follow_up_in_word_is_assembled_from_the_data(strategy, login, make_user, make_plan):
    plan = make_plan(actions=[{"title": "Etablera tillgänglighetskoordinatorer på varje BUP-enhet",
                               "statuses": {"HS": Status.DONE, "NSV": Status.IN_PROGRESS}}])
    link(plan, [1])
    client = login(make_user(Role.READER))
    response = client.get(f"/strategi/delmal/{goal(1).id}/uppfoljning.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(response.data))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert document.core_properties.author == "Region Halland" and document.core_properties.language == "sv-SE"
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"Delmål 1. {DELMAL_1}" in text
    assert "Ökad tillgänglighet 2023 – 0 av 1 genomförda" in text
    assert "Samlad strategisk bedömning (2025, slutbedömning)" in text
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert "Etablera tillgänglighetskoordinatorer på varje BUP-enhet" in cells and "Pågående" in cells
    whole = docx.Document(io.BytesIO(client.get("/strategi/uppfoljning.docx").data))
    headings = [p.text for p in whole.paragraphs if p.style.name.startswith("Heading")]
    assert "Strategiska medskick" in headings and sum(h.startswith("Delmål ") for h in headings) == 5


def test_the_demo_puts_the_strategy_in_the_strategy_not_in_status_comments():
    data = read_strategy_data()
    kinds = {s["heading"] for g in data["goals"] for s in g["sections"]}
    assert {"Övergripande förflyttningar", "Sammantagna effekter"} <= kinds
    text = repr(data)
    assert "Omtanke Halland" in text and "BB-Hemma" in text
    from tracker.demo.loader import PLAN_FILES, read_plan_data
    plans = repr([read_plan_data(name) for name in PLAN_FILES])
    assert "Omtanke Halland" not in plans and "BB-Hemma" not in plans


def test_the_editor_links_an_atgard_to_delmal_and_target_groups_with_its_history(strategy, login, make_user,
                                                                                   make_plan):
    plan = make_plan()
    action = plan.factors[0].actions[0]
    client = login(make_user(Role.STRATEGIST, name="Maria Strand"))
    form = client.get(f"/atgarder/{action.id}/redigera").get_data(as_text=True)
    assert "Delmål i regionens strategi som åtgärden bidrar till" in form and "Barn och unga" in form
    children = next(g for g in strategy_services.target_groups() if g.name == "Barn och unga")
    fields = {"title": action.title, "owner": action.owner, "horizon": "short", "start_date": "2023-01-01",
              "due_date": "2030-12-31", "divisions": [s.division_id for s in action.statuses],
              "factor_id": action.factor_id, "version": action.version_id, "links": "1",
              "goals": [goal(2).id, goal(4).id], "target_groups": [children.id]}
    assert client.post(f"/atgarder/{action.id}", data=fields).status_code == 302
    action = db.session.get(Action, action.id)
    assert [g.number for g in action.goals] == [2, 4] and [g.name for g in action.target_groups] == ["Barn och unga"]
    entry = db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.action_id == action.id)
                               .order_by(HistoryEntry.id.desc())).first()
    assert entry.changes == [["Delmål", "–", "Delmål 2, Delmål 4"], ["Målgrupper", "–", "Barn och unga"]]
    assert entry.user_name == "Maria Strand" and entry.plan_id == plan.id
    assert "Gemensamma väntelistor" in client.get(f"/strategi/delmal/{goal(4).id}").get_data(as_text=True)
    # A delmål that is not there (a stale page, a forged form) is refused at its field; nothing is saved.
    response = client.post(f"/atgarder/{action.id}", data={**fields, "version": action.version_id,
                                                           "goals": [987654]})
    assert response.status_code == 400 and "Ett av de valda delmålen finns inte längre" in response.get_data(as_text=True)
    assert [g.number for g in db.session.get(Action, action.id).goals] == [2, 4]
    # A form without the strategy's fields (the import, an old page) leaves the links as they are.
    fields.pop("links"), fields.pop("goals"), fields.pop("target_groups")
    fields["version"] = db.session.get(Action, action.id).version_id
    fields["title"] = "Gemensamma väntelistor inom ortopedi"
    assert client.post(f"/atgarder/{action.id}", data=fields).status_code == 302
    assert [g.number for g in db.session.get(Action, action.id).goals] == [2, 4]


def test_the_golden_thread_goes_along_when_a_plan_is_copied_to_next_year(strategy, login, make_user, make_plan):
    """Next year's plan keeps its åtgärder's and its indicators' delmål and target groups: the delmål's page then
    shows both years."""
    from tracker.followup.models import Indicator
    from tracker.plans import services as plans

    plan = make_plan()
    children = next(g for g in strategy_services.target_groups() if g.name == "Barn och unga")
    indicator = Indicator(plan_id=plan.id, name="Andel första besök inom 30 dagar vid BUP", unit="procent")
    db.session.add(indicator)
    with acting(None, "cli", "test"):
        strategy_services.set_links(plan.factors[0].actions[0], goals=[goal(1)], groups=[children])
        strategy_services.set_links(indicator, goals=[goal(1)], groups=[children])
        db.session.commit()
    client = login(make_user(Role.STRATEGIST))
    assert client.post(f"/planer/{plan.key}/nytt-ar", data={
        "key": "tillganglighet-2024", "title": "Handlingsplan för ökad tillgänglighet 2024"}).status_code == 302
    db.session.expire_all()
    new = plans.get_plan("tillganglighet-2024")
    action = new.factors[0].actions[0]
    assert [g.number for g in action.goals] == [1] and [g.name for g in action.target_groups] == ["Barn och unga"]
    [copied] = new.indicators
    assert [g.number for g in copied.goals] == [1] and [g.name for g in copied.target_groups] == ["Barn och unga"]
    page = client.get(f"/strategi/delmal/{goal(1).id}").get_data(as_text=True)
    assert "Ökad tillgänglighet 2024" in page and "Ökad tillgänglighet 2023" in page
