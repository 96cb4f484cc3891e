"""`tracker backup` copies a SQLite database while the app writes; `tracker restore` puts a copy into an empty
database, whose history chain holds and whose plan pages are the original's."""

import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.deploy.servers import environment, run
from tests.factories import sign_in
from tracker import create_app
from tracker.extensions import db
from tracker.history.recorder import acting
from tracker.plans.models import DivisionStatus
from tracker.plans.services import set_status
from tracker.users.services import find_user_by_email

TRACKER = str(Path(sys.executable).parent / "tracker")
PLANS = ("tillganglighet-2023", "gonv-2021")

pytestmark = pytest.mark.skipif(bool(os.environ.get("TRACKER_TEST_DATABASE_URL")),
                                reason="the SQLite backup is tested once, in the SQLite run (its own files)")


def _app(path: Path):
    return create_app({"TESTING": True, "SECRET_KEY": "backup-test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})


def _write_statuses(app, stop: threading.Event, written: list[int]) -> None:
    """Status changes, one commit each (each with its history entry), until stopped."""
    with app.app_context(), acting(None, "cli", "Skrivprov"):
        statuses = db.session.scalars(sa.select(DivisionStatus).order_by(DivisionStatus.id)).all()
        while not stop.is_set():
            n = len(written)
            set_status(statuses[n % len(statuses)], None, status=("in_progress", "done")[n % 2],
                       comment=f"Skrivning {n}", name="Skrivprov")
            db.session.commit()
            written.append(n)
        db.session.remove()


def _pages(path: Path) -> list[str]:
    app = _app(path)
    with app.app_context():
        client = app.test_client()
        sign_in(client, find_user_by_email("strateg@demo.local"))
        pages = [client.get(f"/planer/{key}").get_data(as_text=True) for key in PLANS]
        db.session.remove()
        db.engine.dispose()
    return [re.sub(r'csrf_token"?\)?[^>]*value="[^"]+"|"X-CSRFToken": "[^"]+"', "csrf", page) for page in pages]


def test_backup_while_writing_and_restore_into_an_empty_database(tmp_path):
    source = tmp_path / "tracker.db"
    env = environment(TRACKER_DATABASE_URL=f"sqlite:///{source}")
    run([TRACKER, "db", "upgrade"], env, tmp_path)
    run([TRACKER, "demo"], env, tmp_path)

    app = _app(source)
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_statuses, args=(app, stop, written))
    writer.start()
    try:
        while len(written) < 20:
            time.sleep(0.05)
        before = len(written)
        run([TRACKER, "backup", str(tmp_path / "under-skrivning.db")], env, tmp_path)
        during = len(written) - before
    finally:
        stop.set()
        writer.join()
    with app.app_context():
        db.engine.dispose()
    assert during > 0, "the writes went on while the backup was taken"

    # Taken while writing: one moment's copy, its history chain whole.
    target = environment(TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'återställd-under-skrivning.db'}")
    run([TRACKER, "restore", str(tmp_path / "under-skrivning.db")], target, tmp_path)
    assert "Historiken är obruten" in run([TRACKER, "history", "verify"], target, tmp_path).stdout

    # Taken after the writes, restored: the same plan pages as the original, the chain intact.
    run([TRACKER, "backup", str(tmp_path / "efter.db")], env, tmp_path)
    restored = tmp_path / "återställd-efter.db"
    target = environment(TRACKER_DATABASE_URL=f"sqlite:///{restored}")
    run([TRACKER, "restore", str(tmp_path / "efter.db")], target, tmp_path)
    assert "Historiken är obruten" in run([TRACKER, "history", "verify"], target, tmp_path).stdout
    pages = _pages(restored)
    assert pages == _pages(source) and f"Skrivning {len(written) - 1}" in "".join(pages)

    # Nothing is written over: a database with tables is refused.
    refused = run_failing([TRACKER, "restore", str(tmp_path / "efter.db")], target, tmp_path)
    assert "är inte tom" in refused


def run_failing(command, env, cwd) -> str:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    return result.stderr


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    env = environment(TRACKER_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/tracker")
    assert "pg_dump" in run_failing([TRACKER, "backup", str(tmp_path / "kopia.db")], env, tmp_path)


def test_the_database_its_backups_and_a_restored_copy_are_readable_by_their_owner_only(tmp_path):
    """They hold password hashes and ID tokens: 0600 under the usual umask (022), which made them 0644."""
    def tracker(*arguments, env):
        return run(["sh", "-c", 'umask 022 && exec "$@"', "tracker", TRACKER, *arguments], env, tmp_path)

    source = tmp_path / "tracker.db"
    tracker("db", "upgrade", env=environment(TRACKER_DATABASE_URL=f"sqlite:///{source}"))
    tracker("backup", str(tmp_path / "kopia.db"), env=environment(TRACKER_DATABASE_URL=f"sqlite:///{source}"))
    restored = tmp_path / "återställd.db"
    tracker("restore", str(tmp_path / "kopia.db"), env=environment(TRACKER_DATABASE_URL=f"sqlite:///{restored}"))
    files = [source, tmp_path / "kopia.db", restored, *tmp_path.glob("*.db-wal"), *tmp_path.glob("*.db-shm")]
    assert {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in files} == {
        path.name: oct(0o600) for path in files}
