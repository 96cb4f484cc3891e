"""Single sign-on against a real OpenID Provider (Canaille via pytest-iam) started on localhost."""

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import JWKRegistry, RSAKey

from tests.conftest import OIDC_CLIENT_ID
from tracker.extensions import db
from tracker.users import services
from tracker.security.models import SecurityEvent
from tracker.users.models import User, UserSession
from tracker.users.oidc import EXTENSION
from tracker.vocabulary import Role

EMAIL = "lena.lindqvist@regionhalland.test"


@pytest.fixture
def person(iam_server):
    """Someone the provider knows, logged in there."""
    user = iam_server.random_user(user_name=f"lena-{uuid.uuid4().hex[:8]}", emails=["Lena.Lindqvist@RegionHalland.test"],
                                  formatted_name="Lena Lindqvist")
    iam_server.login(user)
    yield user
    iam_server.logout()


@pytest.fixture(autouse=True)
def forget_unused_codes(iam_server):
    """A code a refused callback never redeemed would otherwise be redeemed by the next test in its place."""
    yield
    for code in iam_server.backend.query(iam_server.models.AuthorizationCode):
        iam_server.backend.delete(code)


@pytest.fixture
def sso_app(make_sso_app):
    """Canaille, like Entra ID, sends no email_verified: this deployment says the provider's addresses are its own."""
    return make_sso_app(OIDC_TRUST_EMAIL=True)


