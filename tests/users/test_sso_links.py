"""The administratör's view of a user's link to the single sign-on provider, and its removal."""

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from flask import g

from tests.factories import sign_in
from tracker.extensions import db
from tracker.security.models import SecurityEvent
from tracker.users.models import User, UserSession
from tracker.vocabulary import Role

ISSUER = "https://login.microsoftonline.com/region/v2.0"


@pytest.fixture
def as_admin(login, make_user):
    return login(make_user(Role.ADMIN, name="Ali Karimi", email="admin@regionhalland.test"))


@pytest.fixture
def linked(make_user):
    return make_user(Role.STRATEGIST, name="Lena Lindqvist", email="lena@regionhalland.test", sso_issuer=ISSUER,
                     sso_subject="lena-objekt-id", sso_linked_at=datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc))


def test_the_users_page_shows_the_link_issuer_subject_and_when(as_admin, linked):
    page = as_admin.get(f"/admin/anvandare/{linked.id}").get_data(as_text=True)
    assert f"<dd>{ISSUER}</dd>" in page and "<dd>lena-objekt-id</dd>" in page
    assert "<dd>2026-03-02 09:15</dd>" in page  # Swedish time
    assert f'action="/admin/anvandare/{linked.id}/sso/ta-bort"' in page


def test_an_unlinked_users_page_says_so_and_offers_nothing_to_remove(as_admin, make_user):
    user = make_user()
    page = as_admin.get(f"/admin/anvandare/{user.id}").get_data(as_text=True)
    assert "Inte kopplat." in page and "/sso/ta-bort" not in page


def test_the_administratör_removes_a_link_the_security_log_names_it_and_the_users_sessions_end(
        app, as_admin, linked):
    their_browser = app.test_client()
    sign_in(their_browser, linked, "sso")
    response = as_admin.post(f"/admin/anvandare/{linked.id}/sso/ta-bort")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/anvandare/{linked.id}"
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kopplingen till single sign-on för Lena Lindqvist är borttagen" in page and "Inte kopplat." in page
    db.session.expire_all()
    user = db.session.get(User, linked.id)
    assert (user.sso_issuer, user.sso_subject, user.sso_linked_at) == (None, None, None)
    event = db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.kind == "sso_unlinked")).one()
    assert (event.user_id, event.actor_name) == (linked.id, "Ali Karimi")
    assert (event.details["issuer"], event.details["subject"], event.details["sessions_ended"]) == (
        ISSUER, "lena-objekt-id", 1)
    g.pop("_login_user", None)  # requests share the test's app context (see the login fixture)
    assert their_browser.get("/planer").status_code == 302
    assert db.session.scalar(sa.select(UserSession.end_reason).where(UserSession.user_id == linked.id)) == \
        "sso_unlinked"


def test_removing_a_link_that_is_not_there_is_409_and_writes_nothing(as_admin, make_user):
    user = make_user()
    response = as_admin.post(f"/admin/anvandare/{user.id}/sso/ta-bort")
    assert response.status_code == 409
    assert "är inte kopplad till single sign-on" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SecurityEvent)) == 0
