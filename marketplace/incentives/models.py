"""Incentives: the participant's payout account, the payments the scheme promises (training
incentives and survey payments), the surveys' answers, and the disbursement runs and gateway
events that pay them.

A payment's life (`PaymentState`):

    scheduled → due → paying → paid → reversed
                        ↘ failed → paying (retried under the same idempotency key)
    scheduled | due | failed → cancelled (by the office, with a reason)

Caps are held twice: a payment's (participant, kind, number) is unique, and the number never
exceeds what the participant's scheme allows (`incentives/caps.py`, also run by
`flask ledger verify`).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.extensions import db


class PayoutKind(enum.Enum):
    EWALLET = "ewallet"
    BANK = "bank"


class PayoutAccount(db.Model):
    """An e-wallet or bank account a participant linked to receive incentives.

    A participant has one current account (`replaced_at` NULL); a change keeps the old row
    (payments already sent name it) and holds payouts to the new one until `usable_from`.
    An account number is current for one participant only.
    """

    __tablename__ = "payout_account"
    __table_args__ = (
        sa.Index(
            "uq_payout_account_current",
            "participant_id",
            unique=True,
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        ),
        sa.Index(
            "uq_payout_account_number_current",
            "channel",
            "number",
            unique=True,
            sqlite_where=sa.text("replaced_at IS NULL"),
            postgresql_where=sa.text("replaced_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    kind: Mapped[PayoutKind] = mapped_column(enum_column(PayoutKind))
    channel: Mapped[str] = mapped_column(sa.String(20))  # "ovo", "gopay", ..., "bca", ...
    number: Mapped[str] = mapped_column(sa.String(20))  # digits only; e-wallets: 08…
    holder_name: Mapped[str] = mapped_column(sa.String(120))  # as the gateway's inquiry said
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    usable_from: Mapped[datetime]  # linked_at, or 24 hours later for a changed account
    replaced_at: Mapped[datetime | None]

    participant = relationship("Participant")


class PayoutLinkRequest(db.Model):
    """An account waiting for the one-time code mailed to the participant."""

    __tablename__ = "payout_link_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    kind: Mapped[PayoutKind] = mapped_column(enum_column(PayoutKind))
    channel: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[str] = mapped_column(sa.String(20))
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    code_digest: Mapped[str] = mapped_column(sa.String(64))  # HMAC of the code, never the code
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PayoutAccountFlag(db.Model):
    """An account number another participant tried to link: refused, and shown to the office."""

    __tablename__ = "payout_account_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    holder_participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"))
    channel: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(sa.String(300))

    participant = relationship("Participant", foreign_keys=[participant_id])
    holder = relationship("Participant", foreign_keys=[holder_participant_id])


class PaymentKind(enum.Enum):
    INCENTIVE = "incentive"  # the post-training incentive, numbered 1..scheme.incentive_payments
    SURVEY = "survey"  # a survey's payment, numbered as the survey


class PaymentState(enum.Enum):
    SCHEDULED = "scheduled"  # waiting for its due date
    DUE = "due"  # may be paid now (unless held: account changed, blocked, frozen card)
    PAYING = "paying"  # sent to the gateway; its final status not known yet
    PAID = "paid"
    FAILED = "failed"  # the gateway said it failed; retried with backoff, then the office
    REVERSED = "reversed"  # paid, then returned by the bank: the money is back in the fund
    CANCELLED = "cancelled"  # by the office, with a reason


class IncentivePayment(db.Model):
    """One payment the programme owes a participant, paid at most once."""

    __tablename__ = "incentive_payment"
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "kind", "number", name="uq_incentive_payment_slot"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.Index("ix_incentive_payment_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(enum_column(PaymentKind))
    number: Mapped[int]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    due_at: Mapped[datetime]  # UTC
    state: Mapped[PaymentState] = mapped_column(
        enum_column(PaymentState), default=PaymentState.SCHEDULED
    )
    # The account it was (or will be) sent to: fixed when it is first sent, so a retry goes
    # where the first try went.
    payout_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payout_account.id"))
    # Sent to the gateway on every try: the gateway pays one key at most once.
    idempotency_key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)  # create calls that failed or were sent
    next_attempt_at: Mapped[datetime | None]  # when a disburser may (re)send it
    sent_at: Mapped[datetime | None]  # the last create call
    gateway_id: Mapped[str | None] = mapped_column(sa.String(60))
    gateway_version: Mapped[int] = mapped_column(default=0)  # the last status version applied
    failure_code: Mapped[str | None] = mapped_column(sa.String(40))
    last_message: Mapped[str | None] = mapped_column(sa.String(300))
    paid_at: Mapped[datetime | None]
    reversed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(300))
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("disbursement_run.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant = relationship("Participant")
    payout_account = relationship("PayoutAccount")


class DisbursementRun(db.Model):
    """One `flask incentives disburse`: what it claimed, and how its calls went."""

    __tablename__ = "disbursement_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    worker: Mapped[str] = mapped_column(sa.String(80))  # host and process id
    claimed: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)  # the gateway answered "accepted"
    failed: Mapped[int] = mapped_column(default=0)  # refused, or the call failed
    reconciled: Mapped[int] = mapped_column(default=0)  # stuck payments whose status was asked
    note: Mapped[str | None] = mapped_column(sa.String(300))


class PayoutEvent(db.Model):
    """A webhook event from the gateway, kept once: a duplicate finds its id taken."""

    __tablename__ = "payout_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(80), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    payment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incentive_payment.id"), index=True
    )
    version: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(sa.String(40))  # applied, stale, unknown payment
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Employment(enum.Enum):
    """What a participant does now, as the survey asks it."""

    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    SEEKING = "seeking"
    STUDYING = "studying"
    NOT_WORKING = "not_working"


class IncomeChange(enum.Enum):
    UP = "up"
    SAME = "same"
    DOWN = "down"
    NO_INCOME = "no_income"


class SurveyResponse(db.Model):
    """A participant's answers to one of the scheme's evaluation surveys (kept for /stats)."""

    __tablename__ = "survey_response"
    __table_args__ = (
        sa.UniqueConstraint("participant_id", "number", name="uq_survey_response_once"),
        sa.CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    number: Mapped[int]  # which of the scheme's surveys, from 1
    employment: Mapped[Employment] = mapped_column(enum_column(Employment))
    income_change: Mapped[IncomeChange] = mapped_column(enum_column(IncomeChange))
    usefulness: Mapped[int]  # 1 (not useful) .. 5 (very useful)
    would_recommend: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
