"""The schema comes only from migrations: they reach head on an empty database, and agree with the models."""

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracker.extensions import db


def test_empty_database_is_upgraded_to_head(app):
    # conftest dropped everything and ran `upgrade`; the database is at the single head.
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == heads[0]


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_base_and_back(app):
    flask_migrate.downgrade(revision="base")
    with db.engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        assert "division_status" in sa.inspect(connection).get_table_names()
