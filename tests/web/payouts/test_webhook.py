"""/payouts/webhook: the gateway's signed events, applied once; anything else changes nothing."""

import time

import pytest
import sqlalchemy as sa
from support.incentive_rows import (
    SECRET,
    completed_and_reviewed,
    disbursement_of,
    follow_in_books,
    incentives_paid_balance,
    payments_of,
    signed_event,
)

from marketplace.extensions import db
from marketplace.incentives.models import (
    IncentivePayment,
    PaymentState,
    PayoutAccount,
    PayoutEvent,
)
from marketplace.money import ledger

URL = "/payouts/webhook"


@pytest.fixture
def paying(app, shop):
    """A participant's first incentive sent to the gateway (state paying); its id."""
    app.config["PAYOUT_GATEWAY_SECRET"] = SECRET
    [person] = completed_and_reviewed(app, shop, 1)
    with app.app_context():
        first = payments_of(person)[0]
        account_id = db.session.scalar(
            sa.select(PayoutAccount.id).where(PayoutAccount.participant_id == person)
        )
        db.session.execute(
            sa.update(IncentivePayment)
            .where(IncentivePayment.id == first.id)
            .values(
                state=PaymentState.PAYING,
                attempts=1,
                sent_at=shop.now,
                payout_account_id=account_id,
            )
        )
        follow_in_books(first.id, PaymentState.PAYING)  # its amount set aside, as a claim does
        db.session.commit()
        return first.id


def _payment(payment_id) -> IncentivePayment:
    db.session.expire_all()
    return db.session.get(IncentivePayment, payment_id)


def _post(client, app, payment_id, status, version, event_id, **fields):
    with app.app_context():
        body, headers = signed_event(
            disbursement_of(_payment(payment_id), status, version, **fields), event_id
        )
    return client.post(URL, data=body, headers=headers)


def _snapshot(app):
    with app.app_context():
        return (
            db.session.execute(
                sa.select(
                    IncentivePayment.id, IncentivePayment.state, IncentivePayment.gateway_version
                )
            ).all(),
            db.session.scalar(sa.select(sa.func.count(PayoutEvent.id))),
            incentives_paid_balance(),
        )


def test_a_succeeded_event_pays_once_and_moves_the_money(client, app, paying):
    answer = _post(client, app, paying, "SUCCEEDED", 2, "evt_1")
    assert answer.status_code == 200 and answer.json["outcome"] == "applied"
    again = _post(client, app, paying, "SUCCEEDED", 2, "evt_1")  # the same event resent
    assert again.json["outcome"] == "duplicate"
    copy = _post(client, app, paying, "SUCCEEDED", 2, "evt_2")  # the same status, new event
    assert copy.json["outcome"] == "stale"
    with app.app_context():
        payment = _payment(paying)
        assert payment.state is PaymentState.PAID and payment.paid_at is not None
        assert incentives_paid_balance() == 600_000
        assert ledger.verify() == []


def test_a_reversal_returns_the_money_and_an_older_event_after_it_changes_nothing(
    client, app, paying
):
    assert _post(client, app, paying, "SUCCEEDED", 2, "evt_1").json["outcome"] == "applied"
    assert _post(client, app, paying, "REVERSED", 3, "evt_2").json["outcome"] == "applied"
    assert _post(client, app, paying, "SUCCEEDED", 2, "evt_3").json["outcome"] == "stale"
    with app.app_context():
        assert _payment(paying).state is PaymentState.REVERSED
        assert incentives_paid_balance() == 0
        assert ledger.verify() == []


def test_a_reversal_that_arrives_before_its_success_pays_and_returns(client, app, paying):
    assert _post(client, app, paying, "REVERSED", 3, "evt_2").json["outcome"] == "applied"
    assert _post(client, app, paying, "SUCCEEDED", 2, "evt_1").json["outcome"] == "stale"
    with app.app_context():
        assert _payment(paying).state is PaymentState.REVERSED
        assert incentives_paid_balance() == 0
        assert ledger.verify() == []


