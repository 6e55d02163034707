"""Paying what is due through the payout gateway, every rupiah exactly once.

A disbursement run (`flask incentives disburse`, `run`):

1. scheduled payments whose date has come become due (`schedule.make_due`);
2. it claims due payments, and failed ones whose backoff is over, a batch at a time: each is
   checked for what holds it (no usable payout account, a blocked participant, a frozen
   card, a programme fund too short) and the others move to ``paying`` by a conditional
   UPDATE, committed before any call (on PostgreSQL the rows are read ``FOR UPDATE SKIP
   LOCKED``, so several disbursers share the work; on SQLite one disburser runs at a time,
   `exclusive_run`);
3. for each claimed payment it asks the gateway to pay under the payment's idempotency key,
   the same on every try: the gateway pays one key at most once;
4. it reconciles: a payment still ``paying`` after `reconcile_after` (the answer never came,
   the process was killed, the webhook was lost) is looked up at the gateway by its key; the
   status found is applied, and a payment the gateway never received is sent again under
   the same key.

The final status arrives by webhook (`apply`, called by web/payouts for each signed event):
``paid`` moves the amount from the programme fund to ``incentives_paid`` in the ledger,
``reversed`` moves it back, ``failed`` waits for a retry with backoff, and after
`retry_limit` tries is left for the office (`retry`, `cancel`). Each change is applied once:
events carry the gateway's version of the disbursement, and an older or equal version
changes nothing (duplicates and events out of order are harmless).

The run is a boundary like a command: it commits after the claim, after each payment's call
and after each reconciliation, so a killed disburser loses at most the outcome of the calls
in flight, which reconciliation finds again.
"""

import fcntl
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.base import utcnow
from marketplace.core.database import lock_for_writing
from marketplace.core.indonesia import rupiah
from marketplace.extensions import db
from marketplace.incentives import schedule
from marketplace.incentives.gateway import (
    Disbursement,
    Gateway,
    GatewayRefused,
    GatewayUnavailable,
    WebhookEvent,
)
from marketplace.incentives.models import (
    DisbursementRun,
    IncentivePayment,
    PaymentKind,
    PaymentState,
    PayoutAccount,
    PayoutEvent,
)
from marketplace.money import ledger
from marketplace.money.models import Card, CardStatus, Reason
from marketplace.people.models import Participant

OPEN_TO_CANCEL = (PaymentState.SCHEDULED, PaymentState.DUE, PaymentState.FAILED)
# Failures a retry to the same account can't mend: left for the office (and the participant,
# who is told to link another account) at once.
FINAL_FAILURES = frozenset({"ACCOUNT_REJECTED", "ACCOUNT_NOT_FOUND", "NAME_MISMATCH"})
OPEN_TO_RETRY = (PaymentState.FAILED, PaymentState.REVERSED)


@dataclass(frozen=True)
class Settings:
    """How a disburser paces itself (from the app's PAYOUT_* settings)."""

    batch: int = 50  # payments claimed per transaction
    reconcile_after: timedelta = timedelta(minutes=10)  # "paying" this long: ask the gateway
    retry_after: timedelta = timedelta(minutes=30)  # first wait after a failure, then doubled
    retry_limit: int = 5  # tries before a failed payment is left for the office

    @classmethod
    def of(cls, config) -> "Settings":
        return cls(
            batch=int(config.get("PAYOUT_BATCH", 50)),
            reconcile_after=timedelta(seconds=float(config.get("PAYOUT_RECONCILE_AFTER", 600))),
            retry_after=timedelta(seconds=float(config.get("PAYOUT_RETRY_AFTER", 1800))),
            retry_limit=int(config.get("PAYOUT_RETRY_LIMIT", 5)),
        )


class AnotherDisburser(Exception):
    """On SQLite a second disburser does not start while one runs."""


