"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from support.checkout_rows import buy, card_holders, card_of
from support.programme_rows import make_user

from marketplace.catalogue import enrolments
from marketplace.catalogue.models import Course
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import LedgerTransaction, Reason
from marketplace.orders import refunds
from marketplace.people.models import Role

BEFORE_LEDGER_KEYS = "506f7374a5db"  # the revision before ledger_transaction.order_id/card_id


def _include_name(name, type_, parent_names):
    return not (type_ == "table" and name and name.startswith("course_search"))


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _include_name}
        )
        assert compare_metadata(context, db.metadata) == []


def test_migrations_downgrade_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"course", "course_search", "provider", "user_account"} <= tables


def test_ledger_foreign_keys_are_filled_from_the_old_strings(app, shop):
    """Books written before the ledger's foreign keys: the upgrade fills order_id and card_id
    from the references and keys, and the books still verify."""
    with app.app_context():
        refunded = buy(shop, shop.other)
        refunds.refund_order(refunded, "Wrong course", shop.now, make_user(role=Role.ADMIN))
        order = buy(shop, shop.self_paced)
        db.session.commit()
        expected = {
            row.id: (row.reason, row.order_id, row.card_id)
            for row in db.session.scalars(sa.select(LedgerTransaction))
        }
        card_id = card_of(shop.buyer).id
        order_id, refunded_id = order.id, refunded.id
        db.session.remove()
        downgrade(revision=BEFORE_LEDGER_KEYS)
        columns = {
            column["name"] for column in db.inspect(db.engine).get_columns("ledger_transaction")
        }
        assert {"order_id", "card_id"}.isdisjoint(columns)
        upgrade()
        filled = {
            row.id: (row.reason, row.order_id, row.card_id)
            for row in db.session.scalars(sa.select(LedgerTransaction))
        }
        assert filled == expected
        about = {(reason, order, card) for reason, order, card in filled.values()}
        assert (Reason.CARD_ISSUED, None, card_id) in about
        assert (Reason.PURCHASE, order_id, None) in about
        assert (Reason.PURCHASE, refunded_id, None) in about
        assert (Reason.REFUND, refunded_id, None) in about
        assert ledger.verify() == []


def test_verify_reads_orders_from_the_foreign_key_not_the_strings(app, shop):
    """A purchase or refund whose order_id is empty is a problem of the books, whatever its
    reference and key say."""
    with app.app_context():
        order = buy(shop, shop.self_paced)
        refunds.refund_order(order, "Wrong course", shop.now, make_user(role=Role.ADMIN))
        assert ledger.verify() == []
        db.session.execute(sa.update(LedgerTransaction).values(order_id=None))
        problems = ledger.verify()
        db.session.rollback()
    assert f"order {order.id}: price {order.price} but no purchase paid" in problems
    assert f"order {order.id}: refunded but no refund in the books" in problems
    for what in ("a purchase without an order", "a refund without an order"):
        assert any(problem.endswith(what) for problem in problems), what


BEFORE_ENROLMENT_CHANGES = "a3c5e7f9b1d2"  # the revision before course_enrolment_change


def test_orders_made_before_counting_began_are_counted_once(app, shop):
    """Upgrading counts the orders made before (not the refunded) into their courses, so a
    refund later takes back what was counted; downgrading takes it all away again, counted or
    still waiting for the fold, so that upgrading once more counts each order once."""
    second, third = card_holders(app, 2, shop.now)
    with app.app_context():
        refunded = buy(shop, shop.other)
        refunds.refund_order(refunded, "Wrong course", shop.now, make_user(role=Role.ADMIN))
        buy(shop, shop.self_paced)
        buy(shop, shop.self_paced, who=second)
        db.session.commit()
        enrolments.fold()  # these counted, one more waiting
        buy(shop, shop.self_paced, who=third)
        db.session.commit()

        def counts() -> dict:
            rows = db.session.execute(
                sa.select(Course.id, Course.enrolment_count).where(
                    Course.id.in_([shop.self_paced, shop.other])
                )
            )
            return dict(rows.all())

        now = counts()
        db.session.remove()
        downgrade(revision=BEFORE_ENROLMENT_CHANGES)
        base = counts()
        # 2 counted, 1 waiting: all 3 taken away; `other` was bought and refunded.
        assert base == {shop.self_paced: now[shop.self_paced] - 2, shop.other: now[shop.other]}
        db.session.remove()
        upgrade()
        assert counts() == {
            shop.self_paced: base[shop.self_paced] + 3,
            shop.other: base[shop.other],
        }
