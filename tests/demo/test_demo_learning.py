"""The seeded demo's learning (issue 12): every course has a valid question bank, every
self-paced module a lesson and a quiz; the demo participant completed a course through its
steps and is in the middle of another; the demo provider has a skill demonstration waiting
for its decision. Everything was done through the learning services, in the past."""

import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import undefer
from support.demo_world import signed_in

from marketplace.catalogue import question_bank
from marketplace.catalogue.models import Course, Method, Module, Question
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent
from marketplace.demo import seeding
from marketplace.extensions import db
from marketplace.learning import completion, demonstrations, journey, lessons
from marketplace.learning.journey import CourseState, StepKind, StepState
from marketplace.learning.models import (
    Assessment,
    AssessmentKind,
    Demonstration,
    DemonstrationStatus,
    ModuleProgress,
    Review,
)
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, User
from marketplace.seed_data import lessons as lesson_text
from marketplace.seed_data import vocabulary

# Words the Indonesian UI does not use (docs/words.md): a lesson speaks the site's words.
OUT_OF_USE = re.compile(r"\b(kursus|sesi|ulasan|batch|lorem)\b", re.IGNORECASE)


def _demo_participant() -> Participant:
    return db.session.scalar(
        sa.select(Participant).join(User).where(User.email == "peserta@example.com")
    )


def _orders_of(participant: Participant) -> list[Order]:
    return db.session.scalars(
        sa.select(Order).where(Order.participant_id == participant.id).order_by(Order.id)
    ).all()


def test_every_course_has_a_valid_bank_and_every_self_paced_module_a_lesson(demo):
    with demo.app_context():
        courses = db.session.scalars(sa.select(Course)).all()
        modules = db.session.scalars(sa.select(Module).options(undefer(Module.lesson))).all()
        questions = db.session.scalars(sa.select(Question)).all()
    method = {course.id: course.method for course in courses}
    tests = Counter(row.course_id for row in questions if row.module_id is None)
    quizzes = Counter(row.module_id for row in questions if row.module_id is not None)
    assert courses and set(tests) == set(method)
    assert set(tests.values()) == {lesson_text.TEST_QUESTIONS}
    prompts = defaultdict(list)
    for row in questions:
        assert question_bank.check(row.prompt, row.choices, row.correct_choice) == (
            row.prompt,
            row.choices,
        )
        assert len(row.choices) == 4 and 0 <= row.correct_choice < 4
        assert "{" not in row.prompt and not any("{" in choice for choice in row.choices)
        if row.module_id is None:
            prompts[row.course_id].append(row.prompt)
    assert all(len(set(found)) == len(found) for found in prompts.values())
    # The right answers sit at every position, not always at the same one.
    assert set(Counter(row.correct_choice for row in questions)) == {0, 1, 2, 3}
    self_paced = [row for row in modules if method[row.course_id] is Method.SELF_PACED]
    assert self_paced
    for module in modules:
        if method[module.course_id] is not Method.SELF_PACED:
            assert module.lesson == "" and module.id not in quizzes
            continue
        assert 2 <= quizzes[module.id] <= 3, module.id
        found = lessons.blocks(module.lesson)
        kinds = Counter(block.kind for block in found)
        assert kinds["heading"] >= 2 and kinds["list"] >= 2 and kinds["paragraph"] >= 3
        assert found[0].kind == "heading"
        assert "{" not in module.lesson and not OUT_OF_USE.search(module.lesson)
        assert "modul" in module.lesson and "kuis" in module.lesson


