"""The project's sandbox payout gateway: a real HTTP service on loopback that speaks the
protocol of `incentives/gateway.py` the way an Indonesian disbursement API does.

It is the other side of the wire: it imports nothing of the marketplace's app, models or
database. It keeps its own record in a SQLite file (disbursements, registered accounts,
webhook events, and the money it sent), so a restart keeps what it paid.

Each accepted disbursement settles `settle_after` seconds later in a background thread:
SUCCEEDED, or FAILED (ACCOUNT_REJECTED for an account registered as rejected,
ACCOUNT_NOT_FOUND for an account nobody registered unless `pay_unregistered`, NAME_MISMATCH
when the holder's name given differs from the registered one, BANK_UNAVAILABLE for a share
`final_fail_rate`). Every change of status raises `version`; every settled, failed or
reversed one is told to `webhook_url` by a signed webhook, redelivered with backoff.

Faults (at construction, `set_faults`, or ``POST /sandbox/faults``): `fail_rate` (create and
status calls answered 503 without doing anything), `timeout_rate` (create calls accepted
and stored whose answer comes only after `timeout_sleep` seconds), `slow` (seconds before
every /v1 answer), `duplicate_rate` (an event delivered twice), `reorder` (events held for
that many seconds, True = 0.2, then sent shuffled), `final_fail_rate`, `settle_after`,
`pay_unregistered`, `webhook_url`. Draws come from `random.Random(seed)`.

Control calls (signed like the others): ``POST /sandbox/accounts``, ``POST /sandbox/faults``,
``POST /sandbox/disbursements/<key>/reverse``, ``GET /sandbox/record``,
``POST /sandbox/idle?timeout=S``, ``POST /sandbox/redeliver`` (events given up, again).
The path signed is the path with its query string.

`flask payout-sandbox` serves it; tests use `PayoutSandbox(...).start()` (see
tests/support/payout_sandbox.py).
"""

import csv
import hmac
import http.client
import json
import logging
import random
import re
import sqlite3
import threading
import time
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from marketplace.incentives.gateway import IDEMPOTENCY_KEY, sign

log = logging.getLogger("payout_sandbox")

#: Channels the sandbox knows besides those of registered accounts: banks and e-wallets.
KNOWN_CHANNELS = frozenset(
    {
        "bca",
        "bni",
        "bri",
        "mandiri",
        "bsi",
        "btn",
        "cimb",
        "permata",
        "danamon",
        "ocbc",
        "panin",
        "maybank",
        "btpn",
        "bjb",
        "mega",
        "jago",
        "seabank",
        "ovo",
        "gopay",
        "dana",
        "linkaja",
        "shopeepay",
    }
)
CHANNEL = re.compile(r"[a-z0-9_]{2,20}")
ACCOUNT_NUMBER = re.compile(r"[0-9]{4,20}")
LARGEST_BODY = 64 * 1024
LARGEST_AMOUNT = 1_000_000_000
SIGNATURE_TOLERANCE = 300
WEBHOOK_DELAYS = (0.1, 0.3, 1.0, 3.0)  # waits before the 2nd, 3rd, ... try; then given up
WEBHOOK_TIMEOUT = 5.0

