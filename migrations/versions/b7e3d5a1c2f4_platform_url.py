"""platform.url: where participants open a digital platform (the order page links to it)

A nullable column, added in place on both engines; a platform without one is named on the
order page and in the mail without a link.

Revision ID: b7e3d5a1c2f4
Revises: 8c1f4a2d9e70
Create Date: 2026-12-08 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "b7e3d5a1c2f4"
down_revision = "8c1f4a2d9e70"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("platform", sa.Column("url", sa.String(length=200), nullable=True))


def downgrade():
    # In place on both engines (SQLite 3.35 and later): a batch copy of the table would drop
    # a table that providers and courses point at.
    op.drop_column("platform", "url")
