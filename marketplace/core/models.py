"""What every part of the programme shares: the audit log (who changed what, when;
append-only), the mail outbox (every message is kept, then sent if SMTP is set up), and
the provinces of Indonesia with the Kemendagri codes that NIKs carry.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.base import utcnow
from marketplace.extensions import db


class AuditEvent(db.Model):
    """One change of state with its actor (None: the system, e.g. a scheduled command)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))  # "card.issued", "batch.selected"
    subject: Mapped[str] = mapped_column(sa.String(60), index=True)  # "card:12"
    detail: Mapped[dict | None] = mapped_column(sa.JSON)  # never a NIK or a password
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMail(db.Model):
    """One message. Without MAIL_SERVER it stays here (and in the log) for the developer."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.String(300))


class Province(db.Model):
    """One of the 38 provinces; `code` is the two-digit Kemendagri code (11 Aceh … 96)."""

    __tablename__ = "province"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)

    def __repr__(self) -> str:
        return f"<Province {self.code} {self.name}>"
