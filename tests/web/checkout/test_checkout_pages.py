"""Checkout pages: the purchase check, the code page, the confirmation, the receipt."""

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.catalogue.models import Course, CourseSession, Method
from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.extensions import db
from marketplace.money.models import LedgerTransaction, Reason
from marketplace.orders.models import Order, PurchaseCode
from marketplace.orders.redemption import grouped
from marketplace.people.models import Role

PRICE = 300_000
CODE = re.compile(r"is (\d{6})\.")


def _card_holder(factory, now) -> SimpleNamespace:
    """A participant (signed-in-able, English) with a 2020 card of Rp1.000.000."""
    holder = factory.card_holder(now)
    return SimpleNamespace(email=holder.user.email, participant_id=holder.id)


def _sign_in(app, email: str):
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def shop(app, factory):
    now = utcnow().replace(microsecond=0)
    provider = factory.provider()
    category = factory.category()
    self_paced = factory.course(provider=provider, category=category, price=PRICE)
    other = factory.course(provider=provider, category=category, price=PRICE)
    dear = factory.course(provider=provider, category=category, price=2_000_000)
    webinar = factory.course(
        provider=provider, category=category, price=PRICE, method=Method.WEBINAR, sessions=2
    )
    buyer = _card_holder(factory, now)
    with app.app_context():
        session_id = db.session.scalar(
            sa.select(CourseSession.id)
            .where(CourseSession.course_id == webinar.id)
            .order_by(CourseSession.starts_at)
            .limit(1)
        )
    return SimpleNamespace(
        now=now,
        self_paced=self_paced,
        other=other,
        dear=dear,
        webinar=webinar,
        session_id=session_id,
        buyer=buyer,
        client=_sign_in(app, buyer.email),
        provider_name=provider.name,
    )


def _latest_code(app, email: str) -> str:
    with app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMail.body)
            .where(OutboxMail.recipient == email)
            .order_by(OutboxMail.id.desc())
            .limit(1)
        )
    return CODE.search(body).group(1)