def test_a_failure_waits_for_a_retry_and_says_why(client, app, paying):
    answer = _post(
        client,
        app,
        paying,
        "FAILED",
        2,
        "evt_1",
        failure_code="BANK_UNAVAILABLE",
        failure_message="The bank is not answering.",
    )
    assert answer.json["outcome"] == "applied"
    with app.app_context():
        payment = _payment(paying)
        assert payment.state is PaymentState.FAILED
        assert payment.failure_code == "BANK_UNAVAILABLE"
        assert payment.last_message == "The bank is not answering."
        assert payment.next_attempt_at is not None  # retried after a backoff
        assert incentives_paid_balance() == 0


def test_a_rejected_account_is_left_for_the_office_at_once(client, app, paying):
    _post(
        client,
        app,
        paying,
        "FAILED",
        2,
        "evt_1",
        failure_code="ACCOUNT_REJECTED",
        failure_message="The bank refused the account.",
    )
    with app.app_context():
        payment = _payment(paying)
        assert payment.state is PaymentState.FAILED and payment.next_attempt_at is None


def test_a_bad_signature_is_refused_and_changes_nothing(client, app, paying):
    before = _snapshot(app)
    with app.app_context():
        body, headers = signed_event(
            disbursement_of(_payment(paying), "SUCCEEDED", 2), "evt_1", secret="not-the-secret"
        )
    assert client.post(URL, data=body, headers=headers).status_code == 401
    headers["X-Payout-Signature"] = ""
    assert client.post(URL, data=body, headers=headers).status_code == 401
    del headers["X-Payout-Signature"]
    assert client.post(URL, data=body, headers=headers).status_code == 401
    assert _snapshot(app) == before


def test_a_stale_or_future_timestamp_is_refused_and_changes_nothing(client, app, paying):
    before = _snapshot(app)
    for stamp in (int(time.time()) - 3600, int(time.time()) + 3600):
        with app.app_context():
            body, headers = signed_event(
                disbursement_of(_payment(paying), "SUCCEEDED", 2), "evt_1", timestamp=stamp
            )
        assert client.post(URL, data=body, headers=headers).status_code == 401
    assert _snapshot(app) == before


def test_a_body_changed_after_signing_is_refused(client, app, paying):
    before = _snapshot(app)
    with app.app_context():
        body, headers = signed_event(disbursement_of(_payment(paying), "SUCCEEDED", 2), "evt_1")
    assert (
        client.post(URL, data=body.replace(b"600000", b"6000000"), headers=headers).status_code
        == 401
    )
    assert _snapshot(app) == before


def test_an_event_for_an_unknown_payment_is_ignored(client, app, paying):
    before = _snapshot(app)
    with app.app_context():
        stranger = disbursement_of(_payment(paying), "SUCCEEDED", 2)
    from dataclasses import replace

    body, headers = signed_event(replace(stranger, idempotency_key="pk_nobody"), "evt_9")
    answer = client.post(URL, data=body, headers=headers)
    assert answer.status_code == 200 and answer.json["outcome"] == "unknown"
    assert _snapshot(app) == before


def test_another_amount_than_the_payments_is_not_applied(client, app, paying):
    answer = _post(client, app, paying, "SUCCEEDED", 2, "evt_1", amount=6_000_000)
    assert answer.json["outcome"] == "mismatch"
    with app.app_context():
        assert _payment(paying).state is PaymentState.PAYING
        assert incentives_paid_balance() == 0


def test_a_signed_body_that_is_not_an_event_is_refused(client, app, paying):
    from support.incentive_rows import sign

    stamp = str(int(time.time()))
    for body in (b"[]", b"{}", b"not json", b'{"id": "e", "type": "disbursement.succeeded"}'):
        headers = {
            "Content-Type": "application/json",
            "X-Payout-Timestamp": stamp,
            "X-Payout-Signature": "v1=" + sign(SECRET, stamp, body),
        }
        assert client.post(URL, data=body, headers=headers).status_code == 401


def test_json_is_still_refused_by_every_other_page(client):
    answer = client.post(
        "/login", data=b'{"email": "a"}', headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
