"""The demo-data generator behind `flask seed`: deterministic, idempotent, realistic enough."""

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.catalogue import listing
from marketplace.catalogue.models import (
    Category,
    Course,
    CourseSession,
    CourseStatus,
    Method,
    Module,
    Platform,
    Provider,
    Question,
)
from marketplace.core.base import utcnow
from marketplace.core.models import Province
from marketplace.demo import seeding
from marketplace.extensions import db
from marketplace.learning import attendance
from marketplace.learning.models import Attendance
from marketplace.people import accounts
from marketplace.people.models import Role, User
from marketplace.seed_data import places, vocabulary

COURSES = 200
SEED = 7


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _counts() -> dict[str, int]:
    models = (Province, Platform, Category, Provider, Course, Module, CourseSession, Question, User)
    return {model.__name__: _count(model) for model in models}


def _snapshot() -> list[tuple]:
    return db.session.execute(
        sa.select(Course.slug, Course.title, Course.price, Course.method, Course.status).order_by(
            Course.id
        )
    ).all()


@pytest.fixture
def report(ctx):
    """A database seeded with a small catalogue, committed."""
    result = seeding.seed(seed=SEED, courses=COURSES)
    db.session.commit()
    return result


def test_report_counts_match_the_database(report):
    extra = round(COURSES * seeding.EXTRA_SHARE) + 4
    assert not report.skipped
    assert report.provinces == _count(Province) == 38
    assert report.platforms == _count(Platform) == 8
    assert report.categories == _count(Category) == len(vocabulary.CATEGORIES)
    assert len(vocabulary.CATEGORIES) >= 20
    assert report.providers == _count(Provider) == seeding.PROVIDER_COUNT
    assert report.courses == _count(Course) == COURSES + extra
    assert report.courses_by_status["approved"] == COURSES
    for status in ("draft", "submitted", "rejected", "archived"):
        assert report.courses_by_status[status] >= 1
    assert report.modules == _count(Module)
    assert report.questions == _count(Question) > 8 * report.courses
    # Every self-paced module has a lesson (and no other module has one).
    lessons = db.session.scalars(
        sa.select(Module.lesson).join(Course).where(Course.method == Method.SELF_PACED)
    ).all()
    assert report.lessons == len(lessons) == sum(1 for lesson in lessons if lesson) > 0
    assert report.lessons == db.session.scalar(
        sa.select(sa.func.count()).where(Module.lesson != "")
    )
    assert report.sessions == _count(CourseSession) > 0
    # the demo accounts, the demo provider's invited staff member, batch 1's applicants
    assert report.users == _count(User) == 3 + 1 + 11
    assert report.indexed == COURSES
    assert report.demo_password == "Prakerja2020!"
    assert report.demo_provider == "LPK Cahaya Mandiri"
    assert report.seed == SEED
    text = report.describe()
    assert "peserta@example.com" in text and "Prakerja2020!" in text
    assert f"approved {COURSES}" in text
    assert f"questions {report.questions}" in text


def test_second_run_creates_nothing(report):
    before = _counts()
    again = seeding.seed(seed=SEED, courses=COURSES)
    db.session.commit()
    assert again.skipped
    assert "nothing was seeded" in again.describe()
    assert (again.courses, again.providers, again.users, again.provinces) == (0, 0, 0, 0)
    assert _counts() == before


def test_same_seed_gives_the_same_catalogue(ctx):
    courses = 120
    seeding.seed(seed=SEED, courses=courses)
    first = _snapshot()
    db.session.rollback()  # seed() only flushes: this empties the database again
    assert _count(Course) == 0
    seeding.seed(seed=SEED, courses=courses)
    second = _snapshot()
    db.session.rollback()
    seeding.seed(seed=SEED + 1, courses=30)
    other = _snapshot()
    assert first == second
    assert len(first) == courses + round(courses * seeding.EXTRA_SHARE) + 4
    assert [row.title for row in first[:30]] != [row.title for row in other[:30]]


