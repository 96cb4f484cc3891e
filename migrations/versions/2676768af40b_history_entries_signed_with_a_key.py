"""history entries signed with a key (HMAC-SHA256) kept outside the database

The entries written before keep their plain SHA-256 hashes and are verified as before. One entry signed with the
current key (TRACKER_HISTORY_KEYS, or instance/history_key) is linked after them: `tracker history verify` then
knows a chain without any signed entry for one rebuilt without the key. An empty history needs none.
Downgrading drops the key ids: the signed entries no longer verify under the old code.

Revision ID: 2676768af40b
Revises: 4d29cfe378c7
Create Date: 2026-12-06 02:10:00.000000

"""
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op
from flask import current_app

from tracker.history.recorder import entry_hash, key_id
from tracker.types import UTCDateTime, utcnow

# revision identifiers, used by Alembic.
revision = '2676768af40b'
down_revision = '4d29cfe378c7'
branch_labels = None
depends_on = None

# The tables as this revision leaves them (not the models, which later revisions change).
history_entry = sa.table(
    'history_entry', sa.column('created_at', UTCDateTime), sa.column('plan_id'), sa.column('kind'),
    sa.column('verb'), sa.column('object_id'), sa.column('action_id'), sa.column('division_id'),
    sa.column('report_id'), sa.column('user_id'), sa.column('user_name'), sa.column('user_division'),
    sa.column('source'), sa.column('summary'), sa.column('changes', sa.JSON), sa.column('snapshot', sa.JSON),
    sa.column('restores_id'), sa.column('key_id'), sa.column('previous_hash'), sa.column('hash'), sa.column('id'),
)
history_head = sa.table('history_head', sa.column('id'), sa.column('hash'))


def upgrade():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
    _sign_after_the_unkeyed_entries()


def _sign_after_the_unkeyed_entries():
    connection = op.get_bind()
    previous = connection.scalar(sa.select(history_entry.c.hash).order_by(history_entry.c.id.desc()).limit(1))
    if previous is None:
        return
    key = current_app.config["HISTORY_KEYS"][0]
    entry = SimpleNamespace(
        created_at=utcnow(), plan_id=None, kind="chain", verb="keyed", object_id=None, action_id=None,
        division_id=None, report_id=None, user_id=None, user_name="tracker db upgrade", user_division=None,
        source="cli", summary="Historiken signeras från och med här med en nyckel som inte finns i databasen.",
        changes=[], snapshot=None, restores_id=None, key_id=key_id(key), previous_hash=previous,
    )
    entry.hash = entry_hash(entry, previous, key)
    connection.execute(sa.insert(history_entry).values(**vars(entry)))
    if connection.execute(sa.update(history_head).where(history_head.c.id == 1).values(hash=entry.hash)).rowcount == 0:
        connection.execute(sa.insert(history_head).values(id=1, hash=entry.hash))


def downgrade():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.drop_column('key_id')
