"""Reviews of completed courses (learning/reviews.py): every rule allowed and refused, the
course's rating following the shown review rows, and concurrent reviews leaving the rating
equal to what the rows say. Runs on SQLite and PostgreSQL (scripts/with-postgres.sh)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, race
from support.learning_rows import complete, completed_orders

from marketplace.catalogue.models import Course
from marketplace.core import DomainError
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.learning import reviews
from marketplace.learning.models import Review
from marketplace.orders.models import Order
from marketplace.people.models import Participant, Role, User

TEXT = "Materinya jelas dan langsung bisa dipraktikkan di tempat kerja."


def _order(order_id) -> Order:
    return db.session.get(Order, order_id)


def _participant(participant_id) -> Participant:
    return db.session.get(Participant, participant_id)


def _course(course_id) -> Course:
    course = db.session.get(Course, course_id)
    db.session.refresh(course)
    return course


def _rows_say(course_id) -> tuple[float, int]:
    """(average, count) of the course's shown review rows, counted here."""
    stars = db.session.scalars(
        sa.select(Review.stars).where(Review.course_id == course_id, Review.hidden_at.is_(None))
    ).all()
    return (sum(stars) / len(stars) if stars else 0.0), len(stars)


def _assert_rating_is_the_rows(course_id) -> None:
    course = _course(course_id)
    average, count = _rows_say(course_id)
    assert course.rating_count == count
    assert course.rating_avg == pytest.approx(average, abs=1e-9)
    assert reviews.rating_disagreements() == []


@pytest.fixture
def bought(app, shop):
    """The shop's buyer bought the self-paced course (paid, not completed); the order id."""
    with app.app_context():
        order = buy(shop, shop.self_paced)
        db.session.commit()
        return order.id


@pytest.fixture
def completed(app, shop, bought):
    with app.app_context():
        complete(bought, shop.now)
        db.session.commit()
    return bought


def _write(shop, order_id, stars=5, text=TEXT, who=None):
    order = _order(order_id)
    return reviews.write_review(
        order, _participant(who or order.participant_id), stars, text, shop.now
    )


# --- writing ---------------------------------------------------------------------------------


def test_the_participant_reviews_a_completed_course_and_the_rating_follows(app, shop, completed):
    with app.app_context():
        course = _course(shop.self_paced)
        assert (course.rating_avg, course.rating_count) == (0.0, 0)
        review = _write(shop, completed, stars=4, text=f"  {TEXT}\n\n  ")
        db.session.commit()
        assert review.text == TEXT  # trimmed
        assert (review.stars, review.course_id, review.order_id) == (4, shop.self_paced, completed)
        course = _course(shop.self_paced)
        assert (course.rating_avg, course.rating_count) == (4.0, 1)
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "review.written")
        )
        assert event.subject == f"course_review:{review.id}" and event.detail["stars"] == 4
        assert [row.id for row in reviews.completed_and_reviewed(_participant(shop.buyer))] == [
            completed
        ]


def test_an_order_not_completed_can_not_be_reviewed(app, shop, bought):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _write(shop, bought)
        assert refused.value.message == reviews.NOT_COMPLETED
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0
        assert not reviews.awaiting_review(_order(bought))


def test_only_the_orders_participant_can_review_it(app, shop, completed):
    stranger = completed_orders(app, shop, shop.other, 1)[0][0]
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _write(shop, completed, who=stranger)
        assert refused.value.message == reviews.NOT_YOURS
        with pytest.raises(DomainError):
            reviews.write_review(_order(completed), None, 5, TEXT, shop.now)
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_an_order_is_reviewed_once(app, shop, completed):
    with app.app_context():
        _write(shop, completed, stars=5)
        db.session.commit()
        with pytest.raises(DomainError) as refused:
            _write(shop, completed, stars=1)
        assert refused.value.message == reviews.ALREADY_REVIEWED
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1
        _assert_rating_is_the_rows(shop.self_paced)
        assert _course(shop.self_paced).rating_avg == 5.0


@pytest.mark.parametrize("stars", [0, 6, -1, "x", "5", None, 4.5, True])
def test_stars_are_a_whole_number_from_1_to_5(app, shop, completed, stars):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _write(shop, completed, stars=stars)
        assert refused.value.field == "stars"


@pytest.mark.parametrize("stars", [1, 5])
def test_one_and_five_stars_are_allowed(app, shop, completed, stars):
    with app.app_context():
        assert _write(shop, completed, stars=stars).stars == stars


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Bagus sekali!",  # 13 characters
        "  " + "a" * 19 + "   ",  # 19 once trimmed
        "a" * (reviews.LONGEST_TEXT + 1),
        "Pelatihannya bagus sekali\x00 dan jelas",
        "Pelatihannya bagus sekali\u202e dan jelas",
        None,
    ],
)
def test_the_text_is_20_to_2000_characters_without_control_characters(app, shop, completed, text):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _write(shop, completed, text=text)
        assert refused.value.field == "text"
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_exactly_20_and_2000_characters_are_allowed(app, shop, completed):
    with app.app_context():
        assert len(_write(shop, completed, text=" " + "a" * 20 + " ").text) == 20
        db.session.rollback()
        assert len(_write(shop, completed, text="b" * reviews.LONGEST_TEXT).text) == 2000


