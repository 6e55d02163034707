"""The seeded demo's incentives (issue 15, demo/incentives.py): peserta@example.com linked her
GoPay, her 2020 scheme's four incentives are scheduled and the first is paid through the
sandbox gateway, survey 1 is answered and paid; the books agree with the sandbox's record, and
the sandbox's banks know the accounts of the README's walk, which works as written."""

import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.demo import incentives as demo_incentives
from marketplace.extensions import db
from marketplace.incentives import channels, payout_accounts
from marketplace.incentives.models import (
    DisbursementRun,
    IncentivePayment,
    PaymentKind,
    PaymentState,
    PayoutAccount,
    SurveyResponse,
)
from marketplace.incentives.sandbox import PayoutSandbox
from marketplace.learning import reviews
from marketplace.money import ledger
from marketplace.people.models import Participant, User
from marketplace.seed_data import DEMO_PASSWORD

SECRET = "demo-incentives-test-secret"
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
WALKER = "peserta8@example.com"  # Rina Marlina: the README's walk names her
CODE = re.compile(r"(?:is|adalah) (\d{6})\.")  # "…as your payout account is 123456."


@pytest.fixture
def record(tmp_path) -> Path:
    return tmp_path / "payout-sandbox.db"


@pytest.fixture
def app_config(record):
    return {"PAYOUT_SANDBOX_DB": str(record), "PAYOUT_GATEWAY_SECRET": SECRET}


def _participant(email: str) -> Participant:
    return db.session.scalar(
        sa.select(Participant).join(User, User.id == Participant.user_id).where(User.email == email)
    )


def _payments(participant: Participant) -> list[IncentivePayment]:
    return list(
        db.session.scalars(
            sa.select(IncentivePayment)
            .where(IncentivePayment.participant_id == participant.id)
            .order_by(IncentivePayment.kind, IncentivePayment.number)
        )
    )


def _rows(record: Path, query: str) -> list[tuple]:
    with sqlite3.connect(record) as connection:
        return connection.execute(query).fetchall()


def test_peserta_linked_her_gopay_and_her_first_incentive_and_survey_are_paid(demo):
    with demo.app_context():
        siti = _participant("peserta@example.com")
        account = payout_accounts.current_account(siti)
        assert (account.channel, account.number) == ("gopay", channels.national_phone(siti.phone))
        assert account.holder_name == siti.full_name == "Siti Rahayu"
        assert account.usable_from <= utcnow()
        payments = _payments(siti)
        incentives = [p for p in payments if p.kind is PaymentKind.INCENTIVE]
        assert [p.state for p in incentives] == [PaymentState.PAID] + [PaymentState.SCHEDULED] * 3
        first = incentives[0]
        assert first.gateway_id and first.payout_account_id == account.id
        assert first.due_at >= account.linked_at and first.paid_at < utcnow()
        assert all(later.due_at > utcnow() for later in incentives[1:])
        [survey] = [p for p in payments if p.kind is PaymentKind.SURVEY]
        assert (survey.number, survey.amount, survey.state) == (1, 50_000, PaymentState.PAID)
        assert survey.gateway_id
        [response] = db.session.scalars(
            sa.select(SurveyResponse).where(SurveyResponse.participant_id == siti.id)
        ).all()
        assert response.number == 1
        # In the demo's timeline: after her review, before the seed ran.
        reviewed = reviews.completed_and_reviewed(siti)[0].completed_at
        assert reviewed < account.linked_at < response.submitted_at < first.paid_at
        # The books: what was paid moved from the programme fund, once each.
        assert ledger.verify() == []
        paid = sum(p.amount for p in payments if p.state is PaymentState.PAID)
        assert paid == 600_000 + 50_000
        assert ledger.balance_of(ledger.INCENTIVES_PAID) == paid
        run = db.session.scalar(sa.select(DisbursementRun))
        assert (run.claimed, run.accepted, run.failed) == (2, 2, 0) and run.finished_at
        # She was told, as the disburser tells everyone.
        subjects = db.session.scalars(
            sa.select(OutboxMail.subject).where(OutboxMail.recipient == "peserta@example.com")
        ).all()
        assert sum("600.000" in s or "50.000" in s for s in subjects) >= 2
    # What she sees: both paid with their references, the other three scheduled.
    client = demo.test_client()
    client.set_cookie("lang", "en")
    client.post("/login", data={"email": "peserta@example.com", "password": DEMO_PASSWORD})
    page = client.get("/account/incentives").get_data(as_text=True)
    assert page.count("Paid on") == 2 and page.count("Scheduled, due on") == 3
    assert first.gateway_id in page and survey.gateway_id in page


