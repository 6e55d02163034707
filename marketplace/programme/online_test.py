"""The online test "Tes Motivasi dan Kemampuan Dasar": one attempt per participant and batch.

An attempt draws 18 questions from the bank (6 maths, 6 ordering instructions, 6 reading)
and lasts 25 minutes, plus any extra time the programme office gave the participant
(`grant_extra_time`, WCAG 2.2.1 Timing Adjustable): the time allowed is fixed in the
attempt's `deadline_at` when it starts, and a grant made while it runs moves that deadline
later (never earlier). Everything that enforces the time reads `deadline_at`. Answers can be
given and changed until the deadline; an answer recorded after it never counts. Submitting
scores the attempt once (0–18); the score is used in the batch's selection, not as a pass
mark.

Every function flushes and never commits; times are naive UTC passed in as `now`.
"""

import math
import random
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.core import N_, DomainError, audit
from marketplace.extensions import db
from marketplace.people import accounts
from marketplace.people.models import Participant, User
from marketplace.programme.models import (
    Batch,
    ExtraTestTime,
    QuestionKind,
    TestAnswer,
    TestAttempt,
    TestQuestion,
)
from marketplace.seed_data.test_questions import QUESTIONS

QUESTIONS_PER_KIND = 6
KINDS = (QuestionKind.MATHS, QuestionKind.INSTRUCTIONS, QuestionKind.READING)
QUESTION_COUNT = QUESTIONS_PER_KIND * len(KINDS)  # 18
TIME_LIMIT = timedelta(minutes=25)
# The most extra time the office can give: 100 minutes on top of the 25 (five times as long).
MAX_EXTRA_MINUTES = 100
REASON_LENGTH = 200


def seed_questions() -> int:
    """Bring the question bank in the database up to date with `seed_data.test_questions`.

    Questions are matched by code: missing ones are inserted, existing ones get the
    current texts, choices and right answer. Returns how many were inserted (0 on a rerun).
    """
    existing = {question.code: question for question in db.session.scalars(sa.select(TestQuestion))}
    inserted = 0
    for item in QUESTIONS:
        question = existing.get(item.code)
        if question is None:
            question = TestQuestion(code=item.code)
            db.session.add(question)
            inserted += 1
        question.kind = QuestionKind(item.kind)
        question.passage_id = item.passage_id
        question.passage_en = item.passage_en
        question.prompt_id = item.prompt_id
        question.prompt_en = item.prompt_en
        question.choices_id = list(item.choices_id)
        question.choices_en = list(item.choices_en)
        question.correct_choice = item.correct_choice
    db.session.flush()
    return inserted


def attempt_for(participant: Participant, batch: Batch) -> TestAttempt | None:
    """The participant's attempt for this batch, submitted or not, if there is one."""
    return db.session.scalar(
        sa.select(TestAttempt).where(
            TestAttempt.participant_id == participant.id, TestAttempt.batch_id == batch.id
        )
    )


def current_attempt(participant: Participant, batch: Batch) -> TestAttempt | None:
    """The attempt for this batch that has not been submitted yet (to resume), if any.

    Its deadline may have passed: the caller then submits it (see `is_over`).
    """
    attempt = attempt_for(participant, batch)
    if attempt is None or attempt.submitted_at is not None:
        return None
    return attempt


def result(participant: Participant, batch: Batch) -> TestAttempt | None:
    """The submitted attempt for this batch (its `score` is out of 18), or None."""
    attempt = attempt_for(participant, batch)
    if attempt is None or attempt.submitted_at is None:
        return None
    return attempt


def extra_time_grant(participant: Participant) -> ExtraTestTime | None:
    """The office's current grant of extra time to the participant (0 minutes: withdrawn)."""
    return db.session.get(ExtraTestTime, participant.id)


def extra_time(participant: Participant) -> timedelta:
    """The extra time the participant has on the test (zero without a grant)."""
    grant = extra_time_grant(participant)
    return timedelta(minutes=grant.extra_minutes) if grant is not None else timedelta(0)


def time_allowed(participant: Participant) -> timedelta:
    """How long the participant's next attempt lasts: 25 minutes plus their extra time."""
    return TIME_LIMIT + extra_time(participant)


def minutes_for_share(percent: int) -> int:
    """Extra minutes for "half as long again" (50) or "twice as long" (100): a share of the
    test's 25 minutes, rounded up to a whole minute (50% is 13 minutes)."""
    return math.ceil(TIME_LIMIT.total_seconds() / 60 * percent / 100)


