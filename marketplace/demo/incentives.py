"""The demo's incentives for `flask seed`: a payout account linked, an incentive and a survey
paid through the payout gateway's real protocol, and the sandbox's banks ready for the walk.

Everything goes through the services a real run uses, at the demo's times (demo/journeys.py:
the demo participant completed and reviewed her first course on day 1 after the cards were
issued):

- 15 minutes after her review, peserta@example.com (Siti Rahayu) links her GoPay on her
  registered phone (`payout_accounts.link_directly`: the seed types no code), which schedules
  the 2020 scheme's four training incentives (`schedule.schedule_for`): the first due at
  once, the others a calendar month apart, so three are still scheduled when the demo opens;
- 5 minutes later she answers survey 1 (`surveys.submit`), which adds its payment, due at
  once;
- 10 minutes later a disbursement pays both through the sandbox payout gateway
  (`incentives/sandbox.py`), started here on a free loopback port with the record
  `flask payout-sandbox` keeps (`instance/payout-sandbox.db`): each payment is claimed, sent
  under its idempotency key (`disbursement.claim`, `send`), settled by the sandbox, and its
  final status read back from the gateway and applied (`disbursement.apply`: the ledger moves
  the amount from the programme fund to incentives paid, and she is mailed). No webhook is
  needed: no site is serving while the seed runs.

The steps of `disbursement.run` are taken one by one because the seed is one transaction: it
flushes and never commits (its caller does), and `run` commits as it goes.

The sandbox's banks also learn the accounts of the README's walk (`WALK_ACCOUNTS`): another
participant whose first course is completed and reviewed, and who has no payout account yet,
can link their BCA account (in their own name) or their GoPay, and is refused a BCA account in
another person's name with the explanation.

The sandbox's record is `PAYOUT_SANDBOX_DB` when the app's settings name one, else
`instance/payout-sandbox.db`; an app under test (TESTING) without that setting uses a record in
memory, so that tests never write to `instance/`. The sandbox keeps no secret: the seed signs
with PAYOUT_GATEWAY_SECRET (a random one when it is not set), and `flask payout-sandbox`
serves the same record with its own.
"""

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from marketplace.extensions import db
from marketplace.incentives import channels, disbursement, payout_accounts, surveys
from marketplace.incentives.gateway import Gateway
from marketplace.incentives.models import (
    Employment,
    IncentivePayment,
    IncomeChange,
    PaymentKind,
    PaymentState,
    PayoutAccount,
)
from marketplace.incentives.sandbox import PayoutSandbox
from marketplace.learning import reviews
from marketplace.learning.models import Review
from marketplace.money.models import Card
from marketplace.people.models import Participant, User

DEMO_EMAIL = "peserta@example.com"
DEMO_CHANNEL = "gopay"
# The README's walk: the second participant's own BCA account, and one in another's name.
WALK_BANK = "bca"
WALK_OWN_NUMBER = "5271234567"
WALK_OTHERS_NUMBER = "5279876543"
WALK_OTHERS_HOLDER = "Rahmat Hidayat"
# The demo's times, after the demo participant's review of her first course.
LINKED_AFTER_REVIEW = timedelta(minutes=15)
SURVEY_AFTER_LINK = timedelta(minutes=5)
PAID_AFTER_SURVEY = timedelta(minutes=10)
SURVEY_ANSWERS = {
    "employment": Employment.SEEKING,
    "income_change": IncomeChange.NO_INCOME,
    "usefulness": 5,
    "would_recommend": True,
}
SETTLED_WITHIN = 10.0  # seconds the sandbox may take to settle what it accepted
# The disburser's pace for the seed: a payment "paying" is asked about at once.
SEED_SETTINGS = disbursement.Settings(batch=10, reconcile_after=timedelta(0))


@dataclass(frozen=True)
class IncentivesReport:
    """What seed_incentives() did."""

    paid: int  # payments paid through the sandbox
    scheduled: int  # the demo participant's payments still scheduled
    walk_participant: str | None  # the email of the participant who links in the walk
    sandbox_record: str  # the sandbox's record file (":memory:" under test)


def sandbox_record_path() -> str:
    """Where the sandbox's record is (see the module's docstring)."""
    configured = current_app.config.get("PAYOUT_SANDBOX_DB")
    if configured:
        return str(configured)
    if current_app.testing:
        return ":memory:"
    return os.path.join(current_app.instance_path, "payout-sandbox.db")


def _participant(email: str) -> Participant | None:
    return db.session.scalar(
        sa.select(Participant).join(User, User.id == Participant.user_id).where(User.email == email)
    )


