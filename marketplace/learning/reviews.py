"""Reviews of completed courses: one per order, the provider's one reply, the office's hiding.

Rules (each refused with a DomainError, nothing changed):

- `write_review`: only the order's own participant, only a completed order, once per order
  (the unique `order_id` decides; a second try, or a double submit racing the first, is
  refused with ALREADY_REVIEWED), 1 to 5 stars, 20 to 2.000 characters of text once
  trimmed, no control characters.
- `reply`: only staff of the course's provider, once per review.
- `hide` / `unhide`: only the programme office; hiding needs a reason.

Every action is in the audit log.

The course's `rating_avg` and `rating_count` are never added to: `_recount` sets both from the
review rows themselves (shown reviews only) by ONE UPDATE whose subqueries read the rows, in
the same transaction as the change. Why that is consistent under concurrent reviews:

- SQLite: a writing request holds the database's write lock from its BEGIN IMMEDIATE
  (core/database.py), so reviews run one after another and each recount sees every row.
- PostgreSQL (READ COMMITTED): the UPDATE's subqueries read the statement's snapshot, and an
  UPDATE that waits for another transaction's lock on the course row does not take a new
  snapshot when it goes on, so it could miss the review that transaction just committed.
  So every change first locks the course row (`_lock_course`, FOR NO KEY UPDATE, which does
  not block purchases whose new orders only reference the course) and only then writes its
  review row and recounts: a second review waits at the lock, and its later statements see
  the first one committed. The course row is the first and only row locked, on every path
  (write, hide, unhide), so reviews can't deadlock one another.

`completed_and_reviewed` is the one query the incentives will read.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import Course
from marketplace.core import N_, DomainError, audit
from marketplace.core.inputs import control_character
from marketplace.extensions import db
from marketplace.learning.models import Review
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, Role, User

LOWEST_STARS, HIGHEST_STARS = 1, 5
SHORTEST_TEXT = 20
LONGEST_TEXT = 2000
LONGEST_REPLY = 2000
LONGEST_REASON = 300
PER_PAGE = 10

ALREADY_REVIEWED = N_("You have already reviewed this course.")
NOT_YOURS = N_("Only the participant who bought this course can review it.")
NOT_COMPLETED = N_("You can review a course once you have completed it.")
ALREADY_REPLIED = N_("This review already has a reply.")


# --- reading the rules ----------------------------------------------------------------------


def _stars(stars) -> int:
    if isinstance(stars, bool) or not isinstance(stars, int):
        raise DomainError(N_("Choose from 1 to 5 stars."), field="stars")
    if not LOWEST_STARS <= stars <= HIGHEST_STARS:
        raise DomainError(N_("Choose from 1 to 5 stars."), field="stars")
    return stars


def _text(text, field: str, shortest: int, longest: int, missing: str, short: str, long: str):
    """`text` trimmed (inner line breaks kept), or a refusal about `field`."""
    trimmed = (text or "").strip() if isinstance(text, str) else ""
    if control_character(trimmed) is not None:
        raise DomainError(
            N_("The text can't contain control characters. Type it again."), field=field
        )
    if not trimmed:
        raise DomainError(missing, field=field)
    if len(trimmed) < shortest:
        raise DomainError(short, field=field, shortest=shortest)
    if len(trimmed) > longest:
        raise DomainError(long, field=field, longest=longest)
    return trimmed


def review_text(text) -> str:
    return _text(
        text,
        "text",
        SHORTEST_TEXT,
        LONGEST_TEXT,
        N_("Write your review."),
        N_("Write at least %(shortest)s characters in your review."),
        N_("Your review can be at most %(longest)s characters."),
    )


def _is_office(user) -> bool:
    return user is not None and user.role is Role.ADMIN


def _is_provider_of(user, course: Course) -> bool:
    return (
        user is not None
        and user.role is Role.PROVIDER
        and user.provider_id is not None
        and user.provider_id == course.provider_id
    )


# --- the course's numbers -------------------------------------------------------------------


def _lock_course(course_id: int) -> None:
    """Lock the course row before any review row is written (module docstring). SQLite's
    writing transaction holds the whole database already."""
    if db.session.connection().dialect.name == "sqlite":
        return
    db.session.execute(
        sa.select(Course.id).where(Course.id == course_id).with_for_update(key_share=True)
    )


def _shown(course_id: int):
    return sa.and_(Review.course_id == course_id, Review.hidden_at.is_(None))


def _recount(course_id: int) -> None:
    """Set the course's rating average and count from its shown reviews, in one UPDATE."""
    average = sa.select(sa.func.coalesce(sa.func.avg(Review.stars), 0.0)).where(_shown(course_id))
    count = sa.select(sa.func.count(Review.id)).where(_shown(course_id))
    db.session.execute(
        sa.update(Course)
        .where(Course.id == course_id)
        .values(
            rating_avg=sa.cast(average.scalar_subquery(), sa.Float),
            rating_count=count.scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    course = db.session.get(Course, course_id)
    if course is not None:
        db.session.expire(course, ["rating_avg", "rating_count"])


def rating_disagreements() -> list[tuple[int, float, int, float, int]]:
    """Courses with shown reviews whose rating_avg/rating_count are not what the rows say:
    (course id, rating_avg, rating_count, average of the rows, count of the rows)."""
    rows = db.session.execute(
        sa.select(
            Course.id,
            Course.rating_avg,
            Course.rating_count,
            sa.func.avg(Review.stars),
            sa.func.count(Review.id),
        )
        .join(Review, Review.course_id == Course.id)
        .where(Review.hidden_at.is_(None))
        .group_by(Course.id, Course.rating_avg, Course.rating_count)
    ).all()
    return [
        (row[0], row[1], row[2], float(row[3]), row[4])
        for row in rows
        if row[2] != row[4] or abs(row[1] - float(row[3])) > 1e-9
    ]


# --- changes --------------------------------------------------------------------------------


def review_of(order: Order) -> Review | None:
    """The order's review, shown or hidden; None when it has none."""
    return db.session.scalar(sa.select(Review).where(Review.order_id == order.id))


def write_review(
    order: Order, participant: Participant | None, stars, text, now: datetime
) -> Review:
    """The order's participant rates the completed course: 1-5 stars and at least 20
    characters. The course's rating average and count follow in the same transaction."""
    if participant is None or order.participant_id != participant.id:
        raise DomainError(NOT_YOURS)
    stars = _stars(stars)
    text = review_text(text)
    _lock_course(order.course_id)
    db.session.refresh(order)  # its status as it is now, under the lock
    if order.status is not OrderStatus.COMPLETED:
        raise DomainError(NOT_COMPLETED)
    if review_of(order) is not None:
        raise DomainError(ALREADY_REVIEWED)
    review = Review(
        order_id=order.id,
        course_id=order.course_id,
        participant_id=participant.id,
        stars=stars,
        text=text,
        created_at=now,
    )
    attempt = db.session.begin_nested()
    try:
        db.session.add(review)
        db.session.flush()
    except IntegrityError:
        # A double submit racing this one wrote the order's review first (PostgreSQL: the
        # unique index waited for it to commit).
        attempt.rollback()
        raise DomainError(ALREADY_REVIEWED) from None
    attempt.commit()
    _recount(order.course_id)
    audit.record(
        "review.written",
        f"course_review:{review.id}",
        actor=participant.user,
        order_id=order.id,
        course_id=order.course_id,
        stars=stars,
    )
    # The review is the last condition of the incentives (with a linked payout account).
    # Imported here: incentives reads this module's `completed_and_reviewed`.
    from marketplace.incentives import schedule

    schedule.schedule_for(participant, now)
    return review


def reply(review: Review, provider_user: User, text, now: datetime) -> Review:
    """The course's provider answers a review, once."""
    if not _is_provider_of(provider_user, review.course):
        raise DomainError(N_("Only the course's training provider can reply to this review."))
    text = _text(
        text,
        "reply",
        1,
        LONGEST_REPLY,
        N_("Write your reply."),
        N_("Write your reply."),
        N_("Your reply can be at most %(longest)s characters."),
    )
    answered = db.session.execute(
        sa.update(Review)
        .where(Review.id == review.id, Review.reply.is_(None))
        .values(reply=text, replied_at=now, replied_by_id=provider_user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(review)
    if not answered:
        raise DomainError(ALREADY_REPLIED)
    audit.record(
        "review.replied",
        f"course_review:{review.id}",
        actor=provider_user,
        course_id=review.course_id,
    )
    return review


def hide(review: Review, admin: User, reason, now: datetime) -> Review:
    """The office hides an abusive review, with its reason: it leaves the course's average."""
    if not _is_office(admin):
        raise DomainError(N_("Only the programme office can hide a review."))
    reason = " ".join(reason.split()) if isinstance(reason, str) else ""
    reason = _text(
        reason,
        "reason",
        1,
        LONGEST_REASON,
        N_("Write why the review is hidden."),
        N_("Write why the review is hidden."),
        N_("The reason can be at most %(longest)s characters."),
    )
    _lock_course(review.course_id)
    hidden = db.session.execute(
        sa.update(Review)
        .where(Review.id == review.id, Review.hidden_at.is_(None))
        .values(hidden_at=now, hidden_reason=reason, hidden_by_id=admin.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(review)
    if not hidden:
        raise DomainError(N_("This review is hidden already."))
    _recount(review.course_id)
    audit.record(
        "review.hidden",
        f"course_review:{review.id}",
        actor=admin,
        course_id=review.course_id,
        reason=reason,
    )
    return review


def unhide(review: Review, admin: User) -> Review:
    """The office shows a hidden review again: it counts in the average again."""
    if not _is_office(admin):
        raise DomainError(N_("Only the programme office can show a hidden review again."))
    _lock_course(review.course_id)
    shown = db.session.execute(
        sa.update(Review)
        .where(Review.id == review.id, Review.hidden_at.is_not(None))
        .values(hidden_at=None, hidden_reason=None, hidden_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(review)
    if not shown:
        raise DomainError(N_("This review is shown already."))
    _recount(review.course_id)
    audit.record(
        "review.shown_again", f"course_review:{review.id}", actor=admin, course_id=review.course_id
    )
    return review


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    """A course's shown reviews counted per star (5 first), for the bars of the course page."""

    counts: dict[int, int]  # stars -> shown reviews with that many
    total: int

    @property
    def rows(self) -> list[tuple[int, int, int]]:
        """(stars, count, percent of all shown reviews), 5 stars first."""
        return [
            (stars, self.counts[stars], round(100 * self.counts[stars] / self.total))
            if self.total
            else (stars, 0, 0)
            for stars in range(HIGHEST_STARS, LOWEST_STARS - 1, -1)
        ]


def rating_summary(course: Course) -> RatingSummary:
    rows = db.session.execute(
        sa.select(Review.stars, sa.func.count(Review.id))
        .where(_shown(course.id))
        .group_by(Review.stars)
    ).all()
    counts = dict.fromkeys(range(LOWEST_STARS, HIGHEST_STARS + 1), 0)
    for stars, count in rows:
        counts[stars] = count
    return RatingSummary(counts=counts, total=sum(counts.values()))


def reviews_page(course: Course, page: int = 1, per_page: int = PER_PAGE):
    """The course's shown reviews, newest first, one page (`db.paginate`), reviewers loaded."""
    statement = (
        sa.select(Review)
        .where(_shown(course.id))
        .options(joinedload(Review.participant))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def first_name(review: Review) -> str:
    """What the course page says of the reviewer: the first word of the name only."""
    parts = (review.participant.full_name or "").split()
    return parts[0] if parts else ""


def provider_reviews(provider_id: int, page: int = 1, unanswered: bool = False, per_page=20):
    """Reviews of the provider's courses (shown ones), newest first, one page."""
    statement = (
        sa.select(Review)
        .join(Course, Course.id == Review.course_id)
        .where(Course.provider_id == provider_id, Review.hidden_at.is_(None))
        .options(joinedload(Review.course), joinedload(Review.participant))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    if unanswered:
        statement = statement.where(Review.reply.is_(None))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


SHOWN, HIDDEN = "shown", "hidden"


def office_reviews(state: str | None = None, page: int = 1, per_page: int = 20):
    """Every review for the office, newest first, one page; `state` "shown" or "hidden"
    narrows it."""
    statement = sa.select(Review).options(joinedload(Review.course), joinedload(Review.participant))
    if state == SHOWN:
        statement = statement.where(Review.hidden_at.is_(None))
    elif state == HIDDEN:
        statement = statement.where(Review.hidden_at.is_not(None))
    statement = statement.order_by(Review.created_at.desc(), Review.id.desc())
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def review_by_id(review_id: int) -> Review | None:
    return db.session.scalar(
        sa.select(Review)
        .where(Review.id == review_id)
        .options(joinedload(Review.course), joinedload(Review.participant))
    )


def completed_and_reviewed(participant: Participant) -> list[Order]:
    """The participant's orders that are completed AND reviewed (the review shown or hidden:
    hiding is the office's decision about the words, not the participant's duty), oldest
    completion first. What the incentives will read: the programme pays after the review."""
    return list(
        db.session.scalars(
            sa.select(Order)
            .join(Review, Review.order_id == Order.id)
            .where(
                Order.participant_id == participant.id,
                Order.status == OrderStatus.COMPLETED,
            )
            .order_by(Order.completed_at, Order.id)
        )
    )


def awaiting_review(order: Order) -> bool:
    """Whether the order's page should ask its participant to rate the course."""
    return order.status is OrderStatus.COMPLETED and review_of(order) is None
