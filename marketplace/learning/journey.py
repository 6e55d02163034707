"""Where one bought course stands: the steps between buying it and completing it, each done,
open, waiting or locked, read from the rows (the one home of "what is done").

The steps, in order:

- the pre-test: taken once, before anything else is opened;
- a self-paced course's modules, in order: a module unlocks when the one before is done, and
  is done once its quiz is passed (when it has one) and its minimum time has gone by since
  the server opened it (`lessons.minimum_time`); a webinar or offline course's attendance
  instead: done when the provider has marked the days the course requires;
- the post-test: opens when everything before is done, passed at the course's pass mark
  within its tries;
- the skill demonstration, when the course asks for one: sent at any time once the course is
  started, passed by the provider.

`journey(order, now)` reads the rows and returns every step with the course's state (not
started, in progress, waiting, not passed, completed, refunded), its progress and its next
step; `learning/completion.py` completes an order only when every step is done, and the
learner's pages (web/learning) draw the same steps.
"""

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from marketplace.catalogue.models import Module, Question
from marketplace.extensions import db
from marketplace.learning import attendance, demonstrations
from marketplace.learning.models import (
    Assessment,
    AssessmentKind,
    DemonstrationStatus,
    ModuleProgress,
)
from marketplace.orders.models import Order, OrderStatus


class StepKind(enum.Enum):
    PRE_TEST = "pre_test"
    MODULE = "module"
    ATTENDANCE = "attendance"
    POST_TEST = "post_test"
    DEMONSTRATION = "demonstration"


class StepState(enum.Enum):
    DONE = "done"
    OPEN = "open"  # the participant can act on it now
    WAITING = "waiting"  # on the provider, or on the clock (see Step.until)
    LOCKED = "locked"  # a step before it is not done yet
    FAILED = "failed"  # the post-test's tries are used up without a pass


class CourseState(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # for the provider: attendance marks or a demonstration's decision
    NOT_PASSED = "not_passed"
    COMPLETED = "completed"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    state: StepState
    module: Module | None = None
    # A module opened whose minimum time has not gone by: when it has. Only a WAITING step
    # waits on it alone (its quiz is passed, or it has none); an OPEN one still needs its quiz.
    until: datetime | None = None
    score: int | None = None  # the best score of a test or quiz, of 100
    tries_left: int | None = None  # the post-test's
    has_quiz: bool = False  # a module's


@dataclass(frozen=True)
class Journey:
    order: Order
    state: CourseState
    steps: list[Step] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.state is StepState.DONE)

    @property
    def percent(self) -> int:
        """Steps done of all steps, in whole percent (100 once completed)."""
        if self.state is CourseState.COMPLETED:
            return 100
        return self.done * 100 // len(self.steps) if self.steps else 0

    @property
    def next_step(self) -> Step | None:
        """The first step not done: what the participant (or the provider) does next."""
        return next((step for step in self.steps if step.state is not StepState.DONE), None)

    def step(self, kind: StepKind, module_id: int | None = None) -> Step | None:
        for step in self.steps:
            if step.kind is kind and (module_id is None or step.module.id == module_id):
                return step
        return None


def minimum_time(module: Module, percent: int) -> timedelta:
    """The least time a module stays open before it counts as done: `percent` of its declared
    minutes, rounded up to a whole minute (the scheme's `min_learning_percent`)."""
    return timedelta(minutes=math.ceil(module.minutes * percent / 100))


def learning_percent(order: Order) -> int:
    """The share of a course's declared time its participant must spend, by the scheme of the
    card it was bought with."""
    return order.card.scheme.min_learning_percent


def quiz_modules(course_id: int) -> set[int]:
    """The ids of the course's modules that have quiz questions."""
    return set(
        db.session.scalars(
            sa.select(Question.module_id)
            .where(Question.course_id == course_id, Question.module_id.is_not(None))
            .distinct()
        )
    )


