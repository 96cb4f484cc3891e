"""/healthz for the load balancer, and the app's log on standard output: one access line per request."""

import json

import pytest

from tests import factories
from tracker import create_app, logging_setup
from tracker.security import log as security_log
from tracker.vocabulary import Role


def test_health_answers_without_login_and_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI":
                      f"sqlite:///{tmp_path}/no/such/folder/tracker.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"


@pytest.fixture
def json_logs(app):
    logging_setup.configure("json")
    yield
    logging_setup.configure(app.config["LOG_FORMAT"])


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_one_access_line_per_request_with_its_request_id(client, login, make_user, capsys):
    user = make_user(Role.STRATEGIST)
    login(user)
    capsys.readouterr()
    response = client.get("/", headers={"X-Request-ID": "lb-1234"})
    assert response.headers["X-Request-ID"] == "lb-1234"
    access = [line for line in capsys.readouterr().out.splitlines() if "tracker.access" in line]
    assert len(access) == 1
    assert "[lb-1234]" in access[0] and f"GET / {response.status_code} " in access[0]
    assert f"user={user.id}" in access[0] and "ms" in access[0]
    # A request id the proxy did not send, or one that could forge a log line, is made here.
    made = client.get("/healthz", headers={"X-Request-ID": "user=1 GET /admin 200"}).headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()


def test_json_lines_for_a_log_collector(client, make_user, capsys, json_logs):
    user = make_user(Role.READER, email="anna.berg@regionhalland.se", password=factories.PASSWORD)
    capsys.readouterr()
    client.post("/logga-in", data={"email": "anna.berg@regionhalland.se", "password": "fel lösenord här"})
    lines = _lines(capsys.readouterr().out)
    access = [line for line in lines if line["logger"] == "tracker.access"]
    assert len(access) == 1
    assert access[0]["method"] == "POST" and access[0]["path"] == "/logga-in" and access[0]["status"] == 400
    assert access[0]["user_id"] is None and isinstance(access[0]["ms"], float) and access[0]["time"]
    # The security log goes through the same handler, as one object, with the request's id.
    security = [line for line in lines if line["logger"] == "tracker.security"]
    assert [s["security"]["event"] for s in security] == ["login_failed"]
    assert security[0]["request_id"] == access[0]["request_id"]
    assert security[0]["security"]["user_id"] == user.id
    assert security_log.logger.name == "tracker.security"
