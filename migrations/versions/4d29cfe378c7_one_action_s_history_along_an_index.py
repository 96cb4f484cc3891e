"""one åtgärd's history read along an index of (action_id, id)

Page 20 of one åtgärd's history at 1,000,000 entries sorted all of its entries (88 ms on PostgreSQL); along
(action_id, id) it reads the page's rows only (1.3 ms). The composite index serves every lookup by action_id, so
the single-column one goes. Index operations only: SQLite's batch mode does not copy the table for them. On
PostgreSQL the build blocks writes to history_entry while it runs (under a second at 1,000,000 entries here; the
region's history holds thousands): run the upgrade outside a follow-up round's last days.

Revision ID: 4d29cfe378c7
Revises: 3311d7349388
Create Date: 2026-12-05 13:51:43.033359

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4d29cfe378c7'
down_revision = '3311d7349388'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.create_index('ix_history_entry_action_id_id', ['action_id', 'id'], unique=False)
        batch_op.drop_index('ix_history_entry_action_id')


def downgrade():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.create_index('ix_history_entry_action_id', ['action_id'], unique=False)
        batch_op.drop_index('ix_history_entry_action_id_id')
