"""a notification keeps its mail's Message-ID, the same on every attempt

Revision ID: 6b1e0c7a52d4
Revises: 2676768af40b
Create Date: 2026-12-06 02:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b1e0c7a52d4'
down_revision = '2676768af40b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('message_id')