def test_reference_rows_are_upserted_not_duplicated(ctx):
    db.session.add(Province(code="31", name="Jakarta", slug="jakarta"))
    db.session.add(Platform(slug="tokopedia", name="Tokopedia", commission_bp=1000))
    db.session.flush()
    result = seeding.seed(seed=SEED, courses=20)
    assert (result.provinces, result.platforms) == (37, 7)
    assert _count(Province) == 38
    assert _count(Platform) == 8
    jakarta = db.session.scalar(sa.select(Province).where(Province.code == "31"))
    assert jakarta.name == "DKI Jakarta"


def test_rows_added_after_seeding_get_fresh_ids(report):
    """The seed gives ids explicitly; the database's own id sequences must move past them."""
    seeded = db.session.scalar(sa.select(Course).order_by(Course.id.desc()).limit(1))
    course = Course(
        slug="kursus-baru",
        title="Kursus Baru",
        summary="Ringkasan.",
        description="Deskripsi.",
        provider_id=seeded.provider_id,
        platform_id=seeded.platform_id,
        category_id=seeded.category_id,
        method=Method.WEBINAR,
        level=seeded.level,
        price=100_000,
        hours=2,
    )
    db.session.add(course)
    db.session.flush()
    db.session.add(Module(course_id=course.id, position=1, title="Modul 1", minutes=30))
    start = utcnow() + timedelta(days=5)
    db.session.add(
        CourseSession(
            course_id=course.id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Zoom",
            capacity=20,
        )
    )
    db.session.flush()
    assert course.id == seeded.id + 1


def test_every_course_has_ordered_modules(report):
    modules = db.session.execute(
        sa.select(Module.course_id, Module.position, Module.minutes, Module.title)
    ).all()
    positions: dict[int, list[int]] = {}
    for row in modules:
        positions.setdefault(row.course_id, []).append(row.position)
        assert row.minutes >= 15 and row.minutes % 5 == 0
        assert "{" not in row.title
    course_ids = db.session.scalars(sa.select(Course.id)).all()
    assert set(positions) == set(course_ids)
    for found in positions.values():
        assert sorted(found) == list(range(1, len(found) + 1))
        assert 3 <= len(found) <= 8


def test_webinar_and_offline_courses_have_upcoming_sessions(report):
    now = utcnow()
    courses = db.session.scalars(
        sa.select(Course).where(Course.status == CourseStatus.APPROVED)
    ).all()
    scheduled = 0
    # The demo programme times one session to begin as it runs (test_demo_running_session).
    running = set(db.session.scalars(sa.select(Attendance.session_id)))
    for course in courses:
        if course.method is Method.SELF_PACED:
            assert course.sessions == []
            continue
        assert 2 <= len(course.sessions) <= 4
        for session in course.sessions:
            scheduled += 1
            if session.id in running:
                continue
            assert session.starts_at > now
            assert session.starts_at < now + timedelta(days=62)
            assert 2 * 3600 <= (session.ends_at - session.starts_at).total_seconds() <= 4 * 3600
            assert 0 <= session.seats_taken <= session.capacity
            assert 20 <= session.capacity <= 100
            assert session.starts_at.hour in seeding.SESSION_HOURS_UTC
            if course.method is Method.OFFLINE:
                assert session.city == course.city
                assert session.place.endswith(", " + course.city)
            else:
                assert session.place == places.ZOOM_PLACE
    assert scheduled == report.sessions


def test_offline_courses_take_place_in_a_real_city_of_their_province(report):
    code_of = dict(db.session.execute(sa.select(Province.id, Province.code)).all())
    for course in db.session.scalars(sa.select(Course)):
        if course.method is Method.OFFLINE:
            assert course.province_id is not None
            assert course.city in places.CITIES[code_of[course.province_id]]
        else:
            assert course.province_id is None and course.city is None
    for provider in db.session.scalars(sa.select(Provider)):
        assert provider.city in places.CITIES[code_of[provider.province_id]]


