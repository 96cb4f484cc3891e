"""report questions say whether the förvaltningar are asked for them (asks_divisions)

The reports made before keep the förvaltningar they asked; their pairs and insatser are marked as asking them,
so that a copy for next year asks for those (the strateg adds a text question where wanted).

Revision ID: 5be0c1a2d7e4
Revises: a7c3e91f5b20
Create Date: 2026-12-06 02:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5be0c1a2d7e4'
down_revision = 'a7c3e91f5b20'
branch_labels = None
depends_on = None

report_question = sa.table('report_question', sa.column('kind', sa.String), sa.column('asks_divisions', sa.Boolean))


def upgrade():
    with op.batch_alter_table('report_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asks_divisions', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(report_question.update().where(report_question.c.kind.in_(('pair', 'insatser')))
               .values(asks_divisions=True))


def downgrade():
    with op.batch_alter_table('report_question', schema=None) as batch_op:
        batch_op.drop_column('asks_divisions')