def grant_extra_time(
    participant: Participant, extra_minutes: int, reason: str, now: datetime, actor: User | None
) -> ExtraTestTime:
    """Give the participant `extra_minutes` on top of the test's 25 (0 withdraws the grant).

    The office records why (at most 200 characters). An attempt of theirs that is running
    at `now` gets the new time at once: its deadline moves to its start plus the time now
    allowed, if that is later (a smaller grant never shortens a test under way); an attempt
    whose time has run out stays closed. Audit-logged as "test.extra_time".
    """
    if (
        not isinstance(extra_minutes, int)
        or isinstance(extra_minutes, bool)
        or not 0 <= extra_minutes <= MAX_EXTRA_MINUTES
    ):
        raise DomainError(
            N_("The extra time must be from 0 to %(most)s minutes."),
            field="minutes",
            most=MAX_EXTRA_MINUTES,
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Write why the participant gets extra time."), field="reason")
    if len(reason) > REASON_LENGTH:
        raise DomainError(
            N_("The reason can be at most %(most)s characters."),
            field="reason",
            most=REASON_LENGTH,
        )
    values = {
        "extra_minutes": extra_minutes,
        "reason": reason,
        "granted_by_id": actor.id if actor is not None else None,
        "granted_at": now,
    }
    grant = extra_time_grant(participant)
    before = grant.extra_minutes if grant is not None else 0
    if grant is None:
        try:
            with db.session.begin_nested():
                grant = ExtraTestTime(participant_id=participant.id, **values)
                db.session.add(grant)
        except IntegrityError:  # another office worker's first grant came first: replace it
            grant = extra_time_grant(participant)
            if grant is None:
                raise
    for name, value in values.items():
        setattr(grant, name, value)
    db.session.flush()
    extended = []
    running = db.session.scalars(
        sa.select(TestAttempt).where(
            TestAttempt.participant_id == participant.id,
            TestAttempt.submitted_at.is_(None),
            TestAttempt.deadline_at > now,
        )
    ).all()
    for attempt in running:
        deadline = attempt.started_at + TIME_LIMIT + timedelta(minutes=extra_minutes)
        if deadline > attempt.deadline_at:
            attempt.deadline_at = deadline
            extended.append({"attempt": attempt.id, "deadline_at": deadline.isoformat()})
    db.session.flush()
    audit.record(
        "test.extra_time",
        f"participant:{participant.id}",
        actor=actor,
        extra_minutes=extra_minutes,
        before=before,
        reason=reason,
        extended=extended,
    )
    return grant


def extra_time_grants() -> list[ExtraTestTime]:
    """Every participant who has extra time now, the latest grant first."""
    return list(
        db.session.scalars(
            sa.select(ExtraTestTime)
            .where(ExtraTestTime.extra_minutes > 0)
            .order_by(ExtraTestTime.granted_at.desc(), ExtraTestTime.participant_id.desc())
        )
    )


_TYPED_SEPARATORS = re.compile(r"[\s.\-]")


def find_participant(email_or_nik: str) -> Participant | None:
    """The participant with this account email address or this NIK (spaces, dots and
    dashes between the digits allowed); None when nobody has it. Anything that is neither
    an email address nor 16 digits is refused."""
    text = (email_or_nik or "").strip()
    digits = _TYPED_SEPARATORS.sub("", text)
    if len(digits) == 16 and digits.isascii() and digits.isdigit():
        return db.session.scalar(sa.select(Participant).where(Participant.nik == digits))
    if "@" in text and len(text) <= 254:
        return db.session.scalar(
            sa.select(Participant)
            .join(User, User.id == Participant.user_id)
            .where(User.email == accounts.normalise_email(text))
        )
    raise DomainError(
        N_("Enter the participant's email address or their 16-digit NIK."), field="query"
    )


def is_over(attempt: TestAttempt, now: datetime) -> bool:
    """Whether no more answers can be given: submitted, or the deadline has passed."""
    return attempt.submitted_at is not None or now >= attempt.deadline_at


def time_left(attempt: TestAttempt, now: datetime) -> timedelta:
    """The time until the deadline, never negative (zero once submitted)."""
    if attempt.submitted_at is not None:
        return timedelta(0)
    return max(attempt.deadline_at - now, timedelta(0))


def start(
    participant: Participant, batch: Batch, now: datetime, rng: random.Random | None = None
) -> TestAttempt:
    """Start the participant's one attempt for `batch`: 18 questions drawn, 25 minutes plus
    the participant's extra time (`time_allowed`).

    Refused when the batch is not open at `now` or when an attempt for this batch already
    exists (the caller resumes an unsubmitted one with `current_attempt` instead). Six
    questions of each kind are drawn with `rng` (by default `random.SystemRandom`, from
    the operating system's secure source); they are shown maths first, then ordering
    instructions, then reading, with the reading questions in bank order so that two
    questions about one passage come one after the other.

    A double submit of the start form makes one attempt: the second insert hits the
    unique (participant, batch) constraint inside a savepoint and returns the attempt
    the first one made.
    """
    if batch is None or not batch.is_open(now):
        raise DomainError(N_("The test can only be taken while a batch is open for joining."))
    if attempt_for(participant, batch) is not None:
        raise DomainError(
            N_(
                "You have already taken the test for batch %(number)s. "
                "There is one attempt per batch."
            ),
            number=batch.number,
        )
    rng = rng or secrets.SystemRandom()
    attempt = TestAttempt(
        participant_id=participant.id,
        batch_id=batch.id,
        question_ids=_draw(rng),
        started_at=now,
        deadline_at=now + time_allowed(participant),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        existing = attempt_for(participant, batch)
        if existing is None:
            raise
        return existing
    audit.record(
        "test.started",
        f"test_attempt:{attempt.id}",
        actor=participant.user,
        batch=batch.number,
        deadline_at=attempt.deadline_at.isoformat(),
        extra_minutes=round((attempt.deadline_at - now - TIME_LIMIT).total_seconds() / 60),
    )
    return attempt


def _draw(rng: random.Random) -> list[int]:
    """Question ids: 6 maths, 6 instructions, then 6 reading questions in bank order."""
    drawn: list[int] = []
    for kind in KINDS:
        rows = db.session.execute(
            sa.select(TestQuestion.id, TestQuestion.code)
            .where(TestQuestion.kind == kind)
            .order_by(TestQuestion.code)
        ).all()
        if len(rows) < QUESTIONS_PER_KIND:
            raise DomainError(N_("The test is not available yet. Try again later."))
        chosen = rng.sample(rows, QUESTIONS_PER_KIND)
        if kind is QuestionKind.READING:
            chosen.sort(key=lambda row: row.code)
        drawn.extend(row.id for row in chosen)
    return drawn


def questions(attempt: TestAttempt) -> list[TestQuestion]:
    """The attempt's questions in the order they are shown."""
    by_id = {
        question.id: question
        for question in db.session.scalars(
            sa.select(TestQuestion).where(TestQuestion.id.in_(attempt.question_ids))
        )
    }
    return [by_id[question_id] for question_id in attempt.question_ids]


def answers(attempt: TestAttempt) -> dict[int, int]:
    """The choices given so far, by question id."""
    rows = db.session.execute(
        sa.select(TestAnswer.question_id, TestAnswer.choice).where(
            TestAnswer.attempt_id == attempt.id
        )
    )
    return {question_id: choice for question_id, choice in rows}


def answer(attempt: TestAttempt, question_id: int, choice: int, now: datetime) -> TestAnswer:
    """Record (or change) the answer to one question of the attempt.

    Refused, and nothing stored, once the attempt is submitted or its deadline has
    passed, for a question that is not part of the attempt, or for a choice that is not
    one of the question's choices.
    """
    if attempt.submitted_at is not None:
        raise DomainError(N_("You have already submitted this test."))
    if now >= attempt.deadline_at:
        raise DomainError(N_("Time is up: answers after the deadline do not count."))
    if question_id not in attempt.question_ids:
        raise DomainError(N_("This question is not part of your test."))
    question = db.session.get(TestQuestion, question_id)
    if question is None or not (isinstance(choice, int) and 0 <= choice < len(question.choices_id)):
        raise DomainError(N_("Choose one of the answers"), field="choice")
    key = {"attempt_id": attempt.id, "question_id": question_id}
    given = db.session.get(TestAnswer, (attempt.id, question_id))
    if given is None:
        given = TestAnswer(**key, choice=choice, answered_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(given)
            return given
        except IntegrityError:  # the same answer sent twice at once: update the first
            given = db.session.get(TestAnswer, (attempt.id, question_id))
            if given is None:
                raise
    given.choice = choice
    given.answered_at = now
    db.session.flush()
    return given


def submit(attempt: TestAttempt, now: datetime) -> TestAttempt:
    """Score the attempt and close it; a second call changes nothing.

    Called when the participant submits, and lazily when an attempt whose deadline has
    passed is opened. Only answers recorded no later than the deadline count (answer()
    refuses later ones; this holds even if one were stored). `submitted_at` is
    min(now, deadline): an attempt closed lazily after its deadline reads as submitted at
    the deadline. The conditional UPDATE makes two simultaneous submits score once.
    """
    if attempt.submitted_at is not None:
        return attempt
    score = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TestAnswer)
            .join(TestQuestion, TestQuestion.id == TestAnswer.question_id)
            .where(
                TestAnswer.attempt_id == attempt.id,
                TestAnswer.question_id.in_(attempt.question_ids),
                TestAnswer.answered_at <= attempt.deadline_at,
                TestAnswer.choice == TestQuestion.correct_choice,
            )
        )
        or 0
    )
    submitted_at = min(now, attempt.deadline_at)
    closed = db.session.execute(
        sa.update(TestAttempt)
        .where(TestAttempt.id == attempt.id, TestAttempt.submitted_at.is_(None))
        .values(submitted_at=submitted_at, score=score)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if closed.rowcount == 1:
        participant = db.session.get(Participant, attempt.participant_id)
        audit.record(
            "test.submitted",
            f"test_attempt:{attempt.id}",
            actor=participant.user if participant is not None else None,
            batch_id=attempt.batch_id,
            score=score,
            late=now > attempt.deadline_at,
        )
    return attempt
