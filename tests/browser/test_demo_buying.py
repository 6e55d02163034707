"""The demo participant, as `flask seed` leaves her, on a 360 px phone: she is in the middle of
one of the demo provider's self-paced courses (demo/journeys.py), so she opens "Pelatihan
Saya", continues to the module she has open and passes its quiz; buying a second course is
refused with the reason (her 2020 scheme allows one unfinished course) and the way to her
courses; her statement lists what she bought."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from marketplace.catalogue.models import Course, CourseStatus, Method, Question
from marketplace.demo import seeding
from marketplace.extensions import db
from marketplace.learning.models import ModuleProgress
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, User
from marketplace.seed_data import DEMO_PASSWORD

DEMO = "peserta@example.com"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def demo(app):
    """The demo (a small catalogue); her course in progress (order id, title) and a
    self-paced course she has not bought (slug)."""
    with app.app_context():
        seeding.seed(seed=7, courses=200)
        db.session.commit()
        mine = db.session.execute(
            sa.select(Order.id, Course.title)
            .join(Course, Course.id == Order.course_id)
            .join(Participant, Participant.id == Order.participant_id)
            .join(User, User.id == Participant.user_id)
            .where(User.email == DEMO, Order.status == OrderStatus.REDEEMED)
        ).one()
        other = db.session.scalar(
            sa.select(Course.slug)
            .where(
                Course.status == CourseStatus.APPROVED,
                Course.method == Method.SELF_PACED,
                Course.id.not_in(sa.select(Order.course_id)),
            )
            .order_by(Course.price, Course.id)
            .limit(1)
        )
        return mine.id, mine.title, other


def _answer_rightly(app, page) -> None:
    names = page.locator("main input[type=radio]").evaluate_all(
        "inputs => [...new Set(inputs.map(input => input.name))]"
    )
    ids = [int(name.removeprefix("answer-")) for name in names]
    with app.app_context():
        right = dict(
            db.session.execute(
                sa.select(Question.id, Question.correct_choice).where(Question.id.in_(ids))
            ).all()
        )
    for question_id in ids:
        page.locator(f"input[name=answer-{question_id}][value='{right[question_id]}']").check()


@pytest.mark.browser
def test_the_demo_participant_continues_her_course_and_is_told_why_not_a_second(
    app, new_context, live_server, demo
):
    order_id, title, other_slug = demo
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", DEMO)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account$"))
    main = page.locator("main")

    main.get_by_role("link", name="My courses: how far you are in each and what to do next").click()
    page.wait_for_url(re.compile(r"/account/courses$"))
    card = main.locator("article, li, section", has_text=title).first
    expect(card).to_contain_text("In progress")
    page.goto(f"/learn/{order_id}")
    expect(main).to_contain_text("Module 2")
    page.goto(f"/learn/{order_id}/modules/2")
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_role("button", name="Start the quiz").click()
    _answer_rightly(app, page)
    page.get_by_role("button", name="Send my answers").click()
    expect(main).to_contain_text("Passed")
    with app.app_context():
        passed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ModuleProgress)
            .where(ModuleProgress.order_id == order_id, ModuleProgress.quiz_passed_at.is_not(None))
        )
        assert passed == 2  # module 1 by the seed, module 2 now

    page.goto(f"/checkout/{other_slug}")
    expect(main.locator("#refusal")).to_contain_text("one unfinished course at a time")
    main.get_by_role("link", name="Go to My courses").click()
    page.wait_for_url(re.compile(r"/account/courses$"))

    page.goto("/account/statement")
    expect(main).to_contain_text(f"Purchase: {title}")
    expect(main).to_contain_text("Refund:")  # the seeded cancelled session
