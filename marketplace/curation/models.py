"""Curation ("kurasi"): the training standard courses are held to, and the working copy of a
course that its provider edits and the programme office decides on.

A course's rows (catalogue.models: Course, its Modules and Questions) are what participants
see and buy. A provider never edits them directly: every edit goes into the course's one
`CourseDraft`, a JSON document of everything the provider may change (curation/drafts.py).
The office's approval writes the draft onto the rows in one transaction
(curation/decisions.py), so an approved course stays listed unchanged while its next version
waits for curation. Small text fixes of an approved course go live at once, through the same
writing.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.extensions import db


class TrainingStandard(db.Model):
    """The training standard of one scheme (2020, 2023): what a course must meet to be
    listed. Data, not code: the office changes a row, not a release."""

    __tablename__ = "training_standard"
    __table_args__ = (
        sa.CheckConstraint(
            "min_hours_self_paced > 0 AND min_hours_webinar > 0 AND min_hours_offline > 0",
            name="hours_positive",
        ),
        sa.CheckConstraint("min_modules > 0", name="modules_positive"),
        sa.CheckConstraint("min_test_questions > 0", name="questions_positive"),
        sa.CheckConstraint(
            "trainees_per_trainer_webinar > 0 AND trainees_per_trainer_offline > 0",
            name="ratio_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("scheme.id"), unique=True)
    # The least hours of a course, by how it is taught.
    min_hours_self_paced: Mapped[int]
    min_hours_webinar: Mapped[int]
    min_hours_offline: Mapped[int]
    min_modules: Mapped[int]
    # The least questions in the bank the pre-test and post-test are drawn from.
    min_test_questions: Mapped[int]
    # The most participants one trainer may teach at once (a session's capacity per trainer).
    trainees_per_trainer_webinar: Mapped[int]
    trainees_per_trainer_offline: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    scheme = relationship("Scheme")


class DraftState(enum.Enum):
    EDITING = "editing"  # the provider is changing it
    SUBMITTED = "submitted"  # waiting in the curation queue
    REJECTED = "rejected"  # sent back with the curator's note; edited, it is EDITING again


class CourseDraft(db.Model):
    """The working copy of one course: what its provider is changing, waiting for curation,
    or sent back. At most one per course; gone once approved (the rows are the approved
    version) until the provider edits again."""

    __tablename__ = "course_draft"
    __table_args__ = (
        sa.Index("ix_course_draft_state_submitted", "state", "submitted_at"),
        # Never an id used before (SQLite would hand a deleted last id out again): a curator's
        # form names the copy by id and version, and a new copy starts again at version 1.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), unique=True
    )
    content: Mapped[dict] = mapped_column(sa.JSON)  # curation/drafts.py says its shape
    state: Mapped[DraftState] = mapped_column(enum_column(DraftState), default=DraftState.EDITING)
    # Bumped by every change: a curator decides the version they read, never a later one.
    version: Mapped[int] = mapped_column(default=1)
    # The standard's checks and the similarity findings, worked out when it was submitted
    # (curation/checks.py), shown beside it in the queue.
    checks: Mapped[dict | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.Text)  # the curator's last note
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    course = relationship("Course")
