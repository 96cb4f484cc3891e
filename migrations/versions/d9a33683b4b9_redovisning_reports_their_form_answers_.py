"""Redovisning: reports, their form, answers, contributions, bundles and sendings; history entries of a report

Revision ID: d9a33683b4b9
Revises: 9d92532470ad
Create Date: 2026-12-05 10:14:20.864825

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9a33683b4b9'
down_revision = '9d92532470ad'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('region', sa.String(length=120), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('registry_number', sa.String(length=40), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('plan_version', sa.Integer(), nullable=True),
    sa.Column('guidance', sa.Text(), nullable=True),
    sa.Column('cover_letter', sa.JSON(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'review', 'approved', 'sent', 'completion', name='reportstate', native_enum=False, length=20), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_report_agreement_id_agreement')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_report_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_report_plan_id_plan'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('key', name=op.f('uq_report_key'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_plan_id'), ['plan_id'], unique=False)

    op.create_table('report_bundle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('export_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_report_bundle_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['export_id'], ['export.id'], name=op.f('fk_report_bundle_export_id_export'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_bundle_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_bundle')),
    sa.UniqueConstraint('file_name', name=op.f('uq_report_bundle_file_name'))
    )
    with op.batch_alter_table('report_bundle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_bundle_report_id'), ['report_id'], unique=False)

    op.create_table('report_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('intro', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['report_section.id'], name=op.f('fk_report_section_parent_id_report_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_section_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_section'))
    )
    with op.batch_alter_table('report_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_section_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_section_report_id'), ['report_id'], unique=False)

    op.create_table('report_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('text', 'pair', 'yes_no', 'contacts', 'insatser', name='questionkind', native_enum=False, length=20), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('prompt_second', sa.Text(), nullable=True),
    sa.Column('help', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answer_second', sa.Text(), nullable=True),
    sa.Column('answer_yes', sa.Boolean(), nullable=True),
    sa.Column('reopened', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['report_section.id'], name=op.f('fk_report_question_section_id_report_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_report_question_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_question'))
    )
    with op.batch_alter_table('report_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_question_section_id'), ['section_id'], unique=False)

    op.create_table('report_sending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_by_name', sa.String(length=120), nullable=False),
    sa.Column('reopened', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['bundle_id'], ['report_bundle.id'], name=op.f('fk_report_sending_bundle_id_report_bundle')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_sending_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_report_sending_sent_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_sending')),
    sa.UniqueConstraint('report_id', 'number', name=op.f('uq_report_sending_report_id'))
    )
    with op.batch_alter_table('report_sending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_sending_report_id'), ['report_id'], unique=False)

    op.create_table('report_contact_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['report_question.id'], name=op.f('fk_report_contact_row_question_id_report_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_contact_row'))
    )
    with op.batch_alter_table('report_contact_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_contact_row_question_id'), ['question_id'], unique=False)

    op.create_table('report_contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['division_id'], ['division.id'], name=op.f('fk_report_contribution_division_id_division')),
    sa.ForeignKeyConstraint(['question_id'], ['report_question.id'], name=op.f('fk_report_contribution_question_id_report_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_report_contribution_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_contribution')),
    sa.UniqueConstraint('question_id', 'division_id', name=op.f('uq_report_contribution_question_id'))
    )
    with op.batch_alter_table('report_contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_contribution_division_id'), ['division_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_contribution_question_id'), ['question_id'], unique=False)

    op.create_table('report_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answer_second', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['report_question.id'], name=op.f('fk_report_item_question_id_report_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_item'))
    )
    with op.batch_alter_table('report_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_item_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_history_entry_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('history_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_entry_report_id'))
        batch_op.drop_column('report_id')

    with op.batch_alter_table('report_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_item_question_id'))

    op.drop_table('report_item')
    with op.batch_alter_table('report_contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_contribution_question_id'))
        batch_op.drop_index(batch_op.f('ix_report_contribution_division_id'))

    op.drop_table('report_contribution')
    with op.batch_alter_table('report_contact_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_contact_row_question_id'))

    op.drop_table('report_contact_row')
    with op.batch_alter_table('report_sending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_sending_report_id'))

    op.drop_table('report_sending')
    with op.batch_alter_table('report_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_question_section_id'))

    op.drop_table('report_question')
    with op.batch_alter_table('report_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_section_report_id'))
        batch_op.drop_index(batch_op.f('ix_report_section_parent_id'))

    op.drop_table('report_section')
    with op.batch_alter_table('report_bundle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_bundle_report_id'))

    op.drop_table('report_bundle')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_plan_id'))

    op.drop_table('report')
