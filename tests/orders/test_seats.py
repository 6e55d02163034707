"""A session's seats taken are its orders: every operation that moves a seat keeps the rule,
and `seats.seat_disagreements` finds a session that breaks it (orders/seats.py)."""

from datetime import timedelta

import sqlalchemy as sa
from support.checkout_rows import buy, card_holders, card_of, session_row
from support.programme_rows import make_user

from marketplace.catalogue.models import CourseSession, SessionStatus
from marketplace.extensions import db
from marketplace.orders import refunds, seats
from marketplace.people.models import Role


def _add_seats(session_id: int, count: int) -> None:
    """A seat written without an order: what the demo seed used to do."""
    db.session.execute(
        sa.update(CourseSession)
        .where(CourseSession.id == session_id)
        .values(seats_taken=CourseSession.seats_taken + count)
    )
    db.session.expire_all()


def _office():
    return make_user(role=Role.ADMIN)


def test_a_purchase_takes_a_seat_and_a_refund_before_the_start_gives_it_back(shop, ctx):
    session_id = shop.webinar_session
    assert seats.seat_disagreements([session_id]) == []
    order = buy(shop, shop.webinar, session_id)
    assert session_row(session_id).seats_taken == 1
    assert seats.seat_disagreements([session_id]) == []

    refunds.refund_order(order, "Paid by mistake", shop.now, _office())
    assert session_row(session_id).seats_taken == 0
    assert seats.seat_disagreements([session_id]) == []


def test_a_refund_after_the_start_keeps_the_seat_that_was_used(shop, ctx):
    session_id = shop.webinar_session
    order = buy(shop, shop.webinar, session_id)
    after_start = session_row(session_id).starts_at + timedelta(hours=1)
    refunds.refund_order(order, "The participant complained", after_start, _office())
    assert session_row(session_id).seats_taken == 1  # the refunded order held it
    assert seats.seat_disagreements([session_id]) == []


def test_a_cancelled_session_keeps_the_seats_of_its_refunded_roster(app, shop):
    others = card_holders(app, 2, shop.now)
    with app.app_context():
        card_of(shop.buyer).scheme.one_unfinished_course = False
        early = buy(shop, shop.webinar, shop.webinar_session)
        for who in others:
            buy(shop, shop.webinar, shop.webinar_session, who=who)
        # The office refunds one order first: its seat is free again before the cancellation.
        refunds.refund_order(early, "Paid twice", shop.now, _office())
        desk = make_user(role=Role.PROVIDER)
        desk.provider_id = shop.provider_id
        refunds.cancel_session(session_row(shop.webinar_session), "Ill", shop.now, desk)
        db.session.commit()

        cancelled = session_row(shop.webinar_session)
        assert cancelled.status is SessionStatus.CANCELLED
        assert cancelled.seats_taken == 2  # three on the roster, two at the cancellation
        assert seats.seat_disagreements([cancelled.id]) == []


def test_a_seat_without_an_order_is_found(shop, ctx):
    session_id = shop.webinar_session
    buy(shop, shop.webinar, session_id)
    _add_seats(session_id, 20)  # "21 of 30 seats taken" with one person on the roster

    (found,) = seats.seat_disagreements([session_id])
    assert (found.session_id, found.seats_taken, found.held, found.booked) == (session_id, 21, 1, 1)
    assert found.status is SessionStatus.SCHEDULED
    assert "21 seats taken, 1 held by orders" in found.describe()


def test_a_cancelled_session_with_more_seats_than_its_roster_is_found(shop, ctx):
    session_id = shop.webinar_session
    buy(shop, shop.webinar, session_id)
    desk = make_user(role=Role.PROVIDER)
    desk.provider_id = shop.provider_id
    refunds.cancel_session(session_row(session_id), "Ill", shop.now, desk)
    assert seats.seat_disagreements([session_id]) == []
    _add_seats(session_id, 1)
    (found,) = seats.seat_disagreements([session_id])
    assert (found.seats_taken, found.held, found.booked) == (2, 0, 1)


def test_the_check_reads_every_session_when_none_is_named(shop, ctx):
    _add_seats(shop.offline_session, 2)
    found = {row.session_id for row in seats.seat_disagreements()}
    assert shop.offline_session in found
    assert shop.webinar_session not in found
