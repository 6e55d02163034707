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


# --- Service tests of the learning engine (tests/learning/test_starting.py, test_journey.py,
# test_lessons.py, test_assessments.py, test_completion.py) ---------------------------------


def desk(provider_id: int):
    """A new user of the provider's staff (flushed): marks attendance, takes redeem codes,
    decides demonstrations."""
    from marketplace.people.models import Role
    from support.programme_rows import make_user

    user = make_user(role=Role.PROVIDER)
    user.provider_id = provider_id
    db.session.flush()
    return user


def events(action: str, subject: str | None = None) -> list:
    """The audit rows of `action` (about `subject` when given), oldest first."""
    from marketplace.core.models import AuditEvent

    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    return list(db.session.scalars(query))


def mails_to(email: str) -> list:
    """The outbox's messages to `email`, oldest first."""
    from marketplace.core.models import OutboxMail

    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.recipient == email).order_by(OutboxMail.id)
        )
    )


def refund(order_row: Order, now: datetime) -> None:
    """The programme office refunds the order (flushes)."""
    from marketplace.orders import refunds
    from marketplace.people.models import Role
    from support.programme_rows import make_user

    refunds.refund_order(order_row, "Salah beli", now, make_user(role=Role.ADMIN))


def session_order(app, shop, factory, days: int = 2):
    """The shop's buyer on a session of the shop's webinar over `days` WIB days (09.00 WIB on
    the first to 12.00 WIB on the last, ten days after shop.now), redeemed at the provider's
    desk as the session starts, the course's question bank written; all committed.

    A namespace: order (id), session (id), days (WIB dates), starts_at, desk (user id)."""
    from types import SimpleNamespace

    from marketplace.catalogue.models import CourseSession, Provider
    from marketplace.core.indonesia import jakarta_date, utc_from_jakarta

    first_day = jakarta_date(shop.now) + timedelta(days=10)
    row = factory.session(shop.webinar, utc_from_jakarta(first_day, 9, 0), hours=1)
    with app.app_context():
        session = db.session.get(CourseSession, row.id)
        session.ends_at = utc_from_jakarta(first_day + timedelta(days=days - 1), 12, 0)
        write_bank(shop.webinar)
        bought = buy(shop, shop.webinar, session.id)
        staff = desk(shop.provider_id)
        redemption.redeem(
            db.session.get(Provider, shop.provider_id), bought.redeem_code, session.starts_at, staff
        )
        db.session.commit()
        return SimpleNamespace(
            order=bought.id,
            session=session.id,
            days=[first_day + timedelta(days=offset) for offset in range(days)],
            starts_at=session.starts_at,
            desk=staff.id,
        )


def learn_after_start(order_row: Order, now: datetime, wrong: int = 0) -> datetime:
    """On a started course: the pre-test, every module, and a post-test with all answers
    right but `wrong`; the time the post-test was taken (when the modules were done)."""
    take(order_row, AssessmentKind.PRE_TEST, now)
    now = learn_modules(order_row, now)
    take(order_row, AssessmentKind.POST_TEST, now, wrong=wrong)
    return now


# --- The learner's pages (tests/web/learning/test_learner_*.py) ---------------------------
# Signed-in buyers of the `shop` fixture's courses, and orders in the states the pages show.


def signed_in_buyer(app, factory, shop, lang: str = "en"):
    """A new card holder who can sign in, signed in (`lang` cookie set); (participant id,
    client). Their scheme lets them hold several unfinished courses at once."""
    from marketplace.money.models import Card
    from support.factories import PASSWORD

    holder = factory.card_holder(shop.now)
    with app.app_context():
        card = db.session.scalar(sa.select(Card).where(Card.participant_id == holder.id))
        card.scheme.one_unfinished_course = False
        email = card.participant.user.email
        db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", lang)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return holder.id, client


def buy_for(app, shop, participant_id: int, course_id: int, session_id: int | None = None) -> int:
    """The participant buys the course (and session): the new order's id, committed."""
    with app.app_context():
        row = buy(shop, course_id, session_id, who=participant_id)
        db.session.commit()
        return row.id


def refunded_by_office(app, order_id: int, now: datetime) -> None:
    """The office refunds the order ("Salah beli", `refund` above), committed."""
    with app.app_context():
        refund(order(order_id), now)
        db.session.commit()
