"""Result pages shared by every process, on every machine, through Redis.

Each process keeps the result pages it has read (catalogue.listing's `_KeptResults`), under
the catalogue's revision. With several workers, or several machines, each would still read
every query from the database once for itself: half the requests of two workers, three
quarters of four's, miss what another worker has just read. With RESULTS_STORE_URL
(`redis://host:6379/2`) every page one process reads is stored there too, and found by the
others.

A page is stored under the code that reads it (a digest of the search and listing modules
and the versions of the stemmer and the typo matcher: during a rolling deploy old and new
workers never read each other's pages), the database (a digest of its URL, without the
password), the catalogue's revision and the criteria, for RESULTS_STORE_SECONDS (600 by
default). What is stored under a revision is right for as long as anyone asks for it: any
change to what the catalogue shows raises the revision (database triggers), and a new
database starts far past any revision another had (`search.start_new_revision`). A database
restored from a backup, or copied, goes back to revisions it had before with other
contents: `flask search forget-results` must follow, which jumps as far again. An entry that
cannot be read back (another shape, or damaged) is a miss, never an error page.

Pages are stored as JSON, never pickled: whoever can write to the store cannot make a worker
run code. A store that fails to answer within STORE_TIMEOUT_SECONDS is left alone for
RETRY_AFTER_SECONDS (the pages are read from the database meanwhile) and the log says so.
Anyone can ask for pages, so the store should evict on its own: give Redis a `maxmemory`
with `maxmemory-policy volatile-lru` (every key here has a time to live).
"""

import hashlib
import json
import logging
import time
from dataclasses import astuple
from importlib import metadata
from pathlib import Path
from threading import Lock

import redis
from flask import Flask, current_app
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

EXTENSION = "marketplace.shared_results"
KEY_PREFIX = "marketplace:results:v1"
STORE_TIMEOUT_SECONDS = 0.25
RETRY_AFTER_SECONDS = 30.0

log = logging.getLogger(__name__)


class SharedResults:
    """The shared store of result pages of one app's database."""

    def __init__(self, url: str, database_url: str, seconds: int) -> None:
        self.client = redis.Redis.from_url(
            url, socket_timeout=STORE_TIMEOUT_SECONDS, socket_connect_timeout=STORE_TIMEOUT_SECONDS
        )
        self.url = _without_password(url)  # what the log says
        self.seconds = seconds
        self.database = hashlib.sha256(database_url.encode()).hexdigest()[:16]
        self.lock = Lock()
        self.failed_at: float | None = None

    def key(self, revision: int, criteria) -> str:
        """The key of a page: the code, the database, the revision, then every field of the
        criteria."""
        asked = json.dumps(astuple(criteria), ensure_ascii=False, separators=(",", ":"))
        return f"{KEY_PREFIX}:{CODE}:{self.database}:{revision}:{asked}"

    def get(self, revision: int, criteria) -> dict | None:
        """What was stored for `criteria` under `revision`, or None (also when what is
        stored is not JSON: the page is read again and stored over it)."""
        if not self._usable():
            return None
        try:
            stored = self.client.get(self.key(revision, criteria))
        except redis.RedisError as error:
            self._failed(error)
            return None
        if stored is None:
            return None
        try:
            data = json.loads(stored)
        except ValueError:
            log.warning("A damaged result page in the shared store was read again.")
            return None
        return data if isinstance(data, dict) else None

    def put(self, revision: int, criteria, data: dict) -> None:
        """Store what was read for `criteria` under `revision`."""
        if not self._usable():
            return
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        try:
            self.client.set(self.key(revision, criteria), body, ex=self.seconds)
        except redis.RedisError as error:
            self._failed(error)

    def _usable(self) -> bool:
        failed_at = self.failed_at
        if failed_at is None:
            return True
        if time.monotonic() - failed_at < RETRY_AFTER_SECONDS:
            return False
        with self.lock:
            if self.failed_at != failed_at:  # another thread tried again, or failed again
                return self.failed_at is None
            self.failed_at = None
        log.warning("Trying the shared results store again (%s).", self.url)
        return True

    def _failed(self, error: Exception) -> None:
        with self.lock:
            if self.failed_at is not None:
                return
            self.failed_at = time.monotonic()
        log.warning(
            "The shared results store (%s) did not answer: %s. Result pages are read from the "
            "database for the next %d seconds, then the store is tried again.",
            self.url,
            error,
            RETRY_AFTER_SECONDS,
        )


def install(app: Flask) -> None:
    """The app's shared store, when RESULTS_STORE_URL names one (None otherwise). Nothing
    connects until the first page is asked for."""
    url = app.config.get("RESULTS_STORE_URL")
    store = None
    if url:
        database = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
        store = SharedResults(
            url, _without_password(database), int(app.config.get("RESULTS_STORE_SECONDS") or 600)
        )
    app.extensions[EXTENSION] = store


def of_app() -> SharedResults | None:
    """The current app's shared store, or None."""
    return current_app.extensions.get(EXTENSION)


def _code_digest() -> str:
    """A digest of what decides a result page's contents and shape: the search and listing
    modules (and this one) and the versions of the libraries they read words with."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("search.py", "listing.py", "shared_results.py"):
        digest.update((here / name).read_bytes())
    for package in ("PySastrawi", "rapidfuzz"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:12]


CODE = _code_digest()


def _without_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL SQLAlchemy reads: still a fine name for the database
        return url
