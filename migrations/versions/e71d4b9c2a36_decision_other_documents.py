"""a decision's beslutsunderlag: the documents it names that the app does not hold

The sources' paragraphs list documents under Beslutsunderlag that are no plan version, report or bundle of the
app ("Beslutsförslag - …", "Meddelande från styrelsen 11/2019 …"): one per line, beside the documents the
decision links.

Revision ID: e71d4b9c2a36
Revises: e4b2c8d17a30
Create Date: 2026-12-06 05:12:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e71d4b9c2a36'
down_revision = 'e4b2c8d17a30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('committee_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('other_documents', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('committee_decision', schema=None) as batch_op:
        batch_op.drop_column('other_documents')
