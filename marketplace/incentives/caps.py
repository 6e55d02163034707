"""The incentives' invariants, read back from the rows and the books (`flask ledger verify`
runs them with the ledger's own checks; the property-based tests after every event).

- never more payments, nor more money, of a kind than the participant's scheme allows;
- no training incentive created before a completed and reviewed course;
- nothing paid to a participant after they were blocked;
- the books agree with the payments: a paid payment moved its amount once from the
  programme fund to ``incentives_paid``, a reversed one moved it there and back once, any
  other none; and ``incentives_paid`` holds exactly what is paid and not reversed.
"""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.incentives.models import IncentivePayment, PaymentKind, PaymentState
from marketplace.learning.models import Review
from marketplace.money.models import Card, LedgerAccount, LedgerEntry, LedgerTransaction, Reason
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant
from marketplace.programme.models import Scheme

INCENTIVES_PAID = "incentives_paid"  # money/ledger.py's code of the account


def problems() -> list[str]:
    """Every broken invariant, in words; an empty list when all hold."""
    return _cap_problems() + _timing_problems() + _book_problems()


def _cap_problems() -> list[str]:
    found = []
    payment = IncentivePayment
    for kind in PaymentKind:
        count_allowed = (
            Scheme.incentive_payments if kind is PaymentKind.INCENTIVE else Scheme.survey_count
        )
        each = Scheme.incentive_amount if kind is PaymentKind.INCENTIVE else Scheme.survey_incentive
        rows = db.session.execute(
            sa.select(
                payment.participant_id,
                sa.func.count(payment.id),
                sa.func.sum(payment.amount),
                sa.func.max(payment.number),
                sa.func.max(count_allowed),
                sa.func.max(each),
            )
            .join(Card, Card.participant_id == payment.participant_id, isouter=True)
            .join(Scheme, Scheme.id == Card.scheme_id, isouter=True)
            .where(payment.kind == kind)
            .group_by(payment.participant_id)
            .having(
                sa.or_(
                    sa.func.max(Scheme.id).is_(None),
                    sa.func.count(payment.id) > sa.func.max(count_allowed),
                    sa.func.max(payment.number) > sa.func.max(count_allowed),
                    sa.func.sum(payment.amount) > sa.func.max(count_allowed) * sa.func.max(each),
                    sa.func.max(payment.amount) != sa.func.max(each),
                    sa.func.min(payment.amount) != sa.func.max(each),
                )
            )
            .order_by(payment.participant_id)
        ).all()
        for participant_id, count, total, highest, allowed, amount in rows:
            found.append(
                f"participant {participant_id}: {count} {kind.value} payments totalling {total}"
                f" (highest number {highest}); the scheme allows {allowed} of {amount}"
            )
    return found


def _timing_problems() -> list[str]:
    found = []
    reviewed_before = (
        sa.select(Order.id)
        .join(Review, Review.order_id == Order.id)
        .where(
            Order.participant_id == IncentivePayment.participant_id,
            Order.status == OrderStatus.COMPLETED,
            Review.created_at <= IncentivePayment.created_at,
        )
        .exists()
    )
    early = db.session.scalars(
        sa.select(IncentivePayment.id)
        .where(IncentivePayment.kind == PaymentKind.INCENTIVE, ~reviewed_before)
        .order_by(IncentivePayment.id)
    ).all()
    found += [
        f"incentive payment {payment_id}: created before a completed and reviewed course"
        for payment_id in early
    ]
    blocked = db.session.scalars(
        sa.select(IncentivePayment.id)
        .join(Participant, Participant.id == IncentivePayment.participant_id)
        .where(
            IncentivePayment.paid_at.is_not(None),
            Participant.blocked_at.is_not(None),
            IncentivePayment.paid_at >= Participant.blocked_at,
            IncentivePayment.sent_at >= Participant.blocked_at,
        )
        .order_by(IncentivePayment.id)
    ).all()
    found += [
        f"incentive payment {payment_id}: sent after its participant was blocked"
        for payment_id in blocked
    ]
    return found


def _book_problems() -> list[str]:
    found = []
    on_paid = (
        sa.select(
            LedgerTransaction.incentive_payment_id.label("payment_id"),
            sa.func.count(sa.case((LedgerEntry.amount > 0, 1))).label("pays"),
            sa.func.count(sa.case((LedgerEntry.amount < 0, 1))).label("returns"),
            sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0).label("net"),
            sa.func.max(sa.func.abs(LedgerEntry.amount)).label("largest"),
            sa.func.min(sa.func.abs(LedgerEntry.amount)).label("smallest"),
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(
            LedgerTransaction.reason == Reason.INCENTIVE,
            LedgerAccount.code == INCENTIVES_PAID,
        )
        .group_by(LedgerTransaction.incentive_payment_id)
        .subquery()
    )
    pays = sa.func.coalesce(on_paid.c.pays, 0)
    returns = sa.func.coalesce(on_paid.c.returns, 0)
    expected_pays = sa.case(
        (IncentivePayment.state.in_([PaymentState.PAID, PaymentState.REVERSED]), 1), else_=0
    )
    expected_returns = sa.case((IncentivePayment.state == PaymentState.REVERSED, 1), else_=0)
    rows = db.session.execute(
        sa.select(IncentivePayment.id, IncentivePayment.state, pays, returns)
        .outerjoin(on_paid, on_paid.c.payment_id == IncentivePayment.id)
        .where(
            sa.or_(
                pays != expected_pays,
                returns != expected_returns,
                sa.and_(
                    on_paid.c.payment_id.is_not(None),
                    sa.or_(
                        on_paid.c.largest != IncentivePayment.amount,
                        on_paid.c.smallest != IncentivePayment.amount,
                    ),
                ),
            )
        )
        .order_by(IncentivePayment.id)
    ).all()
    for payment_id, state, paid, returned in rows:
        found.append(
            f"incentive payment {payment_id} ({state.value}): {paid} payments and {returned}"
            " returns of its amount in the books"
        )
    strays = db.session.scalar(
        sa.select(sa.func.count(LedgerTransaction.id)).where(
            LedgerTransaction.reason == Reason.INCENTIVE,
            LedgerTransaction.incentive_payment_id.is_(None),
        )
    )
    if strays:
        found.append(f"{strays} incentive transactions name no payment")
    paid_total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(IncentivePayment.amount), 0)).where(
            IncentivePayment.state == PaymentState.PAID
        )
    )
    held = db.session.scalar(
        sa.select(LedgerAccount.balance).where(LedgerAccount.code == INCENTIVES_PAID)
    )
    if (held or 0) != paid_total:
        found.append(
            f"account {INCENTIVES_PAID}: holds {held or 0} but payments paid total {paid_total}"
        )
    return found
