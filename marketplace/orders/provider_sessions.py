"""What a training provider's desk reads: its sessions, a session's roster, a refund's size.

Reads only; the changes of state are `redemption.redeem` and `refunds.cancel_session`
(whose rule, `refunds.why_not_cancellable`, the pages show before any button).
Every function takes the provider, so a provider sees its own sessions and orders only.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import Course, CourseSession, Provider
from marketplace.core.paging import MAX_PAGE
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.refunds import REFUNDABLE
from marketplace.people.models import Participant

PER_PAGE = 20
PAST_DAYS = 30  # how far back the list of sessions goes


@dataclass(frozen=True)
class RefundPreview:
    """What cancelling a session would refund: how many orders, and their prices together."""

    orders: int
    total: int


def sessions_of(provider: Provider, now: datetime, page: int = 1, per_page: int = PER_PAGE):
    """A page of the provider's sessions: those not yet over, soonest first, then those that
    ended in the last 30 days, latest first. Cancelled ones are included (with their status).
    """
    not_over = CourseSession.ends_at > now
    query = (
        sa.select(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Course.provider_id == provider.id,
            CourseSession.ends_at > now - timedelta(days=PAST_DAYS),
        )
        .options(joinedload(CourseSession.course))
        .order_by(
            sa.case((not_over, 0), else_=1),
            sa.case((not_over, CourseSession.starts_at)),  # NULL for past ones: ties
            CourseSession.starts_at.desc(),
            CourseSession.id,
        )
    )
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=100, error_out=False)


def session_of(provider: Provider, session_id: int) -> CourseSession | None:
    """The provider's session with this id (None for another provider's, or none)."""
    return db.session.scalar(
        sa.select(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .where(CourseSession.id == session_id, Course.provider_id == provider.id)
        .options(joinedload(CourseSession.course))
    )


def roster(session: CourseSession) -> list[Order]:
    """Every order on the session, with its participant, in the order they were bought."""
    return list(
        db.session.scalars(
            sa.select(Order)
            .join(Participant, Participant.id == Order.participant_id)
            .where(Order.session_id == session.id)
            .options(joinedload(Order.participant))
            .order_by(Order.created_at, Order.id)
        )
    )


def refund_preview(session: CourseSession) -> RefundPreview:
    """How many orders cancelling the session would refund, and how much in all."""
    orders, total = db.session.execute(
        sa.select(sa.func.count(Order.id), sa.func.coalesce(sa.func.sum(Order.price), 0)).where(
            Order.session_id == session.id, Order.status.in_(REFUNDABLE)
        )
    ).one()
    return RefundPreview(int(orders), int(total))


def redeemed_order(provider: Provider, order_id: int) -> Order | None:
    """The provider's redeemed order with this id (for the page after a redemption)."""
    return db.session.scalar(
        sa.select(Order)
        .join(Course, Course.id == Order.course_id)
        .where(
            Order.id == order_id,
            Course.provider_id == provider.id,
            Order.status == OrderStatus.REDEEMED,
        )
        .options(joinedload(Order.participant), joinedload(Order.course), joinedload(Order.session))
    )
