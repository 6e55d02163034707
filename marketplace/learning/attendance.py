"""Attendance at a webinar's or an offline course's session, as its provider marks it.

A session runs from `starts_at` to `ends_at` (UTC) and may span several days: its days are
the Jakarta calendar days from the start to the end (`session_days`), and the provider marks
each participant present or absent on each of them. The sheet (`attendance_sheet`) lists the
orders holding a seat (every order on the session but the refunded ones); a cell nobody
marked yet is "unmarked".

Marking (`mark`) is one change of state for the whole sheet: from the session's start until
23.59 WIB seven days after its end (`marking_window`; a deadline given to people ends a day),
only for the session's own orders and days (anything else refuses the whole sheet, nothing
saved), upserting one row per order and day, and writing one audit event per cell that
changed, with who, when, before and after. Completion (learning/completion.py) asks
`attended_enough`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import CourseSession, SessionStatus
from marketplace.core import N_, DomainError, audit
from marketplace.core.indonesia import end_of_day, jakarta_date
from marketplace.extensions import db
from marketplace.learning.models import Attendance
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, User

DAYS_AFTER_END = 7  # marking stays open until 23.59 WIB this many days after the session ends

CANCELLED = N_("This session was cancelled: there is no attendance to mark.")
NOT_YET = N_("Attendance can be marked from the start of the session, %(opens)s.")
CLOSED = N_("Attendance could be marked until %(closes)s. That time has passed.")
NOT_ON_SHEET = N_(
    "The form named a participant or a day that is not on this session's attendance sheet. "
    "Nothing was saved: open the sheet again and save it from there."
)
NOT_YOURS = N_("Only the session's own provider can mark its attendance.")
NOT_COME = N_(
    "A day can be marked only once it has begun: %(day)s has not come yet. Nothing was saved."
)


@dataclass(frozen=True)
class Window:
    """When a session's attendance can be marked: from `opens_at` to `closes_at` (UTC)."""

    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class SheetRow:
    """One participant on the sheet: their order, name, and each day's mark (True present,
    False absent, None unmarked), in the order of the session's days."""

    order_id: int
    name: str
    marks: tuple[bool | None, ...]

    @property
    def days_present(self) -> int:
        return sum(1 for mark in self.marks if mark)


@dataclass(frozen=True)
class Sheet:
    """A session's attendance sheet: its days and one row per order holding a seat."""

    session_id: int
    days: tuple[date, ...]
    rows: tuple[SheetRow, ...]


def session_days(session: CourseSession) -> list[date]:
    """Every Jakarta calendar day from the session's start to its end, in order.

    A session ending at 00.00 WIB exactly does not take place on the day that starts then.
    """
    first = jakarta_date(session.starts_at)
    last = max(first, jakarta_date(session.ends_at - timedelta(microseconds=1)))
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def marking_window(session: CourseSession) -> Window:
    """From the session's start to 23.59 WIB seven days after its end."""
    return Window(session.starts_at, end_of_day(session.ends_at + timedelta(days=DAYS_AFTER_END)))


def why_not_markable(session: CourseSession, now: datetime) -> DomainError | None:
    """Why the session's attendance can't be marked at `now` (a cancelled session, before its
    start, after the window), or None when it can."""
    if session.status is SessionStatus.CANCELLED:
        return DomainError(CANCELLED)
    window = marking_window(session)
    if now < window.opens_at:
        return DomainError(NOT_YET, opens=window.opens_at)
    if now > window.closes_at:
        return DomainError(CLOSED, closes=window.closes_at)
    return None


def _seated_orders(session_id: int) -> list[Order]:
    """The session's orders holding a seat (not refunded), with their participants, by name."""
    return list(
        db.session.scalars(
            sa.select(Order)
            .join(Participant, Participant.id == Order.participant_id)
            .where(Order.session_id == session_id, Order.status != OrderStatus.REFUNDED)
            .options(joinedload(Order.participant))
            .order_by(Participant.full_name, Order.id)
        )
    )


def _marks_of(session_id: int, order_ids=None) -> dict[tuple[int, date], Attendance]:
    query = sa.select(Attendance).where(Attendance.session_id == session_id)
    if order_ids is not None:
        query = query.where(Attendance.order_id.in_(order_ids))
    return {(row.order_id, row.day): row for row in db.session.scalars(query)}


