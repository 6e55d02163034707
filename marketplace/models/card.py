"""The Kartu Prakerja: a participant's card; its balance lives in the ledger."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import enum_column, utcnow
from marketplace.models.participant import mask_number


class CardStatus(enum.Enum):
    ACTIVE = "active"  # issued, no purchase yet
    IN_USE = "in_use"  # first purchase made
    EXHAUSTED = "exhausted"  # balance spent
    REVOKED = "revoked"  # first-purchase deadline missed, or fraud
    FROZEN = "frozen"  # held by the programme office


class Card(db.Model):
    """One card per participant, ever: 16 digits, the last a Luhn check digit."""

    __tablename__ = "card"
    __table_args__ = (sa.CheckConstraint("length(number) = 16", name="number_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(16), unique=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), unique=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batch.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"))
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_account.id"), unique=True)
    status: Mapped[CardStatus] = mapped_column(enum_column(CardStatus), default=CardStatus.ACTIVE)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    purchase_deadline_at: Mapped[datetime]  # UTC; cleared in effect by the first purchase
    first_purchase_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(200))

    participant = relationship("Participant", backref=sa.orm.backref("card", uselist=False))
    batch = relationship("Batch")
    scheme = relationship("Scheme")
    account = relationship("LedgerAccount")

    @property
    def masked_number(self) -> str:
        return mask_number(self.number)

    @property
    def balance(self) -> int:
        return self.account.balance
