"""The programme office's view of the incentive payments (/admin/disbursements).

Reads: the number and total of the payments in each state, and the failed ones left for the
office (the disburser gave up: `next_attempt_at` is NULL); the payments found by filters, a
page at a time, each with the account it goes to; the disbursement runs; one payment's
webhook events and ledger transactions; the account numbers another participant tried to
link (`PayoutAccountFlag`).

One change: `resolve_flag`, the office's note on a flag it looked into. What the office does
to a payment (send it again, cancel it) is disbursement.py's (`retry`, `cancel`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from marketplace.core import N_, DomainError, audit
from marketplace.core.base import utcnow
from marketplace.core.database import lock_for_writing
from marketplace.extensions import db
from marketplace.incentives.models import (
    DisbursementRun,
    IncentivePayment,
    PaymentKind,
    PaymentState,
    PayoutAccount,
    PayoutAccountFlag,
    PayoutEvent,
)
from marketplace.incentives.payout_accounts import account_label
from marketplace.money.models import LedgerEntry, LedgerTransaction
from marketplace.people.models import Participant, User

PER_PAGE = 50  # payments a page
RUNS_SHOWN = 10  # the latest runs on the overview
FLAGS_SHOWN = 50  # the oldest open flags on the overview
LONGEST_QUERY = 100  # a name or email searched for
NOTE_LENGTH = (10, 300)  # a flag's resolution, in characters

NOTE_REFUSED = N_("Write what you found and did, 10 to 300 characters.")
FLAG_RESOLVED_ALREADY = N_("This flag was resolved already: nothing was changed.")


# --- counts and totals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """How many payments, and their amounts added up (rupiah)."""

    count: int = 0
    amount: int = 0


@dataclass(frozen=True)
class Overview:
    """The payments by state (every state, in `PaymentState`'s order), the failed ones left
    for the office, and how many flags are open."""

    states: dict[PaymentState, Tally]
    left_for_office: Tally
    open_flags: int
    stuck: Tally = Tally()  # being paid for longer than STUCK_AFTER

    @property
    def total(self) -> Tally:
        return Tally(
            sum(tally.count for tally in self.states.values()),
            sum(tally.amount for tally in self.states.values()),
        )


def left_for_office():
    """The condition of a failed payment no disburser will send again by itself."""
    return sa.and_(
        IncentivePayment.state == PaymentState.FAILED,
        IncentivePayment.next_attempt_at.is_(None),
    )


# A payment the gateway has not settled after this long wants a person's look (the
# disburser's reconciliation keeps asking about it meanwhile).
STUCK_AFTER = timedelta(days=1)


def stuck(now: datetime):
    """The condition of a payment being paid for longer than STUCK_AFTER."""
    return sa.and_(
        IncentivePayment.state == PaymentState.PAYING,
        IncentivePayment.sent_at < now - STUCK_AFTER,
    )


def _tally(condition) -> Tally:
    count, amount = db.session.execute(
        sa.select(
            sa.func.count(IncentivePayment.id),
            sa.func.coalesce(sa.func.sum(IncentivePayment.amount), 0),
        ).where(condition)
    ).one()
    return Tally(count, int(amount))


def overview(now: datetime | None = None) -> Overview:
    """The counts and totals by state, the failed ones left for the office, the open flags."""
    found = {
        state: Tally(count, int(amount))
        for state, count, amount in db.session.execute(
            sa.select(
                IncentivePayment.state,
                sa.func.count(IncentivePayment.id),
                sa.func.coalesce(sa.func.sum(IncentivePayment.amount), 0),
            ).group_by(IncentivePayment.state)
        )
    }
    flags = db.session.scalar(
        sa.select(sa.func.count(PayoutAccountFlag.id)).where(
            PayoutAccountFlag.resolved_at.is_(None)
        )
    )
    return Overview(
        states={state: found.get(state, Tally()) for state in PaymentState},
        left_for_office=_tally(left_for_office()),
        open_flags=flags or 0,
        stuck=_tally(stuck(now or utcnow())),
    )


# --- the payments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the office's list narrows the payments to (None / empty: any)."""

    state: PaymentState | None = None
    only_left_for_office: bool = False  # failed, and left for the office
    only_stuck: bool = False  # being paid for longer than STUCK_AFTER
    kind: PaymentKind | None = None
    run_id: int | None = None
    query: str = ""  # part of the participant's name or email address


def cleaned_query(text: str | None) -> str:
    """A searched name or email as it is matched: spaces collapsed, at most LONGEST_QUERY."""
    return " ".join((text or "").split())[:LONGEST_QUERY]


def payments(filters: Filters, page: int = 1, per_page: int | None = None):
    """The payments matching `filters`, the latest due first, one page (`db.paginate`) of
    `per_page` (PER_PAGE), each with its participant (and their user) and the account it was
    sent to loaded."""
    statement = (
        sa.select(IncentivePayment)
        .join(Participant, Participant.id == IncentivePayment.participant_id)
        .join(User, User.id == Participant.user_id)
        .options(
            joinedload(IncentivePayment.participant).joinedload(Participant.user),
            joinedload(IncentivePayment.payout_account),
        )
    )
    if filters.only_left_for_office:
        statement = statement.where(left_for_office())
    if filters.only_stuck:
        statement = statement.where(stuck(utcnow()))
    elif filters.state is not None:
        statement = statement.where(IncentivePayment.state == filters.state)
    if filters.kind is not None:
        statement = statement.where(IncentivePayment.kind == filters.kind)
    if filters.run_id is not None:
        statement = statement.where(IncentivePayment.run_id == filters.run_id)
    text = cleaned_query(filters.query)
    if text:
        statement = statement.where(
            sa.or_(
                Participant.full_name.icontains(text, autoescape=True),
                User.email.icontains(text, autoescape=True),
            )
        )
    statement = statement.order_by(IncentivePayment.due_at.desc(), IncentivePayment.id.desc())
    return db.paginate(
        statement, page=page, per_page=per_page or PER_PAGE, error_out=False, count=True
    )


def current_accounts(participant_ids: Iterable[int]) -> dict[int, PayoutAccount]:
    """{participant id: their current payout account} for those who have one."""
    ids = set(participant_ids)
    if not ids:
        return {}
    return {
        account.participant_id: account
        for account in db.session.scalars(
            sa.select(PayoutAccount).where(
                PayoutAccount.participant_id.in_(ids), PayoutAccount.replaced_at.is_(None)
            )
        )
    }


# A payment not sent yet in these states goes to the participant's current account.
WAITING = (PaymentState.SCHEDULED, PaymentState.DUE)


def destinations(found: Iterable[IncentivePayment]) -> dict[int, PayoutAccount | None]:
    """{payment id: the account it goes to}: the one it was sent to, or, for a payment
    waiting to be sent, the participant's current account (None when they have none, and
    for a payment cancelled before it was sent)."""
    found = list(found)
    current = current_accounts(
        payment.participant_id
        for payment in found
        if payment.payout_account_id is None and payment.state in WAITING
    )
    return {
        payment.id: payment.payout_account
        if payment.payout_account_id is not None
        else current.get(payment.participant_id)
        if payment.state in WAITING
        else None
        for payment in found
    }


def account_shown(account: PayoutAccount | None) -> str:
    """An account as the office sees it: channel and masked number ("BCA ••••••7890")."""
    return account_label(account.channel, account.number) if account is not None else ""


def payment_by_id(payment_id: int) -> IncentivePayment | None:
    """One payment, its participant and account loaded; None when there is none."""
    return db.session.scalar(
        sa.select(IncentivePayment)
        .where(IncentivePayment.id == payment_id)
        .options(
            joinedload(IncentivePayment.participant).joinedload(Participant.user),
            joinedload(IncentivePayment.payout_account),
        )
    )


def payment_to_change(payment_id: int) -> IncentivePayment | None:
    """One payment loaded alone, for `disbursement.retry` and `cancel`: they lock it by a
    refresh FOR UPDATE, which repeats the loader's joins, and PostgreSQL refuses FOR UPDATE
    on the nullable side of an outer join (`payment_by_id`'s)."""
    return db.session.get(IncentivePayment, payment_id)


def destination_of(payment: IncentivePayment) -> PayoutAccount | None:
    """The account one payment goes to (see `destinations`)."""
    return destinations([payment])[payment.id]


def events_of(payment_id: int) -> list[PayoutEvent]:
    """The gateway's webhook events kept for a payment, in the order they arrived."""
    return list(
        db.session.scalars(
            sa.select(PayoutEvent)
            .where(PayoutEvent.payment_id == payment_id)
            .order_by(PayoutEvent.received_at, PayoutEvent.id)
        )
    )


def transactions_of(payment_id: int) -> list[LedgerTransaction]:
    """The ledger transactions that moved a payment's money (paid, and returned), oldest
    first, with their entries and accounts."""
    return list(
        db.session.scalars(
            sa.select(LedgerTransaction)
            .where(LedgerTransaction.incentive_payment_id == payment_id)
            .options(selectinload(LedgerTransaction.entries).joinedload(LedgerEntry.account))
            .order_by(LedgerTransaction.id)
        )
    )


# --- the runs -----------------------------------------------------------------------------------


def recent_runs(limit: int = RUNS_SHOWN) -> list[DisbursementRun]:
    """The latest disbursement runs, the latest first."""
    return list(
        db.session.scalars(
            sa.select(DisbursementRun)
            .order_by(DisbursementRun.started_at.desc(), DisbursementRun.id.desc())
            .limit(limit)
        )
    )


def run_by_id(run_id: int) -> DisbursementRun | None:
    return db.session.get(DisbursementRun, run_id)


# --- the flags ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenFlags:
    """The open flags shown (the oldest first) and how many are open in all."""

    shown: list[PayoutAccountFlag] = field(default_factory=list)
    count: int = 0


def open_flags(limit: int = FLAGS_SHOWN) -> OpenFlags:
    """The flags not resolved yet, the oldest first, with both participants loaded."""
    shown = list(
        db.session.scalars(
            sa.select(PayoutAccountFlag)
            .where(PayoutAccountFlag.resolved_at.is_(None))
            .options(
                joinedload(PayoutAccountFlag.participant).joinedload(Participant.user),
                joinedload(PayoutAccountFlag.holder).joinedload(Participant.user),
            )
            .order_by(PayoutAccountFlag.created_at, PayoutAccountFlag.id)
            .limit(limit)
        )
    )
    count = db.session.scalar(
        sa.select(sa.func.count(PayoutAccountFlag.id)).where(
            PayoutAccountFlag.resolved_at.is_(None)
        )
    )
    return OpenFlags(shown, count or 0)


def flag_by_id(flag_id: int) -> PayoutAccountFlag | None:
    return db.session.get(PayoutAccountFlag, flag_id)


def resolve_flag(
    flag: PayoutAccountFlag, admin, note: str | None, now: datetime
) -> PayoutAccountFlag:
    """The office looked into a flag: it is closed with the office's note (10 to 300
    characters, kept in the audit log). A flag resolved already is refused, unchanged."""
    note = " ".join((note or "").split())
    shortest, longest = NOTE_LENGTH
    if not shortest <= len(note) <= longest:
        raise DomainError(NOTE_REFUSED, field="note")
    lock_for_writing()
    moved = db.session.execute(
        sa.update(PayoutAccountFlag)
        .where(PayoutAccountFlag.id == flag.id, PayoutAccountFlag.resolved_at.is_(None))
        .values(resolved_at=now, resolution=note)
    )
    if moved.rowcount != 1:
        raise DomainError(FLAG_RESOLVED_ALREADY)
    audit.record(
        "payout_flag.resolved",
        f"payout_account_flag:{flag.id}",
        actor=admin,
        participant_id=flag.participant_id,
        holder_participant_id=flag.holder_participant_id,
        note=note,
    )
    db.session.expire(flag)
    return flag
