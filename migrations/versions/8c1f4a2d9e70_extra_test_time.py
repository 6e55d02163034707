"""extra time on the online test, granted by the programme office (extra_test_time)

Revision ID: 8c1f4a2d9e70
Revises: 9c4e2a7d51b3
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "8c1f4a2d9e70"
down_revision = "9c4e2a7d51b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "extra_test_time",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("extra_minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "extra_minutes >= 0", name=op.f("ck_extra_test_time_extra_minutes_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["user_account.id"],
            name=op.f("fk_extra_test_time_granted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_extra_test_time_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_extra_test_time")),
    )


def downgrade():
    op.drop_table("extra_test_time")
