from tests.factories import PASSWORD
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
