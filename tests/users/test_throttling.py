"""Guessing is throttled per account and per address; during the wait even the right password is refused."""

import socket
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db
from tracker.security.models import SecurityEvent
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
    assert "För många misslyckade inloggningar" in page and "inte ens med rätt lösenord" in page
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert "(om 15 minuter)" in page
    assert "kl. " in page
    assert client.get("/planer").status_code == 302  # not logged in


def test_throttled_per_account_from_any_address(storage_app, reader):
    client = storage_app.test_client()
    for number in range(3):
        assert attempt(client, "fel-lösenord", address=f"10.0.0.{number}").status_code == 400
    assert attempt(client, PASSWORD, address="10.0.0.99").status_code == 429
    time.sleep(WINDOW + 0.1)  # the window has passed: the right password works again
    assert attempt(client, PASSWORD, address="10.0.0.99").status_code == 302


def test_throttled_per_address_whatever_the_account(storage_app, reader):
    client = storage_app.test_client()
    for number in range(3):
        assert attempt(client, "fel-lösenord", email=f"gissning{number}@regionhalland.test").status_code == 400
    assert attempt(client, PASSWORD).status_code == 429
    assert attempt(client, PASSWORD, address="10.9.9.9").status_code == 302  # another computer is not held up


def test_successful_logins_do_not_count(storage_app, reader):
    client = storage_app.test_client()
    for _ in range(5):
        assert attempt(client, PASSWORD).status_code == 302
        client.post("/logga-ut")


def test_a_throttled_attempt_is_in_the_security_log(storage_app, reader):
    client = storage_app.test_client()
    for _ in range(3):
        attempt(client, "fel-lösenord")
    attempt(client, PASSWORD)
    db.session.expire_all()
    kinds = db.session.scalars(sa.select(SecurityEvent.kind).order_by(SecurityEvent.id)).all()
    assert kinds == ["login_failed"] * 3 + ["login_throttled"]
    throttled = db.session.scalar(sa.select(SecurityEvent).where(SecurityEvent.kind == "login_throttled"))
    assert throttled.user_id == reader.id and throttled.address == "127.0.0.1"


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
