"""A session's seats taken are its orders: the rule, and the check that the data keeps it.

`CourseSession.seats_taken` is a count kept beside the orders so that a purchase can take a
seat by ONE conditional UPDATE. Three operations change it, and nothing else may:

- a purchase takes one (`checkout._take_seat`, in the purchase's SAVEPOINT);
- the office's refund of an order gives its seat back while the session has not started
  (`refunds.refund_order`); refunded after the start, the seat stays taken: it was used;
- cancelling a session refunds every order on it and keeps the count as it was
  (`refunds.cancel_session`): the roster still lists who had booked.

So an order holds its seat unless it was refunded before its session started, and:

- a scheduled session's seats taken equal the orders holding a seat;
- a cancelled session's seats taken are at most the orders on its roster (the office may have
  refunded some before the cancellation, and those gave their seats back).

`seat_disagreements` lists every session that breaks this: the demo seed makes its seats
only through orders (demo/journeys.py), and a test runs the check over it.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.catalogue.models import CourseSession, SessionStatus
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus


@dataclass(frozen=True)
class SeatDisagreement:
    """A session whose seats taken its orders don't account for."""

    session_id: int
    status: SessionStatus
    seats_taken: int
    held: int  # orders holding a seat: not refunded, or refunded after the start
    booked: int  # every order on the session, refunded or not

    def describe(self) -> str:
        return (
            f"session {self.session_id} ({self.status.value}): {self.seats_taken} seats taken, "
            f"{self.held} held by orders, {self.booked} orders in all"
        )


def holds_a_seat():
    """The SQL condition on Order (joined to its CourseSession) "this order holds its seat"."""
    return sa.or_(
        Order.status != OrderStatus.REFUNDED, Order.refunded_at >= CourseSession.starts_at
    )


def seat_disagreements(session_ids=None) -> list[SeatDisagreement]:
    """Every session (of `session_ids` only, when given) whose seats taken break the rule of
    the module docstring, by id; empty when the seats and the orders agree. One query."""
    held = sa.func.coalesce(sa.func.sum(sa.case((holds_a_seat(), 1), else_=0)), 0)
    booked = sa.func.count(Order.id)
    scheduled = CourseSession.status == SessionStatus.SCHEDULED
    query = (
        sa.select(
            CourseSession.id,
            CourseSession.status,
            CourseSession.seats_taken,
            held.label("held"),
            booked.label("booked"),
        )
        .outerjoin(Order, Order.session_id == CourseSession.id)
        .group_by(CourseSession.id, CourseSession.status, CourseSession.seats_taken)
        .having(
            sa.or_(
                sa.and_(scheduled, CourseSession.seats_taken != held),
                sa.and_(~scheduled, CourseSession.seats_taken > booked),
            )
        )
        .order_by(CourseSession.id)
    )
    if session_ids is not None:
        query = query.where(CourseSession.id.in_(list(session_ids)))
    return [
        SeatDisagreement(row.id, row.status, row.seats_taken, int(row.held), int(row.booked))
        for row in db.session.execute(query)
    ]
