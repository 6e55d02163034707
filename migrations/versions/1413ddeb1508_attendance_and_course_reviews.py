"""attendance (a session day per order, as the provider marked it) and course_review (one per completed order)

Revision ID: 1413ddeb1508
Revises: b7e3d5a1c2f4
Create Date: 2026-12-05 22:02:47.597918

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1413ddeb1508'
down_revision = 'b7e3d5a1c2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user_account.id'], name=op.f('fk_attendance_marked_by_id_user_account')),
    sa.ForeignKeyConstraint(['order_id'], ['course_order.id'], name=op.f('fk_attendance_order_id_course_order')),
    sa.ForeignKeyConstraint(['session_id'], ['course_session.id'], name=op.f('fk_attendance_session_id_course_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('order_id', 'day', name='uq_attendance_order_day')
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('course_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=300), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('stars >= 1 AND stars <= 5', name=op.f('ck_course_review_stars_range')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_review_course_id_course')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user_account.id'], name=op.f('fk_course_review_hidden_by_id_user_account')),
    sa.ForeignKeyConstraint(['order_id'], ['course_order.id'], name=op.f('fk_course_review_order_id_course_order')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_course_review_participant_id_participant')),
    sa.ForeignKeyConstraint(['replied_by_id'], ['user_account.id'], name=op.f('fk_course_review_replied_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_review')),
    sa.UniqueConstraint('order_id', name=op.f('uq_course_review_order_id'))
    )
    with op.batch_alter_table('course_review', schema=None) as batch_op:
        batch_op.create_index('ix_course_review_course_shown', ['course_id', 'hidden_at', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_review_participant_id'), ['participant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('course_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_review_participant_id'))
        batch_op.drop_index('ix_course_review_course_shown')

    op.drop_table('course_review')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))

    op.drop_table('attendance')
