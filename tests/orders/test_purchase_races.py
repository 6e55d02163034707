"""Purchases racing on one card: the balance read under the card's lock must be the newest.

On PostgreSQL a purchase waits for the card's row lock; what it reads after the wait must
include what the purchase before it spent, or the rule check passes on an old balance and a
card spent to Rp0 stays "in use". Each test runs several rounds, each on a new 2023 card
(Rp3.500.000), because one round of threads may happen to run one after the other.
"""

import sqlalchemy as sa
from support.checkout_rows import begin, buy, card_holders, card_of, participant, race
from support.programme_rows import make_user

from marketplace.catalogue.models import CourseSession, Method, SessionStatus
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import CardStatus
from marketplace.orders import checkout, refunds
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Role, User

BALANCE = 3_500_000  # the 2023 scheme's training balance
ROUNDS = 6
# The rule check's refusals (not the ledger's "The balance is not enough: …").
RULE_REFUSALS = ("Your balance of", "Your Kartu Prakerja's training balance has been spent.")


def _confirm_work(participant_id, key, code, now):
    """A confirm for `race`: the order's id, or the DomainError it raised."""

    def work():
        return checkout.confirm(participant(participant_id), key, code, now).id

    return work


def _race_round(app, shop, holder: int, course_ids: list[int]) -> list:
    """Begin one purchase per course for `holder`, then confirm them all at once."""
    with app.app_context():
        started = []
        for course_id in course_ids:
            row, code = begin(shop, course_id, who=holder)
            started.append((row.purchase_key, code))
        db.session.commit()
    return race(app, [_confirm_work(holder, key, code, shop.now) for key, code in started])


def _refusals(outcomes: list) -> list[str]:
    """The messages of the refused confirms; fails on anything but an order or a refusal."""
    assert [o for o in outcomes if not isinstance(o, int | DomainError)] == []
    return [o.message for o in outcomes if isinstance(o, DomainError)]


def test_confirms_racing_to_spend_a_card_to_rp0_leave_it_exhausted(app, shop):
    prices = [1_000_000, 1_000_000, 1_000_000, 500_000]  # exactly the balance
    course_ids = [shop.course(price=price).id for price in prices]
    holders = card_holders(app, ROUNDS, shop.now, scheme="2023")

    for holder in holders:
        outcomes = _race_round(app, shop, holder, course_ids)
        assert _refusals(outcomes) == []
        assert len(outcomes) == len(prices)

    with app.app_context():
        for holder in holders:
            card = card_of(holder)
            assert (card.balance, card.status) == (0, CardStatus.EXHAUSTED), holder
        orders = db.session.scalar(sa.select(sa.func.count(Order.id)))
        assert orders == ROUNDS * len(prices)
        assert ledger.verify() == []


def test_confirms_racing_past_the_balance_are_refused_by_the_rule_check(app, shop):
    prices = [1_000_000, 1_000_000, 1_000_000, 1_000_000, 500_000]  # Rp1.000.000 too much
    course_ids = [shop.course(price=price).id for price in prices]
    holders = card_holders(app, ROUNDS, shop.now, scheme="2023")

    for holder in holders:
        outcomes = _race_round(app, shop, holder, course_ids)
        refusals = _refusals(outcomes)
        assert refusals, outcomes
        # Refused under the card's lock on the newest balance, not by the ledger's UPDATE.
        assert all(message.startswith(RULE_REFUSALS) for message in refusals), refusals

    with app.app_context():
        for holder in holders:
            card = card_of(holder)
            spent = BALANCE - card.balance
            assert spent in (BALANCE, BALANCE - 500_000), holder
            expected = CardStatus.EXHAUSTED if card.balance == 0 else CardStatus.IN_USE
            assert card.status is expected, holder
        assert ledger.verify() == []


# --- refunds and cancellations racing purchases: one lock order, no deadlock --------------
#
# On PostgreSQL every path takes its row locks in one order (marketplace/orders/refunds.py:
# cards in id order, then ledger accounts in id order, then sessions), so a refund or a
# cancellation racing a purchase waits or is refused, never ends in a deadlock. Each round
# starts the racing operations together on a barrier; on SQLite they simply queue.

LOCK_ROUNDS = 10


def _office_id(app) -> int:
    with app.app_context():
        admin_id = make_user(role=Role.ADMIN).id
        db.session.commit()
        return admin_id


def _refund_work(order_id: int, admin_id: int, now):
    def work():
        order = db.session.get(Order, order_id)
        return refunds.refund_order(order, "Race", now, db.session.get(User, admin_id)).id

    return work


def _cancel_work(session_id: int, admin_id: int, now):
    def work():
        session = db.session.get(CourseSession, session_id)
        cancelled = refunds.cancel_session(session, "Race", now, db.session.get(User, admin_id))
        return len(cancelled)

    return work


