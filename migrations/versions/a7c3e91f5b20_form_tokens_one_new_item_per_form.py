"""form tokens: one new item per form

A new åtgärd's, framgångsfaktor's or insatsområde's form carries a one-time token; the post that creates the item
claims it here (the primary key), so that the same form posted again (a double click on Spara) is answered with
that item instead of creating a second one. A new table: nothing existing changes.

Revision ID: a7c3e91f5b20
Revises: 075e2b30061b
Create Date: 2026-12-06 02:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91f5b20'
down_revision = '075e2b30061b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_token',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_token'))
    )


def downgrade():
    op.drop_table('form_token')
