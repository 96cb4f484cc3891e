"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when
TRACKER_TEST_DATABASE_URL is set), emptied after every test; factories for the data."""

import email
import email.policy
import os
import socket
from contextlib import contextmanager

import flask_migrate
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import current_app, g

from tests import factories
from tracker import create_app
from tracker.extensions import db, limiter
from tracker.history.recorder import acting
from tracker.vocabulary import Role, Status
from tracker.xlsx.export import export_plan

# Every app of the test process (the browser's server, the single sign-on apps) signs the history with one key.
HISTORY_KEY = "testernas-nyckel-for-historiken-0123456789abcdef"
os.environ["TRACKER_HISTORY_KEYS"] = HISTORY_KEY


def _database_url(tmp_path_factory) -> str:
    return os.environ.get("TRACKER_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'tracker-test.db'}"
    )


def _drop_everything(engine) -> None:
    """Leave the test database empty, whatever an earlier run left in it."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        _drop_everything(db.engine)
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def app_context(app):
    # Data the tests set up is recorded in the history like any other change.
    with app.app_context(), acting(None, "cli", "Testdata"):
        yield
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()  # failed logins of one test do not throttle the next


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """Log the test client in as `user` with a real server-side session, without the password hash."""

    def login_as(user):
        factories.sign_in(client, user)
        # Requests share the test's app context, and Flask-Login keeps the user in `g`.
        g.pop("_login_user", None)
        return client

    return login_as


@pytest.fixture
def htmx_headers():
    return {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside the `with` block."""

    @contextmanager
    def counter():
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def divisions():
    """The five förvaltningar; and the two agreements the region's plans belong to (as a strateg adds them)."""
    factories.create_agreements()
    return factories.create_divisions()


@pytest.fixture
def make_user(divisions):
    return factories.create_user


@pytest.fixture
def make_plan(divisions):
    return factories.create_plan


# --- Single sign-on: a real OpenID Provider (Canaille, through pytest-iam) on localhost ---------------------

OIDC_CLIENT_ID = "handlingsplaner"
OIDC_CLIENT_SECRET = "hemlighet-for-testerna"


@pytest.fixture(scope="session")
def oidc_client(iam_server):
    """The tracker registered as a client of the test provider; redirect addresses are added by each app."""
    client = iam_server.models.Client(
        client_id=OIDC_CLIENT_ID, client_secret=OIDC_CLIENT_SECRET, client_name="Handlingsplaner",
        client_uri="http://127.0.0.1/", redirect_uris=[], post_logout_redirect_uris=[],
        grant_types=["authorization_code"], response_types=["code"], token_endpoint_auth_method="client_secret_basic",
        scope=["openid", "profile", "email"],
    )
    iam_server.backend.save(client)
    client.audience = [client]
    iam_server.backend.save(client)
    return client


@pytest.fixture
def allow_sso_at(iam_server, oidc_client):
    """Registers the tracker served at `base_url` with the provider (where it returns after login and logout)."""

    def allow(base_url: str) -> None:
        oidc_client.redirect_uris = [*oidc_client.redirect_uris, f"{base_url}/logga-in/sso/klar"]
        oidc_client.post_logout_redirect_uris = [*oidc_client.post_logout_redirect_uris, f"{base_url}/logga-in"]
        iam_server.backend.save(oidc_client)

    return allow


@pytest.fixture
def make_sso_app(iam_server, allow_sso_at, database_url, tmp_path):
    """An app that signs in through the test provider, served at `base_url` (the test client's by default)."""

    def make(base_url="http://localhost", **config):
        if base_url:
            allow_sso_at(base_url)
        return create_app({
            "TESTING": True, "SECRET_KEY": "sso-test", "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "OIDC_ISSUER": iam_server.url.rstrip("/"), "OIDC_CLIENT_ID": OIDC_CLIENT_ID,
            "OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET, "OIDC_LABEL": "Region Hallands konto", **config,
        })

    return make


# --- Mail: a real SMTP server (aiosmtpd) on 127.0.0.1 ----------------------------------------------------------


class Inbox:
    """An SMTP server's handler that keeps every mail it accepts, parsed, with the envelope's recipients."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.extend(envelope.rcpt_tos)
        return "250 2.0.0 Mottaget"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_smtp():
    """Starts an SMTP server with `handler` on 127.0.0.1 (a free port, or `port` to start one again there; options
    for aiosmtpd's SMTP, such as an authenticator); every server started is stopped after the test."""
    started = []

    def start(handler, port: int | None = None, **smtp_options) -> Controller:
        controller = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **smtp_options)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        try:
            controller.stop()
        except (AssertionError, RuntimeError):  # stopped by the test already
            pass


MAIL_SETTINGS = ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM", "BASE_URL")
BASE_URL = "https://handlingsplaner.regionhalland.test"


@pytest.fixture
def mail_to(app):
    """Turns the app's mail on, to the SMTP server on `port`; back off after the test."""
    saved = {key: app.config.get(key) for key in MAIL_SETTINGS}

    def configure(port: int) -> None:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_USER="", SMTP_PASSWORD="", SMTP_STARTTLS=False,
                          MAIL_FROM="Handlingsplaner <handlingsplaner@regionhalland.test>", BASE_URL=BASE_URL)

    yield configure
    app.config.update(saved)


@pytest.fixture
def inbox(start_smtp, mail_to) -> Inbox:
    """Mail on, to a fresh SMTP server; what it received."""
    handler = Inbox()
    mail_to(start_smtp(handler).port)
    return handler


@pytest.fixture
def world(make_plan, make_user, divisions, request):
    """What the permission matrices (tests/test_permissions.py, tests/test_read_permissions.py) and
    tests/test_ownership.py act on: a plan with a status row for PH and HS, a user of each role, an export."""
    plan = make_plan(actions=[{"divisions": ["PH", "HS"], "statuses": {"PH": Status.IN_PROGRESS}}])
    ph_status = next(s for s in plan.factors[0].actions[0].statuses if s.division.short_name == "PH")
    users = {
        "reader": make_user(Role.READER),
        "contact_own": make_user(Role.DIVISION_CONTACT, "PH"),
        "contact_other": make_user(Role.DIVISION_CONTACT, "HS"),
        "strategist": make_user(Role.STRATEGIST),
        "director": make_user(Role.DIRECTOR),
        "admin": make_user(Role.ADMIN),
    }
    export, _ = export_plan(plan, users["strategist"], current_app.config["EXPORT_DIR"])
    db.session.commit()
    # Mail stays off; "Skicka påminnelse nu" turns it on, to a test SMTP server, when its case runs.
    return {"plan": plan, "ph_status": ph_status, "users": users, "divisions": divisions, "export": export,
            "mail_on": lambda: request.getfixturevalue("inbox")}
