"""Mail on the task queue: enqueued after commit, delivered by the worker, nothing lost.

These tests use a real queue (Huey on a SQLite file of the test's own), not the immediate
mode the rest of the suite runs in, and drive the worker's side by hand: `run_worker`
takes each task off the queue and executes it as the consumer does, or a real
`flask worker` process runs.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.smtp import LoopbackSMTP, free_port

from marketplace.cli import expire_cards
from marketplace.core import mail, tasks
from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.extensions import db

ROOT = Path(__file__).resolve().parents[2]
DELAY = 1.5  # seconds the slow SMTP server takes to answer a message


@pytest.fixture
def smtp_server():
    with LoopbackSMTP(delay=DELAY) as server:
        yield server


@pytest.fixture
def queue_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tasks.db'}"


@pytest.fixture
def app_config(smtp_server, queue_url):
    return {**smtp_server.config, "TASK_QUEUE_IMMEDIATE": False, "TASK_QUEUE_URL": queue_url}


def queue(app) -> tasks.TaskQueue:
    return tasks.queue_of(app)


def run_worker(app) -> int:
    """Execute every task waiting on the app's queue, as the worker would; how many ran."""
    huey = queue(app).huey
    queue(app).register_declared()
    count = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        count += 1
    return count


def rows(app) -> list[OutboxMail]:
    with app.app_context():
        db.session().expire_on_commit = False
        return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def make_old(app, message_id: int, minutes: int = 10) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(OutboxMail)
            .where(OutboxMail.id == message_id)
            .values(created_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def test_forgot_password_answers_as_fast_for_a_registered_address_and_the_mail_arrives(
    app, factory, smtp_server
):
    factory.user(email="ani@example.com")
    client = app.test_client()
    client.post("/password/forgot", data={"email": "warmup@example.com"})  # first-use costs

    def timed(email: str) -> float:
        started = time.perf_counter()
        response = client.post("/password/forgot", data={"email": email})
        assert response.status_code == 200
        return time.perf_counter() - started

    unknown = timed("nobody@example.com")
    registered = timed("ani@example.com")

    # Nobody talked to the SMTP server during the requests: the message waits on the queue.
    assert smtp_server.greetings == 0 and smtp_server.messages == []
    assert queue(app).huey.pending_count() == 1
    assert abs(registered - unknown) < DELAY / 3, (registered, unknown)

    assert run_worker(app) == 1
    [received] = smtp_server.wait_for(1)
    assert received.recipient == "ani@example.com" and "/password/reset/" in received.body
    [row] = rows(app)
    assert row.sent_at is not None and row.error is None


def test_a_task_is_enqueued_only_after_the_commit(app):
    huey = queue(app).huey
    with app.app_context():
        mail.send("ani@example.com", "Batal", "Tidak jadi")
        db.session.flush()
        assert huey.pending_count() == 0
        db.session.rollback()
        assert huey.pending_count() == 0
        mail.send("budi@example.com", "Jadi", "Dikirim")
        with db.session.begin_nested():
            mail.send("cici@example.com", "Jadi juga", "Dikirim")
        assert huey.pending_count() == 0  # a released savepoint is not the commit
        db.session.commit()
    assert huey.pending_count() == 2
    output = app.test_cli_runner().invoke(args=["mail", "outbox"]).output
    assert output.count("not sent yet (queued for the worker)") == 2


def test_a_queue_out_of_reach_at_commit_fails_nothing_and_the_resend_sends_later(
    app, factory, smtp_server, tmp_path, caplog
):
    smtp_server.delay = 0
    factory.user(email="ani@example.com")
    reachable = app.config["TASK_QUEUE_URL"]
    app.config["TASK_QUEUE_URL"] = f"sqlite:///{tmp_path / 'missing' / 'tasks.db'}"
    response = app.test_client().post("/password/forgot", data={"email": "ani@example.com"})
    assert response.status_code == 200
    assert "not queued" in caplog.text
    [row] = rows(app)
    assert row.sent_at is None and row.error is None  # kept for the resend
    app.config["TASK_QUEUE_URL"] = reachable
    make_old(app, row.id)
    with app.app_context():
        assert mail.resend_unsent() == 1
    assert run_worker(app) == 1
    assert [m.recipient for m in smtp_server.wait_for(1)] == ["ani@example.com"]


def test_a_message_may_pass_is_retried_with_backoff_and_stays_visible(app, runner):
    app.config.update(MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nobody listens there
    with app.app_context():
        mail.send("ani@example.com", "Halo", "Isi")
        db.session.commit()
    before = utcnow()
    assert run_worker(app) == 1
    [row] = rows(app)
    assert row.sent_at is None and "Connection" in row.error
    [retry] = queue(app).huey.scheduled()
    assert retry.retries == mail.RETRIES - 1
    assert retry.eta - before >= timedelta(seconds=mail.RETRY_DELAY - 1)
    assert retry.retry_delay == mail.RETRY_DELAY * mail.RETRY_BACKOFF  # the next waits longer
    assert "not sent: ConnectionRefusedError" in runner.invoke(args=["mail", "outbox"]).output


def test_a_permanent_refusal_is_not_retried(app, smtp_server):
    smtp_server.delay = 0
    smtp_server.refuse("ditolak@example.com")
    with app.app_context():
        mail.send("ditolak@example.com", "Halo", "Isi")
        db.session.commit()
    assert run_worker(app) == 1
    assert queue(app).huey.scheduled() == []
    [row] = rows(app)
    assert row.sent_at is None and "550" in row.error


def test_a_message_recorded_as_sent_is_never_sent_again(app, smtp_server):
    smtp_server.delay = 0
    with app.app_context():
        message_id = mail.send("ani@example.com", "Sekali", "Isi").id
        db.session.commit()
    with app.app_context():
        mail.deliver_message.enqueue(message_id)  # a second task for the same message
    assert run_worker(app) == 2
    with app.app_context():
        assert mail.deliver(message_id) is False
    assert len(smtp_server.wait_for(1)) == 1
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1


def test_resend_unsent_enqueues_only_old_untried_unsent_messages(app, smtp_server):
    smtp_server.delay = 0
    with app.app_context():
        lost = mail.send("hilang@example.com", "Hilang", "Tugasnya hilang").id
        fresh = mail.send("baru@example.com", "Baru", "Masih di antrean").id
        failed = mail.send("gagal@example.com", "Gagal", "Ditolak").id
        db.session.commit()
    queue(app).huey.flush()  # the tasks are lost, as with a killed worker
    make_old(app, lost)
    make_old(app, failed)
    with app.app_context():
        db.session.execute(
            sa.update(OutboxMail).where(OutboxMail.id == failed).values(error="550 no")
        )
        db.session.commit()
        assert mail.resend_unsent() == 1
        db.session.commit()
    assert run_worker(app) == 1
    assert [m.recipient for m in smtp_server.wait_for(1)] == ["hilang@example.com"]
    sent = {row.id: row.sent_at is not None for row in rows(app)}
    assert sent == {lost: True, fresh: False, failed: False}
    with app.app_context():
        assert mail.retry_failed_mail() == 1  # the hourly job takes the failed one


def test_the_worker_schedules_the_periodic_jobs(app):
    queue(app).register_declared()
    huey = queue(app).huey

    def due(hour: int, minute: int) -> set[str]:
        # a task as the worker's log names it: "marketplace.cli.expire_cards"
        periodic = huey.read_periodic(datetime(2026, 3, 2, hour, minute))
        return {f"{task.__module__}.{task.name}" for task in periodic}

    assert expire_cards.name in due(3, 15) and expire_cards.name not in due(3, 16)
    assert mail.retry_failed_mail.name in due(3, 30)
    assert mail.resend_unsent.name in due(3, 35) and mail.resend_unsent.name not in due(3, 36)


def test_flask_cards_expire_and_the_worker_run_the_same_job(app, runner):
    result = runner.invoke(args=["cards", "expire"])
    assert result.exit_code == 0 and "Revoked 0 cards" in result.output
    assert expire_cards.schedule is not None


def test_flask_worker_refuses_immediate_mode(app, runner):
    app.config["TASK_QUEUE_IMMEDIATE"] = True
    app.extensions.pop(tasks.EXTENSION, None)
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "TASK_QUEUE_IMMEDIATE" in result.output


def test_queue_settings_come_from_the_environment(monkeypatch, tmp_path):
    from huey import RedisHuey, SqliteHuey

    from marketplace import config, create_app

    monkeypatch.delenv("TASK_QUEUE_URL", raising=False)
    monkeypatch.delenv("TASK_QUEUE_IMMEDIATE", raising=False)
    settings = config.load(str(tmp_path))
    assert settings["TASK_QUEUE_URL"] == f"sqlite:///{tmp_path / 'tasks.db'}"
    assert settings["TASK_QUEUE_IMMEDIATE"] is None
    base = {"SECRET_KEY": "x", "PUBLIC_URL": "http://localhost"}
    sqlite_app = create_app({**base, "TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'q.db'}"})
    assert isinstance(tasks.queue_of(sqlite_app).huey, SqliteHuey)
    assert not tasks.queue_of(sqlite_app).immediate
    assert tasks.queue_of(create_app({**base, "TESTING": True})).immediate
    redis_app = create_app({**base, "TASK_QUEUE_URL": "redis://127.0.0.1:6390/1"})
    assert isinstance(tasks.queue_of(redis_app).huey, RedisHuey)  # no connection until used
    with pytest.raises(RuntimeError, match="TASK_QUEUE_URL"):
        tasks.queue_of(create_app({**base, "TASK_QUEUE_URL": "amqp://x"}))


# --- a real worker, killed in the middle of a delivery ---------------------------------------


def start_worker(database_url: str, queue_url: str, smtp_server: LoopbackSMTP):
    environment = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": database_url,
        "TASK_QUEUE_URL": queue_url,
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_URL": "http://localhost",
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": str(smtp_server.port),
        # The resend takes every unsent message without an error at once, not after five
        # minutes: the test can't wait that long. A task still on the queue then runs twice,
        # one after the other, and the second finds its message sent.
        "MAIL_RESEND_AFTER": "0",
    }
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("flask")), "worker"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen, signal_number: int) -> str:
    if process.poll() is None:
        process.send_signal(signal_number)
    output, _ = process.communicate(timeout=30)
    return output.decode("utf-8", "replace")