def test_the_sandbox_record_holds_the_demo_accounts_and_what_it_paid(demo, record):
    with demo.app_context():
        siti = _participant("peserta@example.com")
        walker = _participant(WALKER)
        keys = {p.idempotency_key: p.amount for p in _payments(siti) if p.gateway_id}
        accounts = set(_rows(record, "SELECT channel, account_number, holder_name FROM account"))
        assert accounts >= {
            ("gopay", channels.national_phone(siti.phone), "Siti Rahayu"),
            ("bca", demo_incentives.WALK_OWN_NUMBER, walker.full_name),
            ("gopay", channels.national_phone(walker.phone), walker.full_name),
            ("bca", demo_incentives.WALK_OTHERS_NUMBER, demo_incentives.WALK_OTHERS_HOLDER),
        }
        sent = _rows(record, "SELECT idempotency_key, amount, status FROM disbursement")
        assert {(key, amount, "SUCCEEDED") for key, amount in keys.items()} == set(sent)


def test_the_walk_participant_has_a_reviewed_course_and_no_payout_account(demo):
    with demo.app_context():
        walker = _participant(WALKER)
        assert walker.full_name == "Rina Marlina" and walker.card is not None
        assert reviews.completed_and_reviewed(walker)
        assert payout_accounts.current_account(walker) is None
        assert demo_incentives.walk_participant(_participant("peserta@example.com")) == walker
    for named in (WALKER, "Rina Marlina", demo_incentives.WALK_OWN_NUMBER):
        assert named in README, f"the README's walk does not name {named}"
    assert demo_incentives.WALK_OTHERS_NUMBER in README
    assert ".venv/bin/flask incentives disburse" in README
    assert f".venv/bin/flask mail outbox --to {WALKER}" in README


def _code_for(email: str) -> str:
    body = db.session.scalar(
        sa.select(OutboxMail.body)
        .where(OutboxMail.recipient == email)
        .order_by(OutboxMail.id.desc())
        .limit(1)
    )
    return CODE.search(body).group(1)


def test_the_readme_walk_links_her_bank_account_through_the_seeded_sandbox(demo, record):
    """`make run`'s sandbox serves the record the seed wrote: the walk's BCA account in another
    person's name is refused with both names, hers is linked with the mailed code, and
    `flask incentives disburse` pays her first incentive."""
    sandbox = PayoutSandbox(SECRET, record, settle_after=0.0)
    demo.config.update(PAYOUT_GATEWAY_URL=sandbox.start(), PAYOUT_RECONCILE_AFTER=0)
    try:
        client = demo.test_client()
        client.set_cookie("lang", "en")
        signed = client.post("/login", data={"email": WALKER, "password": DEMO_PASSWORD})
        assert signed.status_code == 302
        others = client.post(
            "/account/payout",
            data={"channel": "bca", "number": demo_incentives.WALK_OTHERS_NUMBER},
        )
        page = others.get_data(as_text=True)
        assert others.status_code == 400
        assert demo_incentives.WALK_OTHERS_HOLDER in page and "Rina Marlina" in page
        asked = client.post(
            "/account/payout", data={"channel": "bca", "number": demo_incentives.WALK_OWN_NUMBER}
        )
        assert asked.status_code == 302
        with demo.app_context():
            walker = _participant(WALKER)
            waiting = payout_accounts.open_request(walker, utcnow())
            code = _code_for(WALKER)
        linked = client.post(
            "/account/payout/confirm", data={"request_id": str(waiting.id), "code": code}
        )
        assert linked.status_code == 302
        runner = demo.test_cli_runner()
        assert "1 claimed" in runner.invoke(args=["incentives", "disburse"]).output
        assert sandbox.wait_idle(5)
        runner.invoke(args=["incentives", "disburse"])  # reads the final status back
        with demo.app_context():
            walker = _participant(WALKER)
            account = db.session.scalar(
                sa.select(PayoutAccount).where(PayoutAccount.participant_id == walker.id)
            )
            assert (account.channel, account.number) == ("bca", demo_incentives.WALK_OWN_NUMBER)
            states = [p.state for p in _payments(walker)]
            assert states == [PaymentState.PAID] + [PaymentState.SCHEDULED] * 3
            assert ledger.verify() == []
        assert "Paid on" in client.get("/account/incentives").get_data(as_text=True)
    finally:
        sandbox.stop()


def test_an_app_under_test_keeps_the_sandbox_record_out_of_instance(app):
    """Without PAYOUT_SANDBOX_DB, a test's seed keeps the sandbox's record in memory; a
    served site's is the one `flask payout-sandbox` serves by default."""
    app.config.pop("PAYOUT_SANDBOX_DB", None)
    with app.app_context():
        assert demo_incentives.sandbox_record_path() == ":memory:"
        app.testing = False
        try:
            path = demo_incentives.sandbox_record_path()
        finally:
            app.testing = True
        assert path == str(Path(app.instance_path) / "payout-sandbox.db")
