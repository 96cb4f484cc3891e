"""One address per user: every way an address comes in refuses anything but exactly one (a list would mail
both; `tracker notify` mailing only the stored address, never a second recipient hidden in it, is in
tests/notify/test_notify.py)."""

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.security.models import SecurityEvent
from tracker.users.models import User
from tracker.vocabulary import Role

NOT_ONE = "är inte en enda adress"
# Two recipients in one field, as each could be typed or pasted; the message for each names the field.
TWO_RECIPIENTS = [
    ("lena@regionhalland.test,eve@annanstans.test", NOT_ONE),
    ("lena@regionhalland.test>,<eve@annanstans.test", NOT_ONE),
    ("lena@regionhalland.test; eve@annanstans.test", NOT_ONE),
    ("Lena Lindqvist <lena@regionhalland.test>", NOT_ONE),
    ("lena@regionhalland.test\nBcc: eve@annanstans.test", "E-postadressen innehåller en radbrytning"),
]


@pytest.fixture
def as_admin(login, make_user):
    return login(make_user(Role.ADMIN, name="Ali Karimi", email="admin@regionhalland.test"))


def users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def email_error(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:300]
    start = page.index('<p class="field-error" id="email-error">')
    return page[start:page.index("</p>", start)]


@pytest.mark.parametrize("address, message", TWO_RECIPIENTS)
def test_the_admin_page_creates_no_user_with_two_recipients(as_admin, divisions, address, message):
    before = users()
    response = as_admin.post("/admin/anvandare/ny", data={"email": address, "name": "Lena Lindqvist",
                                                          "role": "reader", "password": "ett-langt-losenord"})
    assert message in email_error(response)
    assert users() == before


@pytest.mark.parametrize("address, message", TWO_RECIPIENTS)
def test_the_admin_page_saves_no_second_recipient_into_an_existing_user(as_admin, make_user, address, message):
    user = make_user(email="lena@regionhalland.test", name="Lena Lindqvist")
    response = as_admin.post(f"/admin/anvandare/{user.id}", data={"email": address, "name": user.name,
                                                                  "role": "reader", "active": "1"})
    assert message in email_error(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "lena@regionhalland.test"


def test_the_admin_corrects_an_address_normalized_and_named_in_the_security_log(as_admin, make_user):
    user = make_user(email="lena@regionhalland.test", name="Lena Lindqvist")
    response = as_admin.post(f"/admin/anvandare/{user.id}", data={"email": " Lena.Lindqvist@RegionHalland.TEST ",
                                                                  "name": user.name, "role": "reader", "active": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "lena.lindqvist@regionhalland.test"
    event = db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.kind == "email_changed")).one()
    assert (event.details["before"], event.details["after"]) == ("lena@regionhalland.test",
                                                                 "lena.lindqvist@regionhalland.test")


@pytest.mark.parametrize("address, message", TWO_RECIPIENTS)
def test_tracker_user_create_makes_no_user_with_two_recipients(app, divisions, address, message):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "--email", address, "--name", "Lena Lindqvist", "--role", "reader"],
        input="ett-langt-losenord\n")
    assert result.exit_code == 2
    assert "Fel: E-postadressen" in result.output and message in result.output
    assert users() == 0


def test_a_demo_users_address_is_kept_when_only_the_name_changes(as_admin, make_user):
    """@demo.local could not be typed in anew (a special-use domain), but the page posts it back unchanged."""
    user = make_user(email="lasare@demo.local", name="Lena Lindqvist")
    response = as_admin.post(f"/admin/anvandare/{user.id}", data={"email": "Lasare@demo.local", "name": "Lena Berg",
                                                                  "role": "reader", "active": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(User, user.id).email, db.session.get(User, user.id).name) == ("lasare@demo.local",
                                                                                          "Lena Berg")
    response = as_admin.post(f"/admin/anvandare/{user.id}", data={"email": "ny@demo.local", "name": "Lena Berg",
                                                                  "role": "reader", "active": "1"})
    assert "E-postadressen ny@demo.local är ingen giltig e-postadress" in email_error(response)