def test_a_worker_killed_while_delivering_loses_no_mail(app, smtp_server, database_url, queue_url):
    recipients = [f"peserta{n}@example.com" for n in range(4)]
    with app.app_context():
        for recipient in recipients:
            mail.send(recipient, "Kode", f"Untuk {recipient}")
        db.session.commit()
    assert queue(app).huey.pending_count() == len(recipients)

    first = start_worker(database_url, queue_url, smtp_server)
    try:
        assert smtp_server.data_started.wait(30), stop(first, signal.SIGKILL)
        first.kill()  # SIGKILL while the server holds the first message unanswered
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    unsent = [row.recipient for row in rows(app) if row.sent_at is None]
    assert recipients[0] in unsent  # the killed delivery was never recorded

    second = start_worker(database_url, queue_url, smtp_server)
    try:
        deadline = time.monotonic() + 60
        while any(row.sent_at is None for row in rows(app)):
            assert time.monotonic() < deadline, stop(second, signal.SIGKILL)
            assert second.poll() is None, stop(second, signal.SIGKILL)
            time.sleep(0.2)
    finally:
        output = stop(second, signal.SIGINT)
    time.sleep(DELAY + 0.5)  # anything the killed worker left with the server lands now

    arrived = [m.recipient for m in smtp_server.messages]
    # At least once for every message; twice at most for the one whose delivery was cut off
    # after the server had it (the server finished receiving it; the worker never learnt).
    assert sorted(set(arrived)) == sorted(recipients), output
    assert all(arrived.count(r) == 1 for r in recipients[1:]), arrived
    assert arrived.count(recipients[0]) in (1, 2), arrived
    assert all(row.error is None for row in rows(app))
