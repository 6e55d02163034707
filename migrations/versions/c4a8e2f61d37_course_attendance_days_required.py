"""course.attendance_days_required: the days of a session a participant must attend

A nullable column (None: every day of the session), added in place on both engines; read by
learning/attendance.py's `attended_enough`.

Revision ID: c4a8e2f61d37
Revises: 1413ddeb1508
Create Date: 2026-12-09 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "c4a8e2f61d37"
down_revision = "1413ddeb1508"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("course", sa.Column("attendance_days_required", sa.Integer(), nullable=True))


def downgrade():
    # In place on both engines (SQLite 3.35 and later): a batch copy of the table would drop
    # a table that modules, sessions and orders point at.
    op.drop_column("course", "attendance_days_required")
