"""Completing a course (learning/completion.py): refused with every step still missing, done
once every rule holds (the status, the time, the best post-test score, the audit row, the mail
in the participant's language), idempotent, for self-paced, webinar and demonstration courses;
refunded orders refused; the minimum time checked again at completion on the clock the test
gives. Concurrency: two completions of one order at once complete it once, and two sends of one
post-test try score it once. Runs on SQLite and PostgreSQL (scripts/with-postgres.sh), where
the races are real."""

import contextlib
import io
import threading
from datetime import timedelta

import pytest
from support.checkout_rows import buy, race
from support.learning_rows import (
    desk,
    events,
    learn_after_start,
    learn_modules,
    mails_to,
    refund,
    right_answers,
    session_order,
    start,
    take,
    write_bank,
)

from marketplace.catalogue.models import Course, CourseSession
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.learning import assessments, attendance, completion, demonstrations
from marketplace.learning.completion import MISSING
from marketplace.learning.models import Assessment, AssessmentKind
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import User

PRE, QUIZ, POST = AssessmentKind.PRE_TEST, AssessmentKind.QUIZ, AssessmentKind.POST_TEST
LINK = "http://localhost/account/courses"  # PUBLIC_URL of the tests + COURSES_PATH


def _order(order_id) -> Order:
    return db.session.get(Order, order_id)


@pytest.fixture
def order(app, shop):
    """The shop's buyer's self-paced order (two modules, six test questions), started at
    shop.now; its id."""
    with app.app_context():
        write_bank(shop.self_paced)
        row = buy(shop, shop.self_paced)
        start(row, shop.now)
        db.session.commit()
        return row.id


def _missing(refused: DomainError) -> list[tuple[str, dict]]:
    return [(error.message, error.params) for error in refused.errors]


def _refused(row: Order, now) -> DomainError:
    status, completed_at, score = row.status, row.completed_at, row.score
    with pytest.raises(DomainError) as refused:
        completion.complete(row, now)
    db.session.refresh(row)
    assert (row.status, row.completed_at, row.score) == (status, completed_at, score)
    assert events("order.completed") == []
    _no_completion_mail(row)
    return refused.value


def _completion_mails(row: Order) -> list:
    """The mails telling the order's participant a course is completed (in either language)."""
    return [
        mail
        for mail in mails_to(row.participant.user.email)
        if mail.subject.startswith(("Course completed: ", "Pelatihan selesai: "))
    ]


def _no_completion_mail(row: Order) -> None:
    assert _completion_mails(row) == []


def _demonstration(row: Order, now, tmp_path):
    return demonstrations.submit(
        row,
        row.participant,
        "Saya membuat laporan bulanan.",
        io.BytesIO(b"%PDF-1.4\n"),
        "laporan.pdf",
        tmp_path,
        now,
    )


# --- refused: every step missing is listed -----------------------------------------------------


def test_a_course_just_started_lists_every_step(app, shop, order):
    with app.app_context():
        refused = _refused(_order(order), shop.now)
        assert _missing(refused) == [
            (MISSING["pre_test"], {}),
            (MISSING["module"], {"number": 1}),
            (MISSING["module"], {"number": 2}),
            (MISSING["post_test"], {}),
        ]
        assert refused.message == MISSING["pre_test"]  # the first, for code that shows one


