import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.security.models import SecurityEvent
from tracker.types import utcnow
from tracker.vocabulary import Role


def test_login_with_right_password_opens_the_plans(client, make_user):
    user = make_user(Role.STRATEGIST, email="strateg@regionhalland.test")
    response = client.post("/logga-in", data={"email": "Strateg@regionhalland.test ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/planer"
    page = client.get("/planer").get_data(as_text=True)
    assert user.name in page and "Strateg" in page


def test_wrong_password_is_400_with_a_swedish_message(client, make_user):
    make_user(email="lasare@regionhalland.test")
    response = client.post("/logga-in", data={"email": "lasare@regionhalland.test", "password": "fel"})
    assert response.status_code == 400
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert client.get("/planer").status_code == 302


def test_inactive_users_cannot_log_in(client, make_user):
    make_user(email="slutat@regionhalland.test", active=False)
    response = client.post("/logga-in", data={"email": "slutat@regionhalland.test", "password": PASSWORD})
    assert response.status_code == 400


def test_login_follows_next_only_within_the_site(client, make_user):
    make_user(email="lasare@regionhalland.test")
    form = {"email": "lasare@regionhalland.test", "password": PASSWORD}
    assert client.post("/logga-in?next=/mina-atgarder", data=form).headers["Location"] == "/mina-atgarder"
    client.post("/logga-ut")
    assert client.post("/logga-in?next=https://evil.example/", data=form).headers["Location"] == "/planer"


def test_logout_ends_the_session(client, login, make_user):
    login(make_user())
    assert client.post("/logga-ut").status_code == 302
    assert client.get("/planer").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user(email="lasare@regionhalland.test")
    response = client.post("/logga-in", data={"email": "lasare@regionhalland.test", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_htmx_request_of_an_expired_session_redirects_the_whole_page(client, htmx_headers):
    response = client.get("/planer", headers=htmx_headers)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/logga-in")


def test_pages_load_nothing_from_outside_the_app(client, login, make_user):
    page = login(make_user()).get("/planer")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http://" not in page.get_data(as_text=True) and "https://" not in page.get_data(as_text=True)


# --- A linked account's local password can be switched off (TRACKER_SSO_ONLY_WHEN_LINKED) -----------------------

SSO_ONLY = "Ditt konto är kopplat till Region Hallands konto och loggar bara in därifrån"


@pytest.fixture
def linked_user(make_user):
    return make_user(Role.STRATEGIST, email="lena@regionhalland.test", sso_issuer="https://login.regionhalland.test",
                     sso_subject="lena", sso_linked_at=utcnow())


@pytest.fixture
def sso_only(app):
    app.config["SSO_ONLY_WHEN_LINKED"] = True
    yield
    app.config["SSO_ONLY_WHEN_LINKED"] = False


def test_a_linked_accounts_right_password_is_refused_when_only_single_sign_on_opens_it(client, linked_user, sso_only):
    response = client.post("/logga-in", data={"email": linked_user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert SSO_ONLY in response.get_data(as_text=True)
    assert client.get("/planer").status_code == 302
    event = db.session.scalars(sa.select(SecurityEvent)).one()
    assert (event.kind, event.user_id, event.details["reason"]) == ("login_failed", linked_user.id, "sso_only")


def test_a_wrong_password_for_a_linked_account_says_no_more_than_any_wrong_password(client, linked_user, sso_only):
    response = client.post("/logga-in", data={"email": linked_user.email, "password": "fel-losenord"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Fel e-postadress eller lösenord." in page and SSO_ONLY not in page


def test_a_linked_account_changes_no_password_it_cannot_use(client, login, linked_user, sso_only):
    login(linked_user)
    response = client.post("/konto/losenord", data={"current_password": PASSWORD, "new_password": "ett-eget-losenord",
                                                     "confirm_password": "ett-eget-losenord"})
    assert response.status_code == 403


def test_by_default_a_linked_accounts_password_still_opens_it(client, linked_user):
    assert client.post("/logga-in", data={"email": linked_user.email, "password": PASSWORD}).status_code == 302


def test_an_unlinked_accounts_password_opens_it_when_only_linked_ones_use_single_sign_on(client, make_user, sso_only):
    unlinked = make_user(email="karin@regionhalland.test")
    assert client.post("/logga-in", data={"email": unlinked.email, "password": PASSWORD}).status_code == 302
