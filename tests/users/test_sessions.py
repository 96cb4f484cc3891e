"""Sessions end for real: on the server, whatever copy of the cookie is left."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from tests.factories import PASSWORD
from tracker.config import from_environment
from tracker.extensions import db
from tracker.types import utcnow
from tracker.users.models import UserSession
from tracker.vocabulary import Role

NEW_PASSWORD = "ett-eget-langt-losenord"


@pytest.fixture
def reader(make_user):
    return make_user(Role.READER, name="Lena Lindqvist", email="lena@regionhalland.test")


def log_in(client, email="lena@regionhalland.test", password=PASSWORD, next_url=None):
    g.pop("_login_user", None)  # the test's requests share one app context
    url = "/logga-in" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"email": email, "password": password})
    g.pop("_login_user", None)
    return response


def get(client, url):
    g.pop("_login_user", None)
    return client.get(url)


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie, taken now."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, client, reader):
    assert log_in(client).status_code == 302
    thief = copy_of(app, client)
    assert get(thief, "/planer").status_code == 200  # the copy works while the session is open
    assert client.post("/logga-ut").status_code == 302
    response = get(thief, "/planer")
    assert response.status_code == 302 and response.headers["Location"].startswith("/logga-in")
    assert get(thief, "/mina-atgarder").status_code == 302
    row = db.session.scalar(sa.select(UserSession))
    assert row.ended_at is not None and row.end_reason == "logout"


def test_the_session_is_renewed_at_login(app, client, reader):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"  # a session fixed before login
    planted = client.get_cookie("session").value
    log_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        first_token = session["_user_id"]
    assert client.get_cookie("session").value != planted
    client.post("/logga-ut")
    log_in(client)
    with client.session_transaction() as session:
        assert session["_user_id"] != first_token
    # The cookie names a random token, not the user; the server keeps only its hash.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.token_hash == first_token)) == 0


def test_deactivation_ends_the_session_and_reactivation_does_not_revive_it(app, login, make_user, reader):
    elsewhere = app.test_client()
    log_in(elsewhere)
    admin = login(make_user(Role.ADMIN))
    form = {"name": reader.name, "role": "reader", "division": "", "password": ""}
    assert admin.post(f"/admin/anvandare/{reader.id}", data=form).status_code == 302  # "active" unticked
    assert get(elsewhere, "/planer").status_code == 302
    g.pop("_login_user", None)
    admin.post(f"/admin/anvandare/{reader.id}", data={**form, "active": "1"})
    assert get(elsewhere, "/planer").status_code == 302
    assert log_in(elsewhere).status_code == 302  # a new login works again
    assert get(elsewhere, "/planer").status_code == 200


def test_an_own_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, reader):
    log_in(client)
    other_computer = app.test_client()
    log_in(other_computer)
    thief = copy_of(app, client)
    response = client.post("/konto/losenord", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                    "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    page = get(client, response.headers["Location"])
    assert page.status_code == 200 and "Ditt lösenord är bytt." in page.get_data(as_text=True)
    assert get(other_computer, "/planer").status_code == 302
    assert get(thief, "/planer").status_code == 302  # the copy was taken before the change


def _age(column: str, delta: timedelta) -> None:
    row = db.session.scalar(sa.select(UserSession))
    setattr(row, column, utcnow() - delta)
    db.session.commit()


@pytest.mark.parametrize("column, age, message", [
    ("last_seen_at", timedelta(minutes=61), "Du har inte använt Handlingsplaner på 60 minuter"),
    ("created_at", timedelta(hours=12, minutes=1), "Du har varit inloggad i 12 timmar"),
])
def test_an_idle_or_too_old_session_sends_the_user_to_login_with_their_page(client, reader, column, age, message):
    log_in(client)
    _age(column, age)
    response = get(client, "/mina-atgarder?plan=gonv-2021")
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in?next=/mina-atgarder?plan%3Dgonv-2021"
    page = get(client, response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert log_in(client, next_url="/mina-atgarder").headers["Location"] == "/mina-atgarder"


def test_a_session_in_use_is_kept_alive(client, reader):
    log_in(client)
    _age("last_seen_at", timedelta(minutes=59))
    assert get(client, "/planer").status_code == 200
    db.session.expire_all()
    assert utcnow() - db.session.scalar(sa.select(UserSession.last_seen_at)) < timedelta(minutes=1)


def test_the_lifetimes_are_settings(app, client, reader):
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        log_in(client)
        _age("last_seen_at", timedelta(minutes=6))
        assert get(client, "/planer").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 60


def test_pages_for_logged_in_users_are_not_cached(login, make_user, client):
    assert "no-store" not in client.get("/logga-in").headers.get("Cache-Control", "")
    assert login(make_user()).get("/planer").headers["Cache-Control"] == "no-store"


def test_an_https_base_url_makes_cookies_secure_and_sends_hsts(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x")
    assert not from_environment(tmp_path)["SESSION_COOKIE_SECURE"]
    monkeypatch.setenv("TRACKER_BASE_URL", "https://handlingsplaner.regionhalland.se/")
    config = from_environment(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["HSTS"]
    assert config["BASE_URL"] == "https://handlingsplaner.regionhalland.se"


def test_hsts_header_and_proxy_fix(database_url, tmp_path, reader):
    from tracker import create_app
    from tracker.security.models import SecurityEvent

    proxied = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": database_url,
                          "WTF_CSRF_ENABLED": False, "HSTS": True, "SESSION_COOKIE_SECURE": True, "PROXY_HOPS": 1})
    client = proxied.test_client()
    headers = {"X-Forwarded-For": "10.20.30.40", "X-Forwarded-Proto": "https"}
    response = client.post("/logga-in", data={"email": reader.email, "password": PASSWORD}, headers=headers)
    assert response.status_code == 302
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "Secure" in response.headers["Set-Cookie"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(SecurityEvent.address).where(SecurityEvent.kind == "login")) == "10.20.30.40"
