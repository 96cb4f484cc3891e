"""Guessing is throttled per account and address, and per address; during the wait even the right password is
refused there, while the person still logs in from anywhere else. Refusals are logged once per burst."""

import socket
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.security.models import SecurityEvent
from tracker.users.services import authenticate
from tracker.vocabulary import Role

EMAIL = "lena@regionhalland.test"
# Long enough that a few attempts on a busy machine (each hashes a password) stay inside one window.
WINDOW = 6


def _redis_url() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return "redis://127.0.0.1:6379/0" if connection.recv(16).startswith(b"+PONG") else None
    except OSError:
        return None


@pytest.fixture(params=["memory", "redis"])
def storage_app(request, database_url, tmp_path):
    """An app whose limiter keeps its counts in memory, or in Redis (as several server processes would)."""
    storage = "memory://"
    if request.param == "redis":
        storage = _redis_url()
        if storage is None:
            pytest.skip("Redis svarar inte på 127.0.0.1:6379: throttling med Redis kunde inte provas här.")
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_STORAGE_URI": storage, "LOGIN_LIMIT": f"3 per {WINDOW} seconds",
                      "LOGIN_ADDRESS_LIMIT": f"5 per {WINDOW} seconds",
                      # each run counts apart from other runs sharing the Redis server
                      "RATELIMIT_KEY_PREFIX": f"tracker-test-{uuid.uuid4().hex}"})
    return app


@pytest.fixture
def reader(make_user):
    return make_user(Role.READER, email=EMAIL)


def attempt(client, password, email=EMAIL, address="127.0.0.1"):
    return client.post("/logga-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_default_is_ten_failures_per_fifteen_minutes(client, reader):
    for _ in range(10):
        assert attempt(client, "fel-lösenord").status_code == 400
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "För många fel lösenord från den här datorn" in page and "inte ens med rätt lösenord" in page
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert "(om 15 minuter)" in page
    assert "kl. " in page
    assert client.get("/planer").status_code == 302  # not logged in


def test_guessing_from_one_address_does_not_lock_the_account_out_elsewhere(storage_app, reader):
    client = storage_app.test_client()
    for _ in range(3):
        assert attempt(client, "fel-lösenord", address="10.0.0.1").status_code == 400
    assert attempt(client, PASSWORD, address="10.0.0.1").status_code == 429
    assert attempt(client, PASSWORD, address="10.0.0.2").status_code == 302  # the person, from their own computer
    client.post("/logga-ut")
    assert attempt(client, PASSWORD, address="10.0.0.1").status_code == 429  # the guesser's address stays held
    time.sleep(WINDOW + 0.1)  # the window has passed: the right password works there again
    assert attempt(client, PASSWORD, address="10.0.0.1").status_code == 302


def test_throttled_per_address_whatever_the_account(storage_app, reader):
    client = storage_app.test_client()
    for number in range(5):
        assert attempt(client, "fel-lösenord", email=f"gissning{number}@regionhalland.test").status_code == 400
    assert attempt(client, PASSWORD).status_code == 429
    assert attempt(client, PASSWORD, address="10.9.9.9").status_code == 302  # another computer is not held up


def test_successful_logins_do_not_count(storage_app, reader):
    client = storage_app.test_client()
    for _ in range(5):
        assert attempt(client, PASSWORD).status_code == 302
        client.post("/logga-ut")


def entries() -> list[SecurityEvent]:
    db.session.expire_all()
    return db.session.scalars(sa.select(SecurityEvent).order_by(SecurityEvent.id)).all()


def test_a_burst_of_refusals_is_a_few_entries_in_the_security_log(storage_app, reader, monkeypatch):
    # The burst ends inside the window; both limits are reached at once, and each refusal is still one entry.
    monkeypatch.setitem(storage_app.config, "LOGIN_LIMIT", "3 per 10 minutes")
    monkeypatch.setitem(storage_app.config, "LOGIN_ADDRESS_LIMIT", "3 per 10 minutes")
    client = storage_app.test_client()
    for _ in range(3):
        attempt(client, "fel-lösenord")
    for number in range(500):
        assert attempt(client, f"gissning-{number}").status_code == 429
    assert attempt(client, PASSWORD).status_code == 429
    logged = entries()
    assert [e.kind for e in logged] == ["login_failed"] * 3 + ["login_throttled"] * 3
    assert [e.details["refused"] for e in logged[3:]] == [1, 10, 100]  # the first refusal, then every tenfold
    first, _, last = logged[3:]
    assert first.summary == ("Inloggning för lena@regionhalland.test spärrad: 3 fel lösenord på 10 minuter från "
                             "samma adress")
    assert last.summary == ("Inloggning för lena@regionhalland.test fortfarande spärrad: 100 försök nekade sedan "
                            "spärren började")
    assert all(e.user_id == reader.id and e.address == "127.0.0.1" for e in logged)


def test_behind_the_proxy_the_forwarded_address_is_throttled_and_logged(database_url, reader):
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False, "PROXY_HOPS": 1, "LOGIN_LIMIT": "3 per 10 minutes"})
    client = app.test_client()

    def via_proxy(password, address):
        return client.post("/logga-in", data={"email": EMAIL, "password": password},
                           environ_base={"REMOTE_ADDR": "10.0.0.254"}, headers={"X-Forwarded-For": address})

    for _ in range(3):
        assert via_proxy("fel-lösenord", "198.51.100.7").status_code == 400
    assert via_proxy(PASSWORD, "198.51.100.7").status_code == 429
    assert via_proxy(PASSWORD, "198.51.100.8").status_code == 302  # every client comes through the same proxy
    assert [(e.kind, e.address) for e in entries()] == [("login_failed", "198.51.100.7")] * 3 + [
        ("login_throttled", "198.51.100.7"), ("login", "198.51.100.8")]


