import pytest
import sqlalchemy as sa

from tracker.clock import today as local_today
from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.history.recorder import acting
from tracker.history.services import verify_chain
from tracker.plans.history import PAGE_SIZE
from tracker.plans.models import Action
from tracker.vocabulary import Role, Status


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[
        {"title": "Gemensamma väntelistor inom ögonsjukvård", "divisions": ["HS"]},
        {"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]},
    ])


def update(ds, user, status, comment=None):
    with acting(user, "web"):
        ds.status = status
        ds.comment = comment
        db.session.commit()


def test_history_page_shows_each_change_in_plain_swedish(plan, login, make_user):
    contact = make_user(Role.DIVISION_CONTACT, "PH", name="Anna Berg")
    update(plan.factors[0].actions[1].statuses[0], contact, Status.DONE)
    page = login(make_user()).get(f"/planer/{plan.key}/historik").get_data(as_text=True)
    assert ("<strong>Anna Berg</strong> (Psykiatri Halland)\n    ändrade status för ”Tillgänglighetskoordinatorer "
            "på varje BUP-enhet” (Psykiatri Halland) från Ej påbörjad till Genomförd") in page
    assert "via webb" in page
    assert "lade till åtgärden ”Gemensamma väntelistor inom ögonsjukvård” (FF01-A01)" in page
    assert page.index("Anna Berg") < page.index("lade till åtgärden")  # newest first


def test_filters_by_division_person_kind_and_date(plan, login, make_user, divisions):
    hs = make_user(Role.DIVISION_CONTACT, "HS", name="Karin Holm")
    ph = make_user(Role.DIVISION_CONTACT, "PH", name="Omar Said")
    update(plan.factors[0].actions[0].statuses[0], hs, Status.IN_PROGRESS)
    update(plan.factors[0].actions[1].statuses[0], ph, Status.DONE)
    client = login(make_user())

    def summaries(query):
        page = client.get(f"/planer/{plan.key}/historik?{query}").get_data(as_text=True)
        return [line for line in page.splitlines() if "ändrade status" in line]

    assert len(summaries("")) == 2
    assert len(summaries(f"forvaltning={divisions['PH'].id}")) == 1
    assert len(summaries(f"person={hs.id}")) == 1
    assert len(summaries("typ=action")) == 0
    today = local_today().isoformat()  # the filter is in Swedish time
    assert len(summaries(f"fran={today}&till={today}")) == 2
    assert len(summaries("till=2020-01-01")) == 0
    page = client.get(f"/planer/{plan.key}/historik?fran=abc").get_data(as_text=True)
    assert "”abc” är inget datum (från, ÅÅÅÅ-MM-DD); det filtret togs bort." in page
    page = client.get(f"/planer/{plan.key}/historik?fran=2025-02-01&till=2025-01-01").get_data(as_text=True)
    assert "Från-datumet 2025-02-01 ligger efter till-datumet 2025-01-01: inget kan matcha." in page


def test_each_action_has_its_own_history(plan, login, make_user):
    action = plan.factors[0].actions[1]
    update(action.statuses[0], make_user(Role.DIVISION_CONTACT, "PH"), Status.DONE)
    client = login(make_user())
    plan_page = client.get(f"/planer/{plan.key}").get_data(as_text=True)
    assert f"/planer/{plan.key}/historik?atgard={action.id}" in plan_page
    page = client.get(f"/planer/{plan.key}/historik?atgard={action.id}").get_data(as_text=True)
    assert "Historik för FF01-A02 Tillgänglighetskoordinatorer" in page
    assert "Gemensamma väntelistor" not in page


