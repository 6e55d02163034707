"""Mail the site sends. Every message goes to the outbox table and the log first.

`send()` only adds a row to the outbox in the current transaction. When the app has a
MAIL_SERVER, a delivery task is enqueued for each message once that transaction has
committed (a rolled-back transaction enqueues nothing), and the worker (`flask worker`)
sends it by SMTP, noting `sent_at` on the row, or `error` when the server refused it or
could not be reached; a failure the next try may not meet (no connection, 4xx) is tried
again with backoff. The request never talks to the SMTP server. Periodic jobs enqueue
again what a killed worker or an unreachable queue left unsent, and what failed. Without
MAIL_SERVER the outbox and the log are the delivery: `flask mail outbox` prints the recent
messages.

The log carries a message's id, recipient and subject, never its body: bodies hold
single-use links.
"""

import contextlib
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as translate
from huey import crontab

from marketplace.core import tasks
from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.extensions import db

log = logging.getLogger(__name__)

# session.info key: ids of the messages queued in the session's current transaction.
_QUEUED = "mail_queued"
_ERROR_LENGTH = 300
# A delivery task tries again after 15 s, 30 s, 1 min, 2 min and 4 min (about 8 minutes in
# all) while the server can't be reached or answers 4xx; `retry_failed_mail` takes over.
RETRIES = 5
RETRY_DELAY = 15
RETRY_BACKOFF = 2
# Unsent messages older than this are not sent any more (a reset link has expired by then).
RESEND_WINDOW = timedelta(hours=48)


def send(recipient: str, subject: str, body: str) -> OutboxMail:
    """Queue a plain-text message to one recipient, in the current transaction."""
    message = OutboxMail(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_QUEUED, set()).add(message.id)
    log.info("mail %s to %s: %s", message.id, recipient, subject)
    return message


def language_for(locale: str | None) -> str:
    """The language to write to someone in: theirs if the site has it, else the default."""
    languages = current_app.config.get("LANGUAGES", ("id", "en"))
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "id")
    return locale if locale in languages else default


def in_language_of(user):
    """A context in which gettext (and Babel's formats) speak `user`'s language."""
    return force_locale(language_for(user.locale))


class Verbatim(str):
    """A paragraph of a mail put in as it is, not translated (a link)."""


def public_link(path: str) -> Verbatim:
    """An address on the site for a message: PUBLIC_URL then `path`, put in as it is."""
    return Verbatim((current_app.config.get("PUBLIC_URL") or "").rstrip("/") + path)


def send_in_language(user, subject: str, paragraphs: list[str], **values) -> OutboxMail:
    """Mail `user` in their language: `subject` and `paragraphs` are N_() message ids
    (or `Verbatim` text, such as a link, put in as it is).

    The values are given as callables or strings; callables are called inside the
    language, so dates and times come out in it too.
    """
    with in_language_of(user):
        filled = {name: value() if callable(value) else value for name, value in values.items()}
        return send(
            user.email,
            translate(subject, **filled),
            "\n\n".join(
                paragraph if isinstance(paragraph, Verbatim) else translate(paragraph, **filled)
                for paragraph in paragraphs
            ),
        )


def recent(*, recipient: str | None = None, last: int = 10) -> list[OutboxMail]:
    """The `last` messages of the outbox (to one recipient if given), oldest first."""
    query = sa.select(OutboxMail).order_by(OutboxMail.id.desc()).limit(max(last, 0))
    if recipient:
        query = query.where(OutboxMail.recipient == recipient.strip().lower())
    return list(reversed(db.session.scalars(query).all()))


def retry_failed(since: datetime) -> tuple[int, int]:
    """Send again, here and now, the messages whose delivery failed since `since`:
    (sent, still failing). `flask mail retry` calls it.

    Needs MAIL_SERVER. Messages never tried (made while there was no MAIL_SERVER) stay
    where they are.
    """
    if not current_app.config.get("MAIL_SERVER"):
        raise RuntimeError("MAIL_SERVER is not set")
    sent = 0
    ids = _unsent(failed=True, made_after=since, made_before=utcnow())
    for message_id in ids:
        with contextlib.suppress(DeliveryDeferred):  # noted on the row; counted as failing
            sent += deliver(message_id)
    return sent, len(ids) - sent