def _settled(outcomes: list, count: int) -> None:
    """Every operation ended: done, or refused with a DomainError; no database error."""
    assert len(outcomes) == count, outcomes
    assert [o for o in outcomes if not isinstance(o, int | DomainError)] == [], outcomes


def test_an_office_refund_racing_a_purchase_on_the_same_card_does_not_deadlock(app, shop):
    # The refund takes the card's lock first now; before, it touched the card row only to
    # change its status, which a purchase holding that lock never lets happen, so this race
    # did not deadlock then either: it guards the rule. The two below did deadlock.
    admin_id = _office_id(app)
    holders = card_holders(app, LOCK_ROUNDS, shop.now, scheme="2023")
    # The refunded order holds a seat (the refund frees it); the purchase spends the rest of
    # the balance, so the card reaches Rp0 unless the refund comes first.
    webinar = shop.course(method=Method.WEBINAR, sessions=1, price=1_000_000).id
    rest = shop.course(price=BALANCE - 1_000_000).id
    with app.app_context():
        seat = db.session.scalar(
            sa.select(CourseSession.id).where(CourseSession.course_id == webinar)
        )

    for holder in holders:
        with app.app_context():
            order_id = buy(shop, webinar, seat, who=holder).id
            row, code = begin(shop, rest, who=holder)
            key = row.purchase_key
            db.session.commit()
        outcomes = race(
            app,
            [
                _refund_work(order_id, admin_id, shop.now),
                _confirm_work(holder, key, code, shop.now),
            ],
        )
        _settled(outcomes, 2)
        with app.app_context():
            assert db.session.get(Order, order_id).status is OrderStatus.REFUNDED
            card = card_of(holder)
            assert (card.balance, card.status) == (1_000_000, CardStatus.IN_USE), holder

    with app.app_context():
        assert db.session.get(CourseSession, seat).seats_taken == 0
        assert ledger.verify() == []


def test_a_cancelled_session_racing_purchases_of_its_seats_does_not_deadlock(app, shop):
    admin_id = _office_id(app)
    # Per round: two holders with a seat already, two buying one as the session is cancelled.
    holders = card_holders(app, 4 * LOCK_ROUNDS, shop.now, scheme="2023")

    for round_ in range(LOCK_ROUNDS):
        booked, buying = holders[4 * round_ : 4 * round_ + 2], holders[4 * round_ + 2 :][:2]
        with app.app_context():
            course_id = shop.course(method=Method.WEBINAR, sessions=1).id
            session_id = db.session.scalar(
                sa.select(CourseSession.id).where(CourseSession.course_id == course_id)
            )
            for holder in booked:
                buy(shop, course_id, session_id, who=holder)
            started = []
            for holder in buying:
                row, code = begin(shop, course_id, session_id, who=holder)
                started.append((holder, row.purchase_key, code))
            db.session.commit()
        outcomes = race(
            app,
            [_cancel_work(session_id, admin_id, shop.now)]
            + [_confirm_work(holder, key, code, shop.now) for holder, key, code in started],
        )
        _settled(outcomes, 3)
        with app.app_context():
            session = db.session.get(CourseSession, session_id)
            assert session.status is SessionStatus.CANCELLED
            statuses = db.session.scalars(
                sa.select(Order.status).where(Order.session_id == session_id)
            ).all()
            # A purchase that came first was refunded by the cancellation; none is left paid.
            assert statuses and set(statuses) == {OrderStatus.REFUNDED}, statuses
            for holder in booked + buying:
                assert card_of(holder).balance == BALANCE, holder

    with app.app_context():
        assert ledger.verify() == []


def test_a_cancelled_session_racing_an_office_refund_of_its_order_does_not_deadlock(app, shop):
    admin_id = _office_id(app)
    holders = card_holders(app, 3 * LOCK_ROUNDS, shop.now, scheme="2023")

    for round_ in range(LOCK_ROUNDS):
        booked = holders[3 * round_ : 3 * round_ + 3]
        with app.app_context():
            course_id = shop.course(method=Method.WEBINAR, sessions=1).id
            session_id = db.session.scalar(
                sa.select(CourseSession.id).where(CourseSession.course_id == course_id)
            )
            orders = [buy(shop, course_id, session_id, who=holder).id for holder in booked]
            db.session.commit()
        # The office refunds the last order while the session (all three) is cancelled.
        outcomes = race(
            app,
            [
                _cancel_work(session_id, admin_id, shop.now),
                _refund_work(orders[-1], admin_id, shop.now),
            ],
        )
        _settled(outcomes, 2)
        with app.app_context():
            for order_id in orders:
                assert db.session.get(Order, order_id).status is OrderStatus.REFUNDED
            for holder in booked:
                assert card_of(holder).balance == BALANCE, holder

    with app.app_context():
        assert ledger.verify() == []
