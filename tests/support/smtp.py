"""A real SMTP server on loopback for tests: aiosmtpd's Controller, collecting what it gets.

Under pytest tests/ is on sys.path, so test modules (and tests/browser) import it as `smtp`.

As a context manager:

    from support.smtp import LoopbackSMTP

    with LoopbackSMTP() as server:                      # 127.0.0.1, a free port
        app = create_app({..., **server.config})        # MAIL_SERVER, MAIL_PORT, no TLS
        ...                                             # something that mails and commits
        [received] = server.wait_for(1)
        assert received.recipient == "ani@example.com" and "/password/reset/" in received.body

As a fixture (a fresh server per test), with conftest's `app_config` pointing the app at it:

    from support import smtp

    smtp_server = smtp.smtp_server                      # the fixture, under its own name

    @pytest.fixture
    def app_config(smtp_server):
        return smtp_server.config

`server.refuse("x@example.com")` makes the server answer 550 to that recipient; sending
after `server.stop()` tests an unreachable server. `received.body` is the decoded text
part with line ends as "\n".

`LoopbackSMTP(delay=2.0)` answers each message's DATA only after two seconds (a slow
server); `server.greetings` counts the clients that said EHLO or HELO, so a test can tell
that nobody talked to the server, and `server.data_started` is set when a message's DATA
has arrived and the server is still to answer it.
"""

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server received it, its text body decoded."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    headers: dict[str, str]

    @property
    def recipient(self) -> str:
        return self.recipients[0]


class _Handler:
    def __init__(self, server: "LoopbackSMTP") -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.server.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        self.server._greet()
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):  # noqa: N802
        session.host_name = hostname
        self.server._greet()
        return f"250 {server.hostname}"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.server.data_started.set()
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        message = message_from_bytes(envelope.content, policy=default_policy)
        part = message.get_body(preferencelist=("plain",))
        body = part.get_content().replace("\r\n", "\n") if part is not None else ""
        self.server._receive(
            ReceivedMail(
                sender=envelope.mail_from,
                recipients=tuple(envelope.rcpt_tos),
                subject=str(message.get("Subject", "")),
                body=body,
                headers={name: str(value) for name, value in message.items()},
            )
        )
        return "250 Message accepted for delivery"


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class LoopbackSMTP:
    """An SMTP server on 127.0.0.1 and a free port, in a thread; a context manager."""

    def __init__(self, host: str = HOST, *, delay: float = 0.0) -> None:
        self.host = host
        self.port = 0
        self.delay = delay
        self.refused: set[str] = set()
        self.greetings = 0
        self.data_started = threading.Event()
        self._messages: list[ReceivedMail] = []
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    # -- running --

    def start(self) -> "LoopbackSMTP":
        self.port = free_port(self.host)
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "LoopbackSMTP":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def config(self) -> dict:
        """App settings that send the app's mail here."""
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_USE_TLS": False}

    # -- what arrived --

    def refuse(self, address: str) -> None:
        """Answer 550 to this recipient from now on."""
        self.refused.add(address.lower())

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._arrived:
            return list(self._messages)

    def to(self, address: str) -> list[ReceivedMail]:
        """The messages received for one address."""
        return [m for m in self.messages if address.lower() in map(str.lower, m.recipients)]

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMail]:
        """Wait until at least `count` messages have arrived; returns them all."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._messages) >= count, timeout=timeout)
            if len(self._messages) < count:
                raise AssertionError(
                    f"expected {count} message(s), {len(self._messages)} arrived in {timeout}s"
                )
            return list(self._messages)

    def clear(self) -> None:
        with self._arrived:
            self._messages.clear()
            self.greetings = 0
        self.data_started.clear()

    def _greet(self) -> None:
        with self._arrived:
            self.greetings += 1

    def _receive(self, mail: ReceivedMail) -> None:
        with self._arrived:
            self._messages.append(mail)
            self._arrived.notify_all()


@pytest.fixture
def smtp_server() -> Iterator[LoopbackSMTP]:
    """A running LoopbackSMTP for one test."""
    with LoopbackSMTP() as server:
        yield server
