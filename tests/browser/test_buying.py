"""Buying a webinar seat in a real browser: the course page's button, the purchase check,
the code read from the outbox, the receipt with the voucher code and the new balance."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from support.factories import PASSWORD
from test_phone import NO_SIDEWAYS_SCROLL

from marketplace.catalogue.models import Method
from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.orders.redemption import grouped


@pytest.fixture
def buyer(app, factory):
    """A participant (English mail) holding a 2020 card of Rp1.000.000; their email."""
    return factory.card_holder(utcnow()).user.email


@pytest.mark.browser
def test_buying_a_webinar_seat(app, factory, new_context, live_server, buyer):
    course = factory.course(
        "Strategi Pemasaran Digital", method=Method.WEBINAR, price=350_000, sessions=2
    )
    context = new_context()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", buyer)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account$"))

    # The course page's button leads to the purchase check.
    page.goto(f"/courses/{course.slug}")
    page.get_by_role("link", name="Buy with Kartu Prakerja").click()
    page.wait_for_url(re.compile(rf"/checkout/{course.slug}$"))
    main = page.locator("main")
    expect(main).to_contain_text("Rp1.000.000")
    expect(main).to_contain_text("Rp650.000")
    measured = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert measured["scrollWidth"] <= measured["innerWidth"]

    page.locator("input[name=session]").first.check()
    page.get_by_role("button", name="Send me a code").click()
    expect(main).to_contain_text("We sent a 6-digit code to your email")
    assert "purchase_key" not in page.url

    with app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMail.body)
            .where(OutboxMail.recipient == buyer)
            .order_by(OutboxMail.id.desc())
            .limit(1)
        )
    code = re.search(r"is (\d{6})\.", body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm the purchase").click()
    page.wait_for_url(re.compile(r"/account/orders/\d+$"))

    with app.app_context():
        order = db.session.scalar(sa.select(Order))
    expect(main).to_contain_text(grouped(order.voucher_code))
    expect(main).to_contain_text(grouped(order.redeem_code))
    expect(main).to_contain_text("Rp650.000")  # the card's new balance
    page.get_by_role("link", name="Back to your account").click()
    page.wait_for_url(re.compile(r"/account$"))
    expect(page.locator("main")).to_contain_text(course.title)