def test_each_quiz_asks_what_its_lesson_says(demo):
    """A quiz's right answer to "which step does this module recommend" is an item of the
    lesson's list of good habits, and to "what should be avoided" one of its list of mistakes
    (the lesson's last two lists); no wrong answer is on that list."""
    recommended = "Menurut materi modul ini, manakah langkah yang dianjurkan?"
    avoided = "Menurut materi modul ini, manakah yang sebaiknya dihindari?"
    with demo.app_context():
        rows = db.session.execute(
            sa.select(Question, Module.lesson)
            .join(Module, Module.id == Question.module_id)
            .where(Question.prompt.in_([recommended, avoided]))
        ).all()
    assert {question.prompt for question, _lesson in rows} == {recommended, avoided}
    for question, lesson in rows:
        habits, mistakes = [block.items for block in lessons.blocks(lesson) if block.items][-2:]
        listed = set(habits if question.prompt == recommended else mistakes)
        wrong = set(question.choices) - {question.choices[question.correct_choice]}
        assert question.choices[question.correct_choice] in listed
        assert not wrong & listed and len(wrong) == 3


def test_the_demo_participant_completed_a_course_step_by_step(demo):
    now = utcnow()
    with demo.app_context():
        siti = _demo_participant()
        done = [order for order in _orders_of(siti) if order.status is OrderStatus.COMPLETED]
        assert len(done) == 1
        order = done[0]
        where = journey.journey(order, now)
        assert where.state is CourseState.COMPLETED
        assert all(step.state is StepState.DONE for step in where.steps)
        assert completion.missing(order, now) == []
        tries = db.session.scalars(
            sa.select(Assessment).where(Assessment.order_id == order.id).order_by(Assessment.id)
        ).all()
        post = [row for row in tries if row.kind is AssessmentKind.POST_TEST]
        assert [row.passed for row in post] == [True]
        assert order.score == post[0].score >= order.course.pass_mark
        assert order.completed_at == post[0].submitted_at
        pre = [row for row in tries if row.kind is AssessmentKind.PRE_TEST]
        assert len(pre) == 1 and pre[0].score < post[0].score  # she learnt something
        # Each module opened after the one before was done: its quiz passed and its minimum
        # learning time gone by, counted from when it was opened.
        percent = journey.learning_percent(order)
        opened = db.session.scalars(
            sa.select(ModuleProgress)
            .join(Module, Module.id == ModuleProgress.module_id)
            .where(ModuleProgress.order_id == order.id)
            .order_by(Module.position)
        ).all()
        modules = order.course.modules
        assert [row.module_id for row in opened] == [module.id for module in modules]
        ready = pre[0].submitted_at
        for module, row in zip(modules, opened, strict=True):
            assert row.opened_at >= ready
            assert row.quiz_passed_at is not None
            ready = max(row.quiz_passed_at, row.opened_at + journey.minimum_time(module, percent))
        assert post[0].started_at >= ready
        # Learning a course takes at least the scheme's share of its hours.
        assert order.completed_at - order.redeemed_at >= sum(
            (journey.minimum_time(module, percent) for module in modules), start=timedelta(0)
        )
        assert db.session.scalar(sa.select(Review.stars).where(Review.order_id == order.id)) == 5


def test_every_completed_demo_order_was_completed_by_the_rules(demo):
    now = utcnow()
    with demo.app_context():
        completed = db.session.scalars(
            sa.select(Order).where(Order.status == OrderStatus.COMPLETED)
        ).all()
        assert len(completed) == 3
        for order in completed:
            assert completion.missing(order, now) == []
            assert order.completed_at < now and order.score >= order.course.pass_mark
            assert (
                db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Assessment)
                    .where(
                        Assessment.order_id == order.id,
                        Assessment.kind == AssessmentKind.POST_TEST,
                        Assessment.passed.is_(True),
                    )
                )
                == 1
            )


