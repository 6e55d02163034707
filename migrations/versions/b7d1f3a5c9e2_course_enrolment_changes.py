"""course enrolment changes: purchases and refunds not yet counted into a course's
enrolment_count (catalogue/enrolments.py folds them every ten minutes)

A table of its own, outside those the catalogue's revision triggers watch: a purchase adds a
row and touches no course row, so it empties no kept result page and waits on no other
purchase of the course.

Revision ID: b7d1f3a5c9e2
Revises: a3c5e7f9b1d2
Create Date: 2026-12-06 20:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d1f3a5c9e2"
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_enrolment_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_enrolment_change_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_enrolment_change")),
    )


def downgrade():
    op.drop_table("course_enrolment_change")
