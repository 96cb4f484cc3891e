"""Own passwords: at least 12 characters, the current one required; an admin's reset must be replaced."""

import pytest
from flask import g

from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.users.passwords import HASHER
from tracker.users.services import authenticate
from tracker.vocabulary import Role

NEW = "ett-eget-langt-losenord"


@pytest.fixture
def reader(make_user):
    return make_user(Role.READER, name="Lena Lindqvist", email="lena@regionhalland.test")


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post("/konto/losenord", data={"current_password": current, "new_password": new,
                                                "confirm_password": new if confirm is None else confirm})


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("fel-lösenord", NEW, None, "current_password", "Det nuvarande lösenordet stämmer inte."),
    (PASSWORD, "elva-tecken", None, "new_password", "Lösenordet måste ha minst 12 tecken; det angivna har 11."),
    (PASSWORD, NEW, "ett-annat-losenord", "confirm_password", "Lösenorden är inte lika."),
    (PASSWORD, PASSWORD, None, "new_password", "Det nya lösenordet måste skilja sig från det nuvarande."),
])
def test_a_change_that_cannot_be_made_says_why_and_changes_nothing(login, reader, current, new, confirm, field,
                                                                    message):
    response = change(login(reader), current, new, confirm)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}' in page
    assert 'aria-invalid="true"' in page
    db.session.expire_all()
    assert authenticate(reader.email, PASSWORD) == reader


def test_everyone_with_a_password_can_change_it(login, reader):
    client = login(reader)
    assert 'href="/konto/losenord"' in client.get("/planer").get_data(as_text=True)
    assert change(client).status_code == 302
    assert authenticate(reader.email, NEW) == reader and authenticate(reader.email, PASSWORD) is None


def test_an_sso_only_account_has_no_password_to_change(login, make_user):
    user = make_user(email="sso@regionhalland.test")
    user.password_hash = None
    db.session.commit()
    client = login(user)
    assert 'href="/konto/losenord"' not in client.get("/planer").get_data(as_text=True)
    response = client.get("/konto/losenord")
    assert response.status_code == 403 and "Ditt konto har inget lösenord i Handlingsplaner" in response.get_data(
        as_text=True)


def test_an_admin_reset_must_be_replaced_at_the_next_login(login, client, make_user, reader):
    admin = login(make_user(Role.ADMIN))
    admin.post(f"/admin/anvandare/{reader.id}", data={"name": reader.name, "role": "reader", "division": "",
                                                      "active": "1", "password": "tillfalligt-123"})
    admin.post("/logga-ut")
    g.pop("_login_user", None)
    response = client.post("/logga-in?next=/mina-atgarder", data={"email": reader.email,
                                                                  "password": "tillfalligt-123"})
    assert response.headers["Location"] == "/konto/losenord?next=/mina-atgarder"
    g.pop("_login_user", None)
    response = client.get("/planer")  # every other page waits for the new password
    assert response.status_code == 302 and response.headers["Location"].startswith("/konto/losenord")
    g.pop("_login_user", None)
    assert "Välj ett eget lösenord" in client.get(response.headers["Location"]).get_data(as_text=True)
    g.pop("_login_user", None)
    response = client.post("/konto/losenord?next=/mina-atgarder", data={
        "current_password": "tillfalligt-123", "new_password": NEW, "confirm_password": NEW})
    assert response.headers["Location"] == "/mina-atgarder"
    g.pop("_login_user", None)
    assert client.get("/planer").status_code == 200
    assert not reader.must_change_password


def test_hashes_are_argon2id_with_owasp_parameters_and_old_ones_are_replaced_at_login(client, reader):
    assert reader.password_hash.startswith("pbkdf2:")  # the factories' cheap hash stands for an old one
    client.post("/logga-in", data={"email": reader.email, "password": PASSWORD})
    db.session.expire_all()
    assert reader.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not HASHER.check_needs_rehash(reader.password_hash)
    assert authenticate(reader.email, PASSWORD) == reader


def test_set_password_on_the_command_line(app, reader):
    result = app.test_cli_runner().invoke(args=["user", "set-password", "Lena@regionhalland.test", "--temporary"],
                                          input="ett-nodlosenord-2024\n")
    assert result.exit_code == 0, result.output
    assert "Lösenordet för lena@regionhalland.test är satt" in result.output
    db.session.expire_all()
    assert authenticate(reader.email, "ett-nodlosenord-2024") == reader and reader.must_change_password
    result = app.test_cli_runner().invoke(args=["user", "set-password", "okand@regionhalland.test"], input="x\n")
    assert result.exit_code != 0 and "Det finns ingen användare med e-postadressen" in result.output
    result = app.test_cli_runner().invoke(args=["user", "set-password", reader.email], input="kort\n")
    assert result.exit_code == 2 and "minst 12 tecken" in result.output


# Common and breached passwords, and ones made of the user's name or the region's: refused wherever one is set.
GUESSABLE = ["passwordpassword", "qwertyuiopasdf", "Password1234", "lindqvist-lena", "regionhalland1"]
TOO_COMMON = "Lösenordet är för vanligt: det är för likt ett ofta använt eller läckt lösenord"


@pytest.mark.parametrize("password", GUESSABLE)
def test_a_guessable_password_is_refused_on_byt_losenord(login, reader, password):
    response = change(login(reader), new=password)
    assert response.status_code == 400
    assert f'<p class="field-error" id="new_password-error">{TOO_COMMON}' in response.get_data(as_text=True)
    db.session.expire_all()
    assert authenticate(reader.email, PASSWORD) == reader


@pytest.mark.parametrize("password", GUESSABLE)
def test_a_guessable_password_is_refused_by_the_admin_pages(login, make_user, reader, password):
    admin = login(make_user(Role.ADMIN))
    response = admin.post(f"/admin/anvandare/{reader.id}", data={"name": reader.name, "role": "reader",
                                                                 "division": "", "active": "1", "password": password})
    assert response.status_code == 400 and f'id="password-error">{TOO_COMMON}' in response.get_data(as_text=True)
    response = admin.post("/admin/anvandare/ny", data={"email": "lindqvist.lena@regionhalland.test",
                                                       "name": "Lena Lindqvist", "role": "reader", "division": "",
                                                       "password": password})
    assert response.status_code == 400 and f'id="password-error">{TOO_COMMON}' in response.get_data(as_text=True)
    db.session.expire_all()
    assert authenticate(reader.email, PASSWORD) == reader
    assert authenticate("lindqvist.lena@regionhalland.test", password) is None


@pytest.mark.parametrize("password", GUESSABLE)
def test_a_guessable_password_is_refused_on_the_command_line(app, reader, password):
    result = app.test_cli_runner().invoke(args=["user", "set-password", reader.email], input=f"{password}\n")
    assert result.exit_code == 2 and TOO_COMMON in result.output
    result = app.test_cli_runner().invoke(args=["user", "create", "--email", "lindqvist.lena@regionhalland.test",
                                                "--name", "Lena Lindqvist", "--role", "reader"],
                                          input=f"{password}\n")
    assert result.exit_code == 2 and TOO_COMMON in result.output
    db.session.expire_all()
    assert authenticate(reader.email, PASSWORD) == reader


def test_a_password_longer_than_zxcvbn_measures_is_judged_by_its_beginning(login, reader):
    long_password = "fyra-kor-dansar-vals-i-regnet-" * 4  # 120 characters; zxcvbn refuses more than 72
    assert change(login(reader), new=long_password).status_code == 302
    assert authenticate(reader.email, long_password) == reader
