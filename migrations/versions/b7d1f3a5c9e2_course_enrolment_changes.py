"""course enrolment changes: purchases and refunds not yet counted into a course's
enrolment_count (catalogue/enrolments.py folds them every ten minutes)

A table of its own, outside those the catalogue's revision triggers watch: a purchase adds a
row and touches no course row (a self-paced course's purchase then empties no kept result
page), and waits on no other purchase of the course.

The orders made before, not refunded, are counted into their courses here, so that a refund
of one later takes back what was counted; an upgraded database then agrees with a fresh one.
Purchases served by workers still running the old code during a rolling deploy are not
counted.

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


# Orders counted in a course: all but the refunded ones.
ORDERS = (
    "(SELECT count(*) FROM course_order o WHERE o.course_id = course.id AND o.status <> 'refunded')"
)
PENDING = (
    "(SELECT coalesce(sum(e.change), 0) FROM course_enrolment_change e "
    "WHERE e.course_id = course.id)"
)


def _fire_revision_triggers_now() -> None:
    """On PostgreSQL the catalogue's revision triggers fire at commit (deferred); a course row
    changed here would leave them pending, and a later migration of the same run could not
    build an index on `course` ("pending trigger events"). They fire now instead."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")


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
    op.execute(f"UPDATE course SET enrolment_count = enrolment_count + {ORDERS}")
    _fire_revision_triggers_now()


def downgrade():
    # The exact inverse: what the orders added, counted or not yet, is taken away again
    # (never below zero), so that upgrading again counts each order once.
    counted = f"enrolment_count - ({ORDERS} - {PENDING})"
    op.execute(
        f"UPDATE course SET enrolment_count = CASE WHEN {counted} < 0 THEN 0 ELSE {counted} END"
    )
    _fire_revision_triggers_now()
    op.drop_table("course_enrolment_change")
