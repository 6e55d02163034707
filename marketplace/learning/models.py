"""Learning's tables: attendance at a session's days, reviews of completed courses, skill
demonstrations, and a self-paced course's modules opened and tests taken."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.extensions import db


class Attendance(db.Model):
    """Whether one participant (their order) was present on one day of a session, as the
    provider marked it; every change is also in the audit log (who, when, before, after)."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("order_id", "day", name="uq_attendance_order_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("course_session.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("course_order.id"))
    day: Mapped[date]  # the session's day, in WIB
    present: Mapped[bool]
    marked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    order = relationship("Order")


class Review(db.Model):
    """A participant's rating and words on a course they completed: one per order. A hidden
    review (the office's decision, with its reason) leaves the course's average."""

    __tablename__ = "course_review"
    __table_args__ = (
        sa.CheckConstraint("stars >= 1 AND stars <= 5", name="stars_range"),
        sa.Index("ix_course_review_course_shown", "course_id", "hidden_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("course_order.id"), unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    stars: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply: Mapped[str | None] = mapped_column(sa.Text)  # the provider's one reply
    replied_at: Mapped[datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(300))
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    order = relationship("Order")
    course = relationship("Course")
    participant = relationship("Participant")


# --- Skill demonstrations ("unjuk keterampilan"; learning/demonstrations.py) -----------------


class DemonstrationStatus(enum.Enum):
    SUBMITTED = "submitted"
    PASSED = "passed"
    RETURNED = "returned"


class Demonstration(db.Model):
    """One submission of a participant's skill demonstration for an order: a text answer and
    optionally one file (PDF, JPEG or PNG), stored outside the web root under `file_key`, a
    generated name; `file_name` is the sender's name for display only. A returned submission
    stays as it was; submitting again adds a new row."""

    __tablename__ = "demonstration"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("course_order.id"), index=True)
    answer: Mapped[str] = mapped_column(sa.Text)
    file_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    content_type: Mapped[str | None] = mapped_column(sa.String(40))
    size: Mapped[int | None]
    status: Mapped[DemonstrationStatus] = mapped_column(
        enum_column(DemonstrationStatus), default=DemonstrationStatus.SUBMITTED
    )
    feedback: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    order = relationship("Order")


# --- Self-paced learning: modules opened and tests taken (learning/lessons.py, assessments.py)


class ModuleProgress(db.Model):
    """One participant's (their order's) progress through one module: when the server first
    opened it for them, and when they passed its quiz. The module counts as done once both
    the quiz is passed and its minimum time since opening has gone by (learning/lessons.py)."""

    __tablename__ = "module_progress"

    order_id: Mapped[int] = mapped_column(sa.ForeignKey("course_order.id"), primary_key=True)
    # No cascade: a participant's record outlives an edit of the course (a module that has
    # been learnt can't be deleted).
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), primary_key=True)
    opened_at: Mapped[datetime]
    quiz_passed_at: Mapped[datetime | None]


class AssessmentKind(enum.Enum):
    PRE_TEST = "pre_test"  # once, before learning: measures where the participant starts
    QUIZ = "quiz"  # a module's short quiz, as often as needed, to the pass mark
    POST_TEST = "post_test"  # after learning: the course's tries, to the pass mark


class Assessment(db.Model):
    """One try at a pre-test, a module quiz or a post-test: the questions the server drew, the
    answers given and the score it counted. Open while `submitted_at` is empty."""

    __tablename__ = "assessment"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "kind", "module_id", "number", name="uq_assessment_try"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("course_order.id"), index=True)
    kind: Mapped[AssessmentKind] = mapped_column(enum_column(AssessmentKind))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id"))  # no cascade
    number: Mapped[int]  # the try: 1, 2, ...
    question_ids: Mapped[list] = mapped_column(sa.JSON)  # drawn, in the order shown
    answers: Mapped[list | None] = mapped_column(sa.JSON)  # chosen index per question shown
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None]  # correct answers of 100, rounded down
    passed: Mapped[bool | None]

    order = relationship("Order")
