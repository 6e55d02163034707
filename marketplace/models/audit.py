"""The audit log: who changed what, when. Append-only."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models.base import utcnow


class AuditEvent(db.Model):
    """One change of state with its actor (None: the system, e.g. a scheduled command)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))  # "card.issued", "batch.selected"
    subject: Mapped[str] = mapped_column(sa.String(60), index=True)  # "card:12"
    detail: Mapped[dict | None] = mapped_column(sa.JSON)  # never a NIK or a password
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
