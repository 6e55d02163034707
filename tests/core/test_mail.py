"""Mail: the outbox always, SMTP after commit when MAIL_SERVER is set, failures noted.

The suite runs the task queue in immediate mode (TESTING), so the delivery task runs as it
is enqueued, right after the commit; tests/core/test_mail_queue.py uses a real queue.
"""

import logging

import pytest
import sqlalchemy as sa
from support import smtp
from support.smtp import LoopbackSMTP, free_port

from marketplace.core import mail
from marketplace.core.models import OutboxMail
from marketplace.extensions import db

smtp_server = smtp.smtp_server  # the fixture: a LoopbackSMTP running for one test


@pytest.fixture
def app_config(request):
    """Tests that ask for `smtp_server` get an app sending to it; others have no MAIL_SERVER."""
    if "smtp_server" in request.fixturenames:
        return request.getfixturevalue("smtp_server").config
    return {}


def rows(app) -> list[OutboxMail]:
    with app.app_context():
        db.session().expire_on_commit = False
        return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def test_without_mail_server_the_outbox_keeps_the_message_and_nothing_is_sent(app):
    assert app.config["MAIL_SERVER"] is None
    with LoopbackSMTP() as listening:  # a server is there, but the app was not told of it
        with app.app_context():
            mail.send("ani@example.com", "Halo", "Isi pesan")
            db.session.commit()
        assert listening.messages == []
    [row] = rows(app)
    assert (row.recipient, row.subject, row.body) == ("ani@example.com", "Halo", "Isi pesan")
    assert row.sent_at is None and row.error is None


def test_with_mail_server_the_message_arrives_after_commit(app, smtp_server):
    with app.app_context():
        mail.send("ani@example.com", "Saldo Rp1.000.000 — siap", "Baris satu\nKafé ☕\n")
        db.session.flush()
        assert smtp_server.messages == []  # queued, not sent before the commit
        db.session.commit()
    [received] = smtp_server.wait_for(1)
    assert received.recipients == ("ani@example.com",)
    assert received.subject == "Saldo Rp1.000.000 — siap"
    assert received.body == "Baris satu\nKafé ☕\n"
    assert received.sender == "no-reply@localhost"
    assert "Message-ID" in received.headers and "Date" in received.headers
    [row] = rows(app)
    assert row.sent_at is not None and row.error is None


def test_a_rolled_back_transaction_sends_nothing(app, smtp_server):
    with app.app_context():
        mail.send("ani@example.com", "Batal", "Tidak jadi")
        db.session.rollback()
        mail.send("budi@example.com", "Jadi", "Ini dikirim")
        db.session.commit()
    [received] = smtp_server.wait_for(1)
    assert received.recipient == "budi@example.com"
    assert [row.recipient for row in rows(app)] == ["budi@example.com"]


def test_a_rolled_back_savepoint_sends_nothing(app, smtp_server):
    with app.app_context():
        mail.send("ani@example.com", "Tetap", "Dikirim")
        savepoint = db.session.begin_nested()
        mail.send("budi@example.com", "Batal", "Tidak jadi")
        savepoint.rollback()
        db.session.commit()
    [received] = smtp_server.wait_for(1)
    assert received.recipient == "ani@example.com"
    assert [row.recipient for row in rows(app)] == ["ani@example.com"]


def test_mail_queued_in_a_released_savepoint_waits_for_the_outer_commit(app, smtp_server):
    # Selection issues cards inside a SAVEPOINT; releasing it is not the commit, and on
    # SQLite delivering then would wait on the write lock its own transaction holds.
    with app.test_request_context("/admin/batches/1/select", method="POST"):
        mail.send("ani@example.com", "Sebelum", "Di luar savepoint")
        with db.session.begin_nested():
            mail.send("budi@example.com", "Di dalam", "Di dalam savepoint")
        assert smtp_server.messages == []  # nothing left before the outer commit
        db.session.commit()
    assert sorted(m.recipient for m in smtp_server.wait_for(2)) == [
        "ani@example.com",
        "budi@example.com",
    ]
    assert all(row.sent_at is not None and row.error is None for row in rows(app))


def test_a_session_closed_without_commit_sends_nothing_later(app, smtp_server):
    with app.app_context():
        mail.send("ani@example.com", "Lupa commit", "Tidak jadi")
    with app.app_context():
        mail.send("budi@example.com", "Berikutnya", "Dikirim")
        db.session.commit()
    assert [m.recipient for m in smtp_server.wait_for(1)] == ["budi@example.com"]


