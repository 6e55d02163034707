"""The audit log: every change of state is recorded with its actor."""

from typing import Protocol

from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent
from marketplace.extensions import db


class Actor(Protocol):
    """Whoever acts: a signed-in user (core knows no more of people than their id)."""

    id: int


def record(action: str, subject: str, actor: Actor | None = None, **detail) -> None:
    """Append one event, e.g. record("card.issued", f"card:{card.id}", actor=admin).

    `detail` must never hold a NIK, a KK number or a password. The row is written at once by
    one INSERT in the caller's transaction (no ORM unit of work: nothing reads it back).
    """
    db.session.connection().execute(
        AuditEvent.__table__.insert(),
        {
            "action": action,
            "subject": subject,
            "actor_id": actor.id if actor is not None else None,
            "detail": detail or None,
            "created_at": utcnow(),
        },
    )