def test_prices_and_figures_are_plausible(report):
    methods = Counter()
    for course in db.session.scalars(sa.select(Course)):
        assert isinstance(course.price, int)
        assert 100_000 <= course.price <= 1_000_000
        assert course.price % 1000 == 0
        assert 2 <= course.hours <= 40
        assert 0 <= course.rating_avg <= 5
        assert (course.rating_avg == 0) == (course.rating_count == 0)
        assert course.rating_count <= course.enrolment_count
        assert course.platform_id == course.provider.platform_id
        assert seeding.CATALOGUE_START <= course.created_at <= seeding.CATALOGUE_END
        if course.status in (CourseStatus.APPROVED, CourseStatus.ARCHIVED):
            assert course.created_at < course.published_at <= seeding.CATALOGUE_END
        else:
            assert course.published_at is None
        assert (course.curator_note is not None) == (course.status is CourseStatus.REJECTED)
        methods[course.method] += 1
    assert methods[Method.SELF_PACED] > methods[Method.WEBINAR] > methods[Method.OFFLINE] > 0


def test_texts_are_indonesian_and_titles_carry_their_topic(report):
    topics = {words.slug: words.topics for words in vocabulary.CATEGORIES}
    courses = db.session.scalars(sa.select(Course)).all()
    titles = [course.title for course in courses]
    assert len(set(titles)) >= 0.95 * len(titles)
    for course in courses:
        text = " ".join((course.title, course.summary, course.description, course.outcomes))
        assert "lorem" not in text.lower()
        assert "{" not in text and "}" not in text
        assert any(topic in course.title for topic in topics[course.category.slug])
        assert len(course.title) <= 200 and len(course.summary) <= 300
        assert course.summary.endswith(".")
        assert 2 <= len(course.description.split("\n\n")) <= 3
        assert 3 <= len(course.outcome_list) <= 5
        assert course.slug == course.slug.lower() and " " not in course.slug


def test_catalogue_search_finds_courses_by_a_topic_word(report):
    titled = set(
        db.session.scalars(
            sa.select(Course.id).where(
                Course.status == CourseStatus.APPROVED, Course.title.ilike("%pemasaran%")
            )
        )
    )
    assert titled
    found: set[int] = set()
    page = listing.list_courses(listing.Criteria(q="pemasar"))
    found.update(item.id for item in page.items)
    for number in range(2, page.pages + 1):
        page = listing.list_courses(listing.Criteria(q="pemasar", page=number))
        found.update(item.id for item in page.items)
    assert titled <= found


def test_demo_accounts_can_sign_in_with_their_roles(report):
    expected = {
        "peserta@example.com": Role.PARTICIPANT,
        "lembaga@example.com": Role.PROVIDER,
        "admin@example.com": Role.ADMIN,
    }
    assert {account.email for account in report.demo_accounts} == set(expected)
    for email, role in expected.items():
        user = accounts.authenticate(email, seeding.DEMO_PASSWORD)
        assert user is not None and user.role is role
        assert user.verified_at is not None
        assert (user.provider_id is not None) == (role is Role.PROVIDER)
    provider_user = db.session.scalar(sa.select(User).where(User.email == "lembaga@example.com"))
    assert provider_user.provider.name == report.demo_provider
    statuses = set(
        db.session.scalars(
            sa.select(Course.status).where(Course.provider_id == provider_user.provider_id)
        )
    )
    assert statuses == set(CourseStatus)


def test_negative_course_count_is_refused(ctx):
    with pytest.raises(ValueError):
        seeding.seed(courses=-1)