def test_the_demo_participant_is_in_the_middle_of_a_course(demo):
    now = utcnow()
    with demo.app_context():
        siti = _demo_participant()
        learning = [order for order in _orders_of(siti) if order.status is OrderStatus.REDEEMED]
        assert len(learning) == 1
        order = learning[0]
        assert order.course.method is Method.SELF_PACED and order.session_id is None
        provider_id = db.session.scalar(
            sa.select(User.provider_id).where(User.email == "lembaga@example.com")
        )
        assert order.course.provider_id == provider_id
        where = journey.journey(order, now)
        assert where.state is CourseState.IN_PROGRESS
        states = [(step.kind, step.state) for step in where.steps]
        assert states[:3] == [
            (StepKind.PRE_TEST, StepState.DONE),
            (StepKind.MODULE, StepState.DONE),
            (StepKind.MODULE, StepState.OPEN),
        ]
        assert all(state is StepState.LOCKED for _kind, state in states[3:])
        assert len(states) >= 5  # at least a third module and the post-test, locked
        second = where.steps[2]
        assert second.has_quiz and second.score is None and second.module.position == 2
        assert second.module.lesson and where.next_step == second
        assert db.session.get(ModuleProgress, (order.id, second.module.id)).opened_at < now
        third = lessons.module_of(order, 3)
        with pytest.raises(DomainError):
            lessons.open_module(order, siti, third, now)
        assert db.session.get(ModuleProgress, (order.id, third.id)) is None
        db.session.rollback()


def test_the_demo_provider_has_a_demonstration_waiting(demo):
    now = utcnow()
    with demo.app_context():
        provider_id = db.session.scalar(
            sa.select(User.provider_id).where(User.email == "lembaga@example.com")
        )
        waiting = [
            row
            for row in demonstrations.provider_submissions(provider_id)
            if row.status is DemonstrationStatus.SUBMITTED
        ]
        assert len(waiting) == 1
        submission = waiting[0]
        assert submission.file_key is None and len(submission.answer) >= 100
        order = submission.order
        assert order.course.needs_demonstration and order.status is OrderStatus.REDEEMED
        assert order.participant.user.email != "peserta@example.com"
        where = journey.journey(order, now)
        assert where.state is CourseState.WAITING
        assert [step.state for step in where.steps[:-1]] == [StepState.DONE] * (
            len(where.steps) - 1
        )
        assert where.steps[-1].kind is StepKind.DEMONSTRATION
        assert where.steps[-1].state is StepState.WAITING
        refusals = completion.missing(order, now)  # the provider's decision, nothing else
        assert len(refusals) == 1 and "demonstration" in refusals[0].message
        name = order.participant.full_name
    page = signed_in(demo, "lembaga@example.com").get("/provider/submissions")
    assert page.status_code == 200 and name in page.get_data(as_text=True)


def test_the_demo_learnt_in_the_past_by_the_services(demo):
    """Every learning row is dated before the seed finished, so the demo opens on courses
    already learnt; and each module opened was audited (learning.lessons.open_module)."""
    now = utcnow()
    with demo.app_context():
        times = db.session.scalars(sa.select(Assessment.submitted_at)).all()
        times += db.session.scalars(sa.select(ModuleProgress.opened_at)).all()
        times += db.session.scalars(sa.select(Review.created_at)).all()
        times += db.session.scalars(sa.select(Demonstration.submitted_at)).all()
        times += db.session.scalars(
            sa.select(Order.completed_at).where(Order.completed_at.is_not(None))
        ).all()
        assert len(times) > 30 and all(moment is not None and moment < now for moment in times)
        opened = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "module.opened")
        )
        assert opened == db.session.scalar(sa.select(sa.func.count()).select_from(ModuleProgress))


def test_lessons_and_banks_follow_the_seed(ctx):
    """The same seed writes the same lessons and questions; another seed others."""

    def written():
        return (
            db.session.execute(sa.select(Module.id, Module.lesson).order_by(Module.id)).all(),
            db.session.execute(
                sa.select(Question.course_id, Question.module_id, Question.prompt)
                .add_columns(Question.choices, Question.correct_choice)
                .order_by(Question.id)
            ).all(),
        )

    seeding.seed(seed=3, courses=12)
    first = written()
    db.session.rollback()
    seeding.seed(seed=3, courses=12)
    second = written()
    db.session.rollback()
    seeding.seed(seed=4, courses=12)
    other = written()
    assert first == second and first[1]
    assert first != other