# --- delivery: a task per message, enqueued after the outermost commit --------------------
#
# Delivery is at least once. The outbox row is the truth: a message is "sent" when its
# `sent_at` is set, and that is written by a conditional UPDATE (`WHERE sent_at IS NULL`)
# after the SMTP server has accepted the message. So a row recorded as sent is never sent
# again, and a worker killed at any moment loses nothing: a row it was delivering stays
# unsent and `resend_unsent` enqueues it again. The price is that a worker killed between
# the server's acceptance and that UPDATE (or two copies of a delivery task running at the
# same moment) can send a message twice; the Message-ID (`outbox-<id>@…`) is the same both
# times. Claiming the row before sending would make it at most once instead, and a worker
# killed after the claim would lose the message: for a password reset or a purchase code a
# duplicate is harmless and a loss is not.


class DeliveryDeferred(Exception):
    """The SMTP server could not take the message now (unreachable, 4xx): try again later."""


@sa.event.listens_for(db.session, "after_commit")
def _enqueue_after_commit(session) -> None:
    """Enqueue a delivery task for each message this transaction queued, now committed.

    Only after the commit: a rolled-back transaction enqueues nothing. A queue that can't
    be reached is logged, never raised (the transaction has committed and the request must
    go on); `resend_unsent` finds the message later. In immediate mode (tests) the task
    runs here, in an app context and a session of its own.
    """
    if session.in_nested_transaction():
        # A SAVEPOINT was released: the outer transaction, which holds the database's write
        # lock, has not committed yet. Enqueue when it has.
        return
    queued = session.info.pop(_QUEUED, None)
    if not queued or not has_app_context() or not current_app.config.get("MAIL_SERVER"):
        return
    for message_id in sorted(queued):
        try:
            deliver_message.enqueue(message_id)
        except Exception:  # the commit has happened; a queue problem must not undo it
            log.exception("mail %s not queued; the periodic resend will send it", message_id)


@sa.event.listens_for(db.session, "after_transaction_end")
def _forget_uncommitted(session, transaction) -> None:
    """A transaction that ended without a commit (rollback, close) sends nothing."""
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)


@tasks.job(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=RETRY_BACKOFF)
def deliver_message(message_id: int) -> None:
    """The worker's task: deliver one message, retried with backoff while the failure may pass."""
    deliver(message_id)


@tasks.periodic(crontab(minute="*/5"))
def resend_unsent() -> int:
    """Enqueue again the messages never tried or whose try was cut short; how many.

    Unsent, with no error noted and older than MAIL_RESEND_AFTER seconds: their task was
    lost (a worker killed while delivering, a queue that could not be reached at commit).
    Every five minutes, and when a worker starts.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    now = utcnow()
    older_than = timedelta(seconds=current_app.config.get("MAIL_RESEND_AFTER", 300))
    ids = _unsent(failed=False, made_after=now - RESEND_WINDOW, made_before=now - older_than)
    for message_id in ids:
        deliver_message.enqueue(message_id)
    return len(ids)


@tasks.periodic(crontab(minute="30"))
def retry_failed_mail() -> int:
    """Enqueue again the messages whose delivery failed in the last two days; how many.

    Hourly, so a refused address or a long outage is tried about once an hour after the
    task's own retries are spent, and never again after two days.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    now = utcnow()
    ids = _unsent(failed=True, made_after=now - RESEND_WINDOW, made_before=now)
    for message_id in ids:
        deliver_message.enqueue(message_id)
    return len(ids)


def _unsent(*, failed: bool, made_after: datetime, made_before: datetime) -> list[int]:
    """Ids of unsent messages made between the two times, whose delivery failed or not."""
    error = OutboxMail.error.is_not(None) if failed else OutboxMail.error.is_(None)
    return list(
        db.session.scalars(
            sa.select(OutboxMail.id)
            .where(
                OutboxMail.sent_at.is_(None),
                error,
                OutboxMail.created_at >= made_after,
                OutboxMail.created_at <= made_before,
            )
            .order_by(OutboxMail.id)
        )
    )