@contextmanager
def exclusive_run(database_path: str | None) -> Iterator[None]:
    """On SQLite, hold an exclusive lock on a file beside the database for the run: a second
    disburser is told at once (AnotherDisburser). The operating system releases the lock
    when the process ends, killed or not. On PostgreSQL (no path) nothing is held: row
    locks (`FOR UPDATE SKIP LOCKED`) share the work between disbursers."""
    if database_path is None:
        yield
        return
    lock_path = Path(database_path + ".disburse.lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise AnotherDisburser(handle.read().strip() or "another process") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{socket.gethostname()} pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- what holds a due payment ---------------------------------------------------------------


def usable_account(participant_id: int, now: datetime) -> PayoutAccount | None:
    """The participant's current payout account, when payouts to it may start."""
    return db.session.scalar(
        sa.select(PayoutAccount).where(
            PayoutAccount.participant_id == participant_id,
            PayoutAccount.replaced_at.is_(None),
            PayoutAccount.usable_from <= now,
        )
    )


def hold_of(payment: IncentivePayment, now: datetime) -> str | None:
    """Why a due payment can't be sent now (words for the participant's page), or None."""
    participant = db.session.get(Participant, payment.participant_id)
    if participant.blocked_at is not None:
        return N_("Held: the programme office blocked your account.")
    card = db.session.scalar(sa.select(Card).where(Card.participant_id == participant.id))
    if card is not None and card.status is CardStatus.FROZEN:
        return N_("Held: your card is frozen by the programme office.")
    current = db.session.scalar(
        sa.select(PayoutAccount).where(
            PayoutAccount.participant_id == participant.id,
            PayoutAccount.replaced_at.is_(None),
        )
    )
    if current is None:
        return N_("Waiting for a payout account: link one to receive it.")
    # A payment already sent to the current account goes on to it; any other waits until
    # the current account is usable.
    if payment.payout_account_id != current.id and current.usable_from > now:
        return N_("Held for 24 hours after a change of payout account.")
    return None


FUNDS_SHORT = N_("Waiting for the programme's funds: it will be paid when they arrive.")


def _try_mark(sent_at: datetime) -> str:
    """What tells one try of a payment from another in the books: when it was claimed."""
    return sent_at.strftime("%Y%m%dT%H%M%S%f")


def _move(payment: IncentivePayment, what: str, source, destination, key: str) -> None:
    """One movement of a payment's amount in the books, named after the payment and keyed
    so that it happens once."""
    ledger.transfer(
        Reason.INCENTIVE,
        f"incentive:{payment.id} {what}",
        source,
        destination,
        payment.amount,
        idempotency_key=key,
        incentive_payment_id=payment.id,
    )


def _reserve(payment: IncentivePayment, sent_at: datetime) -> None:
    """Set the payment's amount aside before it is sent: programme fund → reserved for
    incentives. InsufficientBalance when the fund does not hold it (nothing is sent then)."""
    _move(
        payment,
        "reserved",
        ledger.programme_fund(),
        ledger.incentives_reserved(),
        f"incentive-reserved:{payment.id}:{_try_mark(sent_at)}",
    )


def _release(payment: IncentivePayment) -> None:
    """A try that failed paid nothing: what was set aside goes back to the fund."""
    _move(
        payment,
        "released",
        ledger.incentives_reserved(),
        ledger.programme_fund(),
        f"incentive-released:{payment.id}:{_try_mark(payment.sent_at)}",
    )


# --- one run ----------------------------------------------------------------------------------


def _writing() -> None:
    """Begin this transaction as a writer (SQLite's write lock first; nothing on PostgreSQL)."""
    lock_for_writing()


def start_run(now: datetime) -> DisbursementRun:
    _writing()
    run_row = DisbursementRun(started_at=now, worker=f"{socket.gethostname()} pid {os.getpid()}")
    db.session.add(run_row)
    schedule.make_due(now)
    db.session.flush()
    return run_row


def _new_disbursement() -> dict:
    """The columns of a payment sent as a new disbursement at the gateway: a new key, whose
    versions count from the start again (the old key's late events find no payment)."""
    return {
        "idempotency_key": schedule.new_key(),
        "gateway_id": None,
        "gateway_version": 0,
        "failure_code": None,
    }


def claim(run_row: DisbursementRun, now: datetime, settings: Settings) -> list[int]:
    """Move the next batch of payable payments to ``paying`` for this run; their ids.

    Held payments keep their state and get the reason in `last_message`."""
    _writing()
    sendable = sa.or_(
        sa.and_(
            IncentivePayment.state == PaymentState.DUE,
            sa.or_(
                IncentivePayment.next_attempt_at.is_(None),
                IncentivePayment.next_attempt_at <= now,
            ),
        ),
        sa.and_(
            IncentivePayment.state == PaymentState.FAILED,
            IncentivePayment.attempts < settings.retry_limit,
            IncentivePayment.next_attempt_at <= now,
        ),
    )
    rows = db.session.scalars(
        sa.select(IncentivePayment)
        .where(sendable)
        .order_by(IncentivePayment.due_at, IncentivePayment.id)
        .limit(settings.batch)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for payment in rows:
        held = hold_of(payment, now)
        values = {}
        account_id = payment.payout_account_id
        current = usable_account(payment.participant_id, now)
        if held is None and account_id is not None and account_id != current.id:
            # The participant linked another account after this payment failed: it goes
            # there, as a new disbursement (the old key's failed one paid nothing).
            values.update(_new_disbursement())
            account_id = None
        if held is None and account_id is None:
            account_id = current.id
        if held is None:
            try:
                with db.session.begin_nested():
                    moved = db.session.execute(
                        sa.update(IncentivePayment)
                        .where(
                            IncentivePayment.id == payment.id,
                            IncentivePayment.state == payment.state,
                        )
                        .values(
                            state=PaymentState.PAYING,
                            attempts=IncentivePayment.attempts + 1,
                            sent_at=now,
                            next_attempt_at=now + settings.reconcile_after,
                            payout_account_id=account_id,
                            run_id=run_row.id,
                            last_message=None,
                            **values,
                        )
                    )
                    if moved.rowcount == 1:
                        _reserve(payment, now)
                        claimed.append(payment.id)
                continue
            except ledger.InsufficientBalance:
                held = FUNDS_SHORT
        # Looked at again in an hour (a hold is lifted by someone's action or by time).
        db.session.execute(
            sa.update(IncentivePayment)
            .where(IncentivePayment.id == payment.id)
            .values(last_message=held, next_attempt_at=now + timedelta(hours=1))
        )
    run_row.claimed += len(claimed)
    db.session.flush()
    db.session.expire_all()
    return claimed


def _description(payment: IncentivePayment) -> str:
    if payment.kind is PaymentKind.INCENTIVE:
        return f"Insentif pasca pelatihan Prakerja ke-{payment.number}"
    return f"Insentif survei evaluasi Prakerja ke-{payment.number}"


def send(payment_id: int, gateway: Gateway, now: datetime, settings: Settings) -> str:
    """Ask the gateway to pay one payment being paid; what came of it ("accepted",
    "unavailable" or "refused"). Commits nothing: the caller does, after each payment."""
    payment = db.session.get(IncentivePayment, payment_id)
    account = db.session.get(PayoutAccount, payment.payout_account_id)
    try:
        answer = gateway.create(
            payment.idempotency_key,
            reference=f"prakerja-{payment.id}",
            amount=payment.amount,
            channel=account.channel,
            account_number=account.number,
            account_holder_name=account.holder_name,
            description=_description(payment),
        )
    except GatewayUnavailable:
        # Its outcome is unknown: reconciliation asks the gateway soon, and sends it again
        # under the same key if the gateway never got it.
        _writing()
        db.session.execute(
            sa.update(IncentivePayment)
            .where(IncentivePayment.id == payment_id, IncentivePayment.state == PaymentState.PAYING)
            .values(
                next_attempt_at=now + min(settings.reconcile_after, timedelta(minutes=1)),
                last_message=N_("The payout service did not answer; it is being asked again."),
            )
        )
        return "unavailable"
    except GatewayRefused as refusal:
        _writing()
        _fail(payment, refusal.code, refusal.message or refusal.code, now, settings, final=True)
        return "refused"
    _writing()
    apply(answer, now, settings)
    return "accepted"


def reconcile(run_row: DisbursementRun, gateway: Gateway, now: datetime, settings: Settings) -> int:
    """Ask the gateway about payments stuck in ``paying``; send again those it never got.
    How many were looked at."""
    looked: set[int] = set()  # each payment once per run
    while True:
        _writing()
        stuck = db.session.scalars(
            sa.select(IncentivePayment)
            .where(
                IncentivePayment.state == PaymentState.PAYING,
                IncentivePayment.next_attempt_at <= now,
                IncentivePayment.id.not_in(looked) if looked else sa.true(),
            )
            .order_by(IncentivePayment.next_attempt_at, IncentivePayment.id)
            .limit(settings.batch)
            .with_for_update(skip_locked=True)
        ).all()
        mine = []
        for payment in stuck:
            moved = db.session.execute(
                sa.update(IncentivePayment)
                .where(
                    IncentivePayment.id == payment.id,
                    IncentivePayment.state == PaymentState.PAYING,
                    IncentivePayment.next_attempt_at == payment.next_attempt_at,
                )
                .values(next_attempt_at=now + settings.reconcile_after)
            )
            if moved.rowcount == 1:
                mine.append(payment.id)
        db.session.commit()
        if not stuck:
            return len(looked)
        looked.update(payment.id for payment in stuck)
        for payment_id in mine:
            payment = db.session.get(IncentivePayment, payment_id)
            try:
                found = gateway.status(payment.idempotency_key)
            except (GatewayUnavailable, GatewayRefused):
                db.session.rollback()
                continue
            never_got_this_try = found is None or (
                found.status == "FAILED" and found.version <= payment.gateway_version
            )
            held = hold_of(payment, now) if never_got_this_try else None
            if held is not None:
                # Blocked or frozen since it was claimed: it is not sent now.
                _writing()
                _fail(payment, "HELD", held, now, settings, final=True)
            elif never_got_this_try:
                send(payment_id, gateway, now, settings)  # the same key again
            else:
                _writing()
                apply(found, now, settings)
            db.session.commit()
        _count(run_row.id, reconciled=len(mine))
        db.session.commit()


def _count(run_id: int, **added: int) -> None:
    """Add to a run's counts (one UPDATE: the run's row is read by the office meanwhile)."""
    _writing()
    db.session.execute(
        sa.update(DisbursementRun)
        .where(DisbursementRun.id == run_id)
        .values({name: getattr(DisbursementRun, name) + value for name, value in added.items()})
    )


def run(
    gateway: Gateway,
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    limit: int | None = None,
) -> DisbursementRun:
    """One disbursement run: due payments sent, stuck ones reconciled. Commits as it goes.

    `limit` stops after that many payments claimed (the rest wait for the next run)."""
    run_row = start_run(clock())
    db.session.commit()
    run_id = run_row.id
    sent = 0
    while limit is None or sent < limit:
        run_row = db.session.get(DisbursementRun, run_id)
        claimed = claim(run_row, clock(), settings)
        db.session.commit()
        if not claimed:
            break
        for payment_id in claimed:
            outcome = send(payment_id, gateway, clock(), settings)
            _count(run_id, **{"accepted" if outcome == "accepted" else "failed": 1})
            db.session.commit()
            sent += 1
    reconcile(db.session.get(DisbursementRun, run_id), gateway, clock(), settings)
    _writing()
    run_row = db.session.get(DisbursementRun, run_id)
    run_row.finished_at = clock()
    db.session.commit()
    return run_row


# --- the gateway's word --------------------------------------------------------------------


def _backoff(attempts: int, settings: Settings) -> timedelta:
    return settings.retry_after * (2 ** max(attempts - 1, 0))


def _fail(
    payment: IncentivePayment,
    code: str,
    message: str,
    now: datetime,
    settings: Settings,
    final: bool = False,
) -> None:
    """The payment being paid failed: what was set aside goes back to the fund, and it is
    retried after a backoff, or left for the office."""
    gives_up = final or payment.attempts >= settings.retry_limit
    _release(payment)
    db.session.execute(
        sa.update(IncentivePayment)
        .where(IncentivePayment.id == payment.id)
        .values(
            state=PaymentState.FAILED,
            failure_code=code[:40],
            last_message=message[:300],
            next_attempt_at=None if gives_up else now + _backoff(payment.attempts, settings),
            attempts=settings.retry_limit if gives_up else payment.attempts,
        )
    )
    audit.record(
        "incentive.failed",
        f"incentive_payment:{payment.id}",
        code=code[:40],
        left_for_office=gives_up,
    )
    if gives_up:
        _mail(payment, "failed")


def _pay_in_books(payment: IncentivePayment, reserved: bool) -> None:
    """The gateway paid: the amount set aside (or, for a payment no longer being paid, the
    fund's) moves to incentives paid out. Keyed by the disbursement's key: paid once each."""
    source = ledger.incentives_reserved() if reserved else ledger.programme_fund()
    _move(
        payment,
        "paid",
        source,
        ledger.incentives_paid(),
        f"incentive-paid:{payment.idempotency_key}",
    )


def _return_in_books(payment: IncentivePayment) -> None:
    """The bank returned it: incentives paid out → programme fund."""
    _move(
        payment,
        "reversed",
        ledger.incentives_paid(),
        ledger.programme_fund(),
        f"incentive-reversed:{payment.idempotency_key}",
    )


def payment_of(disbursement: Disbursement) -> IncentivePayment | None:
    """The payment a gateway disbursement is for (by its idempotency key), locked."""
    return db.session.scalar(
        sa.select(IncentivePayment)
        .where(IncentivePayment.idempotency_key == disbursement.idempotency_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def apply(disbursement: Disbursement, now: datetime, settings: Settings) -> str:
    """Apply the gateway's status of a disbursement to its payment, once; the outcome:
    "applied", "stale" (an older or equal version, or a status that no longer applies),
    "unknown" (no such payment) or "mismatch" (another amount than the payment's)."""
    payment = payment_of(disbursement)
    if payment is None:
        return "unknown"
    if disbursement.amount != payment.amount:
        return "mismatch"
    if disbursement.version <= payment.gateway_version:
        return "stale"
    state = payment.state
    values = {"gateway_version": disbursement.version, "gateway_id": disbursement.id[:60]}
    outcome = "applied"
    if disbursement.status == "PENDING":
        if state is PaymentState.PAYING:
            values["last_message"] = N_("Accepted by the payout service; waiting for the bank.")
    elif disbursement.status == "SUCCEEDED":
        if state in (PaymentState.PAYING, PaymentState.FAILED, PaymentState.CANCELLED):
            _pay_in_books(payment, reserved=state is PaymentState.PAYING)
            values.update(
                state=PaymentState.PAID,
                paid_at=now,
                failure_code=None,
                last_message=None,
                next_attempt_at=None,
            )
            if state is PaymentState.CANCELLED:
                values["last_message"] = N_("Paid by the bank although it had been cancelled.")
        else:
            outcome = "stale"
    elif disbursement.status == "FAILED":
        if state is PaymentState.PAYING:
            db.session.execute(
                sa.update(IncentivePayment)
                .where(IncentivePayment.id == payment.id)
                .values(**values)
            )
            _fail(
                payment,
                disbursement.failure_code or "FAILED",
                disbursement.failure_message or disbursement.failure_code or "failed",
                now,
                settings,
                final=disbursement.failure_code in FINAL_FAILURES,
            )
            db.session.expire(payment)
            return "applied"
        outcome = "stale"
    elif disbursement.status == "REVERSED":
        if state in (
            PaymentState.PAYING,
            PaymentState.FAILED,
            PaymentState.PAID,
            PaymentState.CANCELLED,
        ):
            if state is not PaymentState.PAID:
                # Its "succeeded" never came: paid, then returned.
                _pay_in_books(payment, reserved=state is PaymentState.PAYING)
                values["paid_at"] = now
            _return_in_books(payment)
            values.update(
                state=PaymentState.REVERSED,
                reversed_at=now,
                next_attempt_at=None,
                last_message=disbursement.failure_message or None,
            )
        else:
            outcome = "stale"
    db.session.execute(
        sa.update(IncentivePayment).where(IncentivePayment.id == payment.id).values(**values)
    )
    db.session.expire(payment)
    if outcome == "applied" and values.get("state") in (PaymentState.PAID, PaymentState.REVERSED):
        audit.record(
            f"incentive.{values['state'].value}",
            f"incentive_payment:{payment.id}",
            gateway_id=disbursement.id[:60],
            amount=payment.amount,
        )
        _mail(payment, values["state"].value)
    return outcome


def receive(event: WebhookEvent, now: datetime, settings: Settings) -> str:
    """A webhook event, kept once by its id and applied (`apply`); the outcome: "unknown"
    (no such payment: nothing kept), "duplicate" (its id was kept before) or apply's."""
    lock_for_writing()
    payment = payment_of(event.disbursement)
    if payment is None:
        return "unknown"
    kept = PayoutEvent(
        event_id=event.id,
        event_type=event.type,
        payment_id=payment.id,
        version=event.disbursement.version,
        outcome="received",
        received_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(kept)
    except IntegrityError:
        return "duplicate"
    kept.outcome = apply(event.disbursement, now, settings)
    return kept.outcome


# --- the office ---------------------------------------------------------------------------------


def _lock(payment: IncentivePayment) -> IncentivePayment:
    """The payment as it is now, its row locked (a plain SELECT: whatever joins loaded it)."""
    return db.session.scalar(
        sa.select(IncentivePayment)
        .where(IncentivePayment.id == payment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def retry(payment: IncentivePayment, admin, now: datetime) -> IncentivePayment:
    """The office sends a failed or reversed payment again at the next run.

    A reversed one (the bank returned it) and one whose participant has linked another
    account since go as a new disbursement under a new key, to the current account once it
    is usable: the old key's disbursement failed or was returned, so it holds nothing."""
    lock_for_writing()
    payment = _lock(payment)
    if payment.state not in OPEN_TO_RETRY:
        raise DomainError(N_("Only a failed or returned payment can be sent again."))
    values = {
        "state": PaymentState.DUE,
        "attempts": 0,
        "next_attempt_at": None,
        "last_message": None,
    }
    current = db.session.scalar(
        sa.select(PayoutAccount.id).where(
            PayoutAccount.participant_id == payment.participant_id,
            PayoutAccount.replaced_at.is_(None),
        )
    )
    if payment.state is PaymentState.REVERSED or current != payment.payout_account_id:
        values.update(_new_disbursement(), payout_account_id=None, paid_at=None, reversed_at=None)
    db.session.execute(
        sa.update(IncentivePayment)
        .where(IncentivePayment.id == payment.id, IncentivePayment.state == payment.state)
        .values(**values)
    )
    audit.record("incentive.retried", f"incentive_payment:{payment.id}", actor=admin)
    db.session.expire(payment)
    return payment


def cancel(payment: IncentivePayment, admin, reason: str, now: datetime) -> IncentivePayment:
    """The office cancels a payment not being paid nor paid, with a reason the participant
    reads."""
    reason = " ".join((reason or "").split())
    if not 10 <= len(reason) <= 300:
        raise DomainError(
            N_("Write the reason the participant will read, 10 to 300 characters."),
            field="reason",
        )
    lock_for_writing()
    payment = _lock(payment)
    if payment.state not in OPEN_TO_CANCEL:
        raise DomainError(N_("A payment being paid, paid or reversed can't be cancelled."))
    db.session.execute(
        sa.update(IncentivePayment)
        .where(IncentivePayment.id == payment.id, IncentivePayment.state.in_(OPEN_TO_CANCEL))
        .values(
            state=PaymentState.CANCELLED,
            cancelled_at=now,
            cancel_reason=reason,
            next_attempt_at=None,
        )
    )
    audit.record(
        "incentive.cancelled", f"incentive_payment:{payment.id}", actor=admin, reason=reason
    )
    db.session.expire(payment)
    _mail(payment, "cancelled")
    return payment


# --- telling the participant --------------------------------------------------------------------

MAILS = {
    "paid": (
        N_("Your incentive of %(amount)s has been paid"),
        [
            N_("%(amount)s (%(what)s) was sent to your %(account)s on %(when)s."),
            N_("Reference: %(reference)s. It may take a few hours to show in your balance."),
            N_("See all your incentives: %(link)s"),
        ],
    ),
    "failed": (
        N_("Your incentive of %(amount)s could not be paid"),
        [
            N_("We tried to send %(amount)s (%(what)s) to your %(account)s, and it failed."),
            N_("Reason given by the bank or e-wallet: %(reason)s"),
            N_(
                "What to do: check that the account is open and in your own name, or link "
                "another one at %(link)s. The programme office will send it again."
            ),
        ],
    ),
    "reversed": (
        N_("Your incentive of %(amount)s was returned by the bank"),
        [
            N_(
                "%(amount)s (%(what)s) sent to your %(account)s was returned to the programme "
                "by the bank or e-wallet."
            ),
            N_(
                "What to do: check the account, or link another one at %(link)s, then write to "
                "the programme office so that it is sent again."
            ),
        ],
    ),
    "cancelled": (
        N_("Your incentive of %(amount)s was cancelled"),
        [
            N_("The programme office cancelled %(amount)s (%(what)s)."),
            N_("Reason: %(reason)s"),
            N_("If you think this is a mistake, write to the programme office: %(contact)s"),
        ],
    ),
}


def _mail(payment: IncentivePayment, what: str) -> None:
    """Tell the participant what happened to a payment, why, and what to do next."""
    payment = db.session.get(IncentivePayment, payment.id)
    participant = db.session.get(Participant, payment.participant_id)
    account = (
        db.session.get(PayoutAccount, payment.payout_account_id)
        if payment.payout_account_id
        else None
    )
    subject, paragraphs = MAILS[what]
    words = (
        N_("incentive %(number)s")
        if payment.kind is PaymentKind.INCENTIVE
        else N_("survey %(number)s")
    )
    mail.send_in_language(
        participant.user,
        subject,
        paragraphs,
        amount=rupiah(payment.amount),
        what=lambda: mail.translate(words, number=payment.number),
        account=(
            f"{account.channel.upper()} ****{account.number[-4:]}" if account is not None else "-"
        ),
        when=lambda: mail.wib(payment.paid_at) if payment.paid_at else "-",
        reference=payment.gateway_id or "-",
        reason=payment.cancel_reason or payment.last_message or payment.failure_code or "-",
        link=mail.public_link("/account/incentives"),
        contact=mail.public_link("/contact"),
    )
