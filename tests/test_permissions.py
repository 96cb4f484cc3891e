"""Every state-changing route × every role: the status code, and no change where refused."""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.vocabulary import Role, Status

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Who acts: anonymous, each role, and a förvaltningskontakt of another förvaltning.
ACTORS = ["anonymous", "reader", "contact_own", "contact_other", "strategist", "director", "admin"]


def snapshot() -> dict[str, list[tuple]]:
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def world(make_plan, make_user):
    plan = make_plan(actions=[{"divisions": ["PH", "HS"], "statuses": {"PH": Status.IN_PROGRESS}}])
    ph_status = next(s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "PH")
    users = {
        "reader": make_user(Role.READER),
        "contact_own": make_user(Role.DIVISION_CONTACT, "PH"),
        "contact_other": make_user(Role.DIVISION_CONTACT, "HS"),
        "strategist": make_user(Role.STRATEGIST),
        "director": make_user(Role.DIRECTOR),
        "admin": make_user(Role.ADMIN),
    }
    return {"plan": plan, "ph_status": ph_status, "users": users}


def _status_update(world):
    ds = world["ph_status"]
    return f"/status/{ds.id}", {"status": "done", "comment": "Klart", "version": ds.version_id}


# endpoint → (request builder, {actor: expected status code}); 302 for anonymous is the login redirect.
MATRIX = {
    "plans.update_status": (
        _status_update,
        {"anonymous": 302, "reader": 403, "contact_own": 302, "contact_other": 403,
         "strategist": 403, "director": 403, "admin": 403},
    ),
    "users.logout": (
        lambda world: ("/logga-ut", {}),
        {"anonymous": 302, "reader": 302, "contact_own": 302, "contact_other": 302,
         "strategist": 302, "director": 302, "admin": 302},
    ),
}
# Routes that change nothing in the database, whoever posts.
NOT_IN_MATRIX = {"users.login"}


def test_every_state_changing_route_is_in_the_matrix(app):
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & STATE_CHANGING
    }
    assert endpoints - NOT_IN_MATRIX == set(MATRIX)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_permission_matrix(client, login, world, endpoint, actor):
    build, expected = MATRIX[endpoint]
    url, data = build(world)
    if actor != "anonymous":
        login(world["users"][actor])
    before = snapshot()
    response = client.post(url, data=data)
    assert response.status_code == expected[actor], response.get_data(as_text=True)[:300]
    refused = actor == "anonymous" or expected[actor] == 403
    if refused:
        db.session.expire_all()
        assert snapshot() == before
    if actor == "anonymous":
        assert response.headers["Location"].startswith("/logga-in")


def test_allowed_status_update_does_change_the_database(client, login, world):
    url, data = _status_update(world)
    login(world["users"]["contact_own"])
    before = snapshot()
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert snapshot() != before


def test_state_changing_requests_need_a_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(world["users"]["contact_own"].id)
        url, data = _status_update(world)
        before = snapshot()
        response = client.post(url, data=data)
        assert response.status_code == 400
        assert "säkerhetstoken" in response.get_data(as_text=True)
        db.session.expire_all()
        assert snapshot() == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
