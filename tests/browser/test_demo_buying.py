"""The demo participant, as `flask seed` leaves her, buys a course in a real browser and sees
the voucher code and her new balance; her statement lists the purchase."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from marketplace.catalogue.models import Course, CourseStatus, Method
from marketplace.core.models import OutboxMail
from marketplace.demo import seeding
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.redemption import grouped
from marketplace.people.models import Participant, User
from marketplace.seed_data import DEMO_PASSWORD

DEMO = "peserta@example.com"


@pytest.fixture
def demo(app):
    """The demo data (a small catalogue), and a self-paced course the demo participant can
    buy: approved, at most her balance (Rp1.000.000 less the course she completed and
    reviewed, demo/journeys.py), not one she has bought; and that balance."""
    with app.app_context():
        seeding.seed(seed=7, courses=200)
        db.session.commit()
        bought = sa.select(Order.course_id)
        balance = 1_000_000 - db.session.scalar(
            sa.select(sa.func.sum(Order.price))
            .join(Participant, Participant.id == Order.participant_id)
            .join(User, User.id == Participant.user_id)
            .where(User.email == DEMO, Order.status == OrderStatus.COMPLETED)
        )
        course = db.session.scalar(
            sa.select(Course)
            .where(
                Course.status == CourseStatus.APPROVED,
                Course.method == Method.SELF_PACED,
                Course.price <= balance,
                Course.id.not_in(bought),
            )
            .order_by(Course.price.desc(), Course.id)
            .limit(1)
        )
        return course.slug, course.title, course.price, balance


def rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


@pytest.mark.browser
def test_the_demo_participant_buys_a_course(app, new_context, live_server, demo):
    slug, title, price, balance = demo
    context = new_context()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", DEMO)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account$"))
    main = page.locator("main")
    expect(main).to_contain_text(rupiah(balance))

    page.goto(f"/courses/{slug}")
    page.get_by_role("link", name="Buy with Kartu Prakerja").click()
    page.wait_for_url(re.compile(rf"/checkout/{slug}$"))
    expect(main).to_contain_text(rupiah(balance - price))
    page.get_by_role("button", name="Send me a code").click()
    expect(main).to_contain_text("We sent a 6-digit code to your email")
    with app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMail.body)
            .where(OutboxMail.recipient == DEMO)
            .order_by(OutboxMail.id.desc())
            .limit(1)
        )
    page.get_by_label("Code").fill(re.search(r"\b(\d{6})\b", body).group(1))
    page.get_by_role("button", name="Confirm the purchase").click()
    page.wait_for_url(re.compile(r"/account/orders/\d+$"))

    order_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        voucher = db.session.get(Order, order_id).voucher_code
    expect(main).to_contain_text(grouped(voucher))
    expect(main).to_contain_text(rupiah(balance - price))  # the card's new balance

    page.goto("/account/statement")
    expect(main).to_contain_text(f"Purchase: {title}")
    expect(main).to_contain_text("Refund:")  # the seeded cancelled session
