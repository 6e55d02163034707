"""Mail the site sends. Every message goes to the outbox table and the log first.

`send()` only adds a row to the outbox in the current transaction. When the app has a
MAIL_SERVER, the messages queued in a transaction are delivered by SMTP once that
transaction has committed (a rolled-back transaction sends nothing), each row then noting
`sent_at`, or `error` when the server refused it or could not be reached; a failure never
breaks the request that queued the message. Without MAIL_SERVER the outbox and the log are
the delivery: `flask mail outbox` prints the recent messages.

The log carries a message's id, recipient and subject, never its body: bodies hold
single-use links.
"""

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as translate

from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.extensions import db

log = logging.getLogger(__name__)

# session.info key: ids of the messages queued in the session's current transaction.
_QUEUED = "mail_queued"
_ERROR_LENGTH = 300


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
    """Send again the messages whose delivery failed since `since`: (sent, still failing).

    Needs MAIL_SERVER. Messages never tried (made while there was no MAIL_SERVER) stay
    where they are.
    """
    if not current_app.config.get("MAIL_SERVER"):
        raise RuntimeError("MAIL_SERVER is not set")
    ids = list(
        db.session.scalars(
            sa.select(OutboxMail.id).where(
                OutboxMail.sent_at.is_(None),
                OutboxMail.error.is_not(None),
                OutboxMail.created_at >= since,
            )
        )
    )
    sent = deliver(ids) if ids else 0
    return sent, len(ids) - sent


# --- delivery after commit ----------------------------------------------------------------


@sa.event.listens_for(db.session, "after_commit")
def _deliver_after_commit(session) -> None:
    """Deliver the messages this transaction queued, now that they are committed.

    The session can't run SQL inside this event, so delivery reads and updates the rows on
    a connection of its own. Whatever goes wrong is logged and noted on the rows, never
    raised: the transaction has committed and the request must go on.
    """
    if session.in_nested_transaction():
        # A SAVEPOINT was released: the outer transaction, which holds the database's write
        # lock, has not committed yet. Deliver when it has.
        return
    queued = session.info.pop(_QUEUED, None)
    if not queued or not has_app_context() or not current_app.config.get("MAIL_SERVER"):
        return
    try:
        deliver(queued)
    except Exception:  # the commit has happened; a mail problem must not undo the request
        log.exception("mail delivery of %s failed", sorted(queued))


@sa.event.listens_for(db.session, "after_transaction_end")
def _forget_uncommitted(session, transaction) -> None:
    """A transaction that ended without a commit (rollback, close) sends nothing."""
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)


def deliver(ids: Iterable[int]) -> int:
    """Send the unsent outbox messages among `ids` through MAIL_SERVER; returns how many went.

    Reads the rows afresh, so a message whose savepoint was rolled back (no row) or that
    another process has sent already is skipped.
    """
    table = OutboxMail.__table__
    with db.engine.begin() as connection:
        rows = connection.execute(
            sa.select(table.c.id, table.c.recipient, table.c.subject, table.c.body)
            .where(table.c.id.in_(sorted(ids)), table.c.sent_at.is_(None))
            .order_by(table.c.id)
        ).all()
    if not rows:
        return 0
    config = current_app.config
    outcomes: dict[int, tuple] = {}
    try:
        with _connect(config) as smtp:
            for row in rows:
                try:
                    smtp.send_message(_compose(row, config))
                except (smtplib.SMTPException, OSError) as error:
                    outcomes[row.id] = (None, _describe(error))
                else:
                    outcomes[row.id] = (utcnow(), None)
    except (smtplib.SMTPException, OSError) as error:  # connecting, TLS, login or QUIT
        for row in rows:
            outcomes.setdefault(row.id, (None, _describe(error)))
    with db.engine.begin() as connection:
        for message_id, (sent_at, error) in outcomes.items():
            connection.execute(
                sa.update(table)
                .where(table.c.id == message_id)
                .values(sent_at=sent_at, error=error)
            )
    for message_id, (_sent_at, error) in outcomes.items():
        if error:
            log.warning("mail %s not sent: %s", message_id, error)
        else:
            log.info("mail %s sent", message_id)
    return sum(1 for sent_at, _error in outcomes.values() if sent_at is not None)


def _connect(config) -> smtplib.SMTP:
    """An SMTP connection to MAIL_SERVER, upgraded with STARTTLS and logged in if set up."""
    smtp = smtplib.SMTP(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
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