def deliver(message_id: int) -> bool:
    """Send one outbox message through MAIL_SERVER unless it is recorded as sent.

    True when it went now. A refusal that won't pass (5xx) is noted on the row; one that
    may (no connection, 4xx) is noted and raised as DeliveryDeferred, for the queue to try
    again. Reads and records on connections of its own, each committed at once, so no
    transaction is open while the SMTP server answers.
    """
    table = OutboxMail.__table__
    with db.engine.begin() as connection:
        row = connection.execute(
            sa.select(table.c.id, table.c.recipient, table.c.subject, table.c.body).where(
                table.c.id == message_id, table.c.sent_at.is_(None)
            )
        ).first()
    if row is None:  # sent already, or its transaction rolled back
        return False
    config = current_app.config
    if not config.get("MAIL_SERVER"):  # a worker started without the web's mail settings
        log.warning("mail %s not sent: this process has no MAIL_SERVER", message_id)
        return False
    try:
        smtp = _connect(config)
        try:
            smtp.send_message(_compose(row, config))
        finally:
            _hang_up(smtp)
    except (smtplib.SMTPException, OSError) as error:
        note = _describe(error)
        _record(message_id, sent_at=None, error=note)
        log.warning("mail %s not sent: %s", message_id, note)
        if _may_pass(error):
            raise DeliveryDeferred(f"mail {message_id}: {note}") from None
        return False
    if _record(message_id, sent_at=utcnow(), error=None):
        log.info("mail %s sent", message_id)
    else:
        log.warning("mail %s sent, but another delivery had recorded it first", message_id)
    return True


def _record(message_id: int, *, sent_at: datetime | None, error: str | None) -> bool:
    """Note the outcome on the row unless it is recorded as sent; whether it was noted."""
    table = OutboxMail.__table__
    with db.engine.begin() as connection:
        result = connection.execute(
            sa.update(table)
            .where(table.c.id == message_id, table.c.sent_at.is_(None))
            .values(sent_at=sent_at, error=error)
        )
    return result.rowcount == 1


def _may_pass(error: BaseException) -> bool:
    """Whether a failure is worth trying again: anything but a permanent (5xx) refusal."""
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _text in error.recipients.values())
    return True


def _connect(config) -> smtplib.SMTP:
    """An SMTP connection to MAIL_SERVER, upgraded with STARTTLS and logged in if set up."""
    smtp = smtplib.SMTP(
        config["MAIL_SERVER"],
        int(config.get("MAIL_PORT") or 25),
        timeout=float(config.get("MAIL_TIMEOUT") or 10),
    )
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _hang_up(smtp: smtplib.SMTP) -> None:
    """QUIT and close: once the server has accepted the message, how the goodbye goes
    changes nothing (a failure here must not send it again)."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _compose(row, config) -> EmailMessage:
    sender = config.get("MAIL_SENDER") or "Prakerja <no-reply@localhost>"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain=domain)
    message.set_content(row.body)
    return message


def _describe(error: BaseException) -> str:
    """A short note of what went wrong, for the outbox row (no message content in it)."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        note = f"{type(error).__name__} {error.smtp_code}: {text}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(str(code) for code, _text in error.recipients.values())
        note = f"SMTPRecipientsRefused: {codes}"
    else:
        note = f"{type(error).__name__}: {error}"
    return note[:_ERROR_LENGTH]


def wib(moment: datetime, *, with_date: bool = True) -> str:
    """A UTC time as mail says it: Jakarta's clock in the mail's (forced) language, the zone
    named ("6 Desember 2026, 09.00 WIB", or "09.00 WIB" without the date). Every mail's
    times go through here."""
    return f"{format_datetime(moment, 'd MMMM y, HH.mm' if with_date else 'HH.mm')} WIB"