def assessments_of(order: Order) -> list[Assessment]:
    """Every try the order's participant has made, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Assessment).where(Assessment.order_id == order.id).order_by(Assessment.id)
        )
    )


def progress_of(order: Order) -> dict[int, ModuleProgress]:
    """The order's opened modules, by module id."""
    return {
        row.module_id: row
        for row in db.session.scalars(
            sa.select(ModuleProgress).where(ModuleProgress.order_id == order.id)
        )
    }


def _best(tries: list[Assessment]) -> int | None:
    scores = [row.score for row in tries if row.score is not None]
    return max(scores) if scores else None


def journey(order: Order, now: datetime) -> Journey:
    """Where `order` stands at `now`, read from its rows."""
    course = order.course
    tries = assessments_of(order)
    submitted = [row for row in tries if row.submitted_at is not None]

    def of_kind(kind: AssessmentKind, module_id: int | None = None) -> list[Assessment]:
        return [row for row in submitted if row.kind is kind and row.module_id == module_id]

    steps: list[Step] = []
    started = order.status in (OrderStatus.REDEEMED, OrderStatus.COMPLETED)
    blocked = not started  # a step before this one is not done

    def add(kind: StepKind, done: bool, waiting: bool = False, **details) -> None:
        nonlocal blocked
        if done:
            state = StepState.DONE
        elif blocked:
            state = StepState.LOCKED
        elif waiting:
            state = StepState.WAITING
        else:
            state = StepState.OPEN
        steps.append(Step(kind, state, **details))
        blocked = blocked or not done

    pre = of_kind(AssessmentKind.PRE_TEST)
    add(StepKind.PRE_TEST, bool(pre), score=_best(pre))

    if order.session_id is None:
        percent = learning_percent(order)
        progress = progress_of(order)
        with_quiz = quiz_modules(course.id)
        for module in course.modules:
            row = progress.get(module.id)
            has_quiz = module.id in with_quiz
            quiz_done = not has_quiz or (row is not None and row.quiz_passed_at is not None)
            until = row.opened_at + minimum_time(module, percent) if row is not None else None
            time_done = until is not None and now >= until
            add(
                StepKind.MODULE,
                row is not None and quiz_done and time_done,
                waiting=row is not None and quiz_done and not time_done,
                module=module,
                until=until if row is not None and not time_done else None,
                score=_best(of_kind(AssessmentKind.QUIZ, module.id)),
                has_quiz=has_quiz,
            )
    else:
        # The provider marks the days whether or not the pre-test is taken: attendance waits
        # on the provider from the start; the post-test still needs both.
        before = blocked
        blocked = not started
        add(StepKind.ATTENDANCE, attendance.attended_enough(order), waiting=True)
        blocked = blocked or before

    post = of_kind(AssessmentKind.POST_TEST)
    post_passed = any(row.passed for row in post)
    tries_left = max(course.test_tries - len(post), 0)
    if not post_passed and tries_left == 0 and not blocked:
        steps.append(Step(StepKind.POST_TEST, StepState.FAILED, score=_best(post), tries_left=0))
        blocked = True
    else:
        add(StepKind.POST_TEST, post_passed, score=_best(post), tries_left=tries_left)

    if course.needs_demonstration:
        # Sent whenever the participant is ready, once the course is started: only starting
        # it comes before.
        blocked = not started
        latest = demonstrations.current(order)
        add(
            StepKind.DEMONSTRATION,
            latest is not None and latest.status is DemonstrationStatus.PASSED,
            waiting=latest is not None and latest.status is DemonstrationStatus.SUBMITTED,
        )

    return Journey(order, _state(order, steps), steps)


def _state(order: Order, steps: list[Step]) -> CourseState:
    if order.status is OrderStatus.REFUNDED:
        return CourseState.REFUNDED
    if order.status is OrderStatus.COMPLETED:
        return CourseState.COMPLETED
    if order.status is OrderStatus.PAID:
        return CourseState.NOT_STARTED
    if any(step.state is StepState.FAILED for step in steps):
        return CourseState.NOT_PASSED
    upcoming = next((step for step in steps if step.state is not StepState.DONE), None)
    if upcoming is not None and upcoming.state is StepState.WAITING and upcoming.until is None:
        return CourseState.WAITING
    return CourseState.IN_PROGRESS
