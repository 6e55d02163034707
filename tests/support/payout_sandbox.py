"""The sandbox payout gateway on loopback for tests, and a loopback webhook receiver.

    with running_sandbox(tmp_path / "sandbox.db", settle_after=0.05) as sandbox:
        gateway = Gateway(sandbox.url, SECRET, timeout=2)
        with webhook_receiver() as receiver:
            sandbox.webhook_url = receiver.url
            ...
            receiver.wait_for(1)

`sandbox` is a started `marketplace.incentives.sandbox.PayoutSandbox` (its `.url` is
http://127.0.0.1:<free port>); it is stopped when the block ends.
"""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from marketplace.incentives.gateway import Gateway, WebhookEvent, read_webhook
from marketplace.incentives.sandbox import PayoutSandbox

SECRET = "sandbox-test-secret"


@contextlib.contextmanager
def running_sandbox(
    db_path: str | Path | None = None,
    *,
    secret: str = SECRET,
    webhook_url: str | None = None,
    seed: int = 15,
    settle_after: float = 0.05,
    **settings,
) -> Iterator[PayoutSandbox]:
    """A PayoutSandbox serving on 127.0.0.1 (a free port) in a thread; stopped at the end.
    `settings` are PayoutSandbox's other keyword arguments (faults, webhook_delays...)."""
    sandbox = PayoutSandbox(
        secret,
        db_path,
        webhook_url=webhook_url,
        seed=seed,
        settle_after=settle_after,
        webhook_delays=settings.pop("webhook_delays", (0.05, 0.1, 0.2)),
        **settings,
    )
    sandbox.start("127.0.0.1", 0)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def gateway_for(sandbox: PayoutSandbox, *, secret: str = SECRET, timeout: float = 2.0) -> Gateway:
    """The marketplace's client, pointed at this sandbox."""
    return Gateway(sandbox.url or "", secret, timeout=timeout)


@dataclass
class Delivery:
    """One webhook request the receiver got."""

    timestamp: str | None
    signature: str | None
    body: bytes
    status: int

    def event(self, secret: str = SECRET) -> WebhookEvent:
        """The event, read (and its signature checked) as the marketplace does."""
        return read_webhook(secret, self.timestamp, self.signature, self.body)


@dataclass
class WebhookReceiver:
    """Collects the webhooks POSTed to `url`; answers `answers.pop(0)` while there are
    any (e.g. [500, 500] to make the first two fail), then 200."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self._arrived:
            status = self.answers.pop(0) if self.answers else 200
            self.deliveries.append(
                Delivery(
                    request.headers.get("X-Payout-Timestamp"),
                    request.headers.get("X-Payout-Signature"),
                    request.get_data(),
                    status,
                )
            )
            self._arrived.notify_all()
        return Response("{}", status=status, mimetype="application/json")(environ, start_response)

    def wait_for(self, count: int, timeout: float = 3.0) -> list[Delivery]:
        """Wait until `count` deliveries arrived (AssertionError if not in time)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.deliveries) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.deliveries)} of {count} webhooks arrived"
                self._arrived.wait(left)
            return list(self.deliveries)

    def accepted(self) -> list[Delivery]:
        """The deliveries answered 2xx."""
        with self._arrived:
            return [one for one in self.deliveries if 200 <= one.status < 300]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@contextlib.contextmanager
def webhook_receiver(answers: list[int] | None = None) -> Iterator[WebhookReceiver]:
    """A loopback HTTP server collecting webhooks; `receiver.url` is where to send them."""
    receiver = WebhookReceiver(answers=list(answers or []))
    server = make_server("127.0.0.1", 0, receiver, threaded=True, request_handler=_Quiet)
    receiver.url = f"http://127.0.0.1:{server.server_port}/payouts/webhook"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
