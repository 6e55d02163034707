"""The payout gateway's protocol, as the marketplace speaks it (a client over HTTP), and the
check of the webhooks the gateway sends back.

The protocol is the one Indonesian disbursement APIs use; the project's sandbox
(`incentives/sandbox.py`, `flask payout-sandbox`) serves it on loopback.

Calls (JSON bodies, answers in JSON):

- ``POST /v1/disbursements`` with an ``Idempotency-Key`` header (1-64 of A-Z a-z 0-9 _ -) and
  ``{"reference", "amount", "channel", "account_number", "account_holder_name",
  "description"}``. ``202`` and the disbursement (``status`` "PENDING") when accepted; the
  same key with the same body answers the stored disbursement again (one accepted or
  succeeded is never paid twice; one that FAILED is tried again under the same key); the same
  key with another body is a ``409`` (IDEMPOTENCY_KEY_REUSED); no key is a ``400``
  (IDEMPOTENCY_KEY_REQUIRED). The final status comes later by webhook.
- ``GET /v1/disbursements/<idempotency key>``: the disbursement, or ``404``.
- ``POST /v1/account-inquiry`` with ``{"channel", "account_number"}``: ``200`` with
  ``account_holder_name``, ``404`` (ACCOUNT_NOT_FOUND) or ``422`` (ACCOUNT_REJECTED).

A disbursement: ``{"id", "reference", "idempotency_key", "amount", "channel",
"account_number", "status": PENDING|SUCCEEDED|FAILED|REVERSED, "version", "failure_code",
"failure_message", "updated_at"}``; ``version`` grows by one with every change of status, so
an event older than the one applied is recognised.

Every call is signed: ``X-Timestamp`` (Unix seconds) and ``X-Signature`` =
hex(HMAC-SHA256(secret, "<timestamp>.<METHOD>.<path>.<body>")). A webhook is a ``POST`` of
``{"id": event id, "type": "disbursement.succeeded" | "disbursement.failed" |
"disbursement.reversed", "created_at", "data": <the disbursement>}`` with
``X-Payout-Timestamp`` and ``X-Payout-Signature`` = "v1=" + hex(HMAC-SHA256(secret,
"<timestamp>.<body>")).
"""

import hashlib
import hmac
import http.client
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
EVENT_TYPES = frozenset({"disbursement.succeeded", "disbursement.failed", "disbursement.reversed"})
STATUSES = frozenset({"PENDING", "SUCCEEDED", "FAILED", "REVERSED"})


class GatewayUnavailable(Exception):
    """The call's outcome is unknown: no answer, a timeout, or a 5xx/429. Safe to repeat
    with the same idempotency key."""


class GatewayRefused(Exception):
    """The gateway answered no (a 4xx): `code` is its error code, `message` its words."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Disbursement:
    """The gateway's view of one payment."""

    id: str
    reference: str
    idempotency_key: str
    amount: int
    status: str
    version: int
    failure_code: str | None = None
    failure_message: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> "Disbursement":
        """Read the gateway's JSON; ValueError when it is not a disbursement."""
        if not isinstance(data, dict):
            raise ValueError("a disbursement is a JSON object")
        try:
            found = cls(
                id=str(data["id"]),
                reference=str(data["reference"]),
                idempotency_key=str(data["idempotency_key"]),
                amount=data["amount"],
                status=data["status"],
                version=data["version"],
                failure_code=data.get("failure_code"),
                failure_message=data.get("failure_message"),
            )
        except KeyError as missing:
            raise ValueError(f"a disbursement needs {missing}") from None
        if not isinstance(found.amount, int) or isinstance(found.amount, bool):
            raise ValueError("amount is a whole number")
        if not isinstance(found.version, int) or isinstance(found.version, bool):
            raise ValueError("version is a whole number")
        if found.status not in STATUSES:
            raise ValueError(f"unknown status {found.status!r}")
        return found


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    disbursement: Disbursement


def sign(secret: str, *parts: str | bytes) -> str:
    """hex(HMAC-SHA256(secret, the parts joined by ".")): both directions' signature."""
    message = b".".join(part.encode() if isinstance(part, str) else part for part in parts)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class WebhookRefused(Exception):
    """A webhook that is not the gateway's, or not fresh: refused, nothing read from it."""


