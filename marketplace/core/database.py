"""Database connection settings that must hold on every connection, what a request may
write (`may_write`, `writes_on_get`, `reads_first`, `lock_for_writing`), and the one way a
refused request keeps something (`keep_despite_refusal`).

The request's transaction itself is committed or rolled back in one place,
`marketplace/web/transaction.py`; the rules it follows are written here, beside the SQLite
locking that follows the same marks.
"""

import sqlite3
import time

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event

from marketplace.extensions import db

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 15_000


SERVING_CACHE_KIB = -32000  # PRAGMA cache_size of every connection: some 32 MB
BULK_CACHE_KIB = -2097152  # up to 2 GB, for the one connection of a bulk write


def widen_cache_for_bulk_writes() -> None:
    """On SQLite, let the session's connection keep up to 2 GB of pages: a bulk write in one
    transaction (`flask seed --courses 150000` writes some 2.4 GB) outgrows the serving
    cache many times over (184 s with it, 171 s with this). Memory is taken only as pages
    are; the setting lasts as long as the connection. Nothing on PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text(f"PRAGMA cache_size={BULK_CACHE_KIB}"))


def install_sqlite_pragmas(app: Flask) -> None:
    """On SQLite: WAL journal, enforced foreign keys, a busy timeout, NORMAL sync."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy drive transactions; issue BEGIN ourselves so writes take the lock early.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size={SERVING_CACHE_KIB}")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        # Straight to the driver: this runs at the start of every request that reads.
        # A request that may write (anything but GET/HEAD/OPTIONS) takes the write lock at
        # BEGIN: a deferred transaction that reads first and writes later fails at once
        # ("database is locked") when another writer got in between, whatever the busy
        # timeout; an IMMEDIATE one waits its turn instead.
        writes = False
        if has_request_context():
            view = current_app.view_functions.get(request.endpoint)
            writes = may_write(request.method, view) and not getattr(view, "reads_first", False)
        driver = conn.connection.driver_connection
        if writes:
            begin_writer(driver)
        else:
            driver.execute("BEGIN")
        conn.connection.info["writer"] = writes
        conn.connection.info["changes_at_begin"] = driver.total_changes


def begin_writer(driver: sqlite3.Connection, wait: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in steps of at most 2 ms.

    SQLite's own busy handler waits for a lock in growing sleeps (1, 2, 5, 10 … up to
    100 ms), so a writer that finds the lock taken often sleeps long after it was freed,
    while the worker that just let go takes it again: with several workers, writes then run
    one at a time with gaps between them. Here the wait polls every 0.2–2 ms instead, so
    the lock passes to a waiting worker as soon as it is free. The busy timeout is off only
    for this BEGIN and back at once; after `wait` seconds the error is raised as before.
    """
    driver.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + wait
        pause = 0.0002
        while True:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
    finally:
        driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def may_write(method: str, view) -> bool:
    """Whether a request may change the database: any method but GET, HEAD and OPTIONS,
    and a GET to a view marked `writes_on_get`. The transaction boundary commits only such
    requests, and on SQLite they (unless `reads_first`) take the write lock at BEGIN.
    """
    if method in _READ_METHODS:
        return method == "GET" and getattr(view, "writes_on_get", False)
    return True


def writes_on_get(view):
    """Mark the one kind of view allowed to write on a GET: the online test's result page,
    which scores an attempt whose time ran out when its result is first opened (see
    docs/architecture.md, "One transaction boundary"). Every other GET is rolled back
    whatever it did. Its SQLite transaction takes the write lock at BEGIN too.

    Put it directly under the route decorator: the function the route registers carries
    the mark.
    """
    view.writes_on_get = True
    return view


def reads_first(view):
    """Mark a POST view whose request reads for a while before it writes, and whose service
    calls `lock_for_writing()` before its first write: on SQLite its transaction begins
    deferred, so the reads (the user, the form, the lookups) run beside other writers, and
    the write lock is held only for the writing part. Put it directly under the route.
    """
    view.reads_first = True
    return view


def lock_for_writing() -> None:
    """Hold SQLite's write lock from now on, in a request that began by reading.

    A deferred SQLite transaction can't safely turn into a writing one: if another writer
    committed since its first read, its first write fails at once ("database is locked").
    So when this transaction has written nothing yet, its read snapshot is ended (a COMMIT
    of nothing) and a writing one begins (`begin_writer`). What was read before stays
    loaded and may be older than the database: the caller reads again, under the lock,
    whatever its decision rests on (as it must on PostgreSQL too). Does nothing on
    PostgreSQL, in a transaction that holds the write lock already, or outside a SAVEPOINT
    only: never call it inside one.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    info = connection.connection.info
    if info.get("writer", True):
        return
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        begin_writer(driver)
    elif driver.total_changes == info.get("changes_at_begin"):
        driver.execute("COMMIT")  # ends the read snapshot; nothing was written in it
        begin_writer(driver)
    # Otherwise it has written already, so SQLite gave it the write lock then.
    info["writer"] = True


# --- keeping what a refused request wrote ---------------------------------------------------

# session.info key: set while the current transaction must be kept even if the request that
# runs it is refused (answered 4xx).
_KEEP_DESPITE_REFUSAL = "keep_despite_refusal"


def keep_despite_refusal() -> None:
    """Keep what this transaction has written even when the request ends in a refusal (4xx).

    A refused request changes nothing: the boundary rolls it back. A few refusals must
    still leave a trace, the refusal being the thing counted: a wrong purchase code adds
    one to the purchase's attempts (the fifth voids it), and that count would be worth
    nothing if each wrong guess rolled it back. The service that writes such a count calls
    this right after writing it and right before raising its refusal, so nothing else is
    written in between. An exception (a 5xx) still rolls everything back, and the mark
    ends with the transaction.
    """
    db.session.info[_KEEP_DESPITE_REFUSAL] = True


def kept_despite_refusal() -> bool:
    """Whether the current transaction was marked by `keep_despite_refusal`."""
    return bool(db.session.info.get(_KEEP_DESPITE_REFUSAL))


@event.listens_for(db.session, "after_transaction_end")
def _forget_keep_mark(session, transaction) -> None:
    """The mark belongs to one transaction: it ends with it (commit or rollback)."""
    if transaction.parent is None:
        session.info.pop(_KEEP_DESPITE_REFUSAL, None)
