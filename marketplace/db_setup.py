"""Database connection settings that must hold on every connection."""

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event

from marketplace.extensions import db

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-32000")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        # Straight to the driver: this runs at the start of every request that reads.
        # A request that may write (anything but GET/HEAD/OPTIONS) takes the write lock at
        # BEGIN: a deferred transaction that reads first and writes later fails at once
        # ("database is locked") when another writer got in between, whatever the busy
        # timeout; an IMMEDIATE one waits its turn instead.
        writes = has_request_context() and (
            request.method not in _READ_METHODS
            or getattr(current_app.view_functions.get(request.endpoint), "writes_on_get", False)
        )
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if writes else "BEGIN")


def writes_on_get(view):
    """Mark a view that may write on a GET (e.g. scoring a test whose time ran out when its
    result is first opened), so its SQLite transaction takes the write lock at BEGIN too.

    Put it directly under the route decorator: the function the route registers carries
    the mark.
    """
    view.writes_on_get = True
    return view
