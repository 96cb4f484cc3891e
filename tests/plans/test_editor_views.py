import re

import pytest
import sqlalchemy as sa

from tests.factories import snapshot
from tracker.extensions import db
from tracker.locking import Conflict
from tracker.versions.services import approve
from tracker.plans import services, structure
from tracker.plans.models import Action
from tracker.vocabulary import Role, Status


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{"title": "Gemensamma väntelistor inom ögonsjukvård", "statuses": {"HS": Status.DONE}},
                              {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]}])


@pytest.fixture
def strateg(login, make_user):
    return login(make_user(Role.STRATEGIST, name="Maria Strand"))


def test_edit_mode_shows_the_controls_only_to_editors_of_a_draft(plan, strateg, login, make_user):
    page = strateg.get(f"/planer/{plan.key}?redigera=1").get_data(as_text=True)
    assert "Lägg till åtgärd" in page and "Lägg till insatsområde" in page and 'name="riktning" value="upp"' in page
    reader_page = login(make_user()).get(f"/planer/{plan.key}?redigera=1").get_data(as_text=True)
    assert "Lägg till åtgärd" not in reader_page and "Redigera planen" not in reader_page


def test_new_action_form_is_a_fragment_for_htmx_and_a_page_without(plan, strateg, htmx_headers):
    url = f"/planer/{plan.key}/atgarder/ny?faktor={plan.factors[0].id}"
    fragment = strateg.get(url, headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in fragment and 'id="new-action-' in fragment
    page = strateg.get(url).get_data(as_text=True)
    assert "<html" in page and "Ny åtgärd under ”Ramavtal med externa vårdgivare”" in page


def test_invalid_action_comes_back_in_place_with_messages_and_typed_values(plan, strateg, htmx_headers, divisions):
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/atgarder", headers=htmx_headers, data={
        "factor_id": plan.factors[0].id, "title": " ", "owner": "Verksamhetschef ögon",
        "start_date": "2025-06-01", "due_date": "2025-01-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "<html" not in page
    assert f'id="new-action-{plan.factors[0].id}-title-error">Ange en rubrik; den får inte vara tom.</p>' in page
    assert "Klart senast (2025-01-01) kan inte vara före start (2025-06-01)." in page
    assert "Välj minst en ansvarig förvaltning." in page
    assert 'value="Verksamhetschef ögon"' in page
    assert snapshot() == before


def test_created_action_rerenders_the_plan_body_in_edit_mode(plan, strateg, htmx_headers, divisions):
    response = strateg.post(f"/planer/{plan.key}/atgarder", headers=htmx_headers, data={
        "factor_id": plan.factors[0].id, "title": "Mobil röntgen i särskilt boende",
        "divisions": [divisions["ADH"].id]})
    action = db.session.scalar(sa.select(Action).where(Action.title == "Mobil röntgen i särskilt boende"))
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#plan-body"
    assert response.headers["HX-Reswap"] == f"innerHTML show:#action-{action.id}:top"
    assert "Mobil röntgen i särskilt boende" in response.get_data(as_text=True)


def test_without_javascript_a_change_redirects_back_to_edit_mode(plan, strateg):
    response = strateg.post(f"/atgarder/{plan.factors[0].actions[1].id}/flytta", data={"riktning": "upp"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planer/{plan.key}?redigera=1#action-{plan.factors[0].actions[1].id}"
    assert [a.title for a in services.load_factors(plan, fresh=True)[0].actions][0].startswith("Tillgänglighets")


def test_two_strateger_editing_the_same_action_conflict(plan, strateg, htmx_headers, divisions):
    action = plan.factors[0].actions[1]
    seen = action.version_id
    fields = {"title": "Koordinatorer på varje BUP-enhet", "divisions": [divisions["PH"].id], "version": seen}
    assert strateg.post(f"/atgarder/{action.id}", data=fields, headers=htmx_headers).status_code == 200
    response = strateg.post(f"/atgarder/{action.id}", headers=htmx_headers,
                            data={**fields, "title": "Tillgänglighetskoordinatorer (min version)"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Någon annan har sparat åtgärden medan du redigerade" in page
    assert re.search(r"Sparat nu av Maria Strand \d{4}-\d\d-\d\d \d\d:\d\d: ”Koordinatorer på varje BUP-enhet”", page)
    assert 'value="Tillgänglighetskoordinatorer (min version)"' in page
    db.session.expire_all()
    assert db.session.get(Action, action.id).title == "Koordinatorer på varje BUP-enhet"


def test_removing_a_division_with_content_asks_first(plan, strateg, htmx_headers, divisions):
    action = plan.factors[0].actions[0]
    data = {"title": action.title, "divisions": [divisions["NSV"].id], "version": action.version_id}
    response = strateg.post(f"/atgarder/{action.id}", data=data, headers=htmx_headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Om du tar bort Hallands sjukhus (Genomförd) försvinner deras status och kommentar." in page
    assert 'name="confirm_removal"' in page
    response = strateg.post(f"/atgarder/{action.id}", data={**data, "confirm_removal": "1"}, headers=htmx_headers)
    assert response.status_code == 200
    db.session.expire_all()
    assert [s.division.short_name for s in db.session.get(Action, action.id).statuses] == ["NSV"]


def test_delete_asks_for_confirmation_naming_what_goes(plan, strateg, htmx_headers):
    factor = plan.factors[0]
    page = strateg.get(f"/faktorer/{factor.id}/ta-bort", headers=htmx_headers).get_data(as_text=True)
    assert "Ta bort framgångsfaktorn ”Ramavtal med externa vårdgivare” med 2 åtgärder och 3 statusar?" in page
    action = factor.actions[0]
    page = strateg.get(f"/atgarder/{action.id}/ta-bort", headers=htmx_headers).get_data(as_text=True)
    assert "med 2 ansvariga förvaltningar, varav 1 med status eller kommentar?" in page
    single = factor.actions[1]  # Psykiatri Halland alone
    page = strateg.get(f"/atgarder/{single.id}/ta-bort", headers=htmx_headers).get_data(as_text=True)
    assert f"Ta bort åtgärden {single.ref} ”{single.title}” med 1 ansvarig förvaltning?" in page


def test_an_approved_plan_refuses_structure_edits_with_409(plan, strateg, make_user, divisions):
    approve(plan, make_user(Role.DIRECTOR))
    db.session.commit()
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/atgarder", data={
        "factor_id": plan.factors[0].id, "title": "Ny åtgärd", "divisions": [divisions["HS"].id]})
    assert response.status_code == 409
    assert "Starta en revidering" in response.get_data(as_text=True)
    assert snapshot() == before
    page = strateg.get(f"/planer/{plan.key}?redigera=1").get_data(as_text=True)
    assert "Lägg till åtgärd" not in page and "starta en revidering" in page


def test_create_a_plan_as_a_copy(plan, strateg):
    response = strateg.post("/planer/ny", data={"key": "tillganglighet-2024", "title": "Handlingsplan 2024",
                                                "year": "2024", "agreement": "Ökad tillgänglighet",
                                                "copy_of": plan.key})
    assert response.headers["Location"] == "/planer/tillganglighet-2024?redigera=1"
    copy = services.get_plan("tillganglighet-2024")
    assert [a.title for f in copy.factors for a in f.actions] == [a.title for f in plan.factors for a in f.actions]


def test_create_plan_errors_next_to_the_fields(plan, strateg):
    response = strateg.post("/planer/ny", data={"key": "ny", "title": "", "year": "tjugo", "agreement": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="plan-key-error">Nyckeln ny är reserverad' in page
    assert 'id="plan-year-error">”tjugo” är inget år. Ange året med fyra siffror mellan 2000 och 2100, t.ex. 2025.</p>' in page
    assert 'id="plan-title-error">Ange planens titel.</p>' in page


def test_an_action_moves_to_another_factor_through_its_form(make_plan, strateg, htmx_headers, divisions):
    plan = make_plan(factors=2, actions=[{"title": "Tillgänglighetskoordinatorer på varje BUP-enhet",
                                          "divisions": ["PH"], "statuses": {"PH": Status.IN_PROGRESS}}])
    first, second = plan.factors
    action = first.actions[0]
    action_id, target_id, version = action.id, second.id, action.version_id
    db.session.expunge_all()  # as in a real request: nothing loaded yet
    response = strateg.post(f"/atgarder/{action_id}", headers=htmx_headers, data={
        "title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": [divisions["PH"].id],
        "factor_id": target_id, "version": version})
    assert response.status_code == 200
    db.session.expunge_all()
    moved = db.session.get(Action, action_id)
    assert moved.factor_id == target_id
    assert [s.status for s in moved.statuses] == [Status.IN_PROGRESS]


def test_moving_the_first_up_says_it_already_is_first(plan, strateg, htmx_headers):
    first, last = plan.factors[0].actions
    page = strateg.post(f"/atgarder/{first.id}/flytta", data={"riktning": "upp"}, headers=htmx_headers
                        ).get_data(as_text=True)
    assert f"Åtgärden {first.ref} står redan först." in page
    page = strateg.post(f"/atgarder/{last.id}/flytta", data={"riktning": "ner"}, headers=htmx_headers
                        ).get_data(as_text=True)
    assert f"Åtgärden {last.ref} står redan sist." in page
    page = strateg.post(f"/atgarder/{first.id}/flytta", data={"riktning": "ner"}, headers=htmx_headers
                        ).get_data(as_text=True)
    assert "står redan" not in page


def test_a_move_of_what_someone_else_changed_meanwhile_is_a_409_and_nothing_is_written(plan, strateg, htmx_headers,
                                                                                        monkeypatch):
    first = plan.factors[0].actions[0]

    def saved_meanwhile(action, direction):
        raise Conflict()

    monkeypatch.setattr(structure, "move_action", saved_meanwhile)
    response = strateg.post(f"/atgarder/{first.id}/flytta", data={"riktning": "ner"}, headers=htmx_headers)
    assert response.status_code == 409
    assert "Någon annan har ändrat eller tagit bort en åtgärd här medan du hade sidan öppen" in \
        response.get_data(as_text=True)
