"""1,000 due payments paid exactly once through a faulty gateway, with the disburser killed.

The sandbox gateway (loopback) fails 30% of its create and status calls with a 503, accepts
10% of creates and then answers too late for the client, sends 30% of its webhooks twice and
holds some back so that they arrive out of order. The app serves the webhooks on loopback
from this process. `flask incentives disburse` runs as a real process on the test's
database (SQLite by default, PostgreSQL with TEST_DATABASE_URL): the first is killed with
SIGKILL once a third of the payments have left "due", then disbursers run again until every
payment is final; on PostgreSQL two disbursers run at once every time.

Afterwards: every payment is paid, each exactly once at the gateway (its record counts every
key's successful payments), the gateway's total and the ledger's incentives_paid agree to the
rupiah, and `flask ledger verify` passes.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from support.incentive_rows import (
    completed_and_reviewed,
    incentives_paid_balance,
    register_accounts,
    serving,
)
from support.payout_sandbox import SECRET, running_sandbox

from marketplace.extensions import db
from marketplace.incentives.models import IncentivePayment, PaymentState
from marketplace.money import ledger

REPO = Path(__file__).resolve().parents[2]
PEOPLE = 250  # 2020 scheme: four payments each, all made due at once
AMOUNT = 600_000
DEADLINE = 240  # seconds for the whole paying


def _flask(database_url: str, secret_key: str, gateway_url: str, *args: str) -> list:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "TEST_DATABASE_URL", "MAIL_SERVER", "FLASK_DEBUG"}
    }
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key,
        PUBLIC_URL="http://127.0.0.1",
        PAYOUT_GATEWAY_URL=gateway_url,
        PAYOUT_GATEWAY_SECRET=SECRET,
        PAYOUT_GATEWAY_TIMEOUT="0.25",
        PAYOUT_RECONCILE_AFTER="0",
        PAYOUT_RETRY_AFTER="0",
        PAYOUT_BATCH="20",
        TASK_QUEUE_IMMEDIATE="1",
        PYTHONUNBUFFERED="1",
    )
    return [[sys.executable, "-m", "flask", *args], env]


def _start(command, log: Path) -> subprocess.Popen:
    args, env = command
    with log.open("ab") as out:
        return subprocess.Popen(args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def _states(app) -> dict:
    with app.app_context():
        rows = db.session.execute(
            sa.select(IncentivePayment.state, sa.func.count()).group_by(IncentivePayment.state)
        ).all()
        db.session.rollback()
    return {state: count for state, count in rows}


def test_a_killed_disburser_and_a_faulty_gateway_pay_every_payment_exactly_once(
    app, shop, database_url, tmp_path
):
    people = completed_and_reviewed(app, shop, PEOPLE)
    with app.app_context():
        db.session.execute(
            sa.update(IncentivePayment).values(due_at=shop.now, state=PaymentState.DUE)
        )
        db.session.commit()
    assert _states(app) == {PaymentState.DUE: 4 * len(people)}
    app.config["PAYOUT_GATEWAY_SECRET"] = SECRET
    postgres = not database_url.startswith("sqlite")
    disbursers = 2 if postgres else 1
    log = tmp_path / "disburse.log"

    with (
        serving(app) as base,
        running_sandbox(
            tmp_path / "sandbox.db",
            fail_rate=0.3,
            timeout_rate=0.1,
            timeout_sleep=0.4,
            duplicate_rate=0.3,
            reorder=0.05,
            seed=20,
        ) as sandbox,
    ):
        sandbox.webhook_url = base + "/payouts/webhook"
        register_accounts(app, sandbox)
        command = _flask(
            database_url, app.config["SECRET_KEY"], sandbox.url, "incentives", "disburse"
        )
        first = [_start(command, log) for _ in range(disbursers)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _states(app).get(PaymentState.DUE, 4 * PEOPLE) <= 4 * PEOPLE * 2 // 3:
                break
            time.sleep(0.05)
        for process in first:
            process.send_signal(signal.SIGKILL)
            process.wait()
        killed_with = _states(app)
        assert killed_with.get(PaymentState.DUE, 0) > 0, "killed too late: nothing was left"

        deadline = time.monotonic() + DEADLINE
        runs = 0
        while time.monotonic() < deadline:
            processes = [_start(command, log) for _ in range(disbursers)]
            for process in processes:
                assert process.wait(timeout=DEADLINE) in (0, 75), log.read_text()[-3000:]
            runs += 1
            sandbox.wait_idle(timeout=10)
            if _states(app) == {PaymentState.PAID: 4 * PEOPLE}:
                break
        states = _states(app)
        assert states == {PaymentState.PAID: 4 * PEOPLE}, (states, killed_with, runs)

        record = sandbox.record()
        assert record["succeeded_count"] == 4 * PEOPLE
        assert {row["times_paid"] for row in record["disbursements"]} == {1}
        with app.app_context():
            assert record["net_total"] == incentives_paid_balance() == 4 * PEOPLE * AMOUNT
            assert ledger.verify() == []
        verify = _flask(database_url, app.config["SECRET_KEY"], sandbox.url, "ledger", "verify")
        done = subprocess.run(verify[0], cwd=REPO, env=verify[1], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        print(f"killed with {killed_with}; {runs} more runs of {disbursers} disburser(s)")
