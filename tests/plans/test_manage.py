"""Hantera planen: its title, agreement and year corrected (a select of the agreements there are), archived out of
the default lists and back, a draft never fastställd deleted with a confirmation; each refusal says why in Swedish
and changes nothing; each change is in the history."""

import pytest
import sqlalchemy as sa

from tests.factories import snapshot
from tests.reports.helpers import create_report
from tracker.agreements.models import AgreementYear
from tracker.agreements.services import find_agreement
from tracker.extensions import db
from tracker.followup.models import PlanContact
from tracker.history.models import HistoryEntry
from tracker.plans import services
from tracker.plans.models import Plan
from tracker.versions import services as versions
from tracker.vocabulary import Role, Status


@pytest.fixture
def plan(make_plan):
    return make_plan(actions=[{"divisions": ["PH", "HS"], "statuses": {"PH": Status.IN_PROGRESS}}])


@pytest.fixture
def strateg(login, make_user):
    return login(make_user(Role.STRATEGIST))


def _facts(plan, **changes):
    return {"title": plan.title, "agreement": plan.agreement_id, "year": str(plan.year),
            "version": plan.version_id, **changes}


def _entries(**where):
    query = sa.select(HistoryEntry)
    for column, value in where.items():
        query = query.where(getattr(HistoryEntry, column) == value)
    return db.session.scalars(query.order_by(HistoryEntry.id)).all()


# --- Title, agreement and year ---------------------------------------------------------------------------------


def test_the_page_offers_the_agreements_as_a_select(plan, strateg):
    body = strateg.get(f"/planer/{plan.key}/hantera").get_data(as_text=True)
    assert '<select id="manage-agreement" name="agreement"' in body
    assert f'<option value="{plan.agreement_id}" selected>Ökad tillgänglighet</option>' in body
    assert "God och nära vård</option>" in body


def test_title_agreement_and_year_are_corrected_and_in_the_history(plan, strateg):
    gonv = find_agreement("God och nära vård")
    response = strateg.post(f"/planer/{plan.key}/hantera", data=_facts(
        plan, title="Handlingsplan God och nära vård 2021", agreement=gonv.id, year="2021"))
    assert response.status_code == 302
    db.session.expire_all()
    plan = services.get_plan(plan.key)
    assert (plan.title, plan.agreement.name, plan.year) == ("Handlingsplan God och nära vård 2021",
                                                            "God och nära vård", 2021)
    assert plan.agreement_year is not None and plan.agreement_year.year == 2021  # year_of made the year's row
    entry = _entries(kind="plan", verb="updated")[-1]
    assert ["Överenskommelse", "Ökad tillgänglighet", "God och nära vård"] in entry.changes
    assert ["År", "2023", "2021"] in entry.changes


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "  ", "Ange planens titel."),
    ("title", "x" * 301, "Titeln får ha högst 300 tecken; den har 301."),
    ("agreement", "", "Välj överenskommelsen. Välj en av: God och nära vård, Ökad tillgänglighet."),
    ("agreement", "Ökad tillganglighet 2", "Överenskommelsen ”Ökad tillganglighet 2” finns inte."),
    ("agreement", "987654", "Välj en av: God och nära vård, Ökad tillgänglighet."),
    ("year", "tjugo", "år"),
])
def test_bad_facts_are_refused_at_the_field(plan, strateg, field, value, message):
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/hantera", data=_facts(plan, **{field: value}))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body and f'id="manage-{field}-error"' in body
    db.session.expire_all()
    assert snapshot() == before


def test_facts_changed_by_someone_else_since_the_page_are_refused(plan, strateg):
    stale = _facts(plan, title="Min titel")
    plan.title = "Någon annans titel"
    db.session.commit()
    response = strateg.post(f"/planer/{plan.key}/hantera", data=stale)
    assert response.status_code == 409
    assert "Någon annan har ändrat planen sedan du öppnade sidan" in response.get_data(as_text=True)
    db.session.expire_all()
    assert services.get_plan(plan.key).title == "Någon annans titel"


@pytest.mark.parametrize("role", [Role.READER, Role.DIVISION_CONTACT, Role.ADMIN])
def test_only_strateg_and_direktor_manage(plan, login, make_user, role):
    client = login(make_user(role, "PH" if role is Role.DIVISION_CONTACT else None))
    assert client.get(f"/planer/{plan.key}/hantera").status_code == 403
    assert client.post(f"/planer/{plan.key}/hantera", data=_facts(plan, title="X")).status_code == 403
    assert "Hantera planen" not in client.get(f"/planer/{plan.key}").get_data(as_text=True)


# --- Archiving -------------------------------------------------------------------------------------------------


