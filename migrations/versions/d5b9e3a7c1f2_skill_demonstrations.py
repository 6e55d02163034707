"""skill demonstrations: the demonstration table and course.needs_demonstration

Revision ID: d5b9e3a7c1f2
Revises: c4a8e2f61d37
Create Date: 2026-12-09 12:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "d5b9e3a7c1f2"
down_revision = "c4a8e2f61d37"
branch_labels = None
depends_on = None


def upgrade():
    # In place on both engines: a batch copy of the course table would drop a table that
    # modules, sessions and orders point at.
    op.add_column(
        "course",
        sa.Column("needs_demonstration", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "demonstration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("file_key", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "passed",
                "returned",
                name="demonstrationstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["course_order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_key"),
    )
    op.create_index("ix_demonstration_order_id", "demonstration", ["order_id"], unique=False)


def downgrade():
    op.drop_index("ix_demonstration_order_id", table_name="demonstration")
    op.drop_table("demonstration")
    op.drop_column("course", "needs_demonstration")