def test_demo_participant_holds_a_card_from_a_selected_batch(report):
    from marketplace.core.indonesia import is_end_of_day
    from marketplace.money import cards, ledger
    from marketplace.money.models import Card, CardStatus
    from marketplace.programme.batches import open_batch
    from marketplace.programme.models import Batch, Outcome
    from marketplace.programme.standing import participant_standing

    user = db.session.scalar(sa.select(User).where(User.email == "peserta@example.com"))
    card = db.session.scalar(sa.select(Card).where(Card.participant_id == user.participant.id))
    # The demo participant has bought a course (see test_demo_orders).
    assert card.status is CardStatus.IN_USE and card.first_purchase_at is not None
    assert card.batch.selected_at is not None
    # 30 days to buy, to the end of that day in WIB (23.59).
    assert card.purchase_deadline_at == cards.purchase_deadline(card.issued_at, 30)
    assert is_end_of_day(card.purchase_deadline_at)
    standing = participant_standing(user, utcnow())
    assert standing.latest_application.outcome is Outcome.ACCEPTED
    assert standing.test_done is False and standing.card == card
    # Selection was real: the quota of 8 left four applicants out, with reasons.
    first = db.session.scalar(sa.select(Batch).where(Batch.number == 1))
    outcomes = [application.outcome for application in first.applications]
    assert outcomes.count(Outcome.ACCEPTED) == 8 and outcomes.count(Outcome.REJECTED) == 4
    assert open_batch(utcnow()).number == 2
    assert ledger.verify() == []
    assert "peserta@example.com holds card 5211" in report.describe()


def test_demo_orders_show_a_purchase_a_refund_and_a_redemption(report):
    from marketplace.catalogue.models import SessionStatus
    from marketplace.money import ledger
    from marketplace.money.models import Card, CardStatus
    from marketplace.orders.models import Order, OrderStatus

    user = db.session.scalar(sa.select(User).where(User.email == "peserta@example.com"))
    mine = db.session.scalars(
        sa.select(Order).where(Order.participant_id == user.participant.id).order_by(Order.id)
    ).all()
    # Refunded, then a course completed and reviewed, then one in the middle (demo/journeys.py,
    # `_seed_learning`).
    assert [order.status for order in mine] == [
        OrderStatus.REFUNDED,
        OrderStatus.COMPLETED,
        OrderStatus.REDEEMED,
    ]
    assert mine[0].session.status is SessionStatus.CANCELLED and mine[0].refund_reason
    card = db.session.scalar(sa.select(Card).where(Card.participant_id == user.participant.id))
    assert card.account.balance == 1_000_000 - mine[1].price - mine[2].price
    assert card.status is CardStatus.IN_USE
    statuses = db.session.scalars(sa.select(Order.status)).all()
    assert statuses.count(OrderStatus.REFUNDED) == 4
    # Redeemed: two codes at the running session's start, the demo participant's course in
    # the middle and the course whose skill demonstration waits (the self-paced voucher's
    # order is completed since, with the demo participant's and one more).
    assert statuses.count(OrderStatus.REDEEMED) == 4 and statuses.count(OrderStatus.PAID) == 4
    assert statuses.count(OrderStatus.COMPLETED) == 3
    provider_user = db.session.scalar(sa.select(User).where(User.email == "lembaga@example.com"))
    # Every order is of the demo provider's courses but the two of the reviewed course.
    others = [
        order
        for order in db.session.scalars(sa.select(Order))
        if order.course.provider_id != provider_user.provider_id
    ]
    assert len(others) == 2 and {order.status for order in others} == {OrderStatus.COMPLETED}
    assert ledger.verify() == []
    assert "4 refunded" in report.describe()


def test_demo_running_session_has_its_first_day_marked(report):
    """The demo provider's session that began as the seed ran: three days, three seats, the
    first day marked (two present, one absent), its attendance sheet open now."""
    from marketplace.core.indonesia import jakarta_date

    running = db.session.scalars(sa.select(Attendance.session_id).distinct()).all()
    assert len(running) == 1
    session = db.session.get(CourseSession, running[0])
    provider_user = db.session.scalar(sa.select(User).where(User.email == "lembaga@example.com"))
    assert session.course.provider_id == provider_user.provider_id
    assert session.seats_taken == 3
    sheet = attendance.attendance_sheet(session)
    assert len(sheet.days) == 3 and sheet.days[0] == jakarta_date(session.starts_at)
    assert sorted(row.marks for row in sheet.rows) == [
        (False, None, None),
        (True, None, None),
        (True, None, None),
    ]
    assert attendance.why_not_markable(session, utcnow() + timedelta(minutes=1)) is None