def _site_messages() -> tuple[set[str], re.Pattern | None]:
    """The Indonesian messages of the site's own interface: exact texts, and one pattern for
    those with values ("Modul %(number)s"), as tests/web/test_page_language.py reads them."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    placeholder = re.compile(r"%\((\w+)\)[sdif]|%[sd]")
    path = Path(__file__).resolve().parents[2] / "marketplace/translations/id/LC_MESSAGES"
    with (path / "messages.po").open("rb") as source:
        catalogue = read_po(source)
    exact, patterns = set(), []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        for text in strings:
            text = " ".join((text or "").split())
            if not text or not message.id or message.fuzzy or text == message.id:
                continue
            if placeholder.search(text):
                # As distinctive as that test asks: "Modul %(number)s" is, "%(a)s dari %(b)s"
                # (words between two values only) is not.
                words = re.findall(r"[^\W\d_]+", placeholder.sub(" ", text))
                enclosed = placeholder.match(text) and re.search(r"(%\(\w+\)[sdif]|%[sd])$", text)
                if len(words) >= (2 if enclosed else 1) and sum(map(len, words)) >= 4:
                    fixed = placeholder.split(text)[0::2]
                    patterns.append(".+?".join(re.escape(part) for part in fixed))
            else:
                exact.add(text)
    return exact, re.compile("|".join(patterns)) if patterns else None


def test_the_lessons_own_words_never_read_as_the_sites_messages():
    """Headings, prompts and answers the composer writes itself (not the catalogue's titles)
    are not one of the site's Indonesian messages: a page in English would otherwise seem to
    show an untranslated message where it shows the course's Indonesian content."""
    exact, pattern = _site_messages()
    own = [
        *lesson_text.OPENING_HEADINGS,
        *lesson_text.MIDDLE_HEADINGS,
        *lesson_text.CLOSING_HEADINGS,
        *lesson_text.PRACTICE_HEADINGS,
        *lesson_text.MISTAKE_HEADINGS,
        lesson_text.OUTCOMES_HEADING,
        lesson_text.COMPLETING,
        *lesson_text.COMPLETED_BY.values(),
        *lesson_text.NOT_COMPLETED_BY,
        *vocabulary.GENERIC_PRACTICES,
        *vocabulary.GENERIC_MISTAKES,
        *vocabulary.WRONG_REASONS,
    ]
    for fixed in (
        lesson_text.PRE_TEST_PURPOSE,
        lesson_text.AFTER_MODULES,
        lesson_text.PASS_MARK_QUESTION,
    ):
        own += [fixed[0], fixed[1].format(pass_mark=lesson_text.PASS_MARK), *fixed[2]]
    for slug in vocabulary.PRACTICES:
        own += [*vocabulary.PRACTICES[slug], *vocabulary.MISTAKES[slug]]
    assert len(own) > 150
    clash = [
        text for text in own
        if text in exact or (pattern is not None and pattern.fullmatch(text))
    ]  # fmt: skip
    assert not clash


def test_every_category_has_its_habits_and_a_field():
    slugs = {words.slug for words in vocabulary.CATEGORIES}
    assert set(vocabulary.PRACTICES) == set(vocabulary.MISTAKES) == set(vocabulary.FIELD_GROUPS)
    assert set(vocabulary.PRACTICES) == slugs
    for slug in slugs:
        assert len(vocabulary.PRACTICES[slug]) >= 4 and len(vocabulary.MISTAKES[slug]) >= 3
        for phrase in vocabulary.PRACTICES[slug] + vocabulary.MISTAKES[slug]:
            assert phrase[0].isupper() and not phrase.endswith(".") and len(phrase) <= 120
    # Wrong answers borrowed from another field need fields that lend them.
    assert len(set(vocabulary.FIELD_GROUPS.values()) - {"luas"}) >= 3
