"""Tests and quizzes (learning/assessments.py): the pre-test once, a quiz until passed, the
post-test at the course's pass mark within its tries; the try still open given back, not a new
one; answers that are not the try's, missing or out of range refused with nothing stored; the
questions drawn from the course's own bank; the score counted by the server. Runs on SQLite and
PostgreSQL (scripts/with-postgres.sh)."""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_holders, race
from support.learning_rows import (
    events,
    learn_modules,
    right_answers,
    session_order,
    start,
    take,
    write_bank,
)

from marketplace.catalogue import question_bank
from marketplace.catalogue.models import Course, Question
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.learning import assessments, lessons
from marketplace.learning.models import Assessment, AssessmentKind, ModuleProgress
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant

PRE, QUIZ, POST = AssessmentKind.PRE_TEST, AssessmentKind.QUIZ, AssessmentKind.POST_TEST


def _order(order_id) -> Order:
    return db.session.get(Order, order_id)


def _tries(order_id, kind=None) -> list[Assessment]:
    query = sa.select(Assessment).where(Assessment.order_id == order_id).order_by(Assessment.id)
    if kind is not None:
        query = query.where(Assessment.kind == kind)
    return list(db.session.scalars(query))


def _begin(row: Order, kind, now, module=None, **kwargs) -> Assessment:
    return assessments.start(row, row.participant, kind, now, module=module, **kwargs)


def _refused_start(row: Order, kind, now, module=None, who=None) -> DomainError:
    before = [attempt.id for attempt in _tries(row.id)]
    with pytest.raises(DomainError) as refused:
        assessments.start(row, who or row.participant, kind, now, module=module)
    assert [attempt.id for attempt in _tries(row.id)] == before
    return refused.value


def _bought(app, shop, tests=6) -> int:
    with app.app_context():
        write_bank(shop.self_paced, tests=tests)
        row = buy(shop, shop.self_paced)
        start(row, shop.now)
        db.session.commit()
        return row.id


@pytest.fixture
def order(app, shop):
    """The shop's buyer's self-paced order, started at shop.now; six test questions."""
    return _bought(app, shop)


def _to_post_test(row: Order, now):
    """Take the pre-test and learn every module: the time the post-test opens."""
    take(row, PRE, now)
    return learn_modules(row, now)


# --- the pre-test ----------------------------------------------------------------------------


def test_the_pre_test_is_scored_without_a_pass_mark_and_taken_once(app, shop, order):
    with app.app_context():
        row = _order(order)
        attempt = take(row, PRE, shop.now, wrong=5)
        assert (attempt.number, attempt.score, attempt.passed) == (1, 16, None)
        assert attempt.submitted_at == shop.now
        refused = _refused_start(row, PRE, shop.now + timedelta(days=1))
        assert refused.message == "You have already taken the pre-test. It is taken once."


def test_starting_again_gives_back_the_open_try(app, shop, order):
    with app.app_context():
        row = _order(order)
        first = _begin(row, PRE, shop.now)
        again = _begin(row, PRE, shop.now + timedelta(hours=1))
        assert again.id == first.id and again.started_at == shop.now
        assert again.question_ids == first.question_ids
        assert len(_tries(order)) == 1


# --- module quizzes --------------------------------------------------------------------------


def _module(row: Order, position: int):
    return lessons.module_of(row, position)


