"""One address per user: every way an address comes in refuses anything but exactly one (a list would mail
both), and `tracker notify` mails only the stored address, never a second recipient hidden in it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.notify.test_notify import notify, open_round, people, plan, recipients  # noqa: F401
from tracker.clock import today
from tracker.extensions import db
from tracker.notify.models import Notification
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


@pytest.mark.parametrize("stored", ["karin.holm@regionhalland.test,eve@annanstans.test",
                                    "karin.holm@regionhalland.test>,<eve@annanstans.test"])
def test_an_address_stored_with_two_recipients_is_not_mailed_but_named(app, plan, people, inbox, stored):
    """Saved the old way, before addresses were checked: the run skips it, names it, and mails the others."""
    open_round(plan, people, deadline=today() + timedelta(days=30))
    people["hs"].email = stored
    db.session.commit()
    result = notify(app)
    assert result.exit_code == 1
    assert (f"Fel: kunde inte skicka till {stored}: BadRecipient: E-postadressen för Karin Holm är inte exakt en "
            "giltig adress") in result.output
    assert recipients(inbox) == ["anna.berg@regionhalland.test", "olof.lind@regionhalland.test"]
    assert all("annanstans" not in message["To"] for message in inbox.messages)
    [karin] = db.session.scalars(sa.select(Notification).where(Notification.user_id == people["hs"].id)).all()
    assert karin.sent_at is None and "Rätta den under Administration → Användare" in karin.error


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