# --- the provider's reply --------------------------------------------------------------------


def _staff(app, factory, provider_id=None):
    from marketplace.catalogue.models import Provider

    with app.app_context():
        provider = db.session.get(Provider, provider_id) if provider_id else factory.provider()
    return factory.user(role=Role.PROVIDER, provider=provider)


def test_the_courses_provider_replies_once(app, shop, factory, completed):
    desk = _staff(app, factory, shop.provider_id)
    with app.app_context():
        review = _write(shop, completed)
        db.session.commit()
        user = db.session.get(User, desk.id)
        reviews.reply(review, user, "  Terima kasih atas masukannya!  ", shop.now)
        db.session.commit()
        assert review.reply == "Terima kasih atas masukannya!" and review.replied_by_id == desk.id
        with pytest.raises(DomainError) as refused:
            reviews.reply(review, user, "Balasan kedua", shop.now)
        assert refused.value.message == reviews.ALREADY_REPLIED
        db.session.rollback()
        assert db.session.get(Review, review.id).reply == "Terima kasih atas masukannya!"
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "review.replied")
            )
            == 1
        )


def test_another_provider_nor_a_participant_nor_the_office_can_reply(app, shop, factory, completed):
    other = _staff(app, factory)
    office = factory.user(role=Role.ADMIN)
    with app.app_context():
        review = _write(shop, completed)
        db.session.commit()
        for who in (other, office, _participant(shop.buyer).user):
            with pytest.raises(DomainError):
                reviews.reply(review, db.session.get(User, who.id), "Terima kasih", shop.now)
        assert db.session.get(Review, review.id).reply is None


@pytest.mark.parametrize("text", ["", "   ", "x" * (reviews.LONGEST_REPLY + 1), "a\x1bb"])
def test_a_reply_is_1_to_2000_characters(app, shop, factory, completed, text):
    desk = _staff(app, factory, shop.provider_id)
    with app.app_context():
        review = _write(shop, completed)
        with pytest.raises(DomainError) as refused:
            reviews.reply(review, db.session.get(User, desk.id), text, shop.now)
        assert refused.value.field == "reply"


# --- the office hides and shows again --------------------------------------------------------


def test_a_hidden_review_leaves_the_average_and_unhiding_brings_it_back(app, shop, factory):
    people = completed_orders(app, shop, shop.self_paced, 3)
    office = factory.user(role=Role.ADMIN)
    with app.app_context():
        written = [
            _write(shop, order_id, stars=stars)
            for (_, order_id), stars in zip(people, (5, 4, 1), strict=True)
        ]
        db.session.commit()
        assert _course(shop.self_paced).rating_count == 3
        assert _course(shop.self_paced).rating_avg == pytest.approx(10 / 3)
        admin = db.session.get(User, office.id)
        reviews.hide(written[2], admin, "  Berisi   hinaan  ", shop.now)
        db.session.commit()
        course = _course(shop.self_paced)
        assert (course.rating_avg, course.rating_count) == (4.5, 2)
        assert written[2].hidden_reason == "Berisi hinaan"
        assert reviews.rating_summary(course).counts == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
        assert [row.id for row in reviews.reviews_page(course).items] == [
            written[1].id,
            written[0].id,
        ]
        with pytest.raises(DomainError):
            reviews.hide(written[2], admin, "Lagi", shop.now)
        db.session.rollback()
        reviews.unhide(db.session.get(Review, written[2].id), admin)
        db.session.commit()
        course = _course(shop.self_paced)
        assert course.rating_count == 3 and course.rating_avg == pytest.approx(10 / 3)
        with pytest.raises(DomainError):
            reviews.unhide(db.session.get(Review, written[2].id), admin)
        db.session.rollback()
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action.like("review.%"))
        ).all()
        assert sorted(actions) == sorted(
            ["review.written"] * 3 + ["review.hidden", "review.shown_again"]
        )
        # Hiding every review leaves a course with no rating, not a stale one.
        for review in written:
            reviews.hide(db.session.get(Review, review.id), admin, "Uji", shop.now)
        course = _course(shop.self_paced)
        assert (course.rating_avg, course.rating_count) == (0.0, 0)