def test_pages_of_fifty_with_htmx_and_without(plan, login, make_user, htmx_headers):
    ds = plan.factors[0].actions[0].statuses[0]
    contact = make_user(Role.DIVISION_CONTACT, "HS")
    for i in range(PAGE_SIZE + 5):
        update(ds, contact, Status.IN_PROGRESS, f"Uppföljning {i}")
    client = login(make_user())
    first = client.get(f"/planer/{plan.key}/historik").get_data(as_text=True)
    assert first.count('class="history-entry"') == PAGE_SIZE
    assert "Visa äldre ändringar" in first and "sida=2" in first
    second = client.get(f"/planer/{plan.key}/historik?sida=2&fler=1", headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in second and "<ol" not in second  # just the entries to append
    total = db.session.scalar(sa.select(sa.func.count(HistoryEntry.id)).where(HistoryEntry.plan_id == plan.id))
    assert second.count('class="history-entry"') == total - PAGE_SIZE
    assert "Visa äldre ändringar" not in second
    filtered = client.get(f"/planer/{plan.key}/historik?typ=status", headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in filtered and '<ol class="history"' in filtered


def test_a_deleted_action_is_restored_from_the_history_with_its_statuses(plan, login, make_user):
    action = plan.factors[0].actions[1]
    update(action.statuses[0], make_user(Role.DIVISION_CONTACT, "PH"), Status.DONE, "Klart på alla enheter.")
    with acting(None, "cli", "Testare"):
        db.session.delete(action)
        db.session.commit()
    deletion = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted"))
    client = login(make_user(Role.STRATEGIST, name="Maria Strand"))
    page = client.get(f"/planer/{plan.key}/historik").get_data(as_text=True)
    assert "tog bort åtgärden ”Tillgänglighetskoordinatorer på varje BUP-enhet” (FF01-A02)" in page
    assert client.post(f"/historik/{deletion.id}/aterstall").status_code == 302
    restored = db.session.scalar(sa.select(Action).where(Action.ref == "FF01-A02"))
    assert [(s.division.name, s.status, s.comment) for s in restored.statuses] == [
        ("Psykiatri Halland", Status.DONE, "Klart på alla enheter.")]
    page = client.get(f"/planer/{plan.key}/historik").get_data(as_text=True)
    assert "<strong>Maria Strand</strong>\n    återställde åtgärden ”Tillgänglighetskoordinatorer" in page
    assert "Återställd." in page
    response = client.post(f"/historik/{deletion.id}/aterstall")
    assert response.status_code == 400 and "redan återställt" in response.get_data(as_text=True)


def test_restore_refuses_a_parent_of_another_plan(plan, make_plan, login, make_user):
    """After the database gave a deleted row's id to a row of another plan, restoring must not land there."""
    factor, action = plan.factors[0], plan.factors[0].actions[1]
    status = plan.factors[0].actions[0].statuses[0]
    with acting(None, "cli", "Testare"):
        db.session.delete(action)
        db.session.delete(status)
        db.session.commit()
    deletions = {e.kind: e for e in db.session.scalars(sa.select(HistoryEntry).where(HistoryEntry.verb == "deleted"))}
    action_deletion, status_deletion = deletions["action"], deletions["status"]
    other = make_plan(key="gonv-2021", title="Handlingsplan God och nära vård 2021", actions=[{"divisions": ["NSV"]}])
    # As if the ids had been reused: the entries point at rows that now belong to the other plan.
    with db.engine.begin() as connection:
        connection.execute(sa.update(HistoryEntry).where(HistoryEntry.id == action_deletion.id).values(
            snapshot={**action_deletion.snapshot, "action": {**action_deletion.snapshot["action"],
                                                             "factor_id": other.factors[0].id}}))
        connection.execute(sa.update(HistoryEntry).where(HistoryEntry.id == status_deletion.id).values(
            action_id=other.factors[0].actions[0].id))
    db.session.expire_all()
    client = login(make_user(Role.STRATEGIST))
    for entry, message in ((action_deletion, "Framgångsfaktorn som åtgärden hörde till är borttagen"),
                           (status_deletion, "Åtgärden är borttagen")):
        response = client.post(f"/historik/{entry.id}/aterstall")
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert [a.title for a in other.factors[0].actions] == ["Gemensamma väntelistor inom lungsjukvård och ögonsjukvård"]
    assert [s.division.short_name for s in other.factors[0].actions[0].statuses] == ["NSV"]
    assert factor.actions == [plan.factors[0].actions[0]]


def test_the_chain_is_intact_and_a_tampered_entry_is_found(app, plan, make_user):
    update(plan.factors[0].actions[0].statuses[0], make_user(Role.DIVISION_CONTACT, "HS"), Status.DONE)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["history", "verify"])
    assert result.exit_code == 0 and "Historiken är obruten" in result.output
    assert verify_chain().intact
    victim = db.session.scalar(sa.select(HistoryEntry).order_by(HistoryEntry.id).offset(2).limit(1))
    with db.engine.begin() as connection:  # an edit behind the app's back
        connection.execute(sa.update(HistoryEntry).where(HistoryEntry.id == victim.id).values(user_name="Någon annan"))
    db.session.expire_all()
    result = runner.invoke(args=["history", "verify"])
    assert result.exit_code == 1 and f"Historiken är bruten vid post {victim.id}" in result.output


def test_the_kind_filter_offers_the_plans_kinds_only(plan, login, make_user):
    """Reports keep their own history: their kinds (Bidrag, Redovisning) are not offered on a plan's."""
    page = login(make_user()).get(f"/planer/{plan.key}/historik").get_data(as_text=True)
    select = page[page.index('id="history-kind"'):]
    select = select[:select.index("</select>")]
    assert '<option value="action">Åtgärd</option>' in select
    assert '<option value="version">Version</option>' in select
    assert "Bidrag" not in select and "Redovisning" not in select
    assert login(make_user()).get(f"/planer/{plan.key}/historik?typ=contribution").status_code == 200
