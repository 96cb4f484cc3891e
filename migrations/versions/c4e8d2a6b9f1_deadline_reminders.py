"""deadline reminders: which strateg was reminded of which villkor's deadline, once per deadline

Revision ID: c4e8d2a6b9f1
Revises: a9904f977e30
Create Date: 2026-12-06 05:05:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e8d2a6b9f1'
down_revision = 'a9904f977e30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deadline_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('condition_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('gave_up_at', sa.DateTime(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['condition_id'], ['agreement_condition.id'], name=op.f('fk_deadline_reminder_condition_id_agreement_condition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_deadline_reminder_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_reminder')),
    sa.UniqueConstraint('condition_id', 'user_id', 'deadline', name=op.f('uq_deadline_reminder_condition_id'))
    )
    with op.batch_alter_table('deadline_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_reminder_condition_id'), ['condition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_reminder_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('deadline_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_reminder_user_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_reminder_condition_id'))
    op.drop_table('deadline_reminder')
