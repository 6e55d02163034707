"""SQLite writers wait for the write lock in short steps (db_setup.begin_writer)."""

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.database import BUSY_TIMEOUT_MS, begin_writer, lock_for_writing
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.people.models import User


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "writers.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (n INTEGER)")
    return path


def connect(path):
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def busy_timeout(connection) -> int:
    return connection.execute("PRAGMA busy_timeout").fetchone()[0]


def test_a_free_lock_is_taken_at_once_and_the_busy_timeout_is_restored(database):
    writer = connect(database)
    begin_writer(writer)
    assert writer.in_transaction
    writer.execute("INSERT INTO t VALUES (1)")
    writer.execute("COMMIT")
    assert busy_timeout(writer) == BUSY_TIMEOUT_MS


def test_a_writer_waits_for_the_lock_and_gets_it_once_released(database):
    holder, waiter = connect(database), connect(database)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    release = threading.Timer(0.05, lambda: holder.execute("COMMIT"))
    release.start()
    begin_writer(waiter)  # blocks until the holder commits
    waiter.execute("INSERT INTO t VALUES (2)")
    waiter.execute("COMMIT")
    release.join()
    assert [row[0] for row in waiter.execute("SELECT n FROM t ORDER BY n")] == [1, 2]
    assert busy_timeout(waiter) == BUSY_TIMEOUT_MS


def test_a_lock_held_past_the_wait_raises_and_restores_the_busy_timeout(database):
    holder, waiter = connect(database), connect(database)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        begin_writer(waiter, wait=0.02)
    assert not waiter.in_transaction
    assert busy_timeout(waiter) == BUSY_TIMEOUT_MS
    holder.execute("ROLLBACK")


# --- a request that reads first (db_setup.reads_first / lock_for_writing) ------------------


def _someone_else_writes(app):
    """Another connection commits a write, as a concurrent request would."""
    with app.app_context():
        audit.record("test.other_writer", "test:1")
        db.session.commit()


@pytest.fixture
def sqlite_app(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's locking only")
    return app


def test_a_read_snapshot_can_not_write_after_another_writer_committed(sqlite_app):
    """Why lock_for_writing exists: the plain upgrade fails at once."""
    with sqlite_app.test_request_context("/checkout/confirm", method="POST"):
        db.session.execute(sa.select(User.id)).all()  # the request reads first
        _someone_else_writes(sqlite_app)
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            audit.record("test.mine", "test:2")
        db.session.rollback()


def test_lock_for_writing_swaps_the_snapshot_for_the_write_lock(sqlite_app):
    with sqlite_app.test_request_context("/checkout/confirm", method="POST"):
        db.session.execute(sa.select(User.id)).all()
        _someone_else_writes(sqlite_app)
        lock_for_writing()
        audit.record("test.mine", "test:2")
        db.session.commit()
    with sqlite_app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["test.other_writer", "test.mine"]


def test_the_purchase_page_begins_by_reading_and_other_posts_by_writing(sqlite_app):
    with sqlite_app.test_request_context("/checkout/confirm", method="POST"):
        db.session.execute(sa.select(User.id)).all()
        assert db.session.connection().connection.info["writer"] is False
        db.session.rollback()
    with sqlite_app.test_request_context("/login", method="POST"):
        db.session.execute(sa.select(User.id)).all()
        assert db.session.connection().connection.info["writer"] is True
        db.session.rollback()