NEW = "ett-eget-langt-losenord"


def change_password(client, current, address):
    return client.post("/konto/losenord", data={"current_password": current, "new_password": NEW,
                                                "confirm_password": NEW}, environ_base={"REMOTE_ADDR": address})


def test_the_current_password_is_throttled_like_a_login(storage_app, reader):
    client = storage_app.test_client()
    assert attempt(client, PASSWORD, address="10.0.0.1").status_code == 302
    for _ in range(3):
        assert change_password(client, "fel-lösenord", "10.0.0.1").status_code == 400
    response = change_password(client, PASSWORD, "10.0.0.1")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) <= WINDOW + 1
    assert "För många fel nuvarande lösenord från den här datorn" in page and "inte ens med rätt" in page
    assert attempt(storage_app.test_client(), PASSWORD, address="10.0.0.1").status_code == 429  # one count
    assert change_password(client, PASSWORD, "10.0.0.2").status_code == 302  # from the person's own computer
    db.session.expire_all()
    assert authenticate(EMAIL, NEW) == reader


def test_wrong_current_passwords_are_logged_and_their_refusals_once_per_burst(storage_app, reader, monkeypatch):
    monkeypatch.setitem(storage_app.config, "LOGIN_LIMIT", "3 per 10 minutes")
    client = storage_app.test_client()
    attempt(client, PASSWORD)
    for number in range(3 + 200):
        change_password(client, f"gissning-{number}", "127.0.0.1")
    logged = entries()
    assert [e.kind for e in logged] == ["login"] + ["password_check_failed"] * 3 + ["password_change_throttled"] * 3
    assert logged[1].summary == f"Fel nuvarande lösenord när {reader.name} skulle byta lösenord"
    assert [e.details["refused"] for e in logged[4:]] == [1, 10, 100]
    assert logged[4].summary == ("Lösenordsbyte för lena@regionhalland.test spärrat: 3 fel lösenord på 10 minuter "
                                 "från samma adress")
    assert all(e.user_id == reader.id and e.address == "127.0.0.1" for e in logged)


def test_unknown_and_known_emails_take_the_same_time(app, client, reader, monkeypatch):
    reader.set_password(PASSWORD)  # a real argon2id hash, as production has
    db.session.commit()
    monkeypatch.setitem(app.config, "LOGIN_LIMIT", "1000 per minute")  # measure the hash, not the throttle

    def median(email):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            assert attempt(client, "fel-lösenord", email=email).status_code == 400
            times.append(time.perf_counter() - start)
        return sorted(times)[2]

    median(EMAIL)  # warm up
    known_time, unknown_time = median(EMAIL), median("finns.inte@regionhalland.test")
    assert known_time > 0.005  # a real hash was checked
    assert 0.5 < unknown_time / known_time < 2, (known_time, unknown_time)
