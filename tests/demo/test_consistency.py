"""The seeded demo agrees with itself: seats are orders, hours are modules, deadlines end a
day in WIB, and no place names a part twice ("Bandung, Bandung")."""

import re
from collections import Counter

import sqlalchemy as sa

from marketplace.catalogue import courses
from marketplace.catalogue.models import Course, CourseSession, Module, Provider, SessionStatus
from marketplace.core.indonesia import in_jakarta, is_end_of_day, place_name
from marketplace.extensions import db
from marketplace.money.models import Card
from marketplace.orders import seats
from marketplace.orders.models import Order, OrderStatus
from marketplace.programme.models import Batch
from marketplace.seed_data import DEMO_PASSWORD

# A part of a place said twice in a row, as in "Jl. Melati No. 11, Bandung, Bandung".
REPEATED_PART = re.compile(r"(?:^|, )([^,<>]+), \1(?:,|<|$)")


def test_every_seat_taken_is_an_order(demo):
    with demo.app_context():
        assert seats.seat_disagreements() == []
        # The same, counted here from the orders, so that the check is checked too.
        orders = db.session.execute(sa.select(Order.session_id, Order.status)).all()
        live = Counter(row.session_id for row in orders if row.status is not OrderStatus.REFUNDED)
        booked = Counter(row.session_id for row in orders)
        sessions = db.session.scalars(sa.select(CourseSession)).all()
        for session in sessions:
            if session.status is SessionStatus.SCHEDULED:
                assert session.seats_taken == live[session.id], session.id
            else:  # cancelled by the demo provider: every order refunded, its seat kept
                assert session.seats_taken == booked[session.id], session.id
        taken = [session for session in sessions if session.seats_taken]
        assert {session.status for session in taken} == set(SessionStatus)  # not vacuous


def test_every_course_lasts_its_modules_added_up(demo):
    with demo.app_context():
        assert courses.hours_disagreements() == []
        minutes = Counter()
        for course_id, length in db.session.execute(sa.select(Module.course_id, Module.minutes)):
            minutes[course_id] += length
        hours = dict(db.session.execute(sa.select(Course.id, Course.hours)).all())
        assert hours and {course_id: total / 60 for course_id, total in minutes.items()} == hours


def test_every_deadline_falls_at_23_59_wib(demo):
    with demo.app_context():
        deadlines = db.session.scalars(sa.select(Card.purchase_deadline_at)).all()
        deadlines += db.session.scalars(sa.select(Batch.closes_at)).all()
        assert len(deadlines) >= 8 + 2  # batch 1's cards, and both batches
        for deadline in deadlines:
            assert is_end_of_day(deadline), deadline
            assert in_jakarta(deadline).strftime("%H.%M.%S") == "23.59.59"
        for opens in db.session.scalars(sa.select(Batch.opens_at)):
            assert in_jakarta(opens).strftime("%H.%M") == "00.00"


def test_no_place_names_a_part_twice(demo):
    with demo.app_context():
        places = [provider.location for provider in db.session.scalars(sa.select(Provider))]
        places += [course.location for course in db.session.scalars(sa.select(Course))]
        places += [session.location for session in db.session.scalars(sa.select(CourseSession))]
        offline = db.session.scalars(
            sa.select(CourseSession).where(CourseSession.city.is_not(None))
        ).all()
    assert offline and any(session.place.endswith(session.city) for session in offline)
    for place in filter(None, places):
        parts = [part.strip().casefold() for part in place.split(",")]
        assert len(parts) == len(set(parts)), place
        assert place_name(place) == place


def _signed_in(app, email: str):
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def test_the_pages_say_each_place_once(demo):
    with demo.app_context():
        provider_id, city = db.session.execute(
            sa.select(Provider.id, Provider.city).where(Provider.slug == "lpk-cahaya-mandiri")
        ).one()
        slug = db.session.scalar(
            sa.select(Course.slug).where(Course.provider_id == provider_id).limit(1)
        )
        offline = db.session.scalar(
            sa.select(CourseSession.id)
            .join(Course, Course.id == CourseSession.course_id)
            .where(Course.provider_id == provider_id, CourseSession.city.is_not(None))
            .limit(1)
        )
    course_page = demo.test_client().get(f"/courses/{slug}").get_data(as_text=True)
    assert f"{city}, Jawa Barat" in course_page
    desk = _signed_in(demo, "lembaga@example.com")
    pages = [course_page, desk.get("/provider").get_data(as_text=True)]
    if offline is not None:
        pages.append(desk.get(f"/provider/sessions/{offline}").get_data(as_text=True))
    for page in pages:
        assert not REPEATED_PART.search(page), REPEATED_PART.search(page).group(0)