def test_a_refused_recipient_is_recorded_not_raised(app, smtp_server):
    smtp_server.refuse("ditolak@example.com")
    with app.app_context():
        mail.send("ditolak@example.com", "Ditolak", "Tidak sampai")
        mail.send("ani@example.com", "Sampai", "Sampai")
        db.session.commit()  # no exception
    assert [m.recipient for m in smtp_server.wait_for(1)] == ["ani@example.com"]
    refused, delivered = rows(app)
    assert refused.sent_at is None and "550" in refused.error
    assert delivered.sent_at is not None and delivered.error is None


def test_an_unreachable_server_is_recorded_and_the_request_still_succeeds(app, factory):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    factory.user(email="ani@example.com")
    response = app.test_client().post("/password/forgot", data={"email": "ani@example.com"})
    assert response.status_code == 200
    [row] = rows(app)
    assert row.sent_at is None and "Connection" in row.error


def test_the_log_names_the_message_but_never_its_body(app, smtp_server, caplog, monkeypatch):
    for logger in list(logging.root.manager.loggerDict.values()):  # Alembic's fileConfig
        if isinstance(logger, logging.Logger) and logger.disabled:
            monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    smtp_server.refuse("ditolak@example.com")
    with app.app_context():
        mail.send("ani@example.com", "Tautan", "RAHASIA-TOKEN-123")
        mail.send("ditolak@example.com", "Tautan", "RAHASIA-TOKEN-456")
        db.session.commit()
    # Every line but the test server's own ("mail.log" is aiosmtpd, which logs what it gets).
    lines = [record.getMessage() for record in caplog.records if record.name != "mail.log"]
    assert any("ani@example.com" in line and "Tautan" in line for line in lines)
    assert any("not sent" in line for line in lines)
    assert not any("RAHASIA" in line for line in lines)


def test_flask_mail_outbox_prints_recent_messages(app, runner):
    with app.app_context():
        for n in range(3):
            mail.send("ani@example.com", f"Pesan {n}", f"Isi {n}\nhttp://localhost/x/{n}")
        mail.send("budi@example.com", "Untuk Budi", "Isi Budi")
        db.session.commit()
    result = runner.invoke(args=["mail", "outbox", "--to", "ANI@example.com", "--last", "2"])
    assert result.exit_code == 0, result.output
    assert "Pesan 0" not in result.output
    assert result.output.index("Pesan 1") < result.output.index("Pesan 2")
    assert "http://localhost/x/2" in result.output and "Budi" not in result.output
    assert "not sent (no MAIL_SERVER)" in result.output
    everything = runner.invoke(args=["mail", "outbox"]).output
    assert "Untuk Budi" in everything and "Pesan 0" in everything
    assert "No mail to" in runner.invoke(args=["mail", "outbox", "--to", "x@example.com"]).output
    assert runner.invoke(args=["mail", "outbox", "--last", "0"]).exit_code != 0


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    from marketplace import config

    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USERNAME", "prakerja")
    monkeypatch.setenv("MAIL_PASSWORD", "rahasia")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("MAIL_SENDER", "Prakerja <halo@prakerja.example>")
    settings = config.load(str(tmp_path))
    assert settings["MAIL_SERVER"] == "smtp.example.com" and settings["MAIL_PORT"] == 587
    assert settings["MAIL_USE_TLS"] is True and settings["MAIL_USERNAME"] == "prakerja"
    assert settings["MAIL_SENDER"] == "Prakerja <halo@prakerja.example>"
    monkeypatch.delenv("MAIL_SERVER")
    monkeypatch.delenv("MAIL_USE_TLS")
    settings = config.load(str(tmp_path))
    assert settings["MAIL_SERVER"] is None and settings["MAIL_USE_TLS"] is False


def test_flask_mail_retry_sends_failed_messages_again(app, runner, smtp_server):
    smtp_server.refuse("nanti@example.com")
    with app.app_context():
        mail.send("nanti@example.com", "Coba lagi", "Isi")
        db.session.commit()
    assert rows(app)[0].error is not None
    smtp_server.refused.clear()
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    assert "Sent 1; 0 still failing." in result.output
    [received] = smtp_server.wait_for(1)
    assert received.recipient == "nanti@example.com"
    [row] = rows(app)
    assert row.sent_at is not None and row.error is None


def test_flask_mail_retry_needs_a_mail_server(runner):
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code != 0 and "MAIL_SERVER is not set" in result.output