def test_only_the_steps_still_missing_are_listed(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        learn_modules(row, shop.now)
        # The modules' minimum time has not gone by at shop.now: both still missing.
        assert _missing(_refused(row, shop.now)) == [
            (MISSING["module"], {"number": 1}),
            (MISSING["module"], {"number": 2}),
            (MISSING["post_test"], {}),
        ]
        later = shop.now + timedelta(minutes=46)
        assert _missing(_refused(row, later)) == [(MISSING["post_test"], {})]
        assert completion.missing(row, later) != []
        assert completion.complete_if_ready(row, later) is False
        assert row.status is OrderStatus.REDEEMED


def test_a_post_test_not_passed_in_its_tries_is_missing(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        later = learn_modules(row, shop.now)
        for _ in range(3):
            take(row, POST, later, wrong=3)
        assert _missing(_refused(row, later)) == [(MISSING["post_test"], {})]


def test_a_course_not_started_is_refused(app, shop):
    with app.app_context():
        row = buy(shop, shop.self_paced)
        refused = _refused(row, shop.now)
        assert (
            refused.message == "Start the course first: type its voucher code on the course's page."
        )
        assert completion.complete_if_ready(row, shop.now) is False


def test_a_refunded_order_is_refused(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        later = learn_modules(row, shop.now)
        refund(row, later)
        refused = _refused(row, later)
        assert refused.message == "This order was refunded: its course is closed."
        assert completion.complete_if_ready(row, later) is False
        assert row.status is OrderStatus.REFUNDED


# --- completed ---------------------------------------------------------------------------------


def test_passing_the_post_test_completes_with_the_best_score(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        later = learn_modules(row, shop.now)
        take(row, POST, later, wrong=3)  # 50: not passed
        assert row.status is OrderStatus.REDEEMED
        finished = later + timedelta(minutes=30)
        take(row, POST, finished, wrong=1)  # 83: passed, and every other step is done
        assert row.status is OrderStatus.COMPLETED
        assert (row.completed_at, row.score) == (finished, 83)
        (event,) = events("order.completed", f"order:{order}")
        assert event.actor_id == row.participant.user_id
        assert event.detail == {
            "participant_id": row.participant_id,
            "course_id": shop.self_paced,
            "score": 83,
        }


def test_the_participant_is_mailed_in_english_with_the_courses_link(app, shop, order):
    with app.app_context():
        row = _order(order)
        assert row.participant.user.locale == "en"
        learn_after_start(row, shop.now, wrong=1)
        (mail,) = _completion_mails(row)
        assert mail.subject == f"Course completed: {row.course.title}"
        assert f"You completed {row.course.title} on " in mail.body
        assert "post-test score of 83 of 100" in mail.body
        assert LINK in mail.body.split()


def test_the_participant_is_mailed_in_indonesian_when_that_is_their_language(app, shop, order):
    with app.app_context():
        row = _order(order)
        row.participant.user.locale = "id"
        learn_after_start(row, shop.now)
        (mail,) = _completion_mails(row)
        assert mail.subject == f"Pelatihan selesai: {row.course.title}"
        assert f"Anda menyelesaikan {row.course.title} pada " in mail.body
        assert "nilai post-test 100 dari 100" in mail.body
        assert LINK in mail.body.split()


def test_completing_again_changes_nothing(app, shop, order):
    with app.app_context():
        row = _order(order)
        finished = learn_after_start(row, shop.now)
        db.session.commit()
        mails = len(mails_to(row.participant.user.email))
        later = finished + timedelta(days=2)
        assert completion.complete(row, later) is row
        assert completion.complete_if_ready(row, later) is True
        db.session.commit()
        db.session.expire_all()
        row = _order(order)
        assert (row.status, row.completed_at, row.score) == (
            OrderStatus.COMPLETED,
            finished,
            100,
        )
        assert len(events("order.completed")) == 1
        assert len(mails_to(row.participant.user.email)) == mails
        assert len(_completion_mails(row)) == 1


def test_complete_itself_completes_when_every_step_is_done(app, shop, order):
    """Every step done, the order not completed yet (the course asked for a demonstration when
    the post-test was passed, and no longer does): the participant's own call completes it."""
    with app.app_context():
        row = _order(order)
        _all_done_but_not_completed(row, shop.now)
        when = shop.now + timedelta(hours=5)
        assert completion.missing(row, when) == []
        assert completion.complete(row, when) is row
        assert (row.status, row.completed_at, row.score) == (OrderStatus.COMPLETED, when, 83)
        assert len(events("order.completed")) == 1
        assert len(_completion_mails(row)) == 1


def _all_done_but_not_completed(row: Order, now):
    row.course.needs_demonstration = True
    finished = learn_after_start(row, now, wrong=1)
    assert row.status is OrderStatus.REDEEMED
    row.course.needs_demonstration = False
    db.session.flush()
    return finished


# --- the minimum time, checked again at completion -----------------------------------------------


def test_the_minimum_time_is_checked_again_at_completion(app, shop, order, tmp_path):
    """The modules were learned at the scheme's 50%; the office raises it to 100% before the
    demonstration, the last step, is passed: module 2 (opened 23 minutes after module 1) is
    not done until 45 minutes after it was opened, to the second."""
    with app.app_context():
        row = _order(order)
        row.course.needs_demonstration = True
        finished = learn_after_start(row, shop.now)  # module 2 opened at +23 min
        assert finished == shop.now + timedelta(minutes=46)
        row.card.scheme.min_learning_percent = 100
        module_two_done = shop.now + timedelta(minutes=23 + 45)

        staff = desk(shop.provider_id)
        demonstrations.decide(_demonstration(row, finished, tmp_path), staff, True, None, finished)
        assert row.status is OrderStatus.REDEEMED  # its completion was refused

        assert _missing(_refused(row, finished)) == [(MISSING["module"], {"number": 2})]
        last_second = module_two_done - timedelta(seconds=1)
        assert _missing(_refused(row, last_second)) == [(MISSING["module"], {"number": 2})]
        completion.complete(row, module_two_done)
        assert (row.status, row.completed_at) == (OrderStatus.COMPLETED, module_two_done)


# --- a webinar course: attendance and the post-test ----------------------------------------------


@pytest.fixture
def webinar(app, shop, factory):
    return session_order(app, shop, factory, days=2)


def _mark(world, marks: dict, now):
    session = db.session.get(CourseSession, world.session)
    cells = {(world.order, day): present for day, present in marks.items()}
    attendance.mark(session, db.session.get(User, world.desk), cells, now)


def test_a_webinar_needs_the_attendance_and_the_passed_post_test(app, shop, webinar):
    first, second = webinar.days
    on_day_two = webinar.starts_at + timedelta(days=1, hours=4)
    with app.app_context():
        row = _order(webinar.order)
        take(row, PRE, webinar.starts_at)
        assert _missing(_refused(row, on_day_two)) == [
            (MISSING["attendance"], {}),
            (MISSING["post_test"], {}),
        ]
        _mark(webinar, {first: True, second: False}, on_day_two)
        assert _missing(_refused(row, on_day_two))[0] == (MISSING["attendance"], {})
        _mark(webinar, {second: True}, on_day_two)
        assert _missing(_refused(row, on_day_two)) == [(MISSING["post_test"], {})]
        take(row, POST, on_day_two, wrong=3)  # 50: not passed
        assert _missing(_refused(row, on_day_two)) == [(MISSING["post_test"], {})]
        take(row, POST, on_day_two, wrong=2)  # 66: passed
        assert (row.status, row.completed_at, row.score) == (
            OrderStatus.COMPLETED,
            on_day_two,
            66,
        )


def test_a_webinar_whose_attendance_is_taken_back_is_not_completed(app, shop, webinar):
    """The provider marks a day absent again after the post-test opened: the post-test is
    closed again and completion refused."""
    first, second = webinar.days
    on_day_two = webinar.starts_at + timedelta(days=1, hours=4)
    with app.app_context():
        row = _order(webinar.order)
        db.session.get(Course, shop.webinar).needs_demonstration = True
        take(row, PRE, webinar.starts_at)
        _mark(webinar, {first: True, second: True}, on_day_two)
        take(row, POST, on_day_two)
        _mark(webinar, {second: False}, on_day_two)
        db.session.get(Course, shop.webinar).needs_demonstration = False
        assert _missing(_refused(row, on_day_two)) == [(MISSING["attendance"], {})]


# --- a course asking for a skill demonstration ----------------------------------------------------


def test_a_demonstration_course_needs_the_demonstration_passed(app, shop, order, tmp_path):
    with app.app_context():
        row = _order(order)
        row.course.needs_demonstration = True
        finished = learn_after_start(row, shop.now)
        assert row.status is OrderStatus.REDEEMED
        assert _missing(_refused(row, finished)) == [(MISSING["demonstration"], {})]

        staff = desk(shop.provider_id)
        first = _demonstration(row, finished, tmp_path)
        assert _missing(_refused(row, finished)) == [(MISSING["demonstration"], {})]
        demonstrations.decide(first, staff, False, "Tambahkan contoh perhitungan.", finished)
        assert _missing(_refused(row, finished)) == [(MISSING["demonstration"], {})]

        second = _demonstration(row, finished, tmp_path)
        decided_at = finished + timedelta(days=1)
        demonstrations.decide(second, staff, True, None, decided_at)
        assert (row.status, row.completed_at, row.score) == (
            OrderStatus.COMPLETED,
            decided_at,
            100,
        )
        (completed,) = events("order.completed")
        assert completed.actor_id == staff.id  # the provider's decision finished it


# --- concurrency -------------------------------------------------------------------------------


def test_two_completions_at_once_complete_once(app, shop, order, monkeypatch):
    with app.app_context():
        _all_done_but_not_completed(_order(order), shop.now)
        db.session.commit()
        on_postgres = db.engine.dialect.name == "postgresql"
    when = shop.now + timedelta(hours=1)
    if on_postgres:
        # Each completion waits (2 s at most) for the other where it checks the steps: were
        # they not one after the other under the order's lock, both would check, and both
        # write, at once. SQLite runs each request's transaction whole (BEGIN IMMEDIATE).
        meet = threading.Barrier(2)
        checked = completion.missing

        def missing_when_both_are_here(row, now):
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait(timeout=2)
            return checked(row, now)

        monkeypatch.setattr(completion, "missing", missing_when_both_are_here)

    def complete():
        return completion.complete(_order(order), when).id

    outcomes = race(app, [complete, complete])
    assert outcomes == [order, order], outcomes
    with app.app_context():
        row = _order(order)
        assert (row.status, row.completed_at, row.score) == (OrderStatus.COMPLETED, when, 83)
        assert len(events("order.completed", f"order:{order}")) == 1
        assert len(_completion_mails(row)) == 1


def test_two_sends_of_one_post_test_try_score_it_once(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        later = learn_modules(row, shop.now)
        attempt = assessments.start(row, row.participant, POST, later)
        all_right = right_answers(attempt)
        half_right = right_answers(attempt, wrong=3)
        attempt_id = attempt.id
        db.session.commit()
        on_postgres = db.engine.dialect.name == "postgresql"

    # On PostgreSQL both sends read the open try (and the course still open) before either
    # writes, so only the conditional UPDATE stands between them. SQLite runs each request's
    # transaction whole, one after the other (BEGIN IMMEDIATE): no barrier there, it would
    # wait for a send that waits for the lock.
    read_both = threading.Barrier(2, timeout=30) if on_postgres else None

    def send(answers):
        def work():
            sent = db.session.get(Assessment, attempt_id)
            row = _order(order)
            who = row.participant
            assessments.questions(sent)
            if read_both is not None:
                read_both.wait()
            return assessments.submit(sent, who, answers, later).score

        return work

    outcomes = race(app, [send(all_right), send(half_right)])
    scored = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(scored) == 1 and len(refused) == 1, outcomes
    with app.app_context():
        stored = db.session.get(Assessment, attempt_id)
        assert stored.score == scored[0] and stored.submitted_at == later
        assert len(events("post_test.submitted", f"order:{order}")) == 1
        row = _order(order)
        # The score that won decides: 100 passes and completes the course (once), 50 does not.
        completed = scored[0] == 100
        assert (row.status is OrderStatus.COMPLETED) is completed
        assert len(events("order.completed")) == (1 if completed else 0)
        if completed:
            assert row.score == 100
        else:
            _no_completion_mail(row)


def test_the_demonstration_passed_while_the_post_test_is_sent_completes_once(
    app, shop, order, tmp_path
):
    """The two last steps finished at once, each in its own request that commits: the course
    is completed, once, whichever checks second (each checks under the order's lock)."""
    with app.app_context():
        row = _order(order)
        row.course.needs_demonstration = True
        take(row, PRE, shop.now)
        later = learn_modules(row, shop.now)
        attempt = assessments.start(row, row.participant, POST, later)
        answers = right_answers(attempt)
        sent = _demonstration(row, later, tmp_path)
        staff = desk(shop.provider_id)
        attempt_id, sent_id, staff_id = attempt.id, sent.id, staff.id
        db.session.commit()

    def post_test():
        attempt = db.session.get(Assessment, attempt_id)
        return assessments.submit(attempt, attempt.order.participant, answers, later).passed

    def decision():
        sent = db.session.get(demonstrations.Demonstration, sent_id)
        staff = db.session.get(User, staff_id)
        return demonstrations.decide(sent, staff, True, None, later).status.value

    outcomes = race(app, [post_test, decision])
    assert sorted(map(str, outcomes)) == ["True", "passed"], outcomes
    with app.app_context():
        assert _order(order).status is OrderStatus.COMPLETED
        assert len(events("order.completed", f"order:{order}")) == 1
