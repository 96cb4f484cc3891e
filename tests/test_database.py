"""The database as the tests and the app use it."""

from tracker.extensions import db


def test_foreign_keys_are_enforced_in_the_tests(app):
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_lets_pages_be_read_while_someone_saves(app, tmp_path):
    """Write-ahead logging: a reader is not blocked by an open write transaction."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.begin() as setup:
            assert setup.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            setup.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            setup.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as writer, engine.connect() as reader:
            writer.exec_driver_sql("BEGIN IMMEDIATE")
            writer.exec_driver_sql("UPDATE t SET x = 2")
            writer.exec_driver_sql("INSERT INTO t SELECT x FROM t")  # pages written, not yet committed
            assert reader.exec_driver_sql("SELECT x FROM t").scalars().all() == [1]
            writer.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()
