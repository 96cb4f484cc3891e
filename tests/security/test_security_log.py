"""The security log: every sign-in event and every change to who may do what, append-only, for the admin."""

import json
import logging

import pytest
import sqlalchemy as sa
from flask import g

from tests.factories import PASSWORD
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.versions import services as versions
from tracker.security.log import AppendOnly
from tracker.security.models import SecurityEvent
from tracker.users import services
from tracker.vocabulary import Role


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ali Karimi", email="admin@regionhalland.test")


@pytest.fixture
def reader(make_user):
    return make_user(Role.READER, name="Lena Lindqvist", email="lena@regionhalland.test")


def events() -> list[SecurityEvent]:
    db.session.expire_all()
    return db.session.scalars(sa.select(SecurityEvent).order_by(SecurityEvent.id)).all()


def test_logins_failures_and_logouts_are_logged(client, reader, caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")
    client.post("/logga-in", data={"email": "finns.inte@regionhalland.test", "password": "gissning-1"})
    client.post("/logga-in", data={"email": reader.email, "password": "gissning-2"})
    client.post("/logga-in", data={"email": reader.email, "password": PASSWORD})
    g.pop("_login_user", None)
    client.post("/logga-ut")
    logged = events()
    assert [(e.kind, e.details.get("reason")) for e in logged] == [
        ("login_failed", "unknown"), ("login_failed", "wrong_password"), ("login", None), ("logout", None)]
    assert logged[0].user_id is None and logged[0].email == "finns.inte@regionhalland.test"
    assert logged[1].user_id == reader.id and logged[2].summary == "Lena Lindqvist loggade in med lösenord"
    assert all(e.address == "127.0.0.1" for e in logged)
    # and one JSON line per entry in the app's log, once committed
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "tracker.security"]
    assert [line["event"] for line in lines] == ["login_failed", "login_failed", "login", "logout"]
    assert lines[2]["user_id"] == reader.id and lines[2]["method"] == "password"


def test_admin_changes_are_logged_with_who_did_them(login, admin, reader, divisions):
    client = login(admin)
    form = {"name": reader.name, "role": "division_contact", "division": "Psykiatri Halland",
            "password": "ett-tillfalligt-losenord"}
    assert client.post(f"/admin/anvandare/{reader.id}", data=form).status_code == 302  # and deactivated
    kinds = {e.kind: e for e in events()}
    assert set(kinds) == {"role_changed", "division_changed", "deactivated", "password_reset"}
    assert kinds["role_changed"].summary == ("Rollen för Lena Lindqvist (lena@regionhalland.test) ändrades från "
                                             "Läsare till Förvaltningskontakt")
    assert kinds["division_changed"].details == {"before": None, "after": "Psykiatri Halland"}
    assert all(e.actor_id == admin.id and e.actor_name == "Ali Karimi" and e.user_id == reader.id
               for e in kinds.values())


def test_a_change_that_is_rolled_back_leaves_no_entry(admin, reader):
    with pytest.raises(ValidationError):
        services.update_user(reader, name="", role="admin", division=None, active=True, acting_user=admin)
    db.session.rollback()
    services.update_user(reader, name=reader.name, role="admin", division=None, active=True, acting_user=admin)
    db.session.rollback()  # the role change itself is not saved: neither is its entry
    assert events() == []


def test_own_password_change_and_fastställande_are_logged(login, reader, make_user, make_plan):
    client = login(reader)
    client.post("/konto/losenord", data={"current_password": PASSWORD, "new_password": "ett-eget-losenord",
                                         "confirm_password": "ett-eget-losenord"})
    director = make_user(Role.DIRECTOR, name="Eva Ek")
    plan = make_plan()
    versions.approve(plan, director, "RS231576")
    db.session.commit()
    logged = events()
    assert [e.kind for e in logged] == ["password_changed", "approved"]
    assert logged[1].summary == "Handlingsplan för ökad tillgänglighet 2023 fastställdes som version 1 (RS231576)"
    assert logged[1].actor_name == "Eva Ek" and logged[1].details == {"plan": plan.key, "version": 1}


def test_entries_cannot_be_changed_or_deleted(reader):
    services.log_in_with_password(reader.email, PASSWORD)
    db.session.commit()
    entry = events()[0]
    entry.summary = "Ingen loggade in"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(events()[0])
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()


def test_the_admin_filters_the_log(login, admin, reader, htmx_headers):
    services.log_in_with_password(reader.email, "fel-lösenord")
    services.log_in_with_password(reader.email, PASSWORD)
    db.session.commit()
    client = login(admin)
    page = client.get("/admin/sakerhetslogg").get_data(as_text=True)
    assert "Misslyckad inloggning med lösenord för lena@regionhalland.test" in page
    assert "Lena Lindqvist loggade in med lösenord" in page
    page = client.get("/admin/sakerhetslogg?typ=login_failed").get_data(as_text=True)
    assert "Misslyckad inloggning" in page and "loggade in med lösenord" not in page
    fragment = client.get(f"/admin/sakerhetslogg?person={reader.id}&sok=lena&fran=2000-01-01",
                          headers=htmx_headers).get_data(as_text=True)
    assert "<html" not in fragment and fragment.count('class="security-event') == 2
    page = client.get("/admin/sakerhetslogg?till=2000-01-01&fran=inte-ett-datum").get_data(as_text=True)
    assert "Inga poster matchar filtret." in page and "”inte-ett-datum” är inget datum" in page


@pytest.mark.parametrize("text, found", [
    ("%", ["100%@regionhalland.test"]),
    ("_", ["a_b@regionhalland.test"]),
    ("a_b", ["a_b@regionhalland.test"]),
    ("\\", ["back\\slash@regionhalland.test"]),
])
def test_the_search_takes_wildcards_literally(login, admin, text, found):
    typed = ["100%@regionhalland.test", "1000@regionhalland.test", "a_b@regionhalland.test", "axb@regionhalland.test",
             "back\\slash@regionhalland.test"]
    for email in typed:
        services.log_in_with_password(email, "gissning")
    db.session.commit()
    page = login(admin).get("/admin/sakerhetslogg", query_string={"sok": text}).get_data(as_text=True)
    assert [email for email in typed if f"Misslyckad inloggning med lösenord för {email}" in page] == found


def test_a_wrong_current_password_is_logged(login, reader):
    client = login(reader)
    for _ in range(2):
        client.post("/konto/losenord", data={"current_password": "gissning", "new_password": "ett-eget-losenord",
                                             "confirm_password": "ett-eget-losenord"})
    logged = events()
    assert [e.kind for e in logged] == ["password_check_failed"] * 2
    assert logged[0].summary == "Fel nuvarande lösenord när Lena Lindqvist skulle byta lösenord"
    assert all(e.user_id == e.actor_id == reader.id and e.address == "127.0.0.1" for e in logged)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_the_admin_reads_the_log(login, make_user, role):
    response = login(make_user(role)).get("/admin/sakerhetslogg")
    assert response.status_code == 403
