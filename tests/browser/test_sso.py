"""Single sign-on in the browser: the provider's own login page, back to the plan list; axe on the new pages."""

import threading
import uuid

import pytest
from werkzeug.serving import make_server

from tests.browser.helpers import serious_violations
from tests.factories import PASSWORD
from tracker.vocabulary import Role

pytestmark = pytest.mark.browser
PROVIDER_PASSWORD = "leverantorens-losenord"


@pytest.fixture
def sso_server(make_sso_app, allow_sso_at):
    # Canaille, like Entra ID, sends no email_verified: the deployment says its addresses are its own.
    app = make_sso_app(base_url=None, TESTING=False, WTF_CSRF_ENABLED=True, OIDC_TRUST_EMAIL=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    allow_sso_at(base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()


@pytest.fixture
def person(iam_server):
    user = iam_server.random_user(user_name=f"lena-{uuid.uuid4().hex[:8]}", emails=["lena@regionhalland.test"],
                                  formatted_name="Lena Lindqvist", password=PROVIDER_PASSWORD)
    iam_server.logout()  # no shortcut: the browser logs in on the provider's page
    return user


def sign_in_at_provider(page, sso_server, person):
    page.context.clear_cookies()  # the provider's session too: each person logs in on its page
    page.goto(f"{sso_server}/logga-in")
    page.get_by_role("link", name="Logga in med Region Hallands konto").click()
    page.get_by_label("Login").fill(person.user_name)
    page.locator("button[type=submit]").first.click()
    page.locator("input#password").fill(PROVIDER_PASSWORD)  # the provider's second step
    page.locator("button[type=submit]").first.click()


def test_sign_in_on_the_providers_page_lands_on_the_plans_and_logout_ends_both(page, sso_server, person, make_user):
    make_user(Role.READER, name="Lena Lindqvist", email="lena@regionhalland.test")
    sign_in_at_provider(page, sso_server, person)
    page.wait_for_url(f"{sso_server}/planer")
    assert "Lena Lindqvist" in page.locator(".user").inner_text()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{sso_server}/logga-in*")
    # The provider's session is over too: signing in again asks for the login once more.
    page.get_by_role("link", name="Logga in med Region Hallands konto").click()
    assert page.get_by_label("Login").count() == 1


def test_the_login_page_with_sso_and_the_refusal_page(page, sso_server, person):
    page.goto(f"{sso_server}/logga-in")
    assert serious_violations(page) == []
    sign_in_at_provider(page, sso_server, person)  # nobody has this e-mail in the tracker
    page.wait_for_url(f"{sso_server}/logga-in/sso/klar*")
    assert "Det finns inget konto för lena@regionhalland.test" in page.content()
    assert serious_violations(page) == []


def test_change_password_and_security_log_pages(log_in, make_user, live_server):
    page = log_in(make_user(Role.ADMIN))
    page.goto(f"{live_server}/konto/losenord")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Byt lösenord").click()
    assert page.locator(".field-error").count() == 3
    assert serious_violations(page) == []
    page.goto(f"{live_server}/admin/sakerhetslogg")
    assert page.locator(".security-event").count() >= 1  # this login
    assert serious_violations(page) == []


def test_another_person_with_a_linked_accounts_address_is_refused_and_the_admin_removes_the_link(
        page, sso_server, person, make_user, iam_server):
    lena = make_user(Role.READER, name="Lena Lindqvist", email="lena@regionhalland.test")
    admin = make_user(Role.ADMIN, name="Ali Karimi", email="admin@regionhalland.test")
    sign_in_at_provider(page, sso_server, person)
    page.wait_for_url(f"{sso_server}/planer")  # Lena's first sign-on links her account
    guest = iam_server.random_user(user_name=f"gast-{uuid.uuid4().hex[:8]}", emails=["lena@regionhalland.test"],
                                   formatted_name="Gäst", password=PROVIDER_PASSWORD)
    sign_in_at_provider(page, sso_server, guest)
    page.wait_for_url(f"{sso_server}/logga-in/sso/klar*")
    assert "är kopplat till en annan person i Region Hallands konto" in page.locator("[role=alert]").inner_text()
    assert serious_violations(page) == []
    page.context.clear_cookies()
    page.goto(f"{sso_server}/logga-in")
    page.get_by_label("E-postadress").fill(admin.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{sso_server}/planer")
    page.goto(f"{sso_server}/admin/anvandare/{lena.id}")
    assert person.user_name in page.locator(".sso-link").inner_text()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Ta bort kopplingen").click()  # a plain form: no JavaScript needed
    page.wait_for_url(f"{sso_server}/admin/anvandare/{lena.id}")
    assert "Inte kopplat." in page.locator(".sso-link").inner_text()