def test_a_quiz_is_taken_again_until_it_is_passed(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        module = _module(row, 1)
        lessons.open_module(row, row.participant, module, shop.now)
        failed = take(row, QUIZ, shop.now, module=module, wrong=1)
        assert (failed.number, failed.score, failed.passed) == (1, 50, False)
        assert db.session.get(ModuleProgress, (order, module.id)).quiz_passed_at is None
        passed_at = shop.now + timedelta(minutes=2)
        passed = take(row, QUIZ, passed_at, module=module)
        assert (passed.number, passed.score, passed.passed) == (2, 100, True)
        assert db.session.get(ModuleProgress, (order, module.id)).quiz_passed_at == passed_at
        refused = _refused_start(row, QUIZ, passed_at, module=module)
        assert refused.message == "You have already passed this quiz."


def test_a_quiz_asks_all_of_its_modules_questions_and_no_other(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        module = _module(row, 1)
        lessons.open_module(row, row.participant, module, shop.now)
        attempt = _begin(row, QUIZ, shop.now, module=module)
        own = db.session.scalars(
            sa.select(Question.id).where(Question.module_id == module.id).order_by(Question.id)
        ).all()
        assert attempt.question_ids == own and len(own) == 2


def test_a_quiz_waits_for_its_module_to_be_opened(app, shop, order):
    with app.app_context():
        row = _order(order)
        refused = _refused_start(row, QUIZ, shop.now, module=_module(row, 1))
        assert refused.message == "Take the pre-test first: the modules open after it."
        take(row, PRE, shop.now)
        refused = _refused_start(row, QUIZ, shop.now, module=_module(row, 1))
        assert refused.message == "Open the module and read its lesson first."
        refused = _refused_start(row, QUIZ, shop.now, module=_module(row, 2))
        assert refused.params == {"number": 1}  # module 1 comes first


def test_a_module_without_questions_has_no_quiz(app, shop, order):
    with app.app_context():
        row = _order(order)
        module = _module(row, 1)
        db.session.execute(sa.delete(Question).where(Question.module_id == module.id))
        take(row, PRE, shop.now)
        lessons.open_module(row, row.participant, module, shop.now)
        assert _refused_start(row, QUIZ, shop.now, module=module).message == (
            "This module has no quiz."
        )


def test_a_quiz_needs_its_module_and_only_a_quiz_has_one(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        elsewhere = db.session.get(Course, shop.other).modules[0]
        for kind, module in ((QUIZ, None), (POST, _module(row, 1)), (QUIZ, elsewhere)):
            refused = _refused_start(row, kind, shop.now, module=module)
            assert refused.message == "This test is not part of your course."


def test_a_webinars_modules_have_no_quiz_here(app, shop, factory):
    """A webinar's modules are its syllabus: no quiz is taken of them (asking for one once
    failed with a 500)."""
    world = session_order(app, shop, factory)
    with app.app_context():
        row = _order(world.order)
        take(row, PRE, world.starts_at)
        refused = _refused_start(row, QUIZ, world.starts_at, module=_module(row, 1))
        assert refused.message == "This test is not part of your course."


# --- the post-test ---------------------------------------------------------------------------


def test_the_post_test_opens_when_every_module_is_done(app, shop, order):
    with app.app_context():
        row = _order(order)
        assert _refused_start(row, POST, shop.now).message == (
            "Take the pre-test first: the post-test comes at the end."
        )
        take(row, PRE, shop.now)
        assert _refused_start(row, POST, shop.now).message == (
            "The post-test opens when you have finished every module."
        )
        opens = learn_modules(row, shop.now)
        last_until = opens  # the last module's minimum time ends as the post-test opens
        refused = _refused_start(row, POST, last_until - timedelta(seconds=1))
        assert refused.message.startswith("You can continue at %(when)s")
        assert refused.params == {"when": last_until}
        assert _begin(row, POST, last_until).number == 1


def test_a_locked_post_test_names_the_time_only_when_only_time_is_left(app, shop, order):
    with app.app_context():
        row = _order(order)
        take(row, PRE, shop.now)
        lessons.open_module(row, row.participant, _module(row, 1), shop.now)
        take(row, QUIZ, shop.now, module=_module(row, 1))
        second_opened = shop.now + timedelta(minutes=23)  # module 1's minimum time
        lessons.open_module(row, row.participant, _module(row, 2), second_opened)
        # Module 2's quiz not passed, its minimum time not gone by: the quiz is what is
        # missing, not the time.
        refused = _refused_start(row, POST, second_opened + timedelta(minutes=1))
        assert refused.message == "The post-test opens when you have finished every module."
        take(row, QUIZ, second_opened, module=_module(row, 2))
        refused = _refused_start(row, POST, second_opened + timedelta(minutes=1))
        assert refused.params == {"when": second_opened + timedelta(minutes=23)}


@pytest.mark.parametrize(
    ("pass_mark", "wrong", "passes"),
    [(60, 4, True), (60, 5, False), (61, 4, False), (50, 5, True), (100, 0, True), (100, 1, False)],
)
def test_the_post_test_is_passed_at_the_courses_pass_mark(app, shop, pass_mark, wrong, passes):
    order = _bought(app, shop, tests=10)  # all ten drawn: each right answer is 10 of 100
    with app.app_context():
        row = _order(order)
        row.course.pass_mark = pass_mark
        now = _to_post_test(row, shop.now)
        attempt = take(row, POST, now, wrong=wrong)
        assert attempt.score == (10 - wrong) * 10
        assert attempt.passed is passes
        assert (row.status is OrderStatus.COMPLETED) is passes


def test_the_post_test_has_three_tries_by_default(app, shop, order):
    with app.app_context():
        row = _order(order)
        now = _to_post_test(row, shop.now)
        for number in (1, 2, 3):
            assert take(row, POST, now, wrong=3).number == number  # 50: not passed
        refused = _refused_start(row, POST, now + timedelta(days=1))
        assert refused.message.startswith("You have used all %(tries)s tries of the post-test.")
        assert refused.params == {"tries": 3}
        assert len(_tries(order, POST)) == 3


@pytest.mark.parametrize("tries", [1, 5])
def test_the_number_of_tries_is_the_courses(app, shop, order, tries):
    with app.app_context():
        row = _order(order)
        row.course.test_tries = tries
        now = _to_post_test(row, shop.now)
        for _ in range(tries):
            take(row, POST, now, wrong=3)
        assert _refused_start(row, POST, now).params == {"tries": tries}


def test_a_passed_post_test_is_not_taken_again(app, shop, order):
    with app.app_context():
        row = _order(order)
        row.course.needs_demonstration = True  # so passing it does not complete the course
        now = _to_post_test(row, shop.now)
        take(row, POST, now, wrong=1)
        assert row.status is OrderStatus.REDEEMED
        refused = _refused_start(row, POST, now)
        assert refused.message == "You have already passed the post-test."


def test_a_try_is_counted_when_it_starts_and_given_back_while_open(app, shop, order):
    with app.app_context():
        row = _order(order)
        now = _to_post_test(row, shop.now)
        first = _begin(row, POST, now)
        assert _begin(row, POST, now + timedelta(hours=1)).id == first.id  # left the page
        assessments.submit(first, row.participant, right_answers(first, wrong=3), now)
        second = _begin(row, POST, now + timedelta(hours=2))
        assert second.id != first.id and second.number == 2
        assert assessments.open_try(row, POST) == second


# --- the questions drawn -----------------------------------------------------------------------


def test_tests_draw_from_the_courses_own_bank_without_quiz_questions(app, shop):
    order = _bought(app, shop, tests=14)
    with app.app_context():
        write_bank(shop.other, tests=14)  # another course's bank, as large
        row = _order(order)
        bank = set(
            db.session.scalars(
                sa.select(Question.id).where(
                    Question.course_id == shop.self_paced, Question.module_id.is_(None)
                )
            )
        )
        assert len(bank) == 14
        attempt = _begin(row, PRE, shop.now, rng=random.Random(7))
        drawn = attempt.question_ids
        assert len(drawn) == assessments.TEST_QUESTIONS == 10
        assert len(set(drawn)) == 10 and set(drawn) <= bank
        assert [question.id for question in assessments.questions(attempt)] == drawn


def test_a_post_test_draws_anew_for_each_try(app, shop):
    order = _bought(app, shop, tests=14)
    with app.app_context():
        row = _order(order)
        now = _to_post_test(row, shop.now)
        draws = []
        for seed in (1, 2):
            attempt = _begin(row, POST, now, rng=random.Random(seed))
            draws.append(attempt.question_ids)
            assessments.submit(attempt, row.participant, right_answers(attempt, wrong=10), now)
        assert draws[0] != draws[1]


def test_a_test_without_questions_says_it_is_not_ready(app, shop):
    with app.app_context():
        row = buy(shop, shop.self_paced)  # no bank written at all
        start(row, shop.now)
        refused = _refused_start(row, PRE, shop.now)
        assert refused.message == assessments.NOT_READY
        assert _tries(row.id) == []


def test_quiz_questions_alone_do_not_make_a_post_test(app, shop):
    with app.app_context():
        write_bank(shop.self_paced, tests=0)  # quiz questions only
        course = db.session.get(Course, shop.self_paced)
        row = buy(shop, shop.self_paced)
        start(row, shop.now)
        question_bank.add_question(course, "Pre-test?", ["Ya", "Tidak"], 0)
        now = _to_post_test(row, shop.now)
        db.session.execute(
            sa.delete(Question).where(Question.course_id == course.id, Question.module_id.is_(None))
        )
        refused = _refused_start(row, POST, now)
        assert refused.message == assessments.NOT_READY


# --- answers: the server scores them, and refuses what is not the try's -------------------------


def test_the_server_scores_the_answers_and_keeps_them(app, shop):
    order = _bought(app, shop, tests=7)
    with app.app_context():
        row = _order(order)
        now = _to_post_test(row, shop.now)
        attempt = _begin(row, POST, now)
        answers = right_answers(attempt, wrong=2)
        submitted_at = now + timedelta(minutes=9)
        assessments.submit(attempt, row.participant, answers, submitted_at)
        stored = db.session.get(Assessment, attempt.id)
        assert stored.score == 5 * 100 // 7 == 71  # rounded down
        assert stored.passed is True and stored.submitted_at == submitted_at
        assert stored.answers == [answers[question_id] for question_id in attempt.question_ids]
        (event,) = events("post_test.submitted", f"order:{order}")
        assert event.detail == {"module_id": None, "number": 1, "score": 71, "passed": True}


def _submit_refused(row: Order, attempt: Assessment, answers, now) -> DomainError:
    with pytest.raises(DomainError) as refused:
        assessments.submit(attempt, row.participant, answers, now)
    db.session.expire_all()
    stored = db.session.get(Assessment, attempt.id)
    assert (stored.submitted_at, stored.answers, stored.score, stored.passed) == (
        None,
        None,
        None,
        None,
    )
    assert events(f"{attempt.kind.value}.submitted", f"order:{row.id}") == []
    return refused.value


@pytest.fixture
def open_post_test(app, shop, order):
    """(order id, the open post-test try's id, the time), committed."""
    with app.app_context():
        row = _order(order)
        now = _to_post_test(row, shop.now)
        attempt = _begin(row, POST, now)
        db.session.commit()
        return order, attempt.id, now


def _loaded(open_post_test):
    order, attempt_id, now = open_post_test
    return _order(order), db.session.get(Assessment, attempt_id), now


def test_a_question_not_in_the_try_is_refused(app, shop, open_post_test):
    with app.app_context():
        row, attempt, now = _loaded(open_post_test)
        write_bank(shop.other, tests=1)
        stranger = db.session.scalar(
            sa.select(Question.id).where(Question.course_id == shop.other).limit(1)
        )
        quiz_question = db.session.scalar(
            sa.select(Question.id).where(Question.module_id.is_not(None)).limit(1)
        )
        for tampered in (stranger, quiz_question, 10**9, -1, str(attempt.question_ids[0])):
            answers = right_answers(attempt)
            answers[tampered] = 0
            refused = _submit_refused(row, attempt, answers, now)
            assert refused.message == assessments.NOT_IN_TRY


def test_every_question_must_be_answered(app, shop, open_post_test):
    with app.app_context():
        row, attempt, now = _loaded(open_post_test)
        answers = right_answers(attempt)
        left_out = attempt.question_ids[1::2]
        for question_id in left_out:
            del answers[question_id]
        refused = _submit_refused(row, attempt, answers, now)
        assert [(error.message, error.field) for error in refused.errors] == [
            (assessments.ANSWER_EVERY, f"answer-{question_id}") for question_id in left_out
        ]
        assert _submit_refused(row, attempt, {}, now).message == assessments.ANSWER_EVERY


@pytest.mark.parametrize("choice", [4, 99, -1, "1", 1.0, None, [0], True, False])
def test_a_choice_that_is_not_one_of_the_questions_is_refused(app, shop, open_post_test, choice):
    with app.app_context():
        row, attempt, now = _loaded(open_post_test)
        answers = right_answers(attempt)
        tampered = attempt.question_ids[2]
        answers[tampered] = choice
        refused = _submit_refused(row, attempt, answers, now)
        assert [(error.message, error.field) for error in refused.errors] == [
            (assessments.CHOOSE_ONE, f"answer-{tampered}")
        ]


def test_the_last_choice_is_one_of_them(app, shop, open_post_test):
    with app.app_context():
        row, attempt, now = _loaded(open_post_test)
        answers = {question_id: 3 for question_id in attempt.question_ids}  # four choices each
        assert assessments.submit(attempt, row.participant, answers, now).score is not None


def test_a_try_is_sent_once(app, shop, open_post_test):
    with app.app_context():
        row, attempt, now = _loaded(open_post_test)
        row.course.needs_demonstration = True  # the course stays open after the pass
        assessments.submit(attempt, row.participant, right_answers(attempt, wrong=3), now)
        with pytest.raises(DomainError) as refused:
            later = now + timedelta(minutes=1)
            assessments.submit(attempt, row.participant, right_answers(attempt), later)
        assert refused.value.message == assessments.SUBMITTED
        stored = db.session.get(Assessment, attempt.id)
        assert (stored.score, stored.submitted_at) == (50, now)
        assert len(events("post_test.submitted")) == 1


def test_another_participant_can_neither_start_nor_send(app, shop, open_post_test):
    (stranger,) = card_holders(app, 1, shop.now)
    with app.app_context():
        row, attempt, now = _loaded(open_post_test)
        who = db.session.get(Participant, stranger)
        refused = _refused_start(row, POST, now, who=who)
        assert refused.message == "This test is not part of your course."
        with pytest.raises(DomainError) as refused:
            assessments.submit(attempt, who, right_answers(attempt), now)
        assert refused.value.message == "This test is not part of your course."
        assert db.session.get(Assessment, attempt.id).submitted_at is None


# --- concurrency -------------------------------------------------------------------------------


def test_two_starts_of_the_same_test_at_once_make_one_try(app, shop, order):
    def begin():
        row = _order(order)
        return assessments.start(row, row.participant, PRE, shop.now).id

    outcomes = race(app, [begin, begin])
    assert len(outcomes) == 2 and all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert outcomes[0] == outcomes[1]
    with app.app_context():
        assert [(attempt.kind, attempt.number) for attempt in _tries(order)] == [(PRE, 1)]


def test_a_try_whose_questions_left_the_bank_is_refused_not_divided_by_zero(
    app, shop, open_post_test
):
    with app.app_context():
        row, attempt, now = _loaded(open_post_test)
        db.session.execute(sa.delete(Question).where(Question.id.in_(attempt.question_ids)))
        with pytest.raises(DomainError) as refused:
            assessments.submit(attempt, row.participant, {}, now)
        assert refused.value.message == assessments.NOT_READY
        assert attempt.submitted_at is None
