"""users linked to the single sign-on provider by issuer and subject

Single sign-on chose the user by the token's e-mail address; a user now keeps who the provider says they are
(Entra ID's tenant and object id, else the issuer and subject), stored at the first sign-on and matched ever
after. One provider identity links to one user at most (NULLs, the unlinked users, are distinct on both
databases). Existing users start unlinked: each is linked at their next sign-on, by a verified address.

Revision ID: 075e2b30061b
Revises: 6b1e0c7a52d4
Create Date: 2026-12-06 01:50:58.549052

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '075e2b30061b'
down_revision = '6b1e0c7a52d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_linked_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_sso_issuer'), ['sso_issuer', 'sso_subject'])


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_sso_issuer'), type_='unique')
        batch_op.drop_column('sso_linked_at')
        batch_op.drop_column('sso_subject')
        batch_op.drop_column('sso_issuer')
