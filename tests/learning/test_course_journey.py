"""Where one bought course stands (learning/journey.py): the steps and their states for a
self-paced, a webinar and a demonstration course, the course's state, its percent and next
step, a module's `until` (its quiz passed, its minimum time not gone by), the post-test's
tries, and a refund. The clock is the `now` each call is given. Runs on SQLite and PostgreSQL
(scripts/with-postgres.sh)."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy
from support.learning_rows import (
    desk,
    learn_after_start,
    learn_everything,
    learn_modules,
    refund,
    session_order,
    start,
    take,
    write_bank,
)

from marketplace.catalogue.models import Course, CourseSession, Question
from marketplace.extensions import db
from marketplace.learning import attendance, demonstrations, lessons
from marketplace.learning.journey import (
    CourseState,
    StepKind,
    StepState,
    journey,
    learning_percent,
    minimum_time,
)
from marketplace.learning.models import AssessmentKind
from marketplace.orders.models import Order
from marketplace.people.models import User

PRE, MODULE, ATTEND, POST, DEMO = (
    StepKind.PRE_TEST,
    StepKind.MODULE,
    StepKind.ATTENDANCE,
    StepKind.POST_TEST,
    StepKind.DEMONSTRATION,
)
DONE, OPEN, WAITING, LOCKED, FAILED = (
    StepState.DONE,
    StepState.OPEN,
    StepState.WAITING,
    StepState.LOCKED,
    StepState.FAILED,
)
# A factory module is 45 minutes; the 2020 scheme asks for 50% of it, rounded up to a minute.
MODULE_TIME = timedelta(minutes=23)
SECOND = timedelta(seconds=1)


@pytest.fixture
def order(app, shop):
    """The shop's buyer's paid order of the self-paced course (two modules with two quiz
    questions each, six test questions); its id."""
    with app.app_context():
        write_bank(shop.self_paced)
        row = buy(shop, shop.self_paced)
        db.session.commit()
        return row.id


def _order(order_id) -> Order:
    return db.session.get(Order, order_id)


def _shape(where) -> list[tuple[StepKind, StepState]]:
    return [(step.kind, step.state) for step in where.steps]


def _open(row: Order, position: int, now):
    return lessons.open_module(row, row.participant, row.course.modules[position - 1], now)


def _quiz(row: Order, position: int, now, wrong=0):
    return take(row, AssessmentKind.QUIZ, now, module=row.course.modules[position - 1], wrong=wrong)


# --- the minimum time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "percent", "expected"),
    [(45, 50, 23), (45, 100, 45), (60, 50, 30), (1, 50, 1), (10, 1, 1), (45, 0, 0)],
)
def test_a_modules_minimum_time_is_its_share_rounded_up_to_a_minute(minutes, percent, expected):
    from marketplace.catalogue.models import Module

    assert minimum_time(Module(minutes=minutes), percent) == timedelta(minutes=expected)


def test_the_share_is_the_schemes_of_the_card_it_was_bought_with(app, shop, order):
    with app.app_context():
        row = _order(order)
        assert learning_percent(row) == 50
        row.card.scheme.min_learning_percent = 80
        assert learning_percent(row) == 80


# --- a self-paced course ---------------------------------------------------------------------


def test_a_paid_course_not_started_has_every_step_locked(app, shop, order):
    with app.app_context():
        where = journey(_order(order), shop.now)
        assert where.state is CourseState.NOT_STARTED
        assert _shape(where) == [(PRE, LOCKED), (MODULE, LOCKED), (MODULE, LOCKED), (POST, LOCKED)]
        assert where.percent == 0
        assert where.next_step.kind is PRE
        assert [step.module.position for step in where.steps if step.kind is MODULE] == [1, 2]
        assert all(step.has_quiz for step in where.steps if step.kind is MODULE)


def test_a_started_course_opens_the_pre_test_first(app, shop, order):
    with app.app_context():
        row = _order(order)
        start(row, shop.now)
        where = journey(row, shop.now)
        assert where.state is CourseState.IN_PROGRESS
        assert _shape(where) == [(PRE, OPEN), (MODULE, LOCKED), (MODULE, LOCKED), (POST, LOCKED)]
        assert (where.percent, where.next_step.kind) == (0, PRE)
        post = where.step(POST)
        assert (post.tries_left, post.score) == (3, None)


def test_the_pre_test_done_opens_the_first_module(app, shop, order):
    with app.app_context():
        row = _order(order)
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now, wrong=3)
        where = journey(row, shop.now)
        assert _shape(where) == [(PRE, DONE), (MODULE, OPEN), (MODULE, LOCKED), (POST, LOCKED)]
        assert where.step(PRE).score == 50  # 3 of 6 right: the pre-test has no pass mark
        assert where.percent == 25
        assert where.next_step.module.position == 1


def test_an_opened_module_whose_quiz_is_not_passed_stays_open(app, shop, order):
    """Open, not waiting, however long ago it was opened: its quiz is what it needs. `until`
    still says when its minimum time ends, while it has not."""
    with app.app_context():
        row = _order(order)
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        _open(row, 1, shop.now)
        _quiz(row, 1, shop.now, wrong=1)  # 1 of 2 right: 50, below the pass mark
        until = shop.now + MODULE_TIME
        for now, expected_until in (
            (shop.now, until),
            (until - SECOND, until),
            (until, None),
            (shop.now + timedelta(days=3), None),
        ):
            where = journey(row, now)
            step = where.step(MODULE, row.course.modules[0].id)
            assert (step.state, step.until, step.score) == (OPEN, expected_until, 50)
            assert where.state is CourseState.IN_PROGRESS and where.next_step is step


def test_a_passed_quiz_waits_for_the_minimum_time_then_the_module_is_done(app, shop, order):
    with app.app_context():
        row = _order(order)
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        _open(row, 1, shop.now)
        _quiz(row, 1, shop.now + timedelta(minutes=5))
        until = shop.now + MODULE_TIME

        where = journey(row, until - SECOND)
        first = where.step(MODULE, row.course.modules[0].id)
        assert (first.state, first.until, first.score) == (WAITING, until, 100)
        assert where.step(MODULE, row.course.modules[1].id).state is LOCKED
        # Waiting on the clock, not on the provider: still in progress.
        assert where.state is CourseState.IN_PROGRESS
        assert where.next_step is first and where.percent == 25

        where = journey(row, until)
        first = where.step(MODULE, row.course.modules[0].id)
        assert (first.state, first.until) == (DONE, None)
        assert where.step(MODULE, row.course.modules[1].id).state is OPEN
        assert where.percent == 50


def test_a_module_without_a_quiz_is_done_when_its_time_has_gone_by(app, shop, order):
    with app.app_context():
        row = _order(order)
        first = row.course.modules[0]
        db.session.execute(sa.delete(Question).where(Question.module_id == first.id))
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        step = journey(row, shop.now).step(MODULE, first.id)
        assert (step.state, step.has_quiz) == (OPEN, False)
        _open(row, 1, shop.now)
        step = journey(row, shop.now).step(MODULE, first.id)
        assert (step.state, step.until) == (WAITING, shop.now + MODULE_TIME)
        assert journey(row, shop.now + MODULE_TIME).step(MODULE, first.id).state is DONE


def test_every_module_done_opens_the_post_test(app, shop, order):
    with app.app_context():
        row = _order(order)
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        later = learn_modules(row, shop.now)
        where = journey(row, later)
        assert _shape(where) == [(PRE, DONE), (MODULE, DONE), (MODULE, DONE), (POST, OPEN)]
        assert (where.percent, where.next_step.kind) == (75, POST)


def test_the_post_tests_tries_count_down_and_used_up_it_is_not_passed(app, shop, order):
    with app.app_context():
        row = _order(order)
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        later = learn_modules(row, shop.now)
        # 2, 3 and 1 of 6 right: 33, 50 and 16 of 100; the step shows the best so far.
        for tried, (wrong, best) in enumerate(((4, 33), (3, 50), (5, 50)), start=1):
            take(row, AssessmentKind.POST_TEST, later, wrong=wrong)
            post = journey(row, later).step(POST)
            assert (post.tries_left, post.score) == (3 - tried, best)
            if tried < 3:
                assert post.state is OPEN
        where = journey(row, later)
        assert where.step(POST).state is FAILED and where.step(POST).tries_left == 0
        assert where.state is CourseState.NOT_PASSED
        assert where.next_step.kind is POST and where.percent == 75


def test_a_passed_post_test_completes_the_course(app, shop, order):
    with app.app_context():
        row = _order(order)
        finished = learn_everything(row, shop.now)
        where = journey(row, finished)
        assert where.state is CourseState.COMPLETED
        assert {step.state for step in where.steps} == {DONE}
        assert (where.percent, where.next_step) == (100, None)
        assert where.step(POST).score == 100 and where.step(POST).tries_left == 2


def test_a_refunded_course_is_refunded_and_nothing_left_is_open(app, shop, order):
    with app.app_context():
        row = _order(order)
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        refund(row, shop.now)
        where = journey(row, shop.now)
        assert where.state is CourseState.REFUNDED
        assert _shape(where) == [(PRE, DONE), (MODULE, LOCKED), (MODULE, LOCKED), (POST, LOCKED)]


def test_a_refunded_order_never_started_is_refunded(app, shop, order):
    with app.app_context():
        row = _order(order)
        refund(row, shop.now)
        assert journey(row, shop.now).state is CourseState.REFUNDED


# --- a webinar course: attendance instead of modules -----------------------------------------


@pytest.fixture
def webinar(app, shop, factory):
    return session_order(app, shop, factory, days=2)


def _mark(world, marks: dict, now):
    session = db.session.get(CourseSession, world.session)
    who = db.session.get(User, world.desk)
    cells = {(world.order, day): present for day, present in marks.items()}
    attendance.mark(session, who, cells, now)


def test_a_webinar_waits_for_the_providers_attendance_after_the_pre_test(app, shop, webinar):
    with app.app_context():
        row = _order(webinar.order)
        where = journey(row, webinar.starts_at)
        # The provider marks the days whether or not the pre-test is taken.
        assert _shape(where) == [(PRE, OPEN), (ATTEND, WAITING), (POST, LOCKED)]
        assert where.state is CourseState.IN_PROGRESS
        take(row, AssessmentKind.PRE_TEST, webinar.starts_at)
        where = journey(row, webinar.starts_at)
        assert _shape(where) == [(PRE, DONE), (ATTEND, WAITING), (POST, LOCKED)]
        assert where.state is CourseState.WAITING  # on the provider
        assert where.next_step.kind is ATTEND and where.percent == 33


def test_a_webinar_not_yet_redeemed_is_not_started(app, shop, factory):
    with app.app_context():
        row = buy(shop, shop.webinar, shop.webinar_session)
        where = journey(row, shop.now)
        assert where.state is CourseState.NOT_STARTED
        assert _shape(where) == [(PRE, LOCKED), (ATTEND, LOCKED), (POST, LOCKED)]


def test_attendance_on_every_day_opens_the_post_test(app, shop, webinar):
    first, second = webinar.days
    on_day_two = webinar.starts_at + timedelta(days=1, hours=4)
    with app.app_context():
        row = _order(webinar.order)
        take(row, AssessmentKind.PRE_TEST, webinar.starts_at)
        _mark(webinar, {first: True, second: False}, on_day_two)
        assert journey(row, on_day_two).step(ATTEND).state is WAITING
        _mark(webinar, {second: True}, on_day_two)
        where = journey(row, on_day_two)
        assert _shape(where) == [(PRE, DONE), (ATTEND, DONE), (POST, OPEN)]
        assert where.state is CourseState.IN_PROGRESS and where.percent == 66
        take(row, AssessmentKind.POST_TEST, on_day_two)
        assert journey(row, on_day_two).state is CourseState.COMPLETED


def test_a_course_requiring_fewer_days_is_attended_with_fewer(app, shop, webinar):
    first, _ = webinar.days
    with app.app_context():
        db.session.get(Course, shop.webinar).attendance_days_required = 1
        row = _order(webinar.order)
        take(row, AssessmentKind.PRE_TEST, webinar.starts_at)
        _mark(webinar, {first: True}, webinar.starts_at + timedelta(hours=2))
        assert journey(row, webinar.starts_at).step(ATTEND).state is DONE


# --- a course asking for a skill demonstration -----------------------------------------------


def _submit(row: Order, now, tmp_path):
    return demonstrations.submit(
        row,
        row.participant,
        "Saya membuat laporan bulanan.",
        io.BytesIO(b"%PDF-1.4\n"),
        "laporan.pdf",
        tmp_path,
        now,
    )


def test_the_demonstration_is_open_once_started_and_waits_for_the_provider(
    app, shop, order, tmp_path
):
    with app.app_context():
        row = _order(order)
        row.course.needs_demonstration = True
        assert journey(row, shop.now).step(DEMO).state is LOCKED
        start(row, shop.now)
        where = journey(row, shop.now)
        assert _shape(where)[-2:] == [(POST, LOCKED), (DEMO, OPEN)]  # before the pre-test too
        staff = desk(shop.provider_id)
        submitted = _submit(row, shop.now, tmp_path)
        assert journey(row, shop.now).step(DEMO).state is WAITING
        demonstrations.decide(submitted, staff, False, "Tambahkan contoh.", shop.now)
        assert journey(row, shop.now).step(DEMO).state is OPEN

        finished = learn_after_start(row, shop.now)
        where = journey(row, finished)
        assert where.state is CourseState.IN_PROGRESS  # the post-test passed, the demo returned
        assert _shape(where) == [
            (PRE, DONE),
            (MODULE, DONE),
            (MODULE, DONE),
            (POST, DONE),
            (DEMO, OPEN),
        ]
        assert where.percent == 80 and where.next_step.kind is DEMO

        resubmitted = _submit(row, finished, tmp_path)
        where = journey(row, finished)
        assert where.step(DEMO).state is WAITING and where.state is CourseState.WAITING
        demonstrations.decide(resubmitted, staff, True, None, finished)
        assert journey(row, finished).state is CourseState.COMPLETED
