"""/healthz for the load balancer: no login, no session. 200 when the database answers and its disk has room;
503 otherwise, within TRACKER_HEALTH_TIMEOUT (1 s) whatever the database does, naming the cause."""

import shutil
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, current_app

from tracker.extensions import db

bp = Blueprint("health", __name__)
NO_STORE = {"Cache-Control": "no-store"}

# The database is asked on these threads, so that a frozen server delays the answer by at most the timeout. Two
# threads at most: checks that hang on a frozen server do not pile up; a third waits, and times out like them.
_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")


def _ask_database(engine) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _database_folder(engine) -> Path | None:
    """The folder of a SQLite file: where a full disk stops every save."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent
    return None


@bp.get("/healthz")
def healthz():
    engine = db.engine
    timeout = current_app.config["HEALTH_TIMEOUT"]
    try:
        _checks.submit(_ask_database, engine).result(timeout=timeout)
    except FutureTimeout:
        current_app.logger.error("health check: the database did not answer within %g s", timeout)
        return {"status": "unavailable", "database": "timeout",
                "cause": f"Databasen svarade inte inom {timeout:g} s."}, 503, NO_STORE
    except sa.exc.SQLAlchemyError as error:
        current_app.logger.error("health check: the database does not answer: %s", error.orig or error)
        return {"status": "unavailable", "database": "error",
                "cause": "Databasen går inte att nå."}, 503, NO_STORE
    if (folder := _database_folder(engine)) is not None:
        free_mb = shutil.disk_usage(folder).free / 1024 / 1024
        if free_mb < current_app.config["HEALTH_MIN_FREE_MB"]:
            current_app.logger.error("health check: %.1f MB free where the database is (%s)", free_mb, folder)
            return {"status": "unavailable", "database": "ok", "disk": "full",
                    "cause": f"Disken där databasen ligger har {free_mb:.0f} MB ledigt: nya sparningar kan "
                             "misslyckas."}, 503, NO_STORE
    return {"status": "ok", "database": "ok"}, 200, NO_STORE