FAILURES = {
    "ACCOUNT_REJECTED": "The bank refused the account: it is closed or blocked",
    "ACCOUNT_NOT_FOUND": "No account with this number at this bank or e-wallet",
    "NAME_MISMATCH": "The account holder's name at the bank differs from the name given",
    "BANK_UNAVAILABLE": "The receiving bank did not answer in time; the transfer was not made",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS disbursement (
    idempotency_key TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL,
    amount INTEGER NOT NULL,
    channel TEXT NOT NULL,
    account_number TEXT NOT NULL,
    account_holder_name TEXT NOT NULL,
    description TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    failure_code TEXT,
    failure_message TEXT,
    attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    settle_at REAL
);
CREATE TABLE IF NOT EXISTS account (
    channel TEXT NOT NULL,
    account_number TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    rejected INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel, account_number)
);
CREATE TABLE IF NOT EXISTS event (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT,
    copies INTEGER NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0,
    tries INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payment (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount INTEGER NOT NULL,
    at TEXT NOT NULL
);
"""

CONTROL = frozenset({"accounts", "faults", "reverse", "record", "idle", "redeliver"})
FAULTS = (
    "fail_rate",
    "timeout_rate",
    "timeout_sleep",
    "slow",
    "duplicate_rate",
    "reorder",
    "final_fail_rate",
    "settle_after",
    "pay_unregistered",
    "webhook_url",
)


class SandboxError(Exception):
    """A call the sandbox answers no: `status`, `code` and `message` go back as JSON."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _comparable_name(name: str) -> str:
    """A holder's name as banks compare it: no accents, case, punctuation or extra spaces."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", plain.casefold()).split())


def _text(data: dict, field: str, largest: int, *, empty: bool = False) -> str:
    value = data.get(field)
    if not isinstance(value, str) or len(value) > largest or (not empty and not value.strip()):
        size = f"0-{largest}" if empty else f"1-{largest}"
        raise SandboxError(400, "VALIDATION_ERROR", f"{field} is a text of {size} characters")
    return value


def _rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise SandboxError(400, "VALIDATION_ERROR", f"{name} is a number from 0 to 1")
    return float(value)


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 600:
        raise SandboxError(400, "VALIDATION_ERROR", f"{name} is a number of seconds (0-600)")
    return float(value)


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without its own access log: the sandbox logs each call."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class PayoutSandbox:
    """The sandbox gateway: a WSGI app (`self`), its SQLite record, its settling and
    delivering threads, and (after `start` or `serve`) its HTTP server."""

    def __init__(
        self,
        secret: str,
        db_path: str | Path | None = None,
        *,
        webhook_url: str | None = None,
        seed: int | None = None,
        settle_after: float = 0.3,
        final_fail_rate: float = 0.0,
        fail_rate: float = 0.0,
        timeout_rate: float = 0.0,
        timeout_sleep: float = 6.0,
        slow: float = 0.0,
        duplicate_rate: float = 0.0,
        reorder: float | bool = 0.0,
        pay_unregistered: bool = False,
        webhook_delays: Iterable[float] = WEBHOOK_DELAYS,
    ):
        if not secret:
            raise ValueError("the sandbox needs the shared secret")
        self.secret = secret
        self.db_path = str(db_path) if db_path else ":memory:"
        if self.db_path != ":memory:":
            Path(self.db_path).parent.mkdir(parents=True, exist_ok=True)
        self.random = random.Random(seed)
        self.webhook_url: str | None = None
        self.settle_after = 0.3
        self.final_fail_rate = 0.0
        self.fail_rate = 0.0
        self.timeout_rate = 0.0
        self.timeout_sleep = 6.0
        self.slow = 0.0
        self.duplicate_rate = 0.0
        self.reorder = 0.0
        self.pay_unregistered = False
        self.webhook_delays = tuple(webhook_delays)
        self.set_faults(
            webhook_url=webhook_url,
            settle_after=settle_after,
            final_fail_rate=final_fail_rate,
            fail_rate=fail_rate,
            timeout_rate=timeout_rate,
            timeout_sleep=timeout_sleep,
            slow=slow,
            duplicate_rate=duplicate_rate,
            reorder=reorder,
            pay_unregistered=pay_unregistered,
        )
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._delivering = 0
        self._changes = 0
        self._db = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            if self.db_path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        self._threads: list[threading.Thread] = []
        self._server: BaseWSGIServer | None = None
        self._server_thread: threading.Thread | None = None
        self.url: str | None = None
        self._routes = Map(
            [
                Rule("/v1/disbursements", methods=["POST"], endpoint="create"),
                Rule("/v1/disbursements/<key>", methods=["GET"], endpoint="status"),
                Rule("/v1/account-inquiry", methods=["POST"], endpoint="inquiry"),
                Rule("/sandbox/accounts", methods=["POST"], endpoint="accounts"),
                Rule("/sandbox/faults", methods=["POST"], endpoint="faults"),
                Rule("/sandbox/disbursements/<key>/reverse", methods=["POST"], endpoint="reverse"),
                Rule("/sandbox/record", methods=["GET"], endpoint="record"),
                Rule("/sandbox/idle", methods=["POST"], endpoint="idle"),
                Rule("/sandbox/redeliver", methods=["POST"], endpoint="redeliver"),
            ],
            strict_slashes=False,
        )

    # ----------------------------------------------------------------- settings and faults

    def set_faults(self, **faults: Any) -> dict:
        """Change any of FAULTS (only those given); ValueError naming a bad one. Returns
        the faults in force."""
        unknown = sorted(set(faults) - set(FAULTS))
        if unknown:
            raise ValueError(f"unknown faults: {', '.join(unknown)}")
        try:
            checked = {}
            for name, value in faults.items():
                if name in ("fail_rate", "timeout_rate", "duplicate_rate", "final_fail_rate"):
                    checked[name] = _rate(value, name)
                elif name in ("timeout_sleep", "slow", "settle_after"):
                    checked[name] = _seconds(value, name)
                elif name == "reorder":
                    checked[name] = 0.2 if value is True else _seconds(value or 0, name)
                elif name == "pay_unregistered":
                    checked[name] = bool(value)
                elif name == "webhook_url":
                    if value is not None and not (
                        isinstance(value, str) and value.startswith(("http://", "https://"))
                    ):
                        raise SandboxError(400, "VALIDATION_ERROR", "webhook_url is an http URL")
                    checked[name] = value or None
        except SandboxError as error:
            raise ValueError(error.message) from None
        for name, value in checked.items():
            setattr(self, name, value)
        if hasattr(self, "_wake"):
            with self._wake:
                self._poke()
        return self.faults()

    def faults(self) -> dict:
        return {name: getattr(self, name) for name in FAULTS}

    def _draw(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self.random.random() < rate

    # ------------------------------------------------------------------------ accounts

    def register_account(
        self, channel: str, account_number: str, holder_name: str, rejected: bool = False
    ) -> None:
        """Register (or replace) an account the inquiry knows and disbursements can pay."""
        data = {
            "channel": channel,
            "account_number": account_number,
            "holder_name": holder_name,
            "rejected": rejected,
        }
        try:
            self._register(data)
        except SandboxError as error:
            raise ValueError(error.message) from None

    def _register(self, data: dict) -> dict:
        channel = _text(data, "channel", 20)
        number = _text(data, "account_number", 20)
        name = _text(data, "holder_name", 120).strip()
        if not CHANNEL.fullmatch(channel):
            raise SandboxError(400, "VALIDATION_ERROR", "channel is 2-20 of a-z 0-9 _")
        if not ACCOUNT_NUMBER.fullmatch(number):
            raise SandboxError(400, "VALIDATION_ERROR", "account_number is 4-20 digits")
        rejected = data.get("rejected", False)
        if not isinstance(rejected, bool):
            raise SandboxError(400, "VALIDATION_ERROR", "rejected is true or false")
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO account VALUES (?, ?, ?, ?)",
                (channel, number, name, int(rejected)),
            )
        return {
            "channel": channel,
            "account_number": number,
            "holder_name": name,
            "rejected": rejected,
        }

    def load_accounts(self, path: str | Path) -> int:
        """Register the accounts of a CSV file: channel,account_number,holder_name[,rejected]
        (a header row starting with "channel" is skipped; rejected is 1/true/yes). Returns
        how many."""
        count = 0
        with open(path, newline="", encoding="utf-8") as file:
            for number, row in enumerate(csv.reader(file), start=1):
                if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
                    continue
                if number == 1 and row[0].strip().lower() == "channel":
                    continue
                if len(row) < 3:
                    raise ValueError(f"{path}:{number}: channel,account_number,holder_name")
                rejected = len(row) > 3 and row[3].strip().lower() in ("1", "true", "yes", "y")
                try:
                    self.register_account(row[0].strip(), row[1].strip(), row[2], rejected)
                except ValueError as error:
                    raise ValueError(f"{path}:{number}: {error}") from None
                count += 1
        return count

    def _account(self, channel: str, number: str) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(
                "SELECT * FROM account WHERE channel = ? AND account_number = ?",
                (channel, number),
            ).fetchone()

    def _channel_known(self, channel: str) -> bool:
        if channel in KNOWN_CHANNELS:
            return True
        with self._lock:
            found = self._db.execute("SELECT 1 FROM account WHERE channel = ?", (channel,))
            return found.fetchone() is not None

    # ------------------------------------------------------------------- disbursements

    @staticmethod
    def _shown(row: sqlite3.Row) -> dict:
        return {
            "id": row["id"],
            "reference": row["reference"],
            "idempotency_key": row["idempotency_key"],
            "amount": row["amount"],
            "channel": row["channel"],
            "account_number": row["account_number"],
            "status": row["status"],
            "version": row["version"],
            "failure_code": row["failure_code"],
            "failure_message": row["failure_message"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def _row(self, key: str) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(
                "SELECT * FROM disbursement WHERE idempotency_key = ?", (key,)
            ).fetchone()

    def disbursement(self, key: str) -> dict | None:
        """The disbursement under this idempotency key as the API shows it, or None."""
        row = self._row(key)
        return None if row is None else self._shown(row)

    def _checked_body(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise SandboxError(400, "VALIDATION_ERROR", "the body is a JSON object")
        amount = data.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise SandboxError(400, "VALIDATION_ERROR", "amount is a positive whole number")
        if amount > LARGEST_AMOUNT:
            raise SandboxError(400, "VALIDATION_ERROR", "amount is above the largest allowed")
        fields = {
            "reference": _text(data, "reference", 64),
            "amount": amount,
            "channel": _text(data, "channel", 20),
            "account_number": _text(data, "account_number", 20),
            "account_holder_name": _text(data, "account_holder_name", 120),
            "description": _text(data, "description", 255, empty=True),
        }
        if not self._channel_known(fields["channel"]):
            raise SandboxError(400, "VALIDATION_ERROR", f"unknown channel {fields['channel']!r}")
        if not ACCOUNT_NUMBER.fullmatch(fields["account_number"]):
            raise SandboxError(400, "VALIDATION_ERROR", "account_number is 4-20 digits")
        return fields

    def _create(self, key: str | None, data: Any) -> tuple[int, dict]:
        if not key:
            raise SandboxError(
                400, "IDEMPOTENCY_KEY_REQUIRED", "an Idempotency-Key header is required"
            )
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise SandboxError(
                400, "INVALID_IDEMPOTENCY_KEY", "an Idempotency-Key is 1-64 of A-Z a-z 0-9 _ -"
            )
        fields = self._checked_body(data)
        body = json.dumps(fields, sort_keys=True)
        now = _now_iso()
        with self._wake:
            row = self._row(key)
            if row is not None and row["body"] != body:
                raise SandboxError(
                    409,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used with another request body",
                )
            if row is not None and row["status"] != "FAILED":
                shown = self._shown(row)
                return (202 if row["status"] == "PENDING" else 200), shown
            settle_at = time.time() + self.settle_after
            if row is None:
                self._db.execute(
                    "INSERT INTO disbursement VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', 1, NULL, NULL, 1, ?, ?, ?)",
                    (
                        key,
                        "disb_" + uuid.uuid4().hex[:24],
                        fields["reference"],
                        fields["amount"],
                        fields["channel"],
                        fields["account_number"],
                        fields["account_holder_name"],
                        fields["description"],
                        body,
                        now,
                        now,
                        settle_at,
                    ),
                )
            else:  # FAILED before: a new attempt under the same key and id
                self._db.execute(
                    "UPDATE disbursement SET status = 'PENDING', version = version + 1, "
                    "failure_code = NULL, failure_message = NULL, attempts = attempts + 1, "
                    "updated_at = ?, settle_at = ? WHERE idempotency_key = ?",
                    (now, settle_at, key),
                )
            self._poke()
            return 202, self._shown(self._row(key))

    def _settle_due(self) -> float | None:
        """Settle what is due; the time of the next one (None: nothing pending)."""
        with self._wake:
            due = self._db.execute(
                "SELECT * FROM disbursement WHERE status = 'PENDING' AND settle_at <= ? "
                "ORDER BY settle_at",
                (time.time(),),
            ).fetchall()
            for row in due:
                self._settle(row)
            following = self._db.execute(
                "SELECT MIN(settle_at) FROM disbursement WHERE status = 'PENDING'"
            ).fetchone()[0]
            return following

    def _settle(self, row: sqlite3.Row) -> None:
        account = self._account(row["channel"], row["account_number"])
        failure = None
        if account is not None and account["rejected"]:
            failure = "ACCOUNT_REJECTED"
        elif account is None and not self.pay_unregistered:
            failure = "ACCOUNT_NOT_FOUND"
        elif account is not None and _comparable_name(account["holder_name"]) != _comparable_name(
            row["account_holder_name"]
        ):
            failure = "NAME_MISMATCH"
        elif self._draw(self.final_fail_rate):
            failure = "BANK_UNAVAILABLE"
        now = _now_iso()
        self._db.execute(
            "UPDATE disbursement SET status = ?, version = version + 1, failure_code = ?, "
            "failure_message = ?, updated_at = ?, settle_at = NULL WHERE idempotency_key = ?",
            (
                "FAILED" if failure else "SUCCEEDED",
                failure,
                FAILURES.get(failure or ""),
                now,
                row["idempotency_key"],
            ),
        )
        if failure is None:
            self._db.execute(
                "INSERT INTO payment (idempotency_key, kind, amount, at) VALUES (?, 'sent', ?, ?)",
                (row["idempotency_key"], row["amount"], now),
            )
        settled = self._row(row["idempotency_key"])
        log.info(
            "settled %s %s v%s %s",
            settled["idempotency_key"],
            settled["status"],
            settled["version"],
            failure or f"amount={settled['amount']}",
        )
        self._event("disbursement.failed" if failure else "disbursement.succeeded", settled)

    def reverse(self, key: str) -> dict:
        """Reverse a SUCCEEDED disbursement (the bank took the money back): REVERSED,
        version + 1, a disbursement.reversed webhook. KeyError when there is none,
        ValueError when it is not SUCCEEDED."""
        with self._wake:
            row = self._row(key)
            if row is None:
                raise KeyError(key)
            if row["status"] != "SUCCEEDED":
                raise ValueError(f"only a SUCCEEDED disbursement is reversed, not {row['status']}")
            now = _now_iso()
            self._db.execute(
                "UPDATE disbursement SET status = 'REVERSED', version = version + 1, "
                "updated_at = ? WHERE idempotency_key = ?",
                (now, key),
            )
            self._db.execute(
                "INSERT INTO payment (idempotency_key, kind, amount, at) "
                "VALUES (?, 'reversed', ?, ?)",
                (key, row["amount"], now),
            )
            reversed_row = self._row(key)
            log.info("reversed %s v%s", key, reversed_row["version"])
            self._event("disbursement.reversed", reversed_row)
            return self._shown(reversed_row)

    def record(self) -> dict:
        """The money the sandbox sent: counts, totals, and every disbursement."""
        with self._lock:
            sent = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM payment WHERE kind = 'sent'"
            ).fetchone()
            reversed_total = self._db.execute(
                "SELECT COALESCE(SUM(amount), 0) FROM payment WHERE kind = 'reversed'"
            ).fetchone()[0]
            paid = dict(
                self._db.execute(
                    "SELECT idempotency_key, COUNT(*) FROM payment WHERE kind = 'sent' "
                    "GROUP BY idempotency_key"
                ).fetchall()
            )
            rows = self._db.execute("SELECT * FROM disbursement ORDER BY created_at").fetchall()
        return {
            "succeeded_count": sent[0],
            "succeeded_total": sent[1],
            "reversed_total": reversed_total,
            "net_total": sent[1] - reversed_total,
            "disbursements": [
                {
                    "idempotency_key": row["idempotency_key"],
                    "id": row["id"],
                    "reference": row["reference"],
                    "amount": row["amount"],
                    "status": row["status"],
                    "version": row["version"],
                    "attempts": row["attempts"],
                    "times_paid": paid.get(row["idempotency_key"], 0),
                }
                for row in rows
            ],
        }

    # ------------------------------------------------------------------------ webhooks

    def _event(self, kind: str, row: sqlite3.Row) -> None:
        """Store the webhook event for this change (caller holds the lock)."""
        event_id = "evt_" + uuid.uuid4().hex
        body = json.dumps(
            {"id": event_id, "type": kind, "created_at": _now_iso(), "data": self._shown(row)},
            sort_keys=True,
        )
        url = self.webhook_url
        copies = 2 if self._draw(self.duplicate_rate) else 1
        self._db.execute(
            "INSERT INTO event (id, type, body, url, copies, next_try, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (event_id, kind, body, url, copies, time.time(), "pending" if url else "unsent"),
        )
        if not url:
            log.info("event %s %s kept: no webhook URL is set", event_id, kind)
        self._poke()

    def events(self) -> list[dict]:
        """Every webhook event, oldest first: id, type, state, sent (copies delivered),
        tries, and the event itself."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM event ORDER BY seq").fetchall()
        return [
            {
                "id": row["id"],
                "type": row["type"],
                "state": row["state"],
                "sent": row["sent"],
                "tries": row["tries"],
                "event": json.loads(row["body"]),
            }
            for row in rows
        ]

    def redeliver(self) -> int:
        """Try again the events whose delivery was given up (to the webhook URL now set,
        if they had none); how many."""
        with self._wake:
            changed = self._db.execute(
                "UPDATE event SET state = 'pending', tries = sent, next_try = ?, "
                "url = COALESCE(?, url) WHERE state IN ('failed', 'unsent') "
                "AND COALESCE(?, url) IS NOT NULL",
                (time.time(), self.webhook_url, self.webhook_url),
            ).rowcount
            self._poke()
        log.info("redelivering %s events", changed)
        return changed

    def _due_events(self) -> tuple[list[sqlite3.Row], float | None]:
        """The events to send now (shuffled when reordering) and when to look again."""
        with self._wake:
            now = time.time()
            pending = self._db.execute(
                "SELECT * FROM event WHERE state = 'pending' ORDER BY seq"
            ).fetchall()
            if not pending:
                return [], None
            if self.reorder > 0:
                fresh = [row for row in pending if row["tries"] == 0]
                if fresh and now - min(row["next_try"] for row in fresh) < self.reorder:
                    held_until = min(row["next_try"] for row in fresh) + self.reorder
                    retries = [row for row in pending if row["tries"] and row["next_try"] <= now]
                    self._delivering += len(retries)
                    return retries, held_until
                due = [row for row in pending if row["next_try"] <= now]
                self.random.shuffle(due)
            else:
                due = [row for row in pending if row["next_try"] <= now]
            later = [row["next_try"] for row in pending if row["next_try"] > now]
            self._delivering += len(due)
            return due, (min(later) if later else None)

    def _deliver(self, row: sqlite3.Row) -> None:
        """One try of one event to its URL; then mark it sent, or schedule the next try."""
        body = row["body"].encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Payout-Timestamp": timestamp,
            "X-Payout-Signature": "v1=" + sign(self.secret, timestamp, body),
            "User-Agent": "payout-sandbox",
        }
        status, problem = None, None
        try:
            status = _post(row["url"], body, headers, WEBHOOK_TIMEOUT)
        except (OSError, http.client.HTTPException, ValueError) as error:
            problem = str(error) or type(error).__name__
        ok = status is not None and 200 <= status < 300
        log.info(
            "webhook %s %s try %s to %s -> %s",
            row["id"],
            row["type"],
            row["tries"] + 1,
            row["url"],
            status if status is not None else problem,
        )
        with self._wake:
            tries = row["tries"] + 1
            if ok:
                sent = row["sent"] + 1
                state = "delivered" if sent >= row["copies"] else "pending"
                self._db.execute(
                    "UPDATE event SET sent = ?, tries = ?, state = ?, next_try = ? WHERE seq = ?",
                    (sent, tries, state, time.time(), row["seq"]),
                )
            else:
                failures = tries - row["sent"]
                if failures > len(self.webhook_delays):
                    log.warning("webhook %s given up after %s tries", row["id"], tries)
                    self._db.execute(
                        "UPDATE event SET tries = ?, state = 'failed' WHERE seq = ?",
                        (tries, row["seq"]),
                    )
                else:
                    delay = self.webhook_delays[failures - 1]
                    self._db.execute(
                        "UPDATE event SET tries = ?, next_try = ? WHERE seq = ?",
                        (tries, time.time() + delay, row["seq"]),
                    )
            self._delivering -= 1
            self._poke()

    # --------------------------------------------------------------------------- threads

    def _poke(self) -> None:
        """Something changed: wake the workers and the waiters (caller holds the lock)."""
        self._changes += 1
        self._wake.notify_all()

    def _loop(self, step: Callable[[], float | None]) -> None:
        while not self._stopping.is_set():
            seen = self._changes
            try:
                following = step()
            except Exception:  # a broken step must not end the thread
                log.exception("sandbox worker step failed")
                following = time.time() + 0.5
            with self._wake:
                if self._stopping.is_set():
                    return
                wait = 1.0 if following is None else max(0.0, following - time.time())
                if wait > 0 and self._changes == seen:
                    self._wake.wait(min(wait, 1.0))

    def _settle_step(self) -> float | None:
        return self._settle_due()

    def _deliver_step(self) -> float | None:
        due, following = self._due_events()
        for row in due:
            if self._stopping.is_set():
                with self._wake:
                    self._delivering -= 1
                continue
            self._deliver(row)
        return time.time() if due else following

    def _start_workers(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        for name, step in (("settle", self._settle_step), ("deliver", self._deliver_step)):
            thread = threading.Thread(
                target=self._loop, args=(step,), name=f"payout-sandbox-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def busy(self) -> bool:
        """Whether anything is left to settle or to deliver."""
        with self._lock:
            pending = self._db.execute(
                "SELECT (SELECT COUNT(*) FROM disbursement WHERE status = 'PENDING') + "
                "(SELECT COUNT(*) FROM event WHERE state = 'pending')"
            ).fetchone()[0]
            return bool(pending or self._delivering)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is left to settle or deliver; whether it became idle."""
        deadline = time.monotonic() + timeout
        while self.busy():
            if time.monotonic() >= deadline:
                return False
            with self._wake:
                self._wake.wait(0.02)
        return True

    # ---------------------------------------------------------------------------- serving

    def _bind(self, host: str, port: int) -> BaseWSGIServer:
        server = make_server(host, port, self, threaded=True, request_handler=_QuietHandler)
        self._server = server
        shown_host = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown_host}:{server.server_port}"
        self._start_workers()
        log.info("payout sandbox listening on %s, webhooks to %s", self.url, self.webhook_url)
        return server

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread (port 0: a free one); the URL it is bound to."""
        server = self._bind(host, port)
        self._server_thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="payout-sandbox-http",
            daemon=True,
        )
        self._server_thread.start()
        return self.url or ""

    def serve(self, host: str = "127.0.0.1", port: int = 5010) -> None:
        """Serve in this thread until `stop` is called from another one."""
        self._bind(host, port).serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        """Stop serving and the worker threads, and close the record (safe to call twice)."""
        self._stopping.set()
        with self._wake:
            self._poke()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._server_thread is not None:
            self._server_thread.join(timeout=5)
            self._server_thread = None
        for thread in self._threads:
            thread.join(timeout=WEBHOOK_TIMEOUT + 1)
        self._threads = []
        with self._lock:
            self._db.close()
        log.info("payout sandbox stopped")

    # ---------------------------------------------------------------------------- the API

    def __call__(self, environ, start_response):
        request = Request(environ)
        started = time.monotonic()
        try:
            response = self._dispatch(request)
        except SandboxError as error:
            response = _json(error.status, {"error_code": error.code, "message": error.message})
        except HTTPException as error:
            response = _json(
                error.code or 500,
                {"error_code": (error.name or "ERROR").upper().replace(" ", "_"), "message": ""},
            )
        except Exception:
            log.exception("sandbox call failed: %s %s", request.method, request.path)
            response = _json(500, {"error_code": "INTERNAL_ERROR", "message": "sandbox error"})
        log.info(
            "%s %s key=%s -> %s (%.0f ms)",
            request.method,
            request.path,
            request.headers.get("Idempotency-Key", "-"),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response(environ, start_response)

    def _check_signature(self, request: Request, body: bytes) -> None:
        timestamp = request.headers.get("X-Timestamp", "")
        signature = request.headers.get("X-Signature", "")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            raise SandboxError(401, "INVALID_SIGNATURE", "X-Timestamp and X-Signature needed")
        path = request.path
        if request.query_string:
            path += "?" + request.query_string.decode("latin-1")
        expected = sign(self.secret, timestamp, request.method, path, body)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise SandboxError(401, "INVALID_SIGNATURE", "the signature does not match")
        if abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE:
            raise SandboxError(401, "INVALID_SIGNATURE", "the timestamp is not fresh")

    def _dispatch(self, request: Request) -> Response:
        adapter = self._routes.bind_to_environ(request.environ)
        endpoint, values = adapter.match()
        if (request.content_length or 0) > LARGEST_BODY:
            raise SandboxError(413, "PAYLOAD_TOO_LARGE", "the body is too large")
        body = request.get_data(cache=True)[: LARGEST_BODY + 1]
        if len(body) > LARGEST_BODY:
            raise SandboxError(413, "PAYLOAD_TOO_LARGE", "the body is too large")
        self._check_signature(request, body)
        data: Any = None
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                raise SandboxError(400, "VALIDATION_ERROR", "the body is not JSON") from None
        if endpoint in CONTROL:
            return getattr(self, f"_api_{endpoint}")(request, data, **values)
        if endpoint in ("create", "status") and self._draw(self.fail_rate):
            self._pause(self.slow)
            raise SandboxError(503, "SERVICE_UNAVAILABLE", "the gateway is busy; try again")
        timing_out = endpoint == "create" and self._draw(self.timeout_rate)
        try:
            response = getattr(self, f"_api_{endpoint}")(request, data, **values)
        finally:
            self._pause(self.slow + (self.timeout_sleep if timing_out else 0))
        return response

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _api_create(self, request: Request, data: Any) -> Response:
        status, shown = self._create(request.headers.get("Idempotency-Key"), data)
        return _json(status, shown)

    def _api_status(self, request: Request, data: Any, key: str) -> Response:
        shown = self.disbursement(key) if IDEMPOTENCY_KEY.fullmatch(key) else None
        if shown is None:
            raise SandboxError(404, "NOT_FOUND", "no disbursement under this key")
        return _json(200, shown)

    def _api_inquiry(self, request: Request, data: Any) -> Response:
        if not isinstance(data, dict):
            raise SandboxError(400, "VALIDATION_ERROR", "the body is a JSON object")
        channel = _text(data, "channel", 20)
        number = _text(data, "account_number", 20)
        if not self._channel_known(channel):
            raise SandboxError(400, "VALIDATION_ERROR", f"unknown channel {channel!r}")
        account = self._account(channel, number)
        if account is None:
            raise SandboxError(
                404, "ACCOUNT_NOT_FOUND", "No account with this number at this bank or e-wallet"
            )
        if account["rejected"]:
            raise SandboxError(422, "ACCOUNT_REJECTED", FAILURES["ACCOUNT_REJECTED"])
        return _json(
            200,
            {
                "channel": channel,
                "account_number": number,
                "account_holder_name": account["holder_name"],
            },
        )

    def _api_accounts(self, request: Request, data: Any) -> Response:
        if not isinstance(data, dict):
            raise SandboxError(400, "VALIDATION_ERROR", "the body is a JSON object")
        return _json(201, self._register(data))

    def _api_faults(self, request: Request, data: Any) -> Response:
        if data is None:
            return _json(200, self.faults())
        if not isinstance(data, dict):
            raise SandboxError(400, "VALIDATION_ERROR", "the body is a JSON object")
        try:
            return _json(200, self.set_faults(**data))
        except ValueError as error:
            raise SandboxError(400, "VALIDATION_ERROR", str(error)) from None

    def _api_reverse(self, request: Request, data: Any, key: str) -> Response:
        try:
            return _json(200, self.reverse(key))
        except KeyError:
            raise SandboxError(404, "NOT_FOUND", "no disbursement under this key") from None
        except ValueError as error:
            raise SandboxError(409, "NOT_REVERSIBLE", str(error)) from None

    def _api_record(self, request: Request, data: Any) -> Response:
        return _json(200, self.record())

    def _api_redeliver(self, request: Request, data: Any) -> Response:
        return _json(200, {"redelivering": self.redeliver()})

    def _api_idle(self, request: Request, data: Any) -> Response:
        raw = request.args.get("timeout") or (
            data.get("timeout") if isinstance(data, dict) else None
        )
        try:
            timeout = min(float(raw if raw is not None else 5), 60.0)
        except (TypeError, ValueError):
            raise SandboxError(400, "VALIDATION_ERROR", "timeout is a number of seconds") from None
        return _json(200, {"idle": self.wait_idle(max(timeout, 0.0))})


def _json(status: int, data: Any) -> Response:
    return Response(json.dumps(data, sort_keys=True), status=status, mimetype="application/json")


def _post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST body to an http(s) URL; the answer's status."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http URL: {url!r}")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def call(
    base_url: str, secret: str, method: str, path: str, payload: Any = None, timeout: float = 10
) -> tuple[int, Any]:
    """A signed call to a sandbox (its control endpoints too); the status and JSON answer."""
    body = b"" if payload is None else json.dumps(payload, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    parts = urllib.parse.urlsplit(base_url.rstrip("/") + path)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json",
        "X-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, method, target, body),
    }
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request(method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)
    finally:
        connection.close()
