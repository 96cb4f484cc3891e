"""Requests no row can answer: ids and numbers beyond any column, a save that fails halfway."""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.history.models import HistoryEntry
from tracker.plans.models import DivisionStatus
from tracker.vocabulary import Role


def test_a_huge_id_is_not_found(login, make_user):
    client = login(make_user())
    assert client.get("/status/99999999999999999999").status_code == 404


@pytest.mark.parametrize("path", ["/status/2147483648", "/historik/99999999999999999999/aterstall"])
def test_ids_beyond_an_integer_column_are_not_found(login, make_user, path):
    client = login(make_user(Role.STRATEGIST))
    response = client.post(path) if "aterstall" in path else client.get(path)
    assert response.status_code == 404


def test_a_huge_id_in_a_filter_is_ignored(make_plan, login, make_user):
    plan = make_plan()
    page = login(make_user()).get(f"/planer/{plan.key}/historik?atgard=99999999999999999999&sida=99999999999999")
    assert page.status_code == 200


def test_a_failed_save_gives_the_swedish_error_page_and_writes_nothing(app, client, login, make_user, make_plan,
                                                                       divisions, htmx_headers, monkeypatch):
    """A database error in the middle of a save: the transaction is rolled back before the page is drawn."""
    from tracker.followup import views
    from tracker.users.models import Division

    make_plan(actions=[{"title": "Tillgänglighetskoordinatorer på varje BUP-enhet", "divisions": ["PH"]}])
    status = db.session.scalars(sa.select(DivisionStatus)).one()
    contact = make_user(role=Role.DIVISION_CONTACT, division="PH")

    def failing_update(division_status, user, **form):
        division_status.comment = "halvt sparad"
        db.session.add(Division(name=divisions["PH"].name))  # breaks a unique constraint at flush
        db.session.flush()

    monkeypatch.setattr(views, "save_status", failing_update)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    login(contact)
    response = client.post(f"/status/{status.id}", data={"status": "Pågående", "comment": "x", "version": 1})
    assert response.status_code == 500
    assert "Ett oväntat fel uppstod" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DivisionStatus, status.id).comment is None


@pytest.mark.parametrize("number", ["²", "99999999999999999999"])
def test_numbers_no_row_can_have_are_field_errors_not_server_errors(number, client, login, make_user, make_plan):
    """`"²".isdigit()` is true but int() refuses it; a 20-digit id fits no column."""
    plan = make_plan()
    factor = plan.factors[0]
    contact = make_user(role=Role.DIVISION_CONTACT, division="HS")
    status = db.session.scalars(sa.select(DivisionStatus).where(DivisionStatus.division_id == contact.division_id)
                                ).first()
    login(make_user(Role.STRATEGIST))
    posts = [
        ("/planer/ny", {"key": "ny-plan-2030", "title": "Ny plan", "year": number, "agreement": "God och nära vård"}),
        (f"/planer/{plan.key}/atgarder", {"factor_id": factor.id, "title": "Ny åtgärd", "divisions": [number]}),
        (f"/planer/{plan.key}/faktorer", {"title": "Ny faktor", "area_id": number}),
        (f"/planer/{plan.key}/indikatorer", {"name": "Väntetid", "factor_id": number}),
        (f"/planer/{plan.key}/indikatorer", {"name": "Väntetid", "division_id": number}),
    ]
    before = db.session.scalar(sa.select(sa.func.count(HistoryEntry.id)))
    for url, data in posts:
        assert client.post(url, data=data).status_code == 400, url
    assert client.get(f"/planer/{plan.key}/jamfor?fran={number}").status_code == 400
    login(contact)
    response = client.post(f"/status/{status.id}", data={"status": "Pågående", "version": number})
    assert response.status_code == 400
    assert "versionsnummer" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(HistoryEntry.id))) == before
