"""Attendance: a session's days in WIB, the sheet, marking within its window (with a clock the
test controls), refusals that save nothing, the audit of each change, and `attended_enough`."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_holders
from support.programme_rows import make_user

from marketplace.catalogue.models import Course, CourseSession, SessionStatus
from marketplace.core import DomainError
from marketplace.core.indonesia import jakarta_date, utc_from_jakarta
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.learning import attendance
from marketplace.learning.models import Attendance
from marketplace.orders import refunds
from marketplace.orders.models import Order
from marketplace.people.models import Role


def _session(starts_at: datetime, ends_at: datetime) -> CourseSession:
    return CourseSession(starts_at=starts_at, ends_at=ends_at, status=SessionStatus.SCHEDULED)


def _desk(provider_id: int):
    user = make_user(role=Role.PROVIDER)
    user.provider_id = provider_id
    db.session.flush()
    return user


def _events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "attendance.marked")
            .order_by(AuditEvent.id)
        )
    )


def _rows() -> int:
    return db.session.scalar(sa.select(sa.func.count(Attendance.id)))


@pytest.fixture
def class_(app, factory, shop):
    """A three-day session of the shop's webinar (09.00 WIB on day one to 12.00 WIB on day
    three, ten days ahead) with three participants on it, one of them refunded, and another
    session of the same webinar with an order of its own; all committed."""
    first_day = jakarta_date(shop.now) + timedelta(days=10)
    row = factory.session(shop.webinar, utc_from_jakarta(first_day, 9, 0), hours=1, capacity=10)
    buyers = card_holders(app, 4, shop.now)
    with app.app_context():
        session = db.session.get(CourseSession, row.id)
        session.ends_at = utc_from_jakarta(first_day + timedelta(days=2), 12, 0)
        orders = [buy(shop, shop.webinar, session.id, who=who) for who in buyers[:3]]
        refunds.refund_order(orders[2], "Salah beli", shop.now, make_user(role=Role.ADMIN))
        elsewhere = buy(shop, shop.webinar, shop.webinar_session, who=buyers[3])
        db.session.commit()
        return {
            "session": session.id,
            "days": [first_day + timedelta(days=offset) for offset in range(3)],
            "orders": [order.id for order in orders[:2]],
            "refunded": orders[2].id,
            "elsewhere": elsewhere.id,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
        }


def _load(class_) -> CourseSession:
    return db.session.get(CourseSession, class_["session"])


# --- the days of a session -------------------------------------------------------------------


def test_a_session_crossing_midnight_in_wib_has_both_days():
    # 20.00 WIB on 5 December to 02.00 WIB on 6 December: one UTC day, two WIB days.
    evening = _session(datetime(2026, 12, 5, 13, 0), datetime(2026, 12, 5, 19, 0))
    assert attendance.session_days(evening) == [date(2026, 12, 5), date(2026, 12, 6)]


def test_the_days_are_jakarta_days_not_utc_days():
    # 18.00-20.00 UTC on 5 December is 01.00-03.00 WIB on 6 December.
    night = _session(datetime(2026, 12, 5, 18, 0), datetime(2026, 12, 5, 20, 0))
    assert attendance.session_days(night) == [date(2026, 12, 6)]


def test_a_session_ending_at_midnight_wib_does_not_take_the_next_day():
    late = _session(
        utc_from_jakarta(date(2026, 12, 5), 20, 0), utc_from_jakarta(date(2026, 12, 6), 0, 0)
    )
    assert attendance.session_days(late) == [date(2026, 12, 5)]


def test_a_three_day_session_has_three_days(class_, ctx):
    assert attendance.session_days(_load(class_)) == class_["days"]


# --- the sheet -------------------------------------------------------------------------------


def test_the_sheet_lists_the_seated_orders_with_every_day_unmarked(class_, ctx):
    sheet = attendance.attendance_sheet(_load(class_))
    assert sheet.days == tuple(class_["days"])
    assert sorted(row.order_id for row in sheet.rows) == sorted(class_["orders"])
    assert class_["refunded"] not in {row.order_id for row in sheet.rows}
    for row in sheet.rows:
        assert row.name == db.session.get(Order, row.order_id).participant.full_name
        assert row.marks == (None, None, None)


# --- marking within the window ---------------------------------------------------------------


def test_marking_saves_each_cell_and_audits_it(class_, ctx):
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    first, second = class_["orders"]
    day1, day2, _ = class_["days"]
    now = class_["starts_at"] + timedelta(days=1, hours=1)  # on the second day
    changed = attendance.mark(
        session, desk, {(first, day1): True, (second, day1): False, (first, day2): True}, now
    )
    assert changed == 3
    sheet = {row.order_id: row.marks for row in attendance.attendance_sheet(session).rows}
    assert sheet == {first: (True, True, None), second: (False, None, None)}
    events = _events()
    assert [(event.subject, event.actor_id) for event in events] == [
        (f"order:{first}", desk.id),
        (f"order:{first}", desk.id),
        (f"order:{second}", desk.id),
    ]
    assert [event.detail for event in events] == [
        {"session": session.id, "day": day1.isoformat(), "before": "unmarked", "after": "present"},
        {"session": session.id, "day": day2.isoformat(), "before": "unmarked", "after": "present"},
        {"session": session.id, "day": day1.isoformat(), "before": "unmarked", "after": "absent"},
    ]
    row = db.session.scalar(sa.select(Attendance).where(Attendance.order_id == first).limit(1))
    assert (row.marked_by_id, row.marked_at, row.session_id) == (desk.id, now, session.id)


def test_a_day_to_come_can_not_be_marked(class_, ctx):
    """The auditors found attendance marked for people who never came: nobody can be marked
    present (or absent) on a day that has not begun."""
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    first, _second = class_["orders"]
    day1, day2, _ = class_["days"]
    on_day_one = class_["starts_at"] + timedelta(hours=1)
    with pytest.raises(DomainError, match="has not come yet"):
        attendance.mark(session, desk, {(first, day1): True, (first, day2): True}, on_day_one)
    assert _rows() == 0  # nothing saved, not even day one's mark
    assert attendance.mark(session, desk, {(first, day1): True}, on_day_one) == 1


def test_saving_again_audits_only_the_cells_that_changed(class_, ctx):
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    first, second = class_["orders"]
    day1 = class_["days"][0]
    now = class_["starts_at"] + timedelta(hours=1)
    attendance.mark(session, desk, {(first, day1): True, (second, day1): True}, now)
    later = now + timedelta(hours=2)
    changed = attendance.mark(session, desk, {(first, day1): True, (second, day1): False}, later)
    assert changed == 1
    assert _rows() == 2  # updated in place, one row per order and day
    events = _events()
    assert len(events) == 3
    assert events[-1].subject == f"order:{second}"
    assert events[-1].detail["before"] == "present" and events[-1].detail["after"] == "absent"
    assert attendance.mark(session, desk, {(first, day1): True}, later) == 0
    assert len(_events()) == 3


def test_marking_is_open_from_the_start_to_the_end_of_the_seventh_day_after(class_, ctx):
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    first = class_["orders"][0]
    day1 = class_["days"][0]
    window = attendance.marking_window(session)
    last_day = jakarta_date(class_["ends_at"]) + timedelta(days=7)
    assert window.opens_at == class_["starts_at"]
    assert window.closes_at == utc_from_jakarta(last_day, 23, 59) + timedelta(seconds=59)
    assert attendance.mark(session, desk, {(first, day1): True}, window.opens_at) == 1
    assert attendance.mark(session, desk, {(first, day1): False}, window.closes_at) == 1


def test_marking_before_the_start_says_when_it_opens_and_saves_nothing(class_, ctx):
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    early = class_["starts_at"] - timedelta(seconds=1)
    with pytest.raises(DomainError) as refused:
        attendance.mark(session, desk, {(class_["orders"][0], class_["days"][0]): True}, early)
    assert refused.value.message == attendance.NOT_YET
    assert refused.value.params == {"opens": class_["starts_at"]}
    assert (_rows(), _events()) == (0, [])


def test_marking_after_the_window_says_when_it_closed_and_saves_nothing(class_, ctx):
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    closes = attendance.marking_window(session).closes_at
    with pytest.raises(DomainError) as refused:
        attendance.mark(
            session,
            desk,
            {(class_["orders"][0], class_["days"][0]): True},
            closes + timedelta(seconds=1),
        )
    assert refused.value.message == attendance.CLOSED
    assert refused.value.params == {"closes": closes}
    assert (_rows(), _events()) == (0, [])


def test_a_cancelled_session_can_not_be_marked(class_, ctx):
    session = _load(class_)
    session.status = SessionStatus.CANCELLED
    db.session.flush()
    desk = _desk(session.course.provider_id)
    with pytest.raises(DomainError) as refused:
        attendance.mark(
            session,
            desk,
            {(class_["orders"][0], class_["days"][0]): True},
            class_["starts_at"] + timedelta(hours=1),
        )
    assert refused.value.message == attendance.CANCELLED
    assert _rows() == 0


@pytest.mark.parametrize(
    "tampered",
    ["refunded", "elsewhere", "unknown", "day_before", "day_after"],
)
def test_a_tampered_order_or_day_refuses_the_whole_sheet(class_, ctx, tampered):
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    first = class_["orders"][0]
    day1, _, day3 = class_["days"]
    bad = {
        "refunded": (class_["refunded"], day1),
        "elsewhere": (class_["elsewhere"], day1),
        "unknown": (10**9, day1),
        "day_before": (first, day1 - timedelta(days=1)),
        "day_after": (first, day3 + timedelta(days=1)),
    }[tampered]
    marks = {(first, day1): True, bad: True}
    with pytest.raises(DomainError) as refused:
        attendance.mark(session, desk, marks, class_["starts_at"] + timedelta(hours=1))
    assert refused.value.message == attendance.NOT_ON_SHEET
    assert (_rows(), _events()) == (0, [])  # not even the good cell


def test_another_providers_staff_can_not_mark(class_, ctx, factory):
    rival_provider = factory.provider()  # committed before this test's transaction begins
    session = _load(class_)
    rival = _desk(rival_provider.id)
    with pytest.raises(DomainError) as refused:
        attendance.mark(
            session,
            rival,
            {(class_["orders"][0], class_["days"][0]): True},
            class_["starts_at"] + timedelta(hours=1),
        )
    assert refused.value.message == attendance.NOT_YOURS
    assert _rows() == 0


# --- what completion reads -------------------------------------------------------------------


def _mark_days(class_, order_id: int, present: list[bool]) -> Order:
    session = _load(class_)
    desk = _desk(session.course.provider_id)
    marks = {(order_id, day): mark for day, mark in zip(class_["days"], present, strict=False)}
    attendance.mark(session, desk, marks, class_["starts_at"] + timedelta(days=3))
    return db.session.get(Order, order_id)


def test_by_default_every_day_must_be_attended(class_, ctx):
    first, second = class_["orders"]
    assert not attendance.attended_enough(db.session.get(Order, first))  # nothing marked
    partly = _mark_days(class_, first, [True, False, True])
    assert attendance.days_required(partly) == 3
    assert not attendance.attended_enough(partly)
    fully = _mark_days(class_, second, [True, True, True])
    assert attendance.attended_enough(fully)


def test_a_course_may_require_fewer_days(class_, ctx):
    first, second = class_["orders"]
    course = db.session.get(Course, _load(class_).course_id)
    course.attendance_days_required = 2
    db.session.flush()
    two = _mark_days(class_, first, [True, False, True])
    assert attendance.days_required(two) == 2
    assert attendance.attended_enough(two)
    one = _mark_days(class_, second, [True, False, False])
    assert not attendance.attended_enough(one)
    course.attendance_days_required = 9  # more than the session has: every day
    db.session.flush()
    assert attendance.days_required(two) == 3
    assert not attendance.attended_enough(two)


def test_orders_without_a_session_or_refunded_ones(class_, ctx, shop):
    self_paced = buy(shop, shop.self_paced)
    assert attendance.attended_enough(self_paced)
    assert attendance.attendance_of(self_paced) == []
    assert not attendance.attended_enough(db.session.get(Order, class_["refunded"]))


def test_the_participant_sees_each_day_with_its_mark(class_, ctx):
    first = class_["orders"][0]
    order = _mark_days(class_, first, [True, False])
    day1, day2, day3 = class_["days"]
    assert attendance.attendance_of(order) == [(day1, True), (day2, False), (day3, None)]
