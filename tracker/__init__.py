"""Handlingsplan tracker: Region Halland's regional action plans."""

import logging
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config as config_module
from tracker import logging_setup
from tracker.extensions import csrf, db, htmx, limiter, login_manager, migrate


@sa.event.listens_for(sa.engine.Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys on; and write-ahead logging, so that pages are read while someone saves
    (with the default rollback journal a writer blocks every reader). Commits stay synchronous."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=config_module.instance_path(),
        template_folder=str(config_module.bundled_folder("templates")),
    )
    app.config.from_mapping(config_module.from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    logging_setup.init_app(app)  # first: the request id and the clock start before any other hook
    # Uploads are refused before they are read when far over the import limit; the import
    # itself reports the exact size against the limit.
    app.config.setdefault("MAX_CONTENT_LENGTH", app.config["IMPORT_MAX_BYTES"] + 1024 * 1024)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
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

    from tracker import web
    from tracker.health import bp as health_bp
    from tracker.users import oidc
    from tracker.plans.views import bp as plans_bp
    from tracker.security.views import bp as security_bp
    from tracker.users.admin import bp as admin_bp
    from tracker.users.auth import bp as users_bp
    from tracker.history.views import bp as history_bp
    from tracker.followup.views import bp as followup_bp
    from tracker.plans.editor import bp as editor_bp
    from tracker.xlsx.views import bp as xlsx_bp

    web.init_app(app)
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
    app.register_blueprint(editor_bp)
    app.register_blueprint(followup_bp)

    from tracker.cli import register_commands

    register_commands(app)
    return app