def _key(response) -> str:
    return re.search(r'name="purchase_key" value="([^"]+)"', response.get_data(as_text=True)).group(
        1
    )


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _start(shop, course: Course, **data):
    response = shop.client.post(f"/checkout/{course.slug}", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return _key(response)


def _confirm(shop, key: str, code: str, course: Course | None = None):
    return shop.client.post(
        "/checkout/confirm",
        data={"purchase_key": key, "code": code, "course": course.slug if course else ""},
    )


# --- who may ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, factory):
    course = factory.course()
    response = client.get(f"/checkout/{course.slug}")
    assert response.status_code == 302
    assert "/login" in response.location
    assert f"next=%2Fcheckout%2F{course.slug}" in response.location
    assert client.post("/checkout/confirm", data={"purchase_key": "x"}).status_code == 302
    assert client.get("/account/orders/1").status_code == 302


def test_providers_may_not_buy(provider_client, factory):
    course = factory.course()
    assert provider_client.get(f"/checkout/{course.slug}").status_code == 403
    assert provider_client.post(f"/checkout/{course.slug}").status_code == 403
    assert provider_client.post("/checkout/confirm", data={"purchase_key": "x"}).status_code == 403
    assert provider_client.get("/account/orders/1").status_code == 403


def test_the_course_page_buy_button_leads_to_checkout(client, participant_client, factory):
    course = factory.course()
    signed_in = participant_client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f'class="button button--buy" href="/checkout/{course.slug}"' in signed_in
    anonymous = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f"/login?next=/checkout/{course.slug}" in anonymous


# --- the whole way ---------------------------------------------------------------------------


def test_buying_a_self_paced_course(app, shop):
    page = shop.client.get(f"/checkout/{shop.self_paced.slug}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert shop.self_paced.title in text
    assert "Rp300.000" in text and "Rp1.000.000" in text and "Rp700.000" in text
    assert "one unfinished course at a time" in text
    assert "Send me a code" in text

    started = shop.client.post(f"/checkout/{shop.self_paced.slug}")
    assert started.status_code == 200
    assert "We sent a 6-digit code to your email" in started.get_data(as_text=True)
    key = _key(started)
    code = _latest_code(app, shop.buyer.email)
    assert code not in started.get_data(as_text=True)

    done = _confirm(shop, key, code, shop.self_paced)
    assert done.status_code == 302
    assert re.fullmatch(r"/account/orders/\d+", done.location)
    for response in (page, started, done):
        assert key not in (response.location or "")
        assert key not in response.request.url

    receipt = shop.client.get(done.location)
    text = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
    assert grouped(order.voucher_code) in text
    assert shop.provider_name in text
    assert "Rp700.000" in text  # the card's new balance
    assert "Redeem code" not in text  # no session, no redeem code

    account = shop.client.get("/account").get_data(as_text=True)
    assert f'href="/account/orders/{order.id}"' in account
    assert shop.self_paced.title in account


def test_buying_a_webinar_seat(app, shop):
    page = shop.client.get(f"/checkout/{shop.webinar.slug}").get_data(as_text=True)
    assert f'name="session" type="radio" value="{shop.session_id}"' in page

    missing = shop.client.post(f"/checkout/{shop.webinar.slug}")
    assert missing.status_code == 400
    assert "Choose a session for this course." in missing.get_data(as_text=True)
    assert _count(app, PurchaseCode) == 0

    key = _start(shop, shop.webinar, session=str(shop.session_id))
    done = _confirm(shop, key, _latest_code(app, shop.buyer.email), shop.webinar)
    assert done.status_code == 302
    text = shop.client.get(done.location).get_data(as_text=True)
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        session = db.session.get(CourseSession, shop.session_id)
        assert order.session_id == shop.session_id
        assert session.seats_taken == 1
    assert grouped(order.redeem_code) in text
    assert "Zoom Meeting" in text
    assert "WIB" in text
    assert "Valid from" in text


# --- the code --------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_counted(app, shop):
    key = _start(shop, shop.self_paced)
    right = _latest_code(app, shop.buyer.email)
    wrong = "000000" if right != "000000" else "111111"
    response = _confirm(shop, key, wrong, shop.self_paced)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "That code is not right. You have 4 more tries." in text
    assert key in text  # the form carries the key for the next try
    with app.app_context():
        assert db.session.scalar(sa.select(PurchaseCode.attempts)) == 1
    assert _count(app, Order) == 0


def test_five_wrong_codes_end_the_purchase(app, shop):
    key = _start(shop, shop.self_paced)
    right = _latest_code(app, shop.buyer.email)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        assert _confirm(shop, key, wrong).status_code == 400
    last = _confirm(shop, key, wrong)
    assert last.status_code == 400
    assert "Too many wrong codes: start the purchase again." in last.get_data(as_text=True)
    late = _confirm(shop, key, right)
    assert late.status_code == 400
    assert "This code can no longer be used" in late.get_data(as_text=True)
    assert _count(app, Order) == 0


def test_a_double_submit_makes_one_order(app, shop):
    key = _start(shop, shop.self_paced)
    code = _latest_code(app, shop.buyer.email)
    first = _confirm(shop, key, code)
    second = _confirm(shop, key, code)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert _count(app, Order) == 1
    assert _count(app, LedgerTransaction, LedgerTransaction.reason == Reason.PURCHASE) == 1


def test_another_participants_order_and_purchase_are_not_found(app, factory, shop):
    key = _start(shop, shop.self_paced)
    other = _card_holder(factory, shop.now)
    stranger = _sign_in(app, other.email)
    # The stranger can't use the buyer's key, even with the right code.
    response = stranger.post(
        "/checkout/confirm",
        data={"purchase_key": key, "code": _latest_code(app, shop.buyer.email)},
    )
    assert response.status_code == 404
    done = _confirm(shop, key, _latest_code(app, shop.buyer.email))
    assert stranger.get(done.location).status_code == 404
    assert shop.client.get(done.location).status_code == 200


@pytest.mark.parametrize("code", ["", "abcdef", "12 34", "1234567", "x" * 500])
def test_a_malformed_code_is_refused_and_not_counted(app, shop, code):
    key = _start(shop, shop.self_paced)
    response = _confirm(shop, key, code)
    assert response.status_code == 400
    assert "Enter the 6-digit code from the email." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(PurchaseCode.attempts)) == 0
    assert _count(app, Order) == 0


def test_bad_addresses_and_keys_are_not_found(shop):
    client = shop.client
    assert client.post("/checkout/confirm", data={"code": "123456"}).status_code == 404
    assert (
        client.post(
            "/checkout/confirm", data={"purchase_key": "nope", "code": "123456"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/checkout/confirm", data={"purchase_key": "k" * 500, "code": "123456"}
        ).status_code
        == 404
    )
    assert client.get("/account/orders/0").status_code == 404
    assert client.get("/account/orders/99").status_code == 404
    assert client.get(f"/account/orders/{2**31}").status_code == 404
    assert client.get(f"/account/orders/{10**30}").status_code == 404
    assert client.get("/checkout/no-such-course").status_code == 404
    assert client.get("/checkout/" + "a" * 300).status_code == 404


@pytest.mark.parametrize("session", ["abc", "-1", "99999", "9" * 40])
def test_a_tampered_session_is_refused(app, shop, session):
    response = shop.client.post(f"/checkout/{shop.webinar.slug}", data={"session": session})
    assert response.status_code == 400
    assert "Choose a session for this course." in response.get_data(as_text=True)
    assert _count(app, PurchaseCode) == 0


# --- refusals from the rules -----------------------------------------------------------------


def test_a_participant_without_a_card_is_refused(app, participant_client, shop):
    participant_client.set_cookie("lang", "en")
    page = participant_client.get(f"/checkout/{shop.self_paced.slug}")
    assert page.status_code == 200
    assert "Send me a code" not in page.get_data(as_text=True)
    response = participant_client.post(f"/checkout/{shop.self_paced.slug}")
    assert response.status_code == 400
    assert "You don&#39;t have a Kartu Prakerja yet" in response.get_data(as_text=True)
    assert _count(app, PurchaseCode) == 0


def test_a_low_balance_is_refused(app, shop):
    mails = _count(app, OutboxMail)
    page = shop.client.get(f"/checkout/{shop.dear.slug}").get_data(as_text=True)
    assert "Your balance after this purchase" not in page  # a refused purchase has no after
    response = shop.client.post(f"/checkout/{shop.dear.slug}")
    assert response.status_code == 400
    assert "is not enough for this course" in response.get_data(as_text=True)
    assert _count(app, PurchaseCode) == 0
    assert _count(app, OutboxMail) == mails


def test_a_course_bought_already_is_refused(app, shop):
    key = _start(shop, shop.self_paced)
    assert _confirm(shop, key, _latest_code(app, shop.buyer.email)).status_code == 302
    again = shop.client.post(f"/checkout/{shop.self_paced.slug}")
    assert again.status_code == 400
    assert "You have already bought this course." in again.get_data(as_text=True)
    assert _count(app, PurchaseCode) == 1


# --- the rules, checked before the button --------------------------------------------------


def test_the_confirmation_page_says_why_before_the_button(app, shop):
    page = shop.client.get(f"/checkout/{shop.dear.slug}").get_data(as_text=True)
    assert "You can't buy this course." in page
    assert "is not enough for this course, which costs Rp2.000.000" in page
    assert "Send me a code" not in page
    key = _start(shop, shop.self_paced)
    assert _confirm(shop, key, _latest_code(app, shop.buyer.email)).status_code == 302
    again = shop.client.get(f"/checkout/{shop.self_paced.slug}").get_data(as_text=True)
    assert "You have already bought this course." in again and "Send me a code" not in again
    other = shop.client.get(f"/checkout/{shop.other.slug}").get_data(as_text=True)
    assert "one unfinished course at a time" in other and "Send me a code" not in other


def test_the_confirmation_page_speaks_indonesian_by_default(app, shop):
    shop.client.set_cookie("lang", "id")
    page = shop.client.get(f"/checkout/{shop.dear.slug}").get_data(as_text=True)
    assert "tidak cukup" in page
    assert "Send me a code" not in page


# --- a refunded order ----------------------------------------------------------------------


def test_a_refunded_order_shows_the_refund_and_not_the_codes(app, shop):
    from support.programme_rows import make_user

    from marketplace.orders import refunds

    key = _start(shop, shop.self_paced)
    done = _confirm(shop, key, _latest_code(app, shop.buyer.email))
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        refunds.refund_order(order, "Bought by mistake", utcnow(), make_user(role=Role.ADMIN))
        db.session.commit()
        voucher = order.voucher_code
    text = shop.client.get(done.location).get_data(as_text=True)
    assert "Refunded: " in text and "Bought by mistake" in text
    assert "Rp300.000 went back to your card on" in text
    assert "Rp1.000.000" in text  # the balance is whole again
    assert grouped(voucher) in text  # still on record in the list, marked as no longer working
    assert "The codes of this order no longer work." in text
    account = shop.client.get("/account").get_data(as_text=True)
    assert "Refunded" in account
