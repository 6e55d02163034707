"""Disbursement against the sandbox gateway on loopback, with the app served on loopback for
its webhooks: paid exactly once, whatever the gateway or the network does."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.incentive_rows import (
    completed_and_reviewed,
    incentives_paid_balance,
    link_account,
    payments_of,
    register_accounts,
    serving,
    settle,
)
from support.payout_sandbox import SECRET, gateway_for, running_sandbox

from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.incentives import disbursement
from marketplace.incentives.models import (
    DisbursementRun,
    IncentivePayment,
    PaymentState,
    PayoutAccount,
)
from marketplace.money import ledger
from marketplace.money.models import Card, CardStatus
from marketplace.people.models import Participant, Role

FAST = disbursement.Settings(
    batch=10,
    reconcile_after=timedelta(0),
    retry_after=timedelta(0),
    retry_limit=3,
)


@pytest.fixture
def wired(app, tmp_path):
    """The sandbox and the app, each reaching the other on loopback."""
    app.config["PAYOUT_GATEWAY_SECRET"] = SECRET
    app.config["PAYOUT_RETRY_AFTER"] = 0  # the webhook's failures are retried at once
    with serving(app) as base, running_sandbox(tmp_path / "sandbox.db") as sandbox:
        sandbox.webhook_url = base + "/payouts/webhook"
        yield sandbox


def _due(person) -> list[IncentivePayment]:
    return [p for p in payments_of(person) if p.state is not PaymentState.SCHEDULED]


def _run(app, sandbox, settings=FAST, register=True):
    if register:
        register_accounts(app, sandbox)
    with app.app_context():
        return disbursement.run(gateway_for(sandbox, timeout=1.0), settings).id


def _all_final(people):
    def check():
        db.session.expire_all()
        states = {p.state for person in people for p in _due(person)}
        return states <= {PaymentState.PAID, PaymentState.FAILED, PaymentState.REVERSED}

    return check


def _books_agree_with(sandbox):
    record = sandbox.record()
    assert all(row["times_paid"] <= 1 for row in record["disbursements"])
    assert record["net_total"] == incentives_paid_balance()
    assert ledger.verify() == []


def test_due_incentives_are_paid_once_and_the_books_agree_with_the_gateway(app, shop, wired):
    people = completed_and_reviewed(app, shop, 3)
    _run(app, wired)
    assert settle(app, wired, _all_final(people))
    with app.app_context():
        for person in people:
            first = _due(person)[0]
            assert first.state is PaymentState.PAID and first.gateway_id
        assert incentives_paid_balance() == 3 * 600_000
        _books_agree_with(wired)
    _run(app, wired)  # a second run pays nothing again
    assert settle(app, wired, _all_final(people))
    with app.app_context():
        assert wired.record()["succeeded_count"] == 3
        _books_agree_with(wired)


def test_a_call_that_failed_is_sent_again_under_the_same_key(app, shop, wired):
    people = completed_and_reviewed(app, shop, 2)
    wired.set_faults(fail_rate=1.0)
    _run(app, wired)
    with app.app_context():
        assert {p.state for person in people for p in _due(person)} == {PaymentState.PAYING}
        assert wired.record()["disbursements"] == []
    wired.set_faults(fail_rate=0.0)
    _run(app, wired)  # reconciliation: the gateway never got them, so they are sent again
    assert settle(app, wired, _all_final(people))
    with app.app_context():
        assert {p.state for person in people for p in _due(person)} == {PaymentState.PAID}
        _books_agree_with(wired)


def test_an_answer_lost_after_the_gateway_accepted_is_found_by_reconciliation(app, shop, wired):
    [person] = completed_and_reviewed(app, shop, 1)
    wired.set_faults(timeout_rate=1.0, timeout_sleep=1.5)
    _run(app, wired)
    wired.set_faults(timeout_rate=0.0)
    _run(app, wired)
    assert settle(app, wired, _all_final([person]))
    with app.app_context():
        assert _due(person)[0].state is PaymentState.PAID
        assert wired.record()["succeeded_count"] == 1
        _books_agree_with(wired)


def test_a_rejected_account_fails_with_the_banks_reason_and_waits_for_the_office(app, shop, wired):
    [person] = completed_and_reviewed(app, shop, 1)
    with app.app_context():
        account = db.session.scalar(
            sa.select(PayoutAccount).where(PayoutAccount.participant_id == person)
        )
        wired.register_account(account.channel, account.number, account.holder_name, rejected=True)
    _run(app, wired, register=False)
    assert settle(app, wired, _all_final([person]))
    with app.app_context():
        first = _due(person)[0]
        assert first.state is PaymentState.FAILED
        assert first.failure_code == "ACCOUNT_REJECTED"
        assert first.next_attempt_at is None  # left for the office
        assert incentives_paid_balance() == 0
        _books_agree_with(wired)
        mails = [m for m in _mails_to(person) if "could not be paid" in m.subject]
        assert mails and "ACCOUNT_REJECTED" not in mails[0].body


def test_a_reversal_by_the_bank_returns_the_money_to_the_programme(app, shop, wired):
    [person] = completed_and_reviewed(app, shop, 1)
    _run(app, wired)
    assert settle(app, wired, _all_final([person]))
    with app.app_context():
        key = _due(person)[0].idempotency_key
    wired.reverse(key)
    assert settle(app, wired, lambda: _due(person)[0].state is PaymentState.REVERSED)
    with app.app_context():
        assert incentives_paid_balance() == 0
        _books_agree_with(wired)


def test_blocked_participants_frozen_cards_and_new_accounts_are_held_with_a_reason(
    app, shop, wired
):
    blocked, frozen, changed = completed_and_reviewed(app, shop, 3)
    with app.app_context():
        db.session.get(Participant, blocked).blocked_at = utcnow()
        db.session.get(Participant, blocked).blocked_reason = "Duplicate identity"
        db.session.scalar(
            sa.select(Card).where(Card.participant_id == frozen)
        ).status = CardStatus.FROZEN
        account = db.session.scalar(
            sa.select(PayoutAccount).where(PayoutAccount.participant_id == changed)
        )
        account.usable_from = utcnow() + timedelta(hours=24)
        db.session.commit()
    _run(app, wired)
    with app.app_context():
        for person, words in ((blocked, "blocked"), (frozen, "frozen"), (changed, "24 hours")):
            first = _due(person)[0]
            assert first.state is PaymentState.DUE
            assert words in first.last_message
        assert wired.record()["disbursements"] == []


def test_on_sqlite_a_second_disburser_is_told_another_runs(app, tmp_path):
    path = str(tmp_path / "db.sqlite")
    with (
        disbursement.exclusive_run(path),
        pytest.raises(disbursement.AnotherDisburser),
        disbursement.exclusive_run(path),
    ):
        pass
    with disbursement.exclusive_run(path):  # released at the end
        pass


def test_the_office_retries_a_failed_payment_and_cancels_another(app, shop, wired, factory):
    people = completed_and_reviewed(app, shop, 2)
    with app.app_context():
        for person in people:
            account = db.session.scalar(
                sa.select(PayoutAccount).where(PayoutAccount.participant_id == person)
            )
            wired.register_account(
                account.channel, account.number, account.holder_name, rejected=True
            )
    _run(app, wired, register=False)
    assert settle(app, wired, _all_final(people))
    admin = factory.user(role=Role.ADMIN)
    with app.app_context():
        retried, cancelled = (_due(person)[0] for person in people)
        disbursement.retry(retried, admin, utcnow())
        disbursement.cancel(cancelled, admin, "Rekening ganda, hubungi kami.", utcnow())
        db.session.commit()
        assert db.session.get(IncentivePayment, retried.id).state is PaymentState.DUE
        assert db.session.get(IncentivePayment, cancelled.id).state is PaymentState.CANCELLED
        wired.register_account(
            "bca",
            db.session.get(PayoutAccount, retried.payout_account_id).number,
            db.session.get(PayoutAccount, retried.payout_account_id).holder_name,
        )
    _run(app, wired)
    assert settle(app, wired, lambda: _due(people[0])[0].state is PaymentState.PAID)
    with app.app_context():
        assert _due(people[1])[0].state is PaymentState.CANCELLED
        assert db.session.scalar(sa.select(sa.func.count(DisbursementRun.id))) == 2
        _books_agree_with(wired)


def _mails_to(person):
    from marketplace.core.models import OutboxMail

    email = db.session.get(Participant, person).user.email
    return list(db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == email)))


def test_without_a_gateway_address_nothing_is_paid_and_it_says_why(app):
    from marketplace.incentives.gateway import Gateway, GatewayUnavailable

    with pytest.raises(GatewayUnavailable, match="PAYOUT_GATEWAY_URL"):
        Gateway.of({"PAYOUT_GATEWAY_SECRET": "s", "PAYOUT_GATEWAY_URL": None})


def test_a_fund_too_short_holds_payments_before_anything_is_sent(app, shop, wired):
    """The amount is set aside from the programme fund when a payment is claimed: with too
    little left, nothing is sent (the books could not record what the bank paid)."""
    people = completed_and_reviewed(app, shop, 2)
    with app.app_context():
        left = ledger.balance_of(ledger.PROGRAMME_FUND)
        from marketplace.money.models import Reason

        ledger.transfer(
            Reason.BUDGET_ALLOCATED,
            "returned to the budget",
            ledger.programme_fund(),
            ledger.budget(),
            left - 600_000,
        )
        db.session.commit()
    _run(app, wired)
    assert settle(app, wired, _all_final(people[:1]))
    with app.app_context():
        first, second = (_due(person)[0] for person in people)
        assert first.state is PaymentState.PAID
        assert second.state is PaymentState.DUE
        assert "programme's funds" in second.last_message
        assert wired.record()["succeeded_count"] == 1
        _books_agree_with(wired)


def test_a_retry_the_gateway_never_received_is_sent_again(app, shop, wired):
    """A failed try, then a retry whose call never arrived: the gateway still shows the
    failed try, so reconciliation sends the retry again under the same key."""
    settings = disbursement.Settings(
        batch=10, reconcile_after=timedelta(0), retry_after=timedelta(0), retry_limit=5
    )
    [person] = completed_and_reviewed(app, shop, 1)
    wired.set_faults(final_fail_rate=1.0)  # the bank fails it (BANK_UNAVAILABLE)
    _run(app, wired, settings)
    assert settle(app, wired, lambda: _due(person)[0].state is PaymentState.FAILED)
    wired.set_faults(final_fail_rate=0.0, fail_rate=1.0)  # the retry's call is lost
    _run(app, wired, settings)
    with app.app_context():
        assert _due(person)[0].state is PaymentState.PAYING
    wired.set_faults(fail_rate=0.0)
    _run(app, wired, settings)
    assert settle(app, wired, _all_final([person]))
    with app.app_context():
        assert _due(person)[0].state is PaymentState.PAID
        _books_agree_with(wired)


def test_after_a_failure_a_newly_linked_account_receives_the_retry(app, shop, wired):
    settings = disbursement.Settings(
        batch=10, reconcile_after=timedelta(0), retry_after=timedelta(0), retry_limit=5
    )
    [person] = completed_and_reviewed(app, shop, 1)
    wired.set_faults(final_fail_rate=1.0)
    _run(app, wired, settings)
    assert settle(app, wired, lambda: _due(person)[0].state is PaymentState.FAILED)
    wired.set_faults(final_fail_rate=0.0)
    with app.app_context():
        old = db.session.scalar(
            sa.select(PayoutAccount).where(PayoutAccount.participant_id == person)
        )
        old_key = _due(person)[0].idempotency_key
        old.replaced_at = utcnow()
        db.session.flush()
        new = link_account(person, utcnow(), channel="bni", number="9876543210")
        db.session.commit()
        new_id = new.id
    _run(app, wired, settings)  # held: the new account is usable at once here
    assert settle(app, wired, _all_final([person]))
    with app.app_context():
        paid = _due(person)[0]
        assert paid.state is PaymentState.PAID
        assert paid.payout_account_id == new_id and paid.idempotency_key != old_key
        _books_agree_with(wired)
