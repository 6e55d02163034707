"""ledger transactions point at their order and card: order_id, card_id

A purchase or a refund names its order, a card's issue or expiry its card, by a foreign key,
so `ledger.verify` and the statements join on ids instead of reading ids back out of the
`reference` and `idempotency_key` strings. The columns are filled from those strings once,
here: a purchase's key is ``purchase:<course_order.purchase_key>``, a refund's reference
``order:<order id>``, a card's issue or expiry ``card:<card id>``. A string of another shape,
or one naming a row that does not exist, leaves the column empty (`ledger.verify` reports it).

Revision ID: 375ee783d2e4
Revises: 506f7374a5db
Create Date: 2026-11-24 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "375ee783d2e4"
down_revision = "506f7374a5db"
branch_labels = None
depends_on = None

CHUNK = 1000


# (column, the table it points at, its foreign key's name)
KEYS = (
    ("order_id", "course_order", "fk_ledger_transaction_order_id_course_order"),
    ("card_id", "card", "fk_ledger_transaction_card_id_card"),
)


def upgrade():
    # Not batch_alter_table on SQLite: it copies the table, and dropping the old copy fails
    # ("FOREIGN KEY constraint failed") once ledger_entry rows point at it, since the
    # migration runs in a transaction with foreign keys enforced. SQLite adds a nullable
    # column with a named REFERENCES clause in place instead.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, table, foreign_key in KEYS:
        if sqlite:
            op.execute(
                f"ALTER TABLE ledger_transaction ADD COLUMN {column} INTEGER"
                f" CONSTRAINT {foreign_key} REFERENCES {table} (id)"
            )
        else:
            op.add_column("ledger_transaction", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(foreign_key, "ledger_transaction", table, [column], ["id"])
        op.create_index(f"ix_ledger_transaction_{column}", "ledger_transaction", [column])

    connection = op.get_bind()
    # Purchases: the key holds the order's unique one-time key (an indexed lookup per row).
    connection.execute(
        sa.text(
            "UPDATE ledger_transaction SET order_id = ("
            " SELECT course_order.id FROM course_order"
            " WHERE course_order.purchase_key = substr(ledger_transaction.idempotency_key, 10))"
            " WHERE reason = 'purchase' AND idempotency_key LIKE 'purchase:%'"
        )
    )
    # Refunds and cards: the id is read here, in Python, so no reference of another shape is
    # ever cast in SQL (PostgreSQL would refuse it); a missing row leaves NULL.
    _fill_from_reference(connection, "order_id", "course_order", ("refund",), "order:")
    _fill_from_reference(connection, "card_id", "card", ("card_issued", "card_expired"), "card:")


def _fill_from_reference(connection, column, table, reasons, prefix):
    """Set `column` to the id written after `prefix` in the reference, where that row exists."""
    rows = connection.execute(
        sa.text(
            "SELECT id, reference FROM ledger_transaction WHERE reason IN :reasons"
        ).bindparams(sa.bindparam("reasons", expanding=True)),
        {"reasons": list(reasons)},
    ).all()
    found = []
    for transaction_id, reference in rows:
        digits = reference[len(prefix) :] if reference.startswith(prefix) else ""
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            found.append({"transaction_id": transaction_id, "target": int(digits)})
    update = sa.text(
        f"UPDATE ledger_transaction SET {column} = ({SELECT_EXISTING[table]})"  # noqa: S608
        " WHERE id = :transaction_id"
    )
    for start in range(0, len(found), CHUNK):
        connection.execute(update, found[start : start + CHUNK])


# The id, if such a row exists (NULL otherwise, so the foreign key always holds).
SELECT_EXISTING = {
    "course_order": "SELECT id FROM course_order WHERE id = :target",
    "card": "SELECT id FROM card WHERE id = :target",
}


def downgrade():
    # SQLite (3.35 and later) drops a column with its REFERENCES clause in place.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, _table, foreign_key in reversed(KEYS):
        op.drop_index(f"ix_ledger_transaction_{column}", table_name="ledger_transaction")
        if not sqlite:
            op.drop_constraint(foreign_key, "ledger_transaction", type_="foreignkey")
        op.drop_column("ledger_transaction", column)
