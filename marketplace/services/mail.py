"""Mail the site sends. Every message goes to the outbox table and the log first."""

import logging

from marketplace.extensions import db
from marketplace.models import OutboxMail

log = logging.getLogger(__name__)


def send(recipient: str, subject: str, body: str) -> OutboxMail:
    """Queue a plain-text message to one recipient, in the current transaction."""
    message = OutboxMail(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    log.info("mail %s to %s: %s", message.id, recipient, subject)
    return message
