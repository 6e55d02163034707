"""Refunds: the price of an order goes back to its card.

A participant can't refund or swap a course they bought (programme rule). Money goes back
in two cases only:

- the provider cancels a session (`cancel_session`): every order on it is refunded;
- the programme office refunds one order, with a reason it records (`refund_order`).

Why an order is refunded at most once, however many requests race: the order moves to
``refunded`` by ONE conditional UPDATE (``WHERE status IN ('paid', 'redeemed')``) before any
money moves, and the ledger transfer carries the idempotency key ``refund:<order id>``.
`ledger.verify` checks that every refunded order has exactly one refund of its price and
that no other order has one.

Lock order (PostgreSQL; on SQLite a writing transaction holds the whole database from its
``BEGIN IMMEDIATE``, see core/database.py): card rows first, in id order; then ledger accounts,
in id order; then session rows. It is the order of `checkout._purchase` (its ``SELECT … FOR
UPDATE OF card``, the ledger transfer's UPDATEs, then the seat's UPDATE), so a refund or a
cancellation racing purchases waits for them, or they for it, and never both at once (a
deadlock): `refund_order` locks the order's card before it claims the order, and
`cancel_session` locks the cards of the session's orders, then their accounts and the
provider's payable account, before its UPDATE of the session.
"""

from datetime import datetime

import sqlalchemy as sa

from marketplace.catalogue import enrolments
from marketplace.catalogue.models import CourseSession, SessionStatus
from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.indonesia import rupiah
from marketplace.extensions import db
from marketplace.money import cards, ledger
from marketplace.money.models import Card, LedgerAccount, Reason
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Role, User

REFUNDABLE = (OrderStatus.PAID, OrderStatus.REDEEMED)
LONGEST_REASON = 200
ALREADY_CANCELLED = N_("This session has already been cancelled.")
ALREADY_STARTED = N_("A session that has started can't be cancelled.")


def cancellable(now: datetime):
    """The rule "a session can be cancelled while it is scheduled and has not started", as
    a SQL condition on CourseSession: `cancel_session`'s UPDATE checks it."""
    return sa.and_(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.starts_at > now)


def why_not_cancellable(session: CourseSession, now: datetime) -> str | None:
    """None when the session may be cancelled at `now` (the rule of `cancellable`), else why
    not: the message `cancel_session` refuses with, for pages to show before any button."""
    if session.status is SessionStatus.CANCELLED:
        return ALREADY_CANCELLED
    if session.status is not SessionStatus.SCHEDULED or session.starts_at <= now:
        return ALREADY_STARTED
    return None


def _reason(text: str | None) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise DomainError(N_("Write the reason for the refund."), field="reason")
    if len(reason) > LONGEST_REASON:
        raise DomainError(
            N_("The reason can be at most %(limit)s characters."),
            field="reason",
            limit=LONGEST_REASON,
        )
    return reason


def _on_sqlite() -> bool:
    return db.session.connection().dialect.name == "sqlite"


def lock_cards(card_ids) -> None:
    """Lock these cards' rows, in id order: the first locks of a refund (module docstring).

    Nothing on SQLite, whose writing transaction holds the database already.
    """
    ids = sorted(set(card_ids))
    if not ids or _on_sqlite():
        return
    db.session.execute(
        sa.select(Card.id).where(Card.id.in_(ids)).order_by(Card.id).with_for_update()
    )


def _lock_accounts(account_ids) -> None:
    """Lock these ledger accounts' rows, in id order (after the cards'; PostgreSQL only)."""
    db.session.execute(
        sa.select(LedgerAccount.id)
        .where(LedgerAccount.id.in_(sorted(set(account_ids))))
        .order_by(LedgerAccount.id)
        .with_for_update()
    )


def _refundable_cards(session_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Order.card_id).where(
                Order.session_id == session_id, Order.status.in_(REFUNDABLE)
            )
        )
    )


def _lock_before_cancelling(session: CourseSession) -> None:
    """Lock, in the lock order, the rows a cancellation of `session` moves money between:
    the cards of its orders, then their ledger accounts and the provider's payable account.
    The caller's UPDATE of the session comes next.

    A purchase moves its money (the payable account) before it takes its seat, so once the
    payable account is held no new order can join the session; but one can between the
    first read of its orders and that lock. Its card can't be locked then without breaking
    the order, so everything taken is let go (the SAVEPOINT is rolled back) and taken again.
    """
    if _on_sqlite():
        return
    payable = ledger.find(ledger.provider_code(session.course.provider_id))
    if payable is None:
        return  # nothing of the provider's was ever sold: there is no order to refund
    while True:
        card_ids = _refundable_cards(session.id)
        attempt = db.session.begin_nested()
        lock_cards(card_ids)
        accounts = db.session.scalars(sa.select(Card.account_id).where(Card.id.in_(card_ids)))
        _lock_accounts([payable.id, *accounts])
        if _refundable_cards(session.id) <= card_ids:
            attempt.commit()  # RELEASE SAVEPOINT: the locks stay with the transaction
            return
        attempt.rollback()


