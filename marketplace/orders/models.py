"""Orders: a course bought with a card's balance, and the one-time codes that confirm them."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.extensions import db


class OrderStatus(enum.Enum):
    PAID = "paid"  # bought: the price has moved card → provider payable
    REDEEMED = "redeemed"  # the redeem code was used at the provider
    COMPLETED = "completed"  # the course was finished
    REFUNDED = "refunded"  # the price went back to the card


class Order(db.Model):
    """One course bought by one participant with their card, maybe for one session."""

    __tablename__ = "course_order"
    __table_args__ = (sa.CheckConstraint("price > 0", name="price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    card_id: Mapped[int] = mapped_column(sa.ForeignKey("card.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_session.id"), index=True)
    price: Mapped[int]  # whole rupiah, as paid
    # The one-time key the checkout form carries: one order per key, however often sent.
    purchase_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    voucher_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    redeem_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)  # sessions only
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.PAID)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    redeemed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    score: Mapped[int | None]  # the passed post-test's score (of 100), recorded on completion
    refunded_at: Mapped[datetime | None]
    refund_reason: Mapped[str | None] = mapped_column(sa.String(200))

    participant = relationship("Participant")
    card = relationship("Card")
    course = relationship("Course")
    session = relationship("CourseSession")


class PurchaseCode(db.Model):
    """A six-digit code mailed to confirm one purchase; only its hash is stored."""

    __tablename__ = "purchase_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_session.id"))
    purchase_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # sha256 hex of purchase_key + ":" + code
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # created_at + 10 minutes
    attempts: Mapped[int] = mapped_column(default=0)  # wrong codes so far
    used_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]

    participant = relationship("Participant")
    course = relationship("Course")
    session = relationship("CourseSession")
