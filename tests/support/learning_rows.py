"""Rows for learning tests: completed orders, and reviews of them.

Nothing in the application completes an order yet (completion is built later in issue 12),
so tests mark an order completed here, directly, as the completion service will.

    from support.learning_rows import complete, completed_orders
"""

from datetime import datetime

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from support.checkout_rows import buy, card_holders


def complete(order_id: int, at: datetime) -> None:
    """Mark an order completed at `at` (in the caller's app context; flushes)."""
    db.session.execute(
        sa.update(Order)
        .where(Order.id == order_id)
        .values(status=OrderStatus.COMPLETED, completed_at=at)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def completed_orders(app, shop, course_id: int, count: int) -> list[tuple[int, int]]:
    """`count` new participants, each with a card, who bought `course_id` and completed it;
    their (participant id, order id), committed."""
    people = card_holders(app, count, shop.now)
    made = []
    with app.app_context():
        for person in people:
            order = buy(shop, course_id, who=person)
            made.append((person, order.id))
            complete(order.id, shop.now)
        db.session.commit()
    return made