def start(client):
    """Our login redirects to the provider, which (its user logged in) sends the browser back with a code."""
    response = client.get("/logga-in/sso?next=/mina-atgarder")
    assert response.status_code == 302
    authorize = response.headers["Location"]
    back = requests.get(authorize, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/logga-in/sso/klar", back.headers["Location"]
    return authorize, f"{callback.path}?{callback.query}"


def security_kinds() -> list[tuple[str, str | None]]:
    db.session.expire_all()
    return [(e.kind, e.details.get("reason"))
            for e in db.session.scalars(sa.select(SecurityEvent).order_by(SecurityEvent.id))]


def test_login_page_offers_single_sign_on(sso_app):
    page = sso_app.test_client().get("/logga-in").get_data(as_text=True)
    assert "Logga in med Region Hallands konto" in page and 'name="password"' in page
    sso_app.config["PASSWORD_LOGIN"] = False
    client = sso_app.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med Region Hallands konto" in page and 'name="password"' not in page
    response = client.post("/logga-in", data={"email": "a@b.se", "password": "rätt-lösenord"})
    assert response.status_code == 403 and "Inloggning med lösenord är avstängd" in response.get_data(as_text=True)


def test_a_known_user_is_linked_by_email_whatever_its_case_at_the_first_sign_on(sso_app, person, make_user,
                                                                                 iam_server):
    user = make_user(Role.STRATEGIST, name="Lena Lindqvist", email=EMAIL)
    client = sso_app.test_client()
    _, callback = start(client)
    response = client.get(callback)
    assert response.status_code == 302 and response.headers["Location"] == "/mina-atgarder"
    assert "Lena Lindqvist" in client.get("/planer").get_data(as_text=True)
    session_row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert session_row.method == "sso" and session_row.id_token
    assert security_kinds() == [("sso_linked", None), ("login", None)]
    db.session.expire_all()
    assert db.session.get(User, user.id).role is Role.STRATEGIST  # roles stay ours
    assert (user.sso_issuer, user.sso_subject) == (iam_server.url.rstrip("/"), person.user_name)
    assert user.sso_linked_at is not None


def test_a_wrong_state_is_refused(sso_app, person, make_user):
    make_user(email=EMAIL)
    client = sso_app.test_client()
    _, callback = start(client)
    response = client.get(callback.replace("state=", "state=forfalskad"))
    assert response.status_code == 400
    assert "Inloggningen med Region Hallands konto kunde inte slutföras" in response.get_data(as_text=True)
    assert client.get("/planer").status_code == 302
    assert security_kinds() == [("login_failed", "invalid_response")]


def _forged_id_token(iam_configuration, iam_server, nonce, *, audience=OIDC_CLIENT_ID, key=None, **claims):
    key = key or RSAKey.import_key(iam_configuration["CANAILLE_OIDC"]["ACTIVE_JWKS"][0])
    now = int(time.time())
    claims = {"iss": iam_server.url.rstrip("/"), "sub": "lena", "aud": audience, "iat": now, "exp": now + 300,
              "nonce": nonce, "email": EMAIL, **claims}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


@pytest.fixture
def sign_in_with_claims(iam_configuration, iam_server, monkeypatch):
    """Signs `client` in through `app` with an ID token of these claims, signed with the provider's own key (the
    claims a provider other than Canaille sends: email_verified, Entra ID's tid and oid); the response."""

    def sign_in(app, client, **claims):
        authorize, callback = start(client)
        nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
        token = {"access_token": "x", "token_type": "Bearer", "expires_in": 300,
                 "id_token": _forged_id_token(iam_configuration, iam_server, nonce, **claims)}
        monkeypatch.setattr(app.extensions[EXTENSION], "fetch_access_token", lambda **kwargs: token)
        return client.get(callback)

    return sign_in


@pytest.mark.parametrize("audience, other_key", [("nagon-annan-tjanst", False), (OIDC_CLIENT_ID, True)])
def test_a_token_for_another_audience_or_with_a_foreign_signature_is_refused(
        sso_app, person, make_user, iam_configuration, iam_server, monkeypatch, audience, other_key):
    """The provider's token endpoint answers with an ID token made for another client (or signed by another key)."""
    make_user(email=EMAIL)
    client = sso_app.test_client()
    authorize, callback = start(client)
    nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
    foreign_key = JWKRegistry.generate_key("RSA", 2048, parameters={"kid": "fel-nyckel"}) if other_key else None
    token = {"access_token": "x", "token_type": "Bearer", "expires_in": 300,
             "id_token": _forged_id_token(iam_configuration, iam_server, nonce, audience=audience, key=foreign_key)}
    provider = sso_app.extensions[EXTENSION]
    monkeypatch.setattr(provider, "fetch_access_token", lambda **kwargs: token)
    response = client.get(callback)
    assert response.status_code == 400
    assert client.get("/planer").status_code == 302
    assert security_kinds() == [("login_failed", "invalid_response")]


def test_an_unknown_person_gets_a_clear_page_and_nothing_is_created(sso_app, person):
    client = sso_app.test_client()
    _, callback = start(client)
    response = client.get(callback)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert f"Det finns inget konto för {EMAIL} i Handlingsplaner" in page and "inget konto har skapats" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    assert security_kinds() == [("login_failed", "unknown")]


def test_an_unknown_person_is_created_as_reader_when_allowed(make_sso_app, person):
    client = make_sso_app(OIDC_CREATE_USERS=True, OIDC_TRUST_EMAIL=True).test_client()
    _, callback = start(client)
    assert client.get(callback).status_code == 302
    user = db.session.scalar(sa.select(User))
    assert (user.email, user.name, user.role, user.password_hash) == (EMAIL, "Lena Lindqvist", Role.READER, None)
    assert user.sso_subject == person.user_name
    assert security_kinds() == [("user_created", None), ("sso_linked", None), ("login", None)]


def test_a_deactivated_user_is_refused(sso_app, person, make_user):
    make_user(email=EMAIL, active=False)
    client = sso_app.test_client()
    _, callback = start(client)
    response = client.get(callback)
    assert response.status_code == 403
    assert f"Kontot för {EMAIL} är inaktiverat" in response.get_data(as_text=True)
    assert security_kinds() == [("login_failed", "inactive")]


def test_logout_ends_the_provider_session_too(sso_app, person, make_user):
    make_user(email=EMAIL)
    client = sso_app.test_client()
    _, callback = start(client)
    client.get(callback)
    thief = sso_app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    response = client.post("/logga-ut")
    assert response.status_code == 302
    end_session = urlsplit(response.headers["Location"])
    assert response.headers["Location"].startswith(sso_app.config["OIDC_ISSUER"] + "/")
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/logga-in"] and query["id_token_hint"]
    back = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"].startswith("http://localhost/logga-in")
    assert thief.get("/planer").status_code == 302  # and our own session is over


# --- Accounts are linked by the provider's subject, not by the e-mail address ---------------------------------

UNVERIFIED = "har inte bekräftat att e-postadressen"
OTHER_PERSON = "är kopplat till en annan person i Region Hallands konto"


def linked(user: User) -> tuple[str | None, str | None]:
    db.session.expire_all()
    user = db.session.get(User, user.id)
    return user.sso_issuer, user.sso_subject


def test_an_address_the_provider_does_not_say_is_verified_links_nobody(make_sso_app, person, make_user):
    """The exploit: Canaille (like Entra ID) sends no email_verified, and a missing one was accepted."""
    user = make_user(email=EMAIL)
    client = make_sso_app().test_client()  # TRACKER_OIDC_TRUST_EMAIL off, as by default
    _, callback = start(client)
    response = client.get(callback)
    assert response.status_code == 403
    assert f"Region Hallands konto {UNVERIFIED} {EMAIL} är din" in response.get_data(as_text=True)
    assert client.get("/planer").status_code == 302
    assert linked(user) == (None, None)
    assert security_kinds() == [("login_failed", "unverified_email")]


@pytest.mark.parametrize("verified, trust", [(None, False), (False, False), (False, True), ("true", False)])
def test_a_token_naming_the_demo_admins_address_does_not_sign_in_as_the_admin(
        make_sso_app, person, make_user, sign_in_with_claims, verified, trust):
    """The exploit: any token naming admin@demo.local signed in as the administratör."""
    admin = make_user(Role.ADMIN, email="admin@demo.local")
    app = make_sso_app(OIDC_TRUST_EMAIL=trust)
    client = app.test_client()
    claims = {"sub": "inkraktare", "email": "Admin@Demo.local"}
    if verified is not None:
        claims["email_verified"] = verified
    response = sign_in_with_claims(app, client, **claims)
    assert response.status_code == 403 and UNVERIFIED in response.get_data(as_text=True)
    assert client.get("/admin/anvandare").status_code == 302
    assert linked(admin) == (None, None)
    assert security_kinds() == [("login_failed", "unverified_email")]


def test_a_verified_address_links_the_account_without_trusting_the_provider(make_sso_app, person, make_user,
                                                                             sign_in_with_claims, iam_server):
    user = make_user(email=EMAIL)
    app = make_sso_app()
    response = sign_in_with_claims(app, app.test_client(), sub="lena-lindqvist", email_verified=True)
    assert response.status_code == 302
    assert linked(user) == (iam_server.url.rstrip("/"), "lena-lindqvist")


def test_another_subject_naming_a_linked_accounts_address_is_refused(sso_app, person, make_user, iam_server):
    """The exploit: after Lena signed in, anyone the provider gave her address (a guest, a reused address)
    signed in as her."""
    user = make_user(Role.STRATEGIST, email=EMAIL)
    client = sso_app.test_client()
    _, callback = start(client)
    assert client.get(callback).status_code == 302
    first = linked(user)
    other = iam_server.random_user(user_name=f"gast-{uuid.uuid4().hex[:8]}", emails=[EMAIL],
                                   formatted_name="Gäst med samma adress")
    iam_server.login(other)
    stranger = sso_app.test_client()
    _, callback = start(stranger)
    response = stranger.get(callback)
    assert response.status_code == 403
    assert f"Kontot för {EMAIL} i Handlingsplaner {OTHER_PERSON}" in response.get_data(as_text=True)
    assert stranger.get("/planer").status_code == 302
    assert linked(user) == first
    refusal = db.session.scalars(sa.select(SecurityEvent).order_by(SecurityEvent.id.desc())).first()
    assert (refusal.kind, refusal.user_id, refusal.details["reason"]) == ("login_failed", user.id, "other_subject")
    assert (refusal.details["subject"], refusal.details["linked_subject"]) == (other.user_name, person.user_name)


def test_a_linked_user_is_found_by_subject_whatever_address_the_token_names(
        make_sso_app, person, make_user, sign_in_with_claims):
    user = make_user(email=EMAIL)
    app = make_sso_app()
    assert sign_in_with_claims(app, app.test_client(), sub="lena", email_verified=True).status_code == 302
    client = app.test_client()
    response = sign_in_with_claims(app, client, sub="lena", email="lena.ny@regionhalland.test")
    assert response.status_code == 302
    assert user.name in client.get("/planer").get_data(as_text=True)
    assert security_kinds() == [("sso_linked", None), ("login", None), ("login", None)]


def test_entra_ids_tenant_and_object_id_are_the_identity_not_its_per_application_subject(make_user):
    user = make_user(email=EMAIL)
    entra = {"iss": "https://login.microsoftonline.com/region/v2.0", "tid": "region-tenant", "oid": "lena-objekt"}
    claims = {**entra, "sub": "per-app-1", "email": EMAIL}
    assert services.log_in_with_sso(claims, create_users=False, trust_email=True, provider="Entra ID") == user
    assert linked(user) == ("region-tenant", "lena-objekt")
    again = {**entra, "sub": "per-app-2", "email": "annan@regionhalland.test"}
    assert services.log_in_with_sso(again, create_users=False, trust_email=False, provider="Entra ID") == user
    guest = {**entra, "oid": "gast-objekt", "sub": "per-app-1", "email": EMAIL}
    with pytest.raises(services.SignInRefused, match=OTHER_PERSON.replace("Region Hallands konto", "Entra ID")):
        services.log_in_with_sso(guest, create_users=False, trust_email=True, provider="Entra ID")


@pytest.mark.parametrize("claimed", ["lena@regionhalland.test,eve@annanstans.test",
                                     "lena@regionhalland.test>,<eve@annanstans.test"])
def test_a_claimed_address_with_two_recipients_creates_nobody(make_sso_app, person, sign_in_with_claims, claimed):
    app = make_sso_app(OIDC_CREATE_USERS=True)
    response = sign_in_with_claims(app, app.test_client(), email=claimed, email_verified=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Inget konto kunde skapas åt dig: E-postadressen" in page and "är inte en enda adress" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    assert security_kinds() == [("login_failed", "invalid_claim")]