def _refund(order: Order, reason: str, now: datetime, actor: User | None, release_seat: bool):
    """Refund one order (the caller checked who may): claim it, move the money, tell them."""
    claimed = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.status.in_(REFUNDABLE))
        .values(status=OrderStatus.REFUNDED, refunded_at=now, refund_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(order)
    if not claimed:
        if order.status is OrderStatus.REFUNDED:
            raise DomainError(N_("This order has already been refunded."))
        raise DomainError(N_("A completed course can't be refunded."))
    card = order.card
    enrolments.count_refund(order.course_id)
    ledger.transfer(
        Reason.REFUND,
        f"order:{order.id}",
        ledger.provider_payable(order.course.provider_id),
        card.account,
        order.price,
        idempotency_key=f"refund:{order.id}",
        order_id=order.id,
    )
    if release_seat and order.session_id is not None:
        db.session.execute(
            sa.update(CourseSession)
            .where(
                CourseSession.id == order.session_id,
                CourseSession.seats_taken > 0,
                CourseSession.status == SessionStatus.SCHEDULED,
                CourseSession.starts_at > now,
            )
            .values(seats_taken=CourseSession.seats_taken - 1)
            .execution_options(synchronize_session=False)
        )
        if order.session is not None:
            db.session.expire(order.session, ["seats_taken"])
    cards.follow_balance(card, actor=actor)
    participant = order.participant
    mail.send_in_language(
        participant.user,
        N_("Your purchase of %(course)s has been refunded"),
        [
            N_("Hello %(name)s,"),
            N_("Your purchase of %(course)s has been refunded: %(price)s is back on your card."),
            N_("The reason: %(reason)s"),
            N_("You can spend the balance on another course."),
        ],
        name=participant.full_name,
        course=order.course.title,
        price=rupiah(order.price),
        reason=reason,
    )
    audit.record(
        "order.refunded",
        f"order:{order.id}",
        actor=actor,
        participant_id=participant.id,
        card=ledger.card_code(card.id),
        price=order.price,
        reason=reason,
    )
    return order


def refund_order(order: Order, reason: str, now: datetime, actor: User) -> Order:
    """The programme office refunds one paid or redeemed order, recording its reason.

    The price goes back to the card through the ledger, an upcoming session's seat is
    freed, an exhausted card is in use again, and the participant is told by mail.
    Refused when the actor is not the office, the reason is missing, or the order was
    refunded already or completed.
    """
    if actor is None or actor.role is not Role.ADMIN:
        raise DomainError(N_("Only the programme office can refund an order."))
    reason = _reason(reason)
    lock_cards([order.card_id])  # before the order, its accounts, its session: the lock order
    return _refund(order, reason, now, actor, release_seat=True)


def cancel_session(session: CourseSession, reason: str, now: datetime, actor: User) -> list[Order]:
    """The provider (or the office) cancels a session that has not started: every order on
    it is refunded to its card, and each participant is told by mail. Returns the orders.

    The session moves to cancelled by ONE conditional UPDATE (scheduled, not started), so
    a second cancel, or one racing a purchase's seat UPDATE, changes nothing twice: a
    purchase either took its seat before (and is refunded here) or finds the session
    cancelled and is refused. The cards and accounts it will touch are locked before that
    UPDATE (`_lock_before_cancelling`), in the lock order of the module docstring.
    """
    course = session.course
    if actor is None or not (
        actor.role is Role.ADMIN
        or (actor.role is Role.PROVIDER and actor.provider_id == course.provider_id)
    ):
        raise DomainError(N_("Only the session's training provider can cancel it."))
    reason = _reason(reason)
    _lock_before_cancelling(session)
    cancelled = db.session.execute(
        sa.update(CourseSession)
        .where(CourseSession.id == session.id, cancellable(now))
        .values(status=SessionStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(session)
    if not cancelled:
        raise DomainError(why_not_cancellable(session, now) or ALREADY_STARTED)
    orders = list(
        db.session.scalars(
            sa.select(Order)
            .where(Order.session_id == session.id, Order.status.in_(REFUNDABLE))
            .order_by(Order.id)
        )
    )
    for order in orders:
        _refund(order, reason, now, actor, release_seat=False)
    audit.record(
        "session.cancelled",
        f"course_session:{session.id}",
        actor=actor,
        course_id=course.id,
        refunded=len(orders),
        reason=reason,
    )
    return orders
