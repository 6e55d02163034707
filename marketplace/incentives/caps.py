"""The incentives' invariants, read back from the rows and the books (`flask ledger verify`
runs them with the ledger's own checks; the property-based tests after every event).

- never more payments, nor more money, of a kind than the participant's scheme allows;
- no training incentive created before a completed and reviewed course;
- nothing paid to a participant after they were blocked;
- the books agree with the payments: the amount of a payment being paid is set aside in
  ``incentives_reserved``, a paid one's is in ``incentives_paid`` (a reversed one's went
  there and back), any other has none in either; each account holds exactly the total of
  its payments.
"""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.incentives.models import IncentivePayment, PaymentKind, PaymentState
from marketplace.learning.models import Review
from marketplace.money.models import Card, LedgerAccount, LedgerEntry, LedgerTransaction, Reason
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant
from marketplace.programme.models import Scheme

# money/ledger.py's codes of the accounts (not imported: the ledger runs these checks).
INCENTIVES_PAID = "incentives_paid"
INCENTIVES_RESERVED = "incentives_reserved"


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


def _net_per_payment(code: str):
    """Per payment: the net of its incentive entries on the account `code`, and the largest
    and smallest size of one (each is the payment's amount)."""
    return (
        sa.select(
            LedgerTransaction.incentive_payment_id.label("payment_id"),
            sa.func.sum(LedgerEntry.amount).label("net"),
            sa.func.max(sa.func.abs(LedgerEntry.amount)).label("largest"),
            sa.func.min(sa.func.abs(LedgerEntry.amount)).label("smallest"),
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerTransaction.reason == Reason.INCENTIVE, LedgerAccount.code == code)
        .group_by(LedgerTransaction.incentive_payment_id)
        .subquery()
    )


def _book_problems() -> list[str]:
    """Each payment's movements match its state: set aside (reserved) exactly while it is
    being paid, paid out exactly while it is paid; each movement of its amount."""
    found = []
    paid = _net_per_payment(INCENTIVES_PAID)
    reserved = _net_per_payment(INCENTIVES_RESERVED)
    amount = IncentivePayment.amount
    paid_net = sa.func.coalesce(paid.c.net, 0)
    reserved_net = sa.func.coalesce(reserved.c.net, 0)
    expected_paid = sa.case((IncentivePayment.state == PaymentState.PAID, amount), else_=0)
    expected_reserved = sa.case((IncentivePayment.state == PaymentState.PAYING, amount), else_=0)
    rows = db.session.execute(
        sa.select(IncentivePayment.id, IncentivePayment.state, paid_net, reserved_net)
        .outerjoin(paid, paid.c.payment_id == IncentivePayment.id)
        .outerjoin(reserved, reserved.c.payment_id == IncentivePayment.id)
        .where(
            sa.or_(
                paid_net != expected_paid,
                reserved_net != expected_reserved,
                paid.c.largest != amount,
                paid.c.smallest != amount,
                reserved.c.largest != amount,
                reserved.c.smallest != amount,
            )
        )
        .order_by(IncentivePayment.id)
    ).all()
    for payment_id, state, paid_out, set_aside in rows:
        found.append(
            f"incentive payment {payment_id} ({state.value}): {paid_out} paid out and"
            f" {set_aside} set aside in the books"
        )
    strays = db.session.scalar(
        sa.select(sa.func.count(LedgerTransaction.id)).where(
            LedgerTransaction.reason == Reason.INCENTIVE,
            LedgerTransaction.incentive_payment_id.is_(None),
        )
    )
    if strays:
        found.append(f"{strays} incentive transactions name no payment")
    for code, state in (
        (INCENTIVES_PAID, PaymentState.PAID),
        (INCENTIVES_RESERVED, PaymentState.PAYING),
    ):
        total = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(IncentivePayment.amount), 0)).where(
                IncentivePayment.state == state
            )
        )
        held = db.session.scalar(sa.select(LedgerAccount.balance).where(LedgerAccount.code == code))
        if (held or 0) != total:
            found.append(
                f"account {code}: holds {held or 0} but payments {state.value} total {total}"
            )
    return found
