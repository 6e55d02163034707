"""The pre-test, the module quizzes and the post-test of a course: drawn, answered and scored
by the server alone.

- The pre-test and the post-test draw up to `TEST_QUESTIONS` questions from the course's
  bank (its questions without a module); a quiz asks all of its module's questions.
- The pre-test is taken once and has no pass mark: it shows where the participant starts.
  A quiz can be taken again until it is passed. The post-test is passed at the course's
  `pass_mark` (of 100) within its `test_tries`.
- `start` opens a try (or returns the one still open: a try is counted when it starts, so
  leaving the page does not give another); `submit` scores it from the answers the server
  stored against the questions it drew. The browser sends only question ids and choice
  indexes: a question that is not in the try, a missing answer or a choice out of range is
  refused and nothing is stored. Scores, times and tries are never read from the browser.
- Passing a post-test completes the course when every other step is done
  (`completion.complete_if_ready`).
"""

import secrets
from datetime import datetime

import sqlalchemy as sa

from marketplace.catalogue import question_bank
from marketplace.catalogue.models import Module, Question
from marketplace.core import N_, DomainError, audit
from marketplace.extensions import db
from marketplace.learning import completion, lessons
from marketplace.learning import journey as journeys
from marketplace.learning.journey import StepKind, StepState
from marketplace.learning.models import Assessment, AssessmentKind, ModuleProgress
from marketplace.orders.models import Order
from marketplace.people.models import Participant

TEST_QUESTIONS = 10  # drawn for a pre-test or a post-test, at most

NOT_READY = N_(
    "This test is not ready yet: the provider has not written its questions. "
    "Write to the provider or to us (see Contact us)."
)
SUBMITTED = N_("You have already sent these answers.")
START_FIRST = N_("Start the test first: its questions are drawn when you start it.")
NOT_IN_TRY = N_("A question you answered is not part of this test. Reload the page.")
ANSWER_EVERY = N_("Choose an answer to every question.")
CHOOSE_ONE = N_("Choose one of the answers")


def _lock(order: Order) -> None:
    """Take the order's row lock (PostgreSQL), so one participant's two tabs start one try,
    and read the order again: a refund may have changed it while we waited."""
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
    db.session.refresh(order)


def open_try(order: Order, kind: AssessmentKind, module_id: int | None = None) -> Assessment | None:
    """The try of this test still open (started, not submitted), or None."""
    return db.session.scalar(
        sa.select(Assessment).where(
            Assessment.order_id == order.id,
            Assessment.kind == kind,
            Assessment.module_id.is_(None)
            if module_id is None
            else Assessment.module_id == module_id,
            Assessment.submitted_at.is_(None),
        )
    )


def tries(order: Order, kind: AssessmentKind, module_id: int | None = None) -> int:
    """How many tries of this test have been started."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Assessment)
            .where(
                Assessment.order_id == order.id,
                Assessment.kind == kind,
                Assessment.module_id.is_(None)
                if module_id is None
                else Assessment.module_id == module_id,
            )
        )
        or 0
    )


def why_not(order: Order, kind: AssessmentKind, module: Module | None, now: datetime):
    """Why this test can't be started now, or None."""
    closed = lessons.why_closed(order)
    if closed is not None:
        return closed
    where = journeys.journey(order, now)
    if kind is AssessmentKind.PRE_TEST:
        if where.step(StepKind.PRE_TEST).state is StepState.DONE:
            return DomainError(N_("You have already taken the pre-test. It is taken once."))
        return None if question_bank.bank_size(order.course_id) else DomainError(NOT_READY)
    if kind is AssessmentKind.QUIZ:
        step = where.step(StepKind.MODULE, module.id)
        if step is None:  # a webinar's or an offline course's module: no quiz taken here
            return DomainError(N_("This test is not part of your course."))
        if not step.has_quiz:
            return DomainError(N_("This module has no quiz."))
        if db.session.get(ModuleProgress, (order.id, module.id)) is None:
            return (
                lessons.why_locked(where, module)
                if step.state is StepState.LOCKED
                else (DomainError(N_("Open the module and read its lesson first.")))
            )
        if step.score is not None and step.score >= order.course.pass_mark:
            return DomainError(N_("You have already passed this quiz."))
        return None
    step = where.step(StepKind.POST_TEST)
    if step.state is StepState.DONE:
        return DomainError(N_("You have already passed the post-test."))
    if step.state is StepState.FAILED:
        return DomainError(
            N_(
                "You have used all %(tries)s tries of the post-test. "
                "Write to the provider or to us (see Contact us) if something went wrong."
            ),
            tries=order.course.test_tries,
        )
    if step.state is StepState.LOCKED:
        pending = where.next_step
        if pending is not None and pending.kind is StepKind.PRE_TEST:
            return DomainError(N_("Take the pre-test first: the post-test comes at the end."))
        if pending is not None and pending.kind is StepKind.ATTENDANCE:
            return DomainError(
                N_(
                    "The post-test opens once the provider has marked your attendance on the "
                    "days the course requires."
                )
            )
        if (
            pending is not None
            and pending.state is StepState.WAITING  # on the clock alone, its quiz passed
            and pending.until is not None
        ):
            return DomainError(
                N_(
                    "You can continue at %(when)s: the modules' minimum learning time runs "
                    "until then."
                ),
                when=pending.until,
            )
        return DomainError(N_("The post-test opens when you have finished every module."))
    return None if question_bank.bank_size(order.course_id) else DomainError(NOT_READY)


