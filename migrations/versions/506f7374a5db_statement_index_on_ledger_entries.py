"""statement index on ledger entries: (account_id, id) replaces (account_id)

An account's statement reads its entries newest first, a page at a time; with this index
PostgreSQL reads one page of one account's entries instead of sorting all of them.

Revision ID: 506f7374a5db
Revises: 73d01f93f0a5
Create Date: 2026-11-23 00:27:16.609390

"""

from alembic import op

revision = "506f7374a5db"
down_revision = "73d01f93f0a5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ledger_entry_account_id_id", "ledger_entry", ["account_id", "id"])
    op.drop_index("ix_ledger_entry_account_id", table_name="ledger_entry")


def downgrade():
    op.create_index("ix_ledger_entry_account_id", "ledger_entry", ["account_id"])
    op.drop_index("ix_ledger_entry_account_id_id", table_name="ledger_entry")
