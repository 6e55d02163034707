"""Rows for learning tests: a course's question bank and lessons, and a participant's way
through a course by the real operations.

    from support.learning_rows import write_bank, right_answers, ...
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from marketplace.catalogue import question_bank
from marketplace.catalogue.models import Course, Module
from marketplace.extensions import db
from marketplace.learning import assessments, journey, lessons
from marketplace.learning.models import Assessment, AssessmentKind
from marketplace.orders import redemption
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant
from support.checkout_rows import buy, card_holders

LESSON = (
    "## Pengantar\n"
    "Modul ini membahas dasar-dasar pekerjaan.\n\n"
    "- Langkah pertama\n"
    "- Langkah kedua\n\n"
    "Paragraf penutup."
)
CHOICES = ["Jawaban A", "Jawaban B", "Jawaban C", "Jawaban D"]


def write_bank(course_id: int, tests: int = 6, per_module: int = 2) -> None:
    """Give the course `tests` pre-/post-test questions, `per_module` quiz questions for each
    module and a lesson per module. The right answer of question n is choice n % 4."""
    course = db.session.get(Course, course_id)
    for index in range(tests):
        question_bank.add_question(course, f"Pertanyaan tes {index + 1}?", CHOICES, index % 4)
    for module in course.modules:
        module.lesson = LESSON
        for index in range(per_module):
            question_bank.add_question(
                course, f"Kuis modul {module.position} no. {index + 1}?", CHOICES, index % 4, module
            )
    db.session.flush()


def right_answers(attempt: Assessment, wrong: int = 0) -> dict[int, int]:
    """Answers to every question of the try, all right but the first `wrong` ones."""
    answers = {}
    for position, question in enumerate(assessments.questions(attempt)):
        right = question.correct_choice
        answers[question.id] = (right + 1) % len(question.choices) if position < wrong else right
    return answers


def order(order_id: int) -> Order:
    return db.session.get(Order, order_id)


def participant_of(order_row: Order) -> Participant:
    return order_row.participant


def start(order_row: Order, now: datetime) -> None:
    redemption.start_self_paced(order_row, order_row.participant, order_row.voucher_code, now)


def take(order_row, kind, now, module=None, wrong=0) -> Assessment:
    """Start and submit a try of a test with all answers right but `wrong`."""
    who = order_row.participant
    attempt = assessments.start(order_row, who, kind, now, module=module)
    return assessments.submit(attempt, who, right_answers(attempt, wrong), now)


def learn_modules(order_row: Order, now: datetime) -> datetime:
    """Open every module in turn, pass its quiz and let its minimum time go by; the time
    when the last module is done."""
    percent = journey.learning_percent(order_row)
    for module in order_row.course.modules:
        lessons.open_module(order_row, order_row.participant, module, now)
        take(order_row, AssessmentKind.QUIZ, now, module=module)
        now = now + journey.minimum_time(module, percent)
    return now


def learn_everything(order_row: Order, now: datetime) -> datetime:
    """Start the course, take the pre-test, learn every module and pass the post-test (which
    completes the course when nothing else is asked); the time it ends."""
    start(order_row, now)
    take(order_row, AssessmentKind.PRE_TEST, now)
    now = learn_modules(order_row, now)
    take(order_row, AssessmentKind.POST_TEST, now)
    return now


def modules_of(course_id: int) -> list[Module]:
    return list(
        db.session.scalars(
            sa.select(Module).where(Module.course_id == course_id).order_by(Module.position)
        )
    )


MINUTE = timedelta(minutes=1)


# --- Completed orders for tests of what follows completion (reviews) --------------------


def complete(order_id: int, at: datetime) -> None:
    """Mark an order completed at `at` directly (in the caller's app context; flushes): a
    shortcut for tests of what comes after completion, such as reviews. Tests of completion
    itself walk the course with `learn_everything`."""
    db.session.execute(
        sa.update(Order)
        .where(Order.id == order_id)
        .values(status=OrderStatus.COMPLETED, completed_at=at)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def completed_orders(app, shop, course_id: int, count: int) -> list[tuple[int, int]]:
    """`count` new participants, each with a card, who bought `course_id` and completed it;
    their (participant id, order id), committed."""
    people = card_holders(app, count, shop.now)
    made = []
    with app.app_context():
        for person in people:
            bought = buy(shop, course_id, who=person)
            made.append((person, bought.id))
            complete(bought.id, shop.now)
        db.session.commit()
    return made