def _draw(order: Order, kind: AssessmentKind, module: Module | None, rng) -> list[int]:
    """The question ids of a new try, in the order shown."""
    query = sa.select(Question.id).where(Question.course_id == order.course_id)
    if kind is AssessmentKind.QUIZ:
        ids = list(
            db.session.scalars(query.where(Question.module_id == module.id).order_by(Question.id))
        )
    else:
        bank = list(
            db.session.scalars(query.where(Question.module_id.is_(None)).order_by(Question.id))
        )
        ids = rng.sample(bank, min(TEST_QUESTIONS, len(bank)))
    if not ids:
        raise DomainError(NOT_READY)
    return ids


def start(
    order: Order,
    participant: Participant,
    kind: AssessmentKind,
    now: datetime,
    module: Module | None = None,
    rng=None,
) -> Assessment:
    """Start a try of the pre-test, a module's quiz (`module`) or the post-test, or return the
    one still open. Refused (DomainError, nothing written) for another participant's order, a
    course not started, completed or refunded, a test whose step is locked, passed or out of
    tries, and a test whose bank holds no questions."""
    if order.participant_id != participant.id or (
        module is not None and module.course_id != order.course_id
    ):
        raise DomainError(N_("This test is not part of your course."))
    if (kind is AssessmentKind.QUIZ) != (module is not None):
        raise DomainError(N_("This test is not part of your course."))
    _lock(order)
    closed = lessons.why_closed(order)  # before the open try too: a refund closes everything
    if closed is not None:
        raise closed
    module_id = module.id if module is not None else None
    current = open_try(order, kind, module_id)
    if current is not None:
        return current
    refused = why_not(order, kind, module, now)
    if refused is not None:
        raise refused
    attempt = Assessment(
        order_id=order.id,
        kind=kind,
        module_id=module_id,
        number=tries(order, kind, module_id) + 1,
        question_ids=_draw(order, kind, module, rng or secrets.SystemRandom()),
        started_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def questions(attempt: Assessment) -> list[Question]:
    """The try's questions in the order shown."""
    by_id = {
        row.id: row
        for row in db.session.scalars(
            sa.select(Question).where(Question.id.in_(attempt.question_ids))
        )
    }
    return [by_id[question_id] for question_id in attempt.question_ids if question_id in by_id]


def submit(
    attempt: Assessment, participant: Participant, answers: dict[int, int], now: datetime
) -> Assessment:
    """Score the try from `answers` (question id → index of the chosen answer) and close it.

    Refused (DomainError, nothing stored) for another participant's try, a try already sent,
    a course closed meanwhile, an answer to a question not in the try, a question left
    unanswered and a choice that is not one of the question's. Two sends at once score once
    (a conditional UPDATE). A passed quiz marks its module's quiz passed; a passed post-test
    completes the course when every other step is done.
    """
    order: Order = attempt.order
    if order.participant_id != participant.id:
        raise DomainError(N_("This test is not part of your course."))
    if attempt.submitted_at is not None:
        raise DomainError(SUBMITTED)
    closed = lessons.why_closed(order)
    if closed is not None:
        raise closed
    shown = questions(attempt)
    if not shown:  # its questions were taken out of the bank since it was drawn
        raise DomainError(NOT_READY)
    if set(answers) - set(attempt.question_ids):
        raise DomainError(NOT_IN_TRY)
    unanswered = [question for question in shown if question.id not in answers]
    if unanswered:
        raise DomainError.several(
            [DomainError(ANSWER_EVERY, field=f"answer-{question.id}") for question in unanswered]
        )
    wrong = [
        question
        for question in shown
        if not (
            type(answers[question.id]) is int  # not a bool, though bool is an int
            and 0 <= answers[question.id] < len(question.choices)
        )
    ]
    if wrong:
        raise DomainError.several(
            [DomainError(CHOOSE_ONE, field=f"answer-{question.id}") for question in wrong]
        )
    correct = sum(1 for question in shown if answers[question.id] == question.correct_choice)
    score = correct * 100 // len(shown)
    passed = None if attempt.kind is AssessmentKind.PRE_TEST else score >= order.course.pass_mark
    closed_now = db.session.execute(
        sa.update(Assessment)
        .where(Assessment.id == attempt.id, Assessment.submitted_at.is_(None))
        .values(
            submitted_at=now,
            answers=[answers[question.id] for question in shown],
            score=score,
            passed=passed,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if not closed_now:
        raise DomainError(SUBMITTED)
    audit.record(
        f"{attempt.kind.value}.submitted",
        f"order:{order.id}",
        actor=participant.user,
        module_id=attempt.module_id,
        number=attempt.number,
        score=score,
        passed=passed,
    )
    if attempt.kind is AssessmentKind.QUIZ and passed:
        progress = db.session.get(ModuleProgress, (order.id, attempt.module_id))
        if progress is not None and progress.quiz_passed_at is None:
            progress.quiz_passed_at = now
            db.session.flush()
    if attempt.kind is AssessmentKind.POST_TEST and passed:
        completion.complete_if_ready(order, now)
    return attempt
