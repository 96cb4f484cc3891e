"""Handlingsplan tracker: Region Halland's regional action plans."""

import logging
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config as config_module
from tracker import error_pages, logging_setup, pages
from tracker.cli import register_commands
from tracker.clock import today
from tracker.display import counted, display_value, format_date, format_datetime
from tracker.errors import ChangedSinceSeen
from tracker.extensions import csrf, db, htmx, limiter, login_manager, migrate
from tracker.files import create_private
from tracker.history import actor
from tracker.parsing import RecordIdConverter
from tracker.plans.tracking import StructureLocked
from tracker.security import headers
from tracker.security import log as security_log
from tracker.vocabulary import Horizon, PlanState, QuestionKind, ReportState, Role, Status


@sa.event.listens_for(sa.engine.Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys on; and write-ahead logging, so that pages are read while someone saves
    (with the default rollback journal a writer blocks every reader). Commits stay synchronous.
    How long a writer waits for the others is TRACKER_SQLITE_BUSY_TIMEOUT (config.engine_options)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _create_sqlite_file(database_url: str) -> None:
    """The SQLite database the app is about to create, created first and readable by its owner only: it holds
    password hashes and ID tokens. SQLite takes an empty file for an empty database and gives its -wal and -shm
    files the database's mode."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or url.query.get("uri"):
        return
    path = Path(url.database)
    if path.parent.is_dir():
        try:
            create_private(path)
        except FileExistsError:
            pass  # the database exists: left as it is


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=config_module.instance_path(),
        template_folder=str(config_module.bundled_folder("templates")),
    )
    app.config.from_mapping(config_module.from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", config_module.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], connect_timeout=app.config["DB_CONNECT_TIMEOUT"],
        statement_timeout=app.config["DB_STATEMENT_TIMEOUT"], busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"]))
    logging_setup.init_app(app)  # first: the request id and the clock start before any other hook
    # Uploads are refused before they are read when far over the import limit; the import
    # itself reports the exact size against the limit.
    app.config.setdefault("MAX_CONTENT_LENGTH", app.config["IMPORT_MAX_BYTES"] + 1024 * 1024)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _create_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if hops := app.config["PROXY_HOPS"]:
        # Behind the region's TLS proxy: the client's address, scheme and host come from its X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    from tracker import models  # noqa: F401  (every model registered before the mappers configure)
    from tracker.history import recorder  # noqa: F401  (its session listeners write the history)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.bundled_folder("migrations")), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)

    from tracker.health import bp as health_bp
    from tracker.users import oidc
    from tracker.plans.views import bp as plans_bp
    from tracker.security.views import bp as security_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.users.auth import bp as users_bp
    from tracker.plans.history_views import bp as history_bp
    from tracker.followup.views import bp as followup_bp
    from tracker.notify.views import bp as notify_bp
    from tracker.plans.structure_views import bp as editor_bp
    from tracker.versions.views import bp as versions_bp
    from tracker.xlsx.views import bp as xlsx_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.goalchain.views import bp as goalchain_bp
    from tracker.annual.views import bp as annual_bp
    from tracker.plans.manage_views import bp as manage_bp
    from tracker.followup.next_year_views import bp as next_year_bp
    from tracker.followup.contacts_views import bp as contacts_bp
    from tracker.annual.decision_views import bp as decisions_bp

    _register_web(app)
    oidc.init_app(app)
    # The security log's JSON lines go to the app's log at INFO, through the handler on the `tracker` logger.
    app.logger.debug("sign-in: password login %s, single sign-on %s", app.config["PASSWORD_LOGIN"],
                     bool(app.config["OIDC_ISSUER"]))
    logging.getLogger("tracker.security").setLevel(logging.INFO)
    app.register_blueprint(health_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(security_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(xlsx_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(versions_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(goalchain_bp)
    app.register_blueprint(annual_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(next_year_bp)
    app.register_blueprint(contacts_bp)
    app.register_blueprint(decisions_bp)

    register_commands(app)
    return app


def _register_web(app: Flask) -> None:
    """What every request shares: ids in addresses, error pages, headers, who the history records, the
    templates' helpers."""
    app.config["CONTENT_SECURITY_POLICY"] = headers.content_security_policy(app)
    app.url_map.converters["int"] = RecordIdConverter
    login_manager.login_view = "users.login"
    login_manager.login_message = "Logga in för att fortsätta."
    login_manager.login_message_category = "info"
    app.register_error_handler(HTTPException, error_pages.http_error)
    app.register_error_handler(StructureLocked, error_pages.structure_locked)
    app.register_error_handler(ChangedSinceSeen, error_pages.changed_since_seen)
    for failure in (sa.exc.OperationalError, sa.exc.InterfaceError):  # the database, not the request, failed
        app.register_error_handler(failure, error_pages.database_unavailable)
    app.after_request(headers.security_headers)
    app.before_request(actor.record_as_current_user)
    app.before_request(security_log.remember_address)
    app.teardown_request(actor.forget_actor)
    app.teardown_request(security_log.forget_address)
    app.context_processor(pages.next_url)
    app.jinja_env.filters.update(date=format_date, datetime=format_datetime, number=display_value)
    app.jinja_env.globals.update(counted=counted, Status=Status, Horizon=Horizon, Role=Role, PlanState=PlanState,
                                 ReportState=ReportState, QuestionKind=QuestionKind,
                                 today=today, saved_here=pages.saved_here,
                                 top_messages=pages.top_messages)
