"""The programme: schemes (its rules as data), batches, applications and the online test."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.extensions import db


class Scheme(db.Model):
    """The rules of one edition of the programme (2020, 2023 "normal"). A row, not code."""

    __tablename__ = "scheme"
    __table_args__ = (
        sa.CheckConstraint("training_balance > 0", name="balance_positive"),
        sa.CheckConstraint("purchase_deadline_days > 0", name="deadline_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)  # "2020", "2023"
    name: Mapped[str] = mapped_column(sa.String(80))
    training_balance: Mapped[int]  # whole rupiah
    purchase_deadline_days: Mapped[int]  # days after the card is issued
    incentive_amount: Mapped[int]  # per payment, whole rupiah
    incentive_payments: Mapped[int]  # 4 monthly payments (2020) or 1 (2023)
    survey_incentive: Mapped[int]
    survey_count: Mapped[int]
    # 2020: a second course only once the first is finished.
    one_unfinished_course: Mapped[bool] = mapped_column(default=True)
    max_course_price: Mapped[int | None]  # None: up to the balance
    # The least share of a self-paced course's declared time a participant must spend on it,
    # in percent: each module stays open at least this share of its minutes, counted by the
    # server from when the module was opened (learning/lessons.py).
    min_learning_percent: Mapped[int] = mapped_column(default=50, server_default="50")

    def __repr__(self) -> str:
        return f"<Scheme {self.code}>"


class Batch(db.Model):
    """A gelombang: participants join while it is open; selection fills its quota."""

    __tablename__ = "batch"
    __table_args__ = (
        sa.CheckConstraint("quota > 0", name="quota_positive"),
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    opens_at: Mapped[datetime]  # UTC
    closes_at: Mapped[datetime]  # UTC
    quota: Mapped[int]
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"))
    selected_at: Mapped[datetime | None]  # when selection ran; results are announced then
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scheme = relationship("Scheme")
    province_quotas = relationship(
        "BatchProvinceQuota", back_populates="batch", cascade="all, delete-orphan"
    )

    def is_open(self, now: datetime) -> bool:
        return self.selected_at is None and self.opens_at <= now < self.closes_at

    def __repr__(self) -> str:
        return f"<Batch {self.number}>"


class BatchProvinceQuota(db.Model):
    """At most `quota` accepted participants from one province in a batch."""

    __tablename__ = "batch_province_quota"
    __table_args__ = (sa.CheckConstraint("quota >= 0", name="quota_not_negative"),)

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batch.id"), primary_key=True)
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("province.id"), primary_key=True)
    quota: Mapped[int]

    batch = relationship("Batch", back_populates="province_quotas")
    province = relationship("Province")


class Outcome(enum.Enum):
    JOINED = "joined"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Application(db.Model):
    """A participant in a batch, and what selection decided."""

    __tablename__ = "application"
    __table_args__ = (sa.UniqueConstraint("participant_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batch.id"), index=True)
    test_attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("test_attempt.id"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), default=Outcome.JOINED)
    # Why not accepted (a short code such as "quota", "age", "kk_limit"), for the page.
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    rank: Mapped[int | None]  # position in the batch's ranking
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    participant = relationship("Participant", backref="applications")
    batch = relationship("Batch", backref="applications")
    test_attempt = relationship("TestAttempt")


class QuestionKind(enum.Enum):
    MATHS = "maths"
    INSTRUCTIONS = "instructions"  # ordering instructions
    READING = "reading"  # reading comprehension


class TestQuestion(db.Model):
    """A question of "Tes Motivasi dan Kemampuan Dasar", in Indonesian and English."""

    __tablename__ = "test_question"
    __table_args__ = (sa.CheckConstraint("correct_choice >= 0", name="correct_choice_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # stable id in the seed
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    passage_id: Mapped[str | None] = mapped_column(sa.Text)  # reading: the text to read
    passage_en: Mapped[str | None] = mapped_column(sa.Text)
    prompt_id: Mapped[str] = mapped_column(sa.Text)
    prompt_en: Mapped[str] = mapped_column(sa.Text)
    choices_id: Mapped[list] = mapped_column(sa.JSON)  # list of strings
    choices_en: Mapped[list] = mapped_column(sa.JSON)
    correct_choice: Mapped[int]  # index into the choices


class TestAttempt(db.Model):
    """One sitting of the online test: 18 questions drawn, 25 minutes, for one batch."""

    __tablename__ = "test_attempt"
    __table_args__ = (sa.UniqueConstraint("participant_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batch.id"), index=True)
    question_ids: Mapped[list] = mapped_column(sa.JSON)  # drawn, in the order shown
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # started_at + 25 minutes, plus the participant's extra time (ExtraTestTime) when it
    # started or granted while it ran; later answers do not count.
    deadline_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None]  # correct answers counted in time, 0–18

    participant = relationship("Participant", backref="test_attempts")
    batch = relationship("Batch")
    answers = relationship("TestAnswer", back_populates="attempt", cascade="all, delete-orphan")


class TestAnswer(db.Model):
    """The latest answer to one question of an attempt, and when it was given."""

    __tablename__ = "test_answer"

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("test_attempt.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("test_question.id"), primary_key=True)
    choice: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt = relationship("TestAttempt", back_populates="answers")


class ExtraTestTime(db.Model):
    """Extra time on the online test that the programme office gave one participant.

    A participant who needs longer (a disability, a slow connection they cannot change)
    asks the office, which sets the extra minutes here with its reason (WCAG 2.2.1, Timing
    Adjustable). One row per participant, the current grant; 0 minutes withdraws it. Every
    change is in the audit log ("test.extra_time").
    """

    __tablename__ = "extra_test_time"
    __table_args__ = (sa.CheckConstraint("extra_minutes >= 0", name="extra_minutes_not_negative"),)

    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), primary_key=True)
    extra_minutes: Mapped[int]  # on top of the test's 25 minutes
    reason: Mapped[str] = mapped_column(sa.String(200))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant = relationship("Participant")
    granted_by = relationship("User")
