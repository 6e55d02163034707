"""Mail the site sends: every message is kept in an outbox, then sent if SMTP is set up."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models.base import utcnow


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