def test_an_archived_plan_leaves_the_default_lists_and_says_so(plan, strateg, login, make_user, make_plan):
    other = make_plan(key="gonv-2021", title="Handlingsplan God och nära vård 2021",
                      actions=[{"divisions": ["PH"], "title": "Fast vårdkontakt"}])
    assert strateg.post(f"/planer/{plan.key}/arkivera", data={"version": plan.version_id}).status_code == 302
    db.session.expire_all()
    plan = services.get_plan(plan.key)
    assert plan.archived_at is not None
    assert _entries(kind="plan", verb="updated")[-1].summary.startswith("arkiverade planen")

    index = strateg.get("/planer").get_data(as_text=True)
    assert plan.title not in index and other.title in index and "Visa arkiverade" in index
    shown = strateg.get("/planer?arkiverade=1").get_data(as_text=True)
    assert plan.title in shown and "Arkiverad" in shown
    assert "Arkiverad" in strateg.get(f"/planer/{plan.key}").get_data(as_text=True)
    assert "Arkiverad" in strateg.get(f"/planer/{plan.key}/oversikt").get_data(as_text=True)
    # Not in the selects: a new plan's source, the import's plan, a report's plan.
    for page in ("/planer/ny", "/import", "/redovisningar"):
        body = strateg.get(page).get_data(as_text=True)
        assert f'value="{plan.key}"' not in body and f'value="{other.key}"' in body, page
    # Not in Mina åtgärder.
    contact = login(make_user(Role.DIVISION_CONTACT, "PH"))
    mine = contact.get("/mina-atgarder").get_data(as_text=True)
    assert "Fast vårdkontakt" in mine and "Gemensamma väntelistor" not in mine
    assert [p.key for p, _ in services.list_plans()] == [other.key]


def test_an_archived_plan_is_brought_back(plan, strateg):
    strateg.post(f"/planer/{plan.key}/arkivera", data={"version": plan.version_id})
    db.session.expire_all()
    plan = services.get_plan(plan.key)
    assert strateg.post(f"/planer/{plan.key}/ta-fram", data={"version": plan.version_id}).status_code == 302
    db.session.expire_all()
    assert services.get_plan(plan.key).archived_at is None
    assert _entries(kind="plan", verb="updated")[-1].summary.startswith("tog fram ur arkivet planen")


def test_archiving_twice_or_from_a_stale_page_is_refused(plan, strateg):
    version = plan.version_id
    assert strateg.post(f"/planer/{plan.key}/arkivera", data={"version": version}).status_code == 302
    again = strateg.post(f"/planer/{plan.key}/arkivera", data={"version": version + 1})
    assert again.status_code == 409 and "Planen är redan arkiverad." in again.get_data(as_text=True)
    stale = strateg.post(f"/planer/{plan.key}/ta-fram", data={"version": version})
    assert stale.status_code == 409 and "Någon annan har ändrat planen" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert services.get_plan(plan.key).archived_at is not None


# --- Deleting a draft ------------------------------------------------------------------------------------------


def test_a_draft_is_deleted_after_a_confirmation_with_one_history_entry(plan, strateg):
    db.session.add(PlanContact(plan_id=plan.id, name="Lena Lindqvist"))
    db.session.commit()
    page = strateg.get(f"/planer/{plan.key}/ta-bort").get_data(as_text=True)
    assert "tas bort med 1 insatsområden, 1 framgångsfaktorer och 1 åtgärder" in page
    before = snapshot()
    unconfirmed = strateg.post(f"/planer/{plan.key}/ta-bort", data={})
    assert unconfirmed.status_code == 400
    assert "Kryssa i rutan för att bekräfta" in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before

    plan_id, title = plan.id, plan.title
    response = strateg.post(f"/planer/{plan.key}/ta-bort", data={"confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan_id) is None
    assert db.session.scalar(sa.select(sa.func.count(PlanContact.id))) == 0
    deleted = _entries(plan_id=plan_id, verb="deleted")
    assert len(deleted) == 1 and deleted[0].summary.startswith(f"tog bort planen ”{title}”")
    assert ["Åtgärder", "1", "–"] in deleted[0].changes


def test_a_plan_fastställd_is_not_deleted(plan, strateg, make_user):
    versions.approve(plan, make_user(Role.DIRECTOR), "RS231576")
    versions.start_revision(plan)  # a draft again, but with a version
    db.session.commit()
    assert "har fastställts (1 version)" in strateg.get(f"/planer/{plan.key}/hantera").get_data(as_text=True)
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/ta-bort", data={"confirm": "1"})
    assert response.status_code == 409
    assert "har fastställts (1 version) och tas inte bort" in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before


def test_a_plan_a_report_attaches_is_not_deleted(plan, strateg):
    create_report(plan=plan)
    before = snapshot()
    response = strateg.post(f"/planer/{plan.key}/ta-bort", data={"confirm": "1"})
    assert response.status_code == 409
    assert "är bifogad till redovisningen tillganglighet-2024" in response.get_data(as_text=True)
    db.session.expire_all()
    assert snapshot() == before


# --- The agreement chosen, never typed -------------------------------------------------------------------------


def test_a_new_plan_chooses_its_agreement(strateg):
    page = strateg.get("/planer/ny").get_data(as_text=True)
    assert '<select id="plan-agreement" name="agreement"' in page
    gonv = find_agreement("God och nära vård")
    response = strateg.post("/planer/ny", data={"key": "gonv-2025", "title": "Handlingsplan GoNV 2025",
                                                "year": "2025", "agreement": gonv.id})
    assert response.status_code == 302
    plan = services.get_plan("gonv-2025")
    assert plan.agreement == gonv
    assert db.session.scalar(sa.select(AgreementYear).where(AgreementYear.agreement == gonv,
                                                            AgreementYear.year == 2025)) is not None


def test_a_new_plan_of_an_agreement_there_is_not_is_refused(strateg):
    before = snapshot()
    response = strateg.post("/planer/ny", data={"key": "ny-2025", "title": "Ny", "year": "2025",
                                                "agreement": "Ökad tillgänglighet och mer"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Överenskommelsen ”Ökad tillgänglighet och mer” finns inte." in body
    assert "En ny överenskommelse läggs upp under Överenskommelser." in body
    db.session.expire_all()
    assert snapshot() == before
