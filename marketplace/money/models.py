"""Money: the Kartu Prakerja card, whose balance lives in the ledger, and the books: accounts,
and append-only double-entry transactions between them.

Only money/ledger.py writes the books. Every transaction's entries sum to zero; an account
that must not go below zero has a CHECK constraint as well as the code's conditional
UPDATE, so two requests can never both spend the same rupiah.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.extensions import db
from marketplace.people.models import mask_number


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


class AccountKind(enum.Enum):
    BUDGET = "budget"  # the state budget allocation the programme draws on (the source)
    PROGRAMME_FUND = "programme_fund"  # money allocated and not yet on a card
    CARD = "card"  # a participant's training balance
    PROVIDER_PAYABLE = "provider_payable"  # owed to a provider for courses sold
    INCENTIVES_PAID = "incentives_paid"  # cash incentives paid out to participants


class Reason(enum.Enum):
    BUDGET_ALLOCATED = "budget_allocated"
    CARD_ISSUED = "card_issued"
    CARD_EXPIRED = "card_expired"  # first-purchase deadline missed: balance back to the fund
    PURCHASE = "purchase"
    REFUND = "refund"
    # Programme fund → incentives paid out; a reversal (the bank returned it) the other way.
    INCENTIVE = "incentive"


class LedgerAccount(db.Model):
    """An account of the books. `balance` caches the sum of its entries."""

    __tablename__ = "ledger_account"
    __table_args__ = (
        sa.CheckConstraint("may_go_negative OR balance >= 0", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    # Unique name: "budget", "programme_fund", "card:<card id>", "provider:<provider id>".
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    balance: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    may_go_negative: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerTransaction(db.Model):
    """One movement of money: two or more entries summing to zero, never changed after."""

    __tablename__ = "ledger_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[Reason] = mapped_column(enum_column(Reason))
    # What it is about, for people reading the books ("card:12", "APBN 2020"); the code
    # reads the foreign keys below, never this text.
    reference: Mapped[str] = mapped_column(sa.String(60), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    # The order a purchase or a refund moved money for.
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_order.id"), index=True)
    # The card an issue or an expiry moved money for.
    card_id: Mapped[int | None] = mapped_column(sa.ForeignKey("card.id"), index=True)
    # The incentive or survey payment an incentive movement (or its reversal) is for.
    incentive_payment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incentive_payment.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries = relationship("LedgerEntry", back_populates="transaction")


class LedgerEntry(db.Model):
    """One side of a transaction: a signed amount on one account (+ adds to its balance)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        # An account's statement pages read its entries newest first from this index alone.
        sa.Index("ix_ledger_entry_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_transaction.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_account.id"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    transaction = relationship("LedgerTransaction", back_populates="entries")
    account = relationship("LedgerAccount")