def walk_participant(demo: Participant) -> Participant | None:
    """The card holder (not the demo participant) whose first course is completed and
    reviewed and who has no payout account: the first of them, or None."""
    holders = db.session.scalars(
        sa.select(Participant)
        .join(Card, Card.participant_id == Participant.id)
        .where(
            Participant.id != demo.id,
            ~sa.exists().where(PayoutAccount.participant_id == Participant.id),
        )
        .order_by(Participant.id)
    )
    for holder in holders:
        if reviews.completed_and_reviewed(holder):
            return holder
    return None


def _reviewed_at(participant: Participant) -> datetime:
    """When the participant reviewed their first completed and reviewed course."""
    first = reviews.completed_and_reviewed(participant)[0]
    return db.session.scalar(sa.select(Review.created_at).where(Review.order_id == first.id))


def _register(sandbox: PayoutSandbox, demo: Participant, walker: Participant | None) -> None:
    sandbox.register_account(DEMO_CHANNEL, channels.national_phone(demo.phone), demo.full_name)
    if walker is not None:
        sandbox.register_account(WALK_BANK, WALK_OWN_NUMBER, walker.full_name)
        sandbox.register_account(
            DEMO_CHANNEL, channels.national_phone(walker.phone), walker.full_name
        )
    sandbox.register_account(WALK_BANK, WALK_OTHERS_NUMBER, WALK_OTHERS_HOLDER)


def _pay_due(gateway: Gateway, sandbox: PayoutSandbox, at: datetime) -> int:
    """One disbursement at `at`, step by step without committing (the module's docstring):
    what is due claimed and sent, settled, its final status read back and applied; how many
    were paid."""
    run_row = disbursement.start_run(at)
    claimed = disbursement.claim(run_row, at, SEED_SETTINGS)
    for payment_id in claimed:
        outcome = disbursement.send(payment_id, gateway, at, SEED_SETTINGS)
        if outcome == "accepted":
            run_row.accepted += 1
        else:
            run_row.failed += 1
    if not sandbox.wait_idle(SETTLED_WITHIN):
        raise RuntimeError("the payout sandbox did not settle the demo's payments in time")
    for payment_id in claimed:
        payment = db.session.get(IncentivePayment, payment_id)
        found = gateway.status(payment.idempotency_key)
        if found is not None:
            disbursement.apply(found, at, SEED_SETTINGS)
            run_row.reconciled += 1
    run_row.finished_at = at
    db.session.flush()
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            IncentivePayment.id.in_(claimed), IncentivePayment.state == PaymentState.PAID
        )
    )


def seed_incentives(now: datetime) -> IncentivesReport | None:
    """The demo participant's payout account, survey 1, and her first incentive and the
    survey's payment paid through the sandbox gateway; the walk's accounts registered at the
    sandbox. None (nothing done) when she has no completed and reviewed course. Flushes,
    never commits; RuntimeError when the demo would contradict itself."""
    demo = _participant(DEMO_EMAIL)
    if demo is None or demo.card is None or not reviews.completed_and_reviewed(demo):
        return None
    linked_at = _reviewed_at(demo) + LINKED_AFTER_REVIEW
    answered_at = linked_at + SURVEY_AFTER_LINK
    paid_at = answered_at + PAID_AFTER_SURVEY
    if paid_at >= now:
        raise RuntimeError("the demo's incentives would be paid after the seed runs")
    walker = walk_participant(demo)

    payout_accounts.link_directly(
        demo, DEMO_CHANNEL, channels.national_phone(demo.phone), demo.full_name, linked_at
    )
    surveys.submit(demo, 1, SURVEY_ANSWERS, answered_at)

    record = sandbox_record_path()
    secret = current_app.config.get("PAYOUT_GATEWAY_SECRET") or secrets.token_hex(32)
    sandbox = PayoutSandbox(secret, record, settle_after=0.0)
    try:
        _register(sandbox, demo, walker)
        url = sandbox.start("127.0.0.1", 0)
        paid = _pay_due(Gateway(url, secret, timeout=5.0), sandbox, paid_at)
    finally:
        sandbox.stop()

    states = db.session.execute(
        sa.select(IncentivePayment.kind, IncentivePayment.state).where(
            IncentivePayment.participant_id == demo.id
        )
    ).all()
    incentives = sorted(state.value for kind, state in states if kind is PaymentKind.INCENTIVE)
    survey = [state for kind, state in states if kind is PaymentKind.SURVEY]
    if incentives != ["paid", "scheduled", "scheduled", "scheduled"] or survey != [
        PaymentState.PAID
    ]:
        raise RuntimeError(f"the demo's payments are not as planned: {states}")
    return IncentivesReport(
        paid=paid,
        scheduled=incentives.count("scheduled"),
        walk_participant=walker.user.email if walker is not None else None,
        sandbox_record=record,
    )
