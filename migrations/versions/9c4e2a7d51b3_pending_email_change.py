"""user_account: a pending change of email address (pending_email, pending_email_at)

A verified account that asks for a new address keeps its own until the link mailed to the
new one is followed (people/email_change.py). Two nullable columns, added in place on both
engines (SQLite adds a nullable column without copying the table).

Revision ID: 9c4e2a7d51b3
Revises: 375ee783d2e4
Create Date: 2026-12-01 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "9c4e2a7d51b3"
down_revision = "375ee783d2e4"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_account", sa.Column("pending_email", sa.String(254), nullable=True))
    op.add_column("user_account", sa.Column("pending_email_at", sa.DateTime(), nullable=True))


def downgrade():
    # SQLite (3.35 and later) drops a column in place, without copying the table.
    op.drop_column("user_account", "pending_email_at")
    op.drop_column("user_account", "pending_email")