def attendance_sheet(session: CourseSession) -> Sheet:
    """The roster with each day's mark: two queries, whatever the number of participants."""
    days = tuple(session_days(session))
    orders = _seated_orders(session.id)
    marks = _marks_of(session.id)
    rows = tuple(
        SheetRow(
            order_id=order.id,
            name=order.participant.full_name,
            marks=tuple(
                marks[(order.id, day)].present if (order.id, day) in marks else None for day in days
            ),
        )
        for order in orders
    )
    return Sheet(session.id, days, rows)


def _lock_session(session: CourseSession) -> None:
    """Hold the session's row (PostgreSQL) and read its status and times again under the lock,
    so that two desks saving at once, or a cancellation, are seen in one order."""
    db.session.execute(
        sa.select(CourseSession.id).where(CourseSession.id == session.id).with_for_update()
    )
    db.session.refresh(session, ["status", "starts_at", "ends_at"])


def mark(
    session: CourseSession, provider_user: User, marks: dict[tuple[int, date], bool], now: datetime
) -> int:
    """Save the provider's marks, {(order id, day): present}, in one go; the number of cells
    that changed (only those are written again and audited).

    Refuses (DomainError, nothing written) another provider's session, a session that can't
    be marked now (`why_not_markable`), and any order or day that is not on the sheet.
    """
    if provider_user.provider_id is None or provider_user.provider_id != session.course.provider_id:
        raise DomainError(NOT_YOURS)
    _lock_session(session)
    refused = why_not_markable(session, now)
    if refused is not None:
        raise refused
    days = set(session_days(session))
    seated = {order.id for order in _seated_orders(session.id)}
    today = jakarta_date(now)
    for key, present in marks.items():
        order_id, day = key
        if order_id not in seated or day not in days or not isinstance(present, bool):
            raise DomainError(NOT_ON_SHEET)
        if day > today:  # nobody can have been present (or absent) on a day to come
            raise DomainError(NOT_COME, day=day)
    if not marks:
        return 0
    existing = _marks_of(session.id, {order_id for order_id, _ in marks})
    changed = 0
    for (order_id, day), present in sorted(marks.items()):
        row = existing.get((order_id, day))
        before = row.present if row is not None else None
        if before == present:
            continue
        if row is None:
            db.session.add(
                Attendance(
                    session_id=session.id,
                    order_id=order_id,
                    day=day,
                    present=present,
                    marked_by_id=provider_user.id,
                    marked_at=now,
                )
            )
        else:
            row.present = present
            row.marked_by_id = provider_user.id
            row.marked_at = now
        audit.record(
            "attendance.marked",
            f"order:{order_id}",
            actor=provider_user,
            session=session.id,
            day=day.isoformat(),
            before=_word(before),
            after=_word(present),
        )
        changed += 1
    db.session.flush()
    return changed


def _word(present: bool | None) -> str:
    return "unmarked" if present is None else ("present" if present else "absent")


def attendance_of(order: Order) -> list[tuple[date, bool | None]]:
    """The participant's own view: each day of the order's session with its mark (True
    present, False absent, None unmarked); empty for an order without a session."""
    if order.session_id is None:
        return []
    marks = {
        row.day: row.present
        for row in db.session.scalars(sa.select(Attendance).where(Attendance.order_id == order.id))
    }
    return [(day, marks.get(day)) for day in session_days(order.session)]


def days_required(order: Order) -> int:
    """How many days of its session the order's participant must attend: the course's
    setting, at most the session's days; every day when the course says nothing."""
    if order.session_id is None:
        return 0
    days = len(session_days(order.session))
    setting = order.course.attendance_days_required
    if setting is None or setting <= 0:
        return days
    return min(setting, days)


def attended_enough(order: Order) -> bool:
    """Whether the order's participant attended the days the course requires (every day
    unless the course says fewer). An order without a session (a self-paced course) has no
    attendance to meet; a refunded order, or one of a cancelled session, never meets it."""
    if order.session_id is None:
        return True
    if order.status is OrderStatus.REFUNDED or order.session.status is SessionStatus.CANCELLED:
        return False
    present = sum(1 for _, mark in attendance_of(order) if mark)
    return present >= days_required(order)
