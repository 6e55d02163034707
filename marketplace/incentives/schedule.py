"""What the programme owes a participant, and when: the one place a payment is created.

Training incentives are scheduled once the participant has a completed AND reviewed course
and a linked payout account (`schedule_for`): the scheme's `incentive_payments` payments of
`incentive_amount`, the first due at once, each next one a calendar month later. A survey's
payment is added when the survey is answered (`incentives/surveys.py`). Both go through
`add_payment`, which holds the caps: never a payment number beyond the scheme's count, never
another amount than the scheme's, never an incentive before a completed and reviewed course,
and never twice (the unique (participant, kind, number) decides a race).
"""

import calendar
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.core import N_, DomainError, audit
from marketplace.extensions import db
from marketplace.incentives.models import (
    IncentivePayment,
    PaymentKind,
    PaymentState,
    PayoutAccount,
)
from marketplace.learning.reviews import completed_and_reviewed
from marketplace.people.models import Participant
from marketplace.programme.models import Scheme


def scheme_of(participant: Participant) -> Scheme | None:
    """The scheme whose rules the participant's incentives follow: their card's."""
    card = participant.card
    return card.scheme if card is not None else None


def allowed(scheme: Scheme, kind: PaymentKind) -> tuple[int, int]:
    """(how many payments, of how much each) the scheme allows of this kind."""
    if kind is PaymentKind.INCENTIVE:
        return scheme.incentive_payments, scheme.incentive_amount
    return scheme.survey_count, scheme.survey_incentive


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months later (the month's last day when the
    day does not exist in it: 31 January + 1 month is 28 or 29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def new_key() -> str:
    """A payment's idempotency key: random, sent to the gateway on every try."""
    return "pk_" + secrets.token_urlsafe(24)


def add_payment(
    participant: Participant,
    kind: PaymentKind,
    number: int,
    amount: int,
    due_at: datetime,
    now: datetime,
) -> IncentivePayment:
    """Add the participant's payment `number` of `kind`, or return it when it exists.

    Refuses (DomainError) what the scheme does not allow: a number beyond its count, an
    amount other than its own, an incentive before a completed and reviewed course.
    """
    scheme = scheme_of(participant)
    if scheme is None:
        raise DomainError(N_("Incentives are paid to card holders only."))
    count, each = allowed(scheme, kind)
    if not 1 <= number <= count or amount != each:
        raise DomainError(N_("The programme's rules do not allow this payment."))
    if kind is PaymentKind.INCENTIVE and not completed_and_reviewed(participant):
        raise DomainError(
            N_("Incentives are paid after your first course is completed and reviewed.")
        )
    existing = _slot(participant.id, kind, number)
    if existing is not None:
        return existing
    payment = IncentivePayment(
        participant_id=participant.id,
        kind=kind,
        number=number,
        amount=amount,
        due_at=due_at,
        state=PaymentState.DUE if due_at <= now else PaymentState.SCHEDULED,
        idempotency_key=new_key(),
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:
        existing = _slot(participant.id, kind, number)
        if existing is None:
            raise
        return existing
    audit.record(
        "incentive.scheduled",
        f"incentive_payment:{payment.id}",
        kind=kind.value,
        number=number,
        amount=amount,
        due_at=due_at.isoformat(),
    )
    return payment


def _slot(participant_id: int, kind: PaymentKind, number: int) -> IncentivePayment | None:
    return db.session.scalar(
        sa.select(IncentivePayment).where(
            IncentivePayment.participant_id == participant_id,
            IncentivePayment.kind == kind,
            IncentivePayment.number == number,
        )
    )


def has_payout_account(participant: Participant) -> bool:
    return (
        db.session.scalar(
            sa.select(PayoutAccount.id).where(
                PayoutAccount.participant_id == participant.id,
                PayoutAccount.replaced_at.is_(None),
            )
        )
        is not None
    )


def schedule_for(participant: Participant, now: datetime) -> list[IncentivePayment]:
    """Schedule the scheme's training incentives once both conditions hold (a completed and
    reviewed course, a linked payout account); the payments scheduled (none when a condition
    is missing or they are already scheduled). Called after a review and after a link."""
    scheme = scheme_of(participant)
    if scheme is None or not completed_and_reviewed(participant):
        return []
    if not has_payout_account(participant):
        return []
    existing = set(
        db.session.scalars(
            sa.select(IncentivePayment.number).where(
                IncentivePayment.participant_id == participant.id,
                IncentivePayment.kind == PaymentKind.INCENTIVE,
            )
        )
    )
    count, amount = allowed(scheme, PaymentKind.INCENTIVE)
    first = db.session.scalar(
        sa.select(sa.func.min(IncentivePayment.due_at)).where(
            IncentivePayment.participant_id == participant.id,
            IncentivePayment.kind == PaymentKind.INCENTIVE,
        )
    )
    base = first or now
    return [
        add_payment(
            participant, PaymentKind.INCENTIVE, number, amount, add_months(base, number - 1), now
        )
        for number in range(1, count + 1)
        if number not in existing
    ]


def make_due(now: datetime) -> int:
    """Scheduled payments whose date has come become due; how many did."""
    result = db.session.execute(
        sa.update(IncentivePayment)
        .where(IncentivePayment.state == PaymentState.SCHEDULED, IncentivePayment.due_at <= now)
        .values(state=PaymentState.DUE)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
