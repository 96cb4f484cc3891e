"""Backup and restore of a SQLite database with SQLite's online backup API (PostgreSQL: pg_dump/pg_restore,
see the README).

The backup reads the database in one read transaction: a consistent copy of one moment, taken while the app
goes on writing (in write-ahead-log mode writers do not wait for a reader). It is written beside the target and
renamed into place when whole, as a single file (rollback journal, not WAL), and checked; readable by its owner
only, as the database is."""

import errno
import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from tracker.files import create_private


class BackupError(Exception):
    """The database cannot be backed up or restored this way; the message says what to do instead. `exit_code`
    is the command line's: 2 for a wrong call, 1 when the disk or the database failed."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def sqlite_file(database_url: str) -> Path:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"Databasen är {url.get_backend_name()}, inte SQLite: använd pg_dump och pg_restore "
                          "(README, ”Säkerhetskopior”).")
    if not url.database or url.database == ":memory:":
        raise BackupError("En databas i minnet kan inte säkerhetskopieras.")
    return Path(url.database)


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy `source` into a new file at target_path (via a .partial file), checked and in rollback-journal mode."""
    partial = target_path.with_name(target_path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        create_private(partial)  # the copy holds password hashes and ID tokens; SQLite gives its journal the same mode
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # all pages in one step: one read transaction, one moment
            target.execute("PRAGMA journal_mode=DELETE")
            if (check := target.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
                raise BackupError(f"Kopian är inte hel: {check}", exit_code=1)
        finally:
            target.close()
        os.replace(partial, target_path)
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)  # no half copy is left behind, nor one that could be taken for whole
        full = "full" in str(error) or getattr(error, "errno", None) == errno.ENOSPC
        raise BackupError(f"Kopian kunde inte skrivas till {target_path}: "
                          + ("disken är full." if full else f"{error}.") + " Ingen kopia har sparats.",
                          exit_code=1) from error
    except BackupError:
        partial.unlink(missing_ok=True)
        raise


def backup(database_url: str, target_path: Path) -> int:
    """A consistent copy of the app's SQLite database at target_path; returns its size in bytes."""
    path = sqlite_file(database_url)
    if not path.is_file():
        raise BackupError(f"Databasen {path} finns inte.")
    source = sqlite3.connect(path, timeout=30)
    try:
        _copy(source, target_path)
    finally:
        source.close()
    return target_path.stat().st_size


def restore(backup_path: Path, database_url: str) -> None:
    """The backup as the app's SQLite database, which must be empty (or not exist): nothing is written over."""
    path = sqlite_file(database_url)
    if path.exists():
        with sqlite3.connect(path) as existing:
            tables = existing.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        existing.close()
        if tables:
            raise BackupError(f"Databasen {path} är inte tom: återställ till en ny fil (TRACKER_DATABASE_URL).")
        path.unlink()
    source = sqlite3.connect(f"{backup_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup_path} är ingen hel SQLite-databas.")
        path.parent.mkdir(parents=True, exist_ok=True)
        _copy(source, path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup_path} är ingen SQLite-databas ({error}).") from error
    finally:
        source.close()
