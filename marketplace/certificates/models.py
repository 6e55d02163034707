"""A certificate: the proof that one participant completed one course."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import utcnow
from marketplace.extensions import db


class Certificate(db.Model):
    """Issued once per completed order (certificates/issuing.py), in the completion's own
    transaction. Its facts are copied at issue: a course renamed later, or a participant's
    name corrected, does not change what was certified. `code` is the public code (stored
    without separators); no NIK, email or phone is ever part of it or shown with it. A
    revoked certificate stays, and says so with the date and the reason."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("course_order.id"), unique=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    holder_name: Mapped[str] = mapped_column(sa.String(200))  # as on the KTP
    course_title: Mapped[str] = mapped_column(sa.String(200))
    provider_name: Mapped[str] = mapped_column(sa.String(200))
    platform_name: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[int]
    score: Mapped[int | None]  # the post-test's, of 100
    completed_at: Mapped[datetime]  # UTC; shown as a WIB date
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    order = relationship("Order")
    course = relationship("Course")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