def test_only_the_office_hides_and_needs_a_reason(app, shop, factory, completed):
    desk = _staff(app, factory, shop.provider_id)
    office = factory.user(role=Role.ADMIN)
    with app.app_context():
        review = _write(shop, completed)
        db.session.commit()
        with pytest.raises(DomainError):
            reviews.hide(review, db.session.get(User, desk.id), "Tidak suka", shop.now)
        for reason in ("", "   ", None, "x" * (reviews.LONGEST_REASON + 1)):
            with pytest.raises(DomainError) as refused:
                reviews.hide(review, db.session.get(User, office.id), reason, shop.now)
            assert refused.value.field == "reason"
        with pytest.raises(DomainError):
            reviews.unhide(review, db.session.get(User, desk.id))
        db.session.rollback()
        assert db.session.get(Review, review.id).hidden_at is None
        assert _course(shop.self_paced).rating_count == 1


# --- reading ---------------------------------------------------------------------------------


def test_reviews_come_newest_first_in_pages_with_first_names_only(app, shop):
    people = completed_orders(app, shop, shop.self_paced, 12)
    with app.app_context():
        _participant(people[0][0]).full_name = "Rahmat Hidayat Santoso"
        for index, (person, order_id) in enumerate(people):
            order = _order(order_id)
            reviews.write_review(
                order,
                _participant(person),
                1 + index % 5,
                TEXT,
                shop.now + timedelta(minutes=index),
            )
        db.session.commit()
        course = _course(shop.self_paced)
        first = reviews.reviews_page(course, 1)
        second = reviews.reviews_page(course, 2)
        assert (first.total, first.pages, len(first.items), len(second.items)) == (12, 2, 10, 2)
        times = [row.created_at for row in first.items + second.items]
        assert times == sorted(times, reverse=True)
        oldest = second.items[-1]
        assert reviews.first_name(oldest) == "Rahmat"
        summary = reviews.rating_summary(course)
        assert summary.total == 12 and summary.counts == {1: 3, 2: 3, 3: 2, 4: 2, 5: 2}
        assert summary.rows[0] == (5, 2, 17)
        _assert_rating_is_the_rows(shop.self_paced)


def test_completed_and_reviewed_is_only_orders_both_completed_and_reviewed(app, shop):
    ((person, reviewed),) = completed_orders(app, shop, shop.self_paced, 1)
    with app.app_context():
        participant = _participant(person)
        assert reviews.completed_and_reviewed(participant) == []  # completed, not reviewed
        _write(shop, reviewed)
        db.session.commit()
        assert [row.id for row in reviews.completed_and_reviewed(participant)] == [reviewed]
        assert reviews.completed_and_reviewed(_participant(shop.buyer)) == []


# --- concurrency -----------------------------------------------------------------------------


def test_twenty_concurrent_reviews_leave_the_rating_equal_to_the_rows(app, shop):
    people = completed_orders(app, shop, shop.self_paced, 20)

    def review(person, order_id, stars):
        return lambda: (
            reviews.write_review(_order(order_id), _participant(person), stars, TEXT, shop.now).id
        )

    outcomes = race(
        app,
        [review(person, order_id, 1 + i % 5) for i, (person, order_id) in enumerate(people)],
    )
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    with app.app_context():
        course = _course(shop.self_paced)
        assert course.rating_count == 20
        assert course.rating_avg == pytest.approx(3.0)
        _assert_rating_is_the_rows(shop.self_paced)


def test_a_double_submit_makes_one_review(app, shop, completed):
    def review(stars):
        return lambda: _write(shop, completed, stars=stars).id

    outcomes = race(app, [review(5), review(2)])
    made = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert refused[0].message == reviews.ALREADY_REVIEWED
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1
        _assert_rating_is_the_rows(shop.self_paced)
        assert _course(shop.self_paced).rating_count == 1


def test_concurrent_hides_and_reviews_leave_the_rating_equal_to_the_rows(app, shop, factory):
    people = completed_orders(app, shop, shop.self_paced, 10)
    office = factory.user(role=Role.ADMIN)
    with app.app_context():
        first = [
            reviews.write_review(_order(order_id), _participant(person), 5, TEXT, shop.now).id
            for person, order_id in people[:5]
        ]
        db.session.commit()

    def write(person, order_id):
        return lambda: (
            reviews.write_review(_order(order_id), _participant(person), 1, TEXT, shop.now).id
        )

    def hide(review_id):
        return lambda: (
            reviews.hide(
                db.session.get(Review, review_id), db.session.get(User, office.id), "Uji", shop.now
            ).id
        )

    outcomes = race(app, [write(*row) for row in people[5:]] + [hide(row) for row in first])
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    with app.app_context():
        course = _course(shop.self_paced)
        assert (course.rating_avg, course.rating_count) == (1.0, 5)
        _assert_rating_is_the_rows(shop.self_paced)
