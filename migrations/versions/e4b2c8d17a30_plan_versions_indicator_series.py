"""plans and their contacts versioned; an indicator continues last year's

A plan's own row and its contacts get a version (optimistic locking of the plan's facts, archiving and the
contacts' page, as other versioned rows); an indicator may name the indicator of last year's plan it continues, so that its series spans the years.

Revision ID: e4b2c8d17a30
Revises: c4e8d2a6b9f1
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e4b2c8d17a30'
down_revision = 'c4e8d2a6b9f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('plan_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('continues_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_indicator_continues_id'), ['continues_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_indicator_continues_id_indicator'), 'indicator',
                                    ['continues_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_continues_id_indicator'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicator_continues_id'))
        batch_op.drop_column('continues_id')

    with op.batch_alter_table('plan_contact', schema=None) as batch_op:
        batch_op.drop_column('version_id')

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('version_id')
