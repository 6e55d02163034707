"""The audit log: every change of state is recorded with its actor."""

from marketplace.extensions import db
from marketplace.models import AuditEvent, User


def record(action: str, subject: str, actor: User | None = None, **detail) -> AuditEvent:
    """Append one event, e.g. record("card.issued", f"card:{card.id}", actor=admin).

    `detail` must never hold a NIK, a KK number or a password.
    """
    event = AuditEvent(
        action=action,
        subject=subject,
        actor_id=actor.id if actor is not None else None,
        detail=detail or None,
    )
    db.session.add(event)
    return event
