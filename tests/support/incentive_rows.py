"""Rows for incentive tests: participants whose first course is completed and reviewed, with
a payout account linked, and the gateway's word as a signed webhook.

    from support.incentive_rows import eligible, link_account, signed_event, ...
"""

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import sqlalchemy as sa
from werkzeug.serving import make_server

from marketplace.extensions import db
from marketplace.incentives.gateway import Disbursement, sign
from marketplace.incentives.models import IncentivePayment, PayoutAccount, PayoutKind
from marketplace.learning import reviews
from marketplace.money import ledger
from marketplace.people.models import Participant
from support.checkout_rows import buy, card_holders
from support.learning_rows import complete
from support.programme_rows import fund

REVIEW = "Materinya jelas dan langsung bisa dipraktikkan di tempat kerja."
SECRET = "test-gateway-secret"


def link_account(participant_id: int, now: datetime, channel="bca", number=None) -> PayoutAccount:
    """A payout account linked directly (the linking rules are tested on their own)."""
    account = PayoutAccount(
        participant_id=participant_id,
        kind=PayoutKind.BANK,
        channel=channel,
        number=number or f"{participant_id:010d}",
        holder_name=db.session.get(Participant, participant_id).full_name,
        linked_at=now,
        usable_from=now,
    )
    db.session.add(account)
    db.session.flush()
    return account


def completed_and_reviewed(app, shop, count: int, scheme: str = "2020", account=True) -> list[int]:
    """`count` card holders of `scheme` who bought the shop's self-paced course, completed and
    reviewed it (and linked a payout account unless `account` is False); their ids,
    committed. The programme fund gets enough for every incentive."""
    people = card_holders(app, count, shop.now, scheme)
    with app.app_context():
        fund(count * 3_000_000)
        for person in people:
            if account:
                link_account(person, shop.now)
            order = buy(shop, shop.self_paced, who=person)
            complete(order.id, shop.now)
            reviews.write_review(order, db.session.get(Participant, person), 5, REVIEW, shop.now)
        db.session.commit()
    return people


def payments_of(participant_id: int) -> list[IncentivePayment]:
    return list(
        db.session.scalars(
            sa.select(IncentivePayment)
            .where(IncentivePayment.participant_id == participant_id)
            .order_by(IncentivePayment.kind, IncentivePayment.number)
        )
    )


def disbursement_of(payment: IncentivePayment, status: str, version: int, **fields) -> Disbursement:
    """The gateway's view of a payment."""
    return Disbursement(
        id=fields.pop("id", f"disb_{payment.id}"),
        reference=f"prakerja-{payment.id}",
        idempotency_key=payment.idempotency_key,
        amount=fields.pop("amount", payment.amount),
        status=status,
        version=version,
        **fields,
    )


def signed_event(
    disbursement: Disbursement, event_id: str, secret=SECRET, timestamp=None, kind=None
) -> tuple[bytes, dict]:
    """A webhook's body and headers, signed as the gateway signs them."""
    kind = (
        kind
        or {
            "SUCCEEDED": "disbursement.succeeded",
            "FAILED": "disbursement.failed",
            "REVERSED": "disbursement.reversed",
            "PENDING": "disbursement.succeeded",
        }[disbursement.status]
    )
    body = json.dumps(
        {
            "id": event_id,
            "type": kind,
            "created_at": "2026-12-06T00:00:00Z",
            "data": {
                "id": disbursement.id,
                "reference": disbursement.reference,
                "idempotency_key": disbursement.idempotency_key,
                "amount": disbursement.amount,
                "status": disbursement.status,
                "version": disbursement.version,
                "failure_code": disbursement.failure_code,
                "failure_message": disbursement.failure_message,
            },
        }
    ).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return body, {
        "Content-Type": "application/json",
        "X-Payout-Timestamp": stamp,
        "X-Payout-Signature": "v1=" + sign(secret, stamp, body),
    }


def incentives_paid_balance() -> int:
    return ledger.balance_of(ledger.INCENTIVES_PAID)


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """The app served on a free loopback port in a thread (the gateway's webhooks reach it);
    yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def settle(app, sandbox, until: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Wait until the sandbox has nothing left to settle or deliver and `until()` holds
    (read in a fresh app context)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sandbox.wait_idle(timeout=max(deadline - time.monotonic(), 0.1))
        with app.app_context():
            if until():
                return True
        time.sleep(0.05)
    return False


def register_accounts(app, sandbox, rejected: bool = False) -> None:
    """Tell the sandbox's banks about every payout account linked (their holders' names as
    linked), so that paying them succeeds."""
    with app.app_context():
        for account in db.session.scalars(sa.select(PayoutAccount)):
            sandbox.register_account(
                account.channel, account.number, account.holder_name, rejected=rejected
            )


def follow_in_books(payment_id: int, state, was=None) -> None:
    """The money of a payment a test put in `state` directly (from scheduled or due, or from
    `was` paying), as the disburser would have moved it: set aside while paying (given back
    when it stops), paid out once paid."""
    from marketplace.incentives.models import PaymentState
    from marketplace.money.models import Reason

    payment = db.session.get(IncentivePayment, payment_id)
    if was is PaymentState.PAYING:
        ledger.transfer(
            Reason.INCENTIVE,
            f"incentive:{payment_id} (test)",
            ledger.incentives_reserved(),
            ledger.programme_fund(),
            payment.amount,
            idempotency_key=f"test-released-{payment_id}",
            incentive_payment_id=payment_id,
        )
    moves = {
        PaymentState.PAYING: (ledger.programme_fund, ledger.incentives_reserved),
        PaymentState.PAID: (ledger.programme_fund, ledger.incentives_paid),
    }
    if state in moves:
        source, destination = moves[state]
        ledger.transfer(
            Reason.INCENTIVE,
            f"incentive:{payment_id} (test)",
            source(),
            destination(),
            payment.amount,
            idempotency_key=f"test-{state.value}-{payment_id}",
            incentive_payment_id=payment_id,
        )
