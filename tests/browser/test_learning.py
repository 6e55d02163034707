"""Learning in a real browser on a 360 px phone, in Indonesian: a participant opens "Pelatihan
Saya", starts a self-paced course with its voucher code, takes the pre-test, opens a module,
reads it and passes its quiz; a participant whose minimum learning time has gone by passes
the post-test, completes the course and rates it, and the review shows on the course page;
the demo participant continues the course the demo left her in the middle of.

The right answers are read from the question bank by the ids the page's radio groups carry
(`answer-<question id>`): the test answers as a participant who learned the lesson would.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from support.factories import PASSWORD
from support.learning_rows import learn_modules, start, take, write_bank

from marketplace.catalogue.models import Course, Question
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.learning.models import AssessmentKind, ModuleProgress
from marketplace.orders import checkout
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.redemption import grouped
from marketplace.people.models import Participant

PHONE = {"width": 360, "height": 740}
REVIEW = "Materinya jelas dan kuisnya membantu saya mengulang pelajaran setiap modul."
NO_SIDEWAYS_SCROLL = (
    "() => ({innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth})"
)


@pytest.fixture
def id_(app):
    """id_(message, **values): the message as the Indonesian page says it (from the site's
    own catalogue, so rewording a translation does not break the proof)."""

    def say(message: str, **values) -> str:
        with app.app_context(), force_locale("id"):
            return gettext(message, **values)

    return say


@pytest.fixture
def learner(app, factory):
    """A card holder who bought a self-paced course of three modules with a question bank;
    (email, order id, course slug)."""
    holder = factory.card_holder(utcnow(), locale="id")
    course = factory.course("Microsoft Excel untuk Pemula", price=300_000, modules=3)
    with app.app_context():
        write_bank(course.id)
        participant = db.session.get(Participant, holder.id)
        row, code = checkout.begin(participant, db.session.get(Course, course.id), None, utcnow())
        order = checkout.confirm(participant, row.purchase_key, code, utcnow())
        db.session.commit()
        return holder.user.email, order.id, course.slug


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account$"))


def no_sideways_scroll(page) -> None:
    measured = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert measured["scrollWidth"] <= measured["innerWidth"] == 360, (page.url, measured)


def answer_rightly(app, page, wrong: int = 0) -> None:
    """Choose the right answer to every question on the page (all but the first `wrong`),
    then send them."""
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
    for index, question_id in enumerate(ids):
        choice = right[question_id] if index >= wrong else (right[question_id] + 1) % 4
        page.locator(f"input[name=answer-{question_id}][value='{choice}']").check()


@pytest.mark.browser
def test_pelatihan_saya_the_voucher_the_pre_test_a_module_and_its_quiz(
    app, new_context, learner, id_, tmp_path
):
    email, order_id, _slug = learner
    with app.app_context():
        voucher = grouped(db.session.get(Order, order_id).voucher_code)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, email)
    main = page.locator("main")

    main.get_by_role(
        "link", name=id_("My courses: how far you are in each and what to do next")
    ).click()
    page.wait_for_url(re.compile(r"/account/courses$"))
    expect(main.get_by_role("heading", level=1)).to_have_text(id_("My courses"))
    expect(main).to_contain_text("Microsoft Excel untuk Pemula")
    no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "learning-courses.png", full_page=True)

    main.get_by_role("link", name=id_("Start the course")).first.click()
    page.wait_for_url(re.compile(rf"/learn/{order_id}(#start)?$"))
    # A wrong code first: said in Indonesian, the course not started.
    page.get_by_label(id_("Voucher code")).fill("VCAA-AAAA-AAAA")
    page.get_by_role("button", name=id_("Start the course")).click()
    expect(main).to_contain_text(
        id_("This is not the voucher code of this course. It is on your order page.")
    )
    page.get_by_label(id_("Voucher code")).fill(voucher.lower())
    page.get_by_role("button", name=id_("Start the course")).click()
    page.wait_for_url(re.compile(rf"/learn/{order_id}(/pre-test)?$"))
    no_sideways_scroll(page)

    page.goto(f"/learn/{order_id}/pre-test")
    page.get_by_role("button", name=id_("Start the pre-test")).click()
    answer_rightly(app, page, wrong=2)
    no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "learning-pre-test.png", full_page=True)
    page.get_by_role("button", name=id_("Send my answers")).click()
    expect(main).to_contain_text(id_("%(score)s of 100", score=66))

    page.goto(f"/learn/{order_id}/modules/1")
    page.get_by_role("button", name=id_("Open the module")).click()
    expect(main.get_by_role("heading", name="Pengantar")).to_be_visible()
    expect(main.locator("li", has_text="Langkah pertama")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "learning-module.png", full_page=True)
    main.get_by_role("link", name=id_("Take the quiz")).click()
    page.get_by_role("button", name=id_("Start the quiz")).click()
    answer_rightly(app, page)
    page.get_by_role("button", name=id_("Send my answers")).click()
    expect(main).to_contain_text(id_("Passed"))

    # Module 2 waits for module 1's minimum learning time, and the page says until when.
    page.goto(f"/learn/{order_id}/modules/2")
    expect(main.get_by_role("button", name=id_("Open the module"))).to_have_count(0)
    expect(main).to_contain_text("WIB")
    with app.app_context():
        assert db.session.get(Order, order_id).status is OrderStatus.REDEEMED
        opened = db.session.scalars(
            sa.select(ModuleProgress.module_id).where(ModuleProgress.order_id == order_id)
        ).all()
        assert len(opened) == 1


@pytest.mark.browser
def test_after_the_minimum_time_the_post_test_completes_the_course_and_the_review_shows(
    app, new_context, learner, id_, tmp_path
):
    email, order_id, slug = learner
    with app.app_context():
        order = db.session.get(Order, order_id)
        # Learned three days ago: started, pre-test, every module opened and its quiz passed.
        then = utcnow() - timedelta(days=3)
        start(order, then)
        take(order, AssessmentKind.PRE_TEST, then)
        learn_modules(order, then)
        db.session.commit()
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, email)
    main = page.locator("main")
    page.goto(f"/learn/{order_id}/post-test")
    page.get_by_role("button", name=id_("Start the post-test")).click()
    answer_rightly(app, page, wrong=1)
    page.get_by_role("button", name=id_("Send my answers")).click()
    page.wait_for_url(re.compile(rf"/learn/{order_id}$"))
    no_sideways_scroll(page)
    page.screenshot(path=tmp_path / "learning-completed.png", full_page=True)
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status is OrderStatus.COMPLETED and order.score == 83

    main.get_by_role("link", name=id_("Rate this course")).first.click()
    page.locator("input[name=stars][value='5']").check()
    page.locator("textarea").fill(REVIEW)
    page.get_by_role("button", name=id_("Publish my review")).click()
    page.goto(f"/courses/{slug}")
    expect(main).to_contain_text(REVIEW)
    no_sideways_scroll(page)