def read_webhook(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = 300,
) -> WebhookEvent:
    """Check a webhook's signature and freshness, then read its event.

    Raises WebhookRefused for a missing or wrong signature, a timestamp further than
    `tolerance` seconds from `now`, or a body that is not an event.
    """
    if not secret:
        raise WebhookRefused("no gateway secret is configured")
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
        raise WebhookRefused("the signature headers are missing")
    expected = "v1=" + sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise WebhookRefused("the signature does not match")
    now = time.time() if now is None else now
    if len(timestamp) > 12 or abs(now - int(timestamp)) > tolerance:
        raise WebhookRefused("the timestamp is not fresh")
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("type") not in EVENT_TYPES:
            raise ValueError("not a disbursement event")
        event_id = data.get("id")
        if not isinstance(event_id, str) or not 0 < len(event_id) <= 80:
            raise ValueError("an event has an id")
        return WebhookEvent(event_id, data["type"], Disbursement.from_json(data.get("data")))
    except ValueError as error:  # json.JSONDecodeError is one
        raise WebhookRefused(f"the body is not an event: {error}") from None


class Gateway:
    """A client of the payout gateway at `base_url`, signing with `secret`."""

    def __init__(self, base_url: str, secret: str, timeout: float = 5.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the payout gateway's URL is http(s)://…, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout

    @classmethod
    def of(cls, config) -> "Gateway":
        """The gateway an app's settings name."""
        secret = config.get("PAYOUT_GATEWAY_SECRET")
        if not secret:
            raise GatewayUnavailable(
                "PAYOUT_GATEWAY_SECRET is not set (make run writes instance/payout_gateway_secret)"
            )
        if not config.get("PAYOUT_GATEWAY_URL"):
            raise GatewayUnavailable(
                "PAYOUT_GATEWAY_URL is not set (make run sets it to the sandbox gateway)"
            )
        return cls(config["PAYOUT_GATEWAY_URL"], secret, config.get("PAYOUT_GATEWAY_TIMEOUT", 5))

    def _call(
        self, method: str, path: str, payload: dict | None = None, headers: dict | None = None
    ) -> tuple[int, Any]:
        body = b"" if payload is None else json.dumps(payload, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 (the configured gateway's http(s) URL)
            self.base_url + path,
            data=body if method != "GET" else None,
            method=method,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-Timestamp": timestamp,
                "X-Signature": sign(self.secret, timestamp, method, path, body),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310  # http(s) only (__init__)
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
            raise GatewayUnavailable(f"no answer from the gateway: {error}") from None
        if status >= 500 or status == 429:
            raise GatewayUnavailable(f"the gateway answered {status}")
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            raise GatewayUnavailable(f"the gateway answered {status} without JSON") from None
        return status, data

    @staticmethod
    def _refusal(status: int, data: Any) -> GatewayRefused:
        data = data if isinstance(data, dict) else {}
        return GatewayRefused(
            status, str(data.get("error_code") or status), str(data.get("message") or "")
        )

    def _disbursement(self, status: int, data: Any) -> Disbursement:
        """A disbursement from an answer: GatewayRefused for a 4xx, GatewayUnavailable for
        an answer that is not one (its outcome is then unknown)."""
        if status >= 400:
            raise self._refusal(status, data)
        try:
            return Disbursement.from_json(data)
        except ValueError as error:
            raise GatewayUnavailable(
                f"the gateway's answer is not a disbursement: {error}"
            ) from None

    def create(
        self,
        idempotency_key: str,
        *,
        reference: str,
        amount: int,
        channel: str,
        account_number: str,
        account_holder_name: str,
        description: str,
    ) -> Disbursement:
        """Ask the gateway to pay; its answer ("accepted": PENDING, or the stored
        disbursement for a repeated key). GatewayRefused on a 4xx, GatewayUnavailable when
        the outcome is unknown (then repeat with the same key)."""
        if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise ValueError("an idempotency key is 1-64 of A-Z a-z 0-9 _ -")
        status, data = self._call(
            "POST",
            "/v1/disbursements",
            {
                "reference": reference,
                "amount": amount,
                "channel": channel,
                "account_number": account_number,
                "account_holder_name": account_holder_name,
                "description": description,
            },
            {"Idempotency-Key": idempotency_key},
        )
        return self._disbursement(status, data)

    def status(self, idempotency_key: str) -> Disbursement | None:
        """The gateway's disbursement under this key, or None when it has none."""
        if not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise ValueError("an idempotency key is 1-64 of A-Z a-z 0-9 _ -")
        status, data = self._call("GET", f"/v1/disbursements/{idempotency_key}")
        if status == 404:
            return None
        return self._disbursement(status, data)

    def inquire(self, channel: str, account_number: str) -> str:
        """The account holder's name as the bank or e-wallet holds it. GatewayRefused with
        code ACCOUNT_NOT_FOUND or ACCOUNT_REJECTED when there is none to pay."""
        status, data = self._call(
            "POST", "/v1/account-inquiry", {"channel": channel, "account_number": account_number}
        )
        if status >= 400:
            raise self._refusal(status, data)
        name = data.get("account_holder_name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise GatewayUnavailable("the gateway's inquiry answer has no holder name")
        return name.strip()
