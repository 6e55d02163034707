"""After buying: the order page (platform, provider, steps, until when), the code page
(where the code went, how long it works, a new code, help) and the confirmation mail."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support import smtp
from support.factories import PASSWORD

from marketplace.catalogue.models import Course, CourseSession, Method, Platform
from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.orders.models import Order, PurchaseCode
from marketplace.orders.redemption import grouped
from marketplace.people.models import Participant
from marketplace.web.checkout.views import masked_address

PRICE = 300_000
PLATFORM_URL = "https://belajar.example/prakerja"
CODE = re.compile(r"is (\d{6})\.")
smtp_server = smtp.smtp_server  # the fixture: a LoopbackSMTP running for one test


@pytest.fixture
def app_config(request):
    """Rate limits on for a test asking for `throttled`; mail to `smtp_server` if asked."""
    config = {}
    if "throttled" in request.fixturenames:
        config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    if "smtp_server" in request.fixturenames:
        config.update(request.getfixturevalue("smtp_server").config)
    return config


@pytest.fixture
def throttled():
    """Marker fixture: the app under test has its rate limits on."""


@pytest.fixture
def shop(app, factory):
    """A provider on a platform with an address, its courses, a card holder signed in."""
    now = utcnow().replace(microsecond=0)
    platform = factory.platform("Belajar Kita")
    provider = factory.provider(platform=platform)
    category = factory.category()

    def course(**fields):
        return factory.course(provider=provider, category=category, price=PRICE, **fields)

    self_paced = course()
    webinar = course(method=Method.WEBINAR, sessions=1)
    offline = course(method=Method.OFFLINE, sessions=1)
    dear = factory.course(provider=provider, category=category, price=2_000_000)
    holder = factory.card_holder(now)
    with app.app_context():
        db.session.get(Platform, platform.id).url = PLATFORM_URL
        email = db.session.get(Participant, holder.id).user.email
        sessions = {
            row.course_id: row.id
            for row in db.session.scalars(
                sa.select(CourseSession).where(
                    CourseSession.course_id.in_([webinar.id, offline.id])
                )
            )
        }
        db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return SimpleNamespace(
        app=app,
        now=now,
        client=client,
        email=email,
        platform="Belajar Kita",
        provider=provider.name,
        self_paced=self_paced,
        webinar=webinar,
        webinar_session=sessions[webinar.id],
        offline=offline,
        offline_session=sessions[offline.id],
        dear=dear,
    )


def _text(response) -> str:
    return response.get_data(as_text=True)


def _key(response) -> str:
    return re.search(r'name="purchase_key" value="([^"]+)"', _text(response)).group(1)


def _mails(app, email: str) -> list[OutboxMail]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(OutboxMail).where(OutboxMail.recipient == email).order_by(OutboxMail.id)
            )
        )


def _latest_code(app, email: str) -> str:
    codes = [CODE.search(m.body) for m in _mails(app, email)]
    return [found.group(1) for found in codes if found][-1]


def _start(shop, course, **data):
    response = shop.client.post(f"/checkout/{course.slug}", data=data)
    assert response.status_code == 200, _text(response)
    return response


def _buy(shop, course, **data) -> Order:
    key = _key(_start(shop, course, **data))
    done = shop.client.post(
        "/checkout/confirm",
        data={"purchase_key": key, "code": _latest_code(shop.app, shop.email)},
    )
    assert done.status_code == 302, _text(done)
    with shop.app.app_context():
        return db.session.scalar(sa.select(Order).where(Order.purchase_key == key))


def _age_the_code(app, key: str, seconds: int = 61) -> None:
    """Make the last code of a purchase `seconds` older (as if time had passed)."""
    with app.app_context():
        row = db.session.scalar(sa.select(PurchaseCode).where(PurchaseCode.purchase_key == key))
        row.created_at -= timedelta(seconds=seconds)
        db.session.commit()


def _resend(shop, key: str):
    return shop.client.post("/checkout/resend", data={"purchase_key": key})


# --- the order page ------------------------------------------------------------------------


def test_the_order_page_says_where_and_how_to_start_a_self_paced_course(shop):
    order = _buy(shop, shop.self_paced)
    page = _text(shop.client.get(f"/account/orders/{order.id}"))
    code = grouped(order.voucher_code)
    assert re.fullmatch(r"VC[A-Z0-9]{2}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert code in page and order.voucher_code not in page
    assert f"Order number {order.id}" in page
    assert f'<a href="{PLATFORM_URL}" rel="noopener noreferrer">Belajar Kita</a>' in page
    assert shop.provider in page
    steps = re.search(r'<ol class="steps">(.*?)</ol>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", steps, re.S)
    assert len(items) == 4
    assert "Open Belajar Kita, the digital platform" in items[0]
    assert f'href="{PLATFORM_URL}"' in items[0] and "Go to Belajar Kita" in items[0]
    assert f"with the same email address you use here: {shop.email}" in items[1]
    assert f"enter your voucher code {code}" in items[2] and shop.provider in items[2]
    assert "Start the course" in items[3]
    assert "Your voucher code has no end date" in page
    assert "Use the voucher code on the digital platform" not in page


def test_the_order_page_of_a_webinar_gives_the_session_and_until_when(shop):
    order = _buy(shop, shop.webinar, session=str(shop.webinar_session))
    page = _text(shop.client.get(f"/account/orders/{order.id}"))
    assert grouped(order.redeem_code) in page
    assert "Your redeem code" in page
    assert "Come to the session on " in page and "WIB" in page
    assert "It is held online: Zoom Meeting" in page and "camera" in page
    assert "tell the trainer your redeem code" in page
    assert "Your redeem code works until " in page
    assert "KTP" not in page


def test_the_order_page_of_an_offline_course_says_what_to_bring(shop):
    order = _buy(shop, shop.offline, session=str(shop.offline_session))
    page = _text(shop.client.get(f"/account/orders/{order.id}"))
    assert "The place: " in page and "identity card (KTP)" in page
    assert "Your redeem code works until " in page


def test_the_order_page_speaks_indonesian(shop):
    order = _buy(shop, shop.self_paced)
    shop.client.set_cookie("lang", "id")
    page = _text(shop.client.get(f"/account/orders/{order.id}"))
    assert "Yang perlu Anda lakukan" in page and "Buka Belajar Kita" in page
    assert "Kode voucher Anda tidak memiliki batas waktu" in page


# --- the confirmation mail -----------------------------------------------------------------


def test_the_confirmation_mail_is_sent_once_after_the_commit(shop, smtp_server):
    smtp_server.wait_for(1)  # the card's issue
    smtp_server.clear()
    key = _key(_start(shop, shop.self_paced))
    [code_mail] = smtp_server.wait_for(1)
    code = CODE.search(code_mail.body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    refused = shop.client.post("/checkout/confirm", data={"purchase_key": key, "code": wrong})
    assert refused.status_code == 400
    for _ in range(2):  # a double submit
        done = shop.client.post("/checkout/confirm", data={"purchase_key": key, "code": code})
        assert done.status_code == 302
    [_code_mail, confirmation] = smtp_server.wait_for(2)
    with shop.app.app_context():
        order = db.session.scalar(sa.select(Order))
        assert db.session.scalar(sa.select(OutboxMail.sent_at).order_by(OutboxMail.id.desc()))
    assert confirmation.recipient == shop.email
    assert confirmation.subject == f"Order {order.id}: you have bought {shop.self_paced.title}"
    assert f"Your voucher code: {grouped(order.voucher_code)}" in confirmation.body
    assert "Your card's balance now: Rp700.000" in confirmation.body
    assert f"http://localhost/account/orders/{order.id}" in confirmation.body
    assert PLATFORM_URL in confirmation.body
    assert len(smtp_server.messages) == 2


def test_no_confirmation_mail_for_a_refused_purchase(shop):
    started = _start(shop, shop.self_paced)
    with shop.app.app_context():
        course = db.session.get(Course, shop.self_paced.id)
        course.price = 0  # off sale between the code and the confirmation
        db.session.commit()
    response = shop.client.post(
        "/checkout/confirm",
        data={"purchase_key": _key(started), "code": _latest_code(shop.app, shop.email)},
    )
    assert response.status_code == 400
    assert all("you have bought" not in m.subject for m in _mails(shop.app, shop.email))


# --- the code page -------------------------------------------------------------------------


def test_masked_addresses():
    assert masked_address("peserta@example.com") == "pe•••@example.com"
    assert masked_address("ani@example.com") == "a•••@example.com"
    assert masked_address("x@example.com") == "x•••@example.com"
    assert masked_address("nonsense") == "•••"


def test_the_code_page_names_the_address_and_how_long_the_code_works(shop):
    page = _text(_start(shop, shop.self_paced))
    shown = masked_address(shop.email)
    assert f"We sent a 6-digit code to your email address, {shown}." in page
    assert shop.email not in page
    assert "The code works for 10 minutes" in page and "Valid until " in page
    assert "<summary>Didn&#39;t get the code?</summary>" in page or (
        "<summary>Didn't get the code?</summary>" in page
    )
    assert "spam" in page
    help_link = "/contact" if "public.contact" in shop.app.view_functions else "/#faq"
    assert f'<a href="{help_link}">Get help from the programme</a>' in page
    assert 'action="/checkout/resend"' in page and "Resend the code" in page
    assert "You can ask for a new code from " in page  # a minute has not passed yet


def test_resend_replaces_the_code_and_waits_a_minute(shop):
    key = _key(_start(shop, shop.self_paced))
    first = _latest_code(shop.app, shop.email)
    mails = len(_mails(shop.app, shop.email))

    soon = _resend(shop, key)
    assert soon.status_code == 429
    assert "We sent a code less than a minute ago. You can ask for a new one at " in _text(soon)
    assert len(_mails(shop.app, shop.email)) == mails

    _age_the_code(shop.app, key)
    again = _resend(shop, key)
    assert again.status_code == 200
    text = _text(again)
    assert "We sent a new code to " in text and "no longer works" in text
    assert _key(again) == key
    new_mails = _mails(shop.app, shop.email)
    assert len(new_mails) == mails + 1
    assert new_mails[-1].subject == "Your new code to confirm a purchase"
    second = _latest_code(shop.app, shop.email)
    if first != second:
        old = shop.client.post("/checkout/confirm", data={"purchase_key": key, "code": first})
        assert old.status_code == 400 and "That code is not right" in _text(old)
    done = shop.client.post("/checkout/confirm", data={"purchase_key": key, "code": second})
    assert done.status_code == 302


def test_an_expired_code_is_replaced_on_the_same_page(shop):
    key = _key(_start(shop, shop.self_paced))
    code = _latest_code(shop.app, shop.email)
    with shop.app.app_context():
        row = db.session.scalar(sa.select(PurchaseCode).where(PurchaseCode.purchase_key == key))
        row.created_at -= checkout.CODE_VALID_FOR + timedelta(minutes=1)
        row.expires_at -= checkout.CODE_VALID_FOR + timedelta(minutes=1)
        db.session.commit()
    late = shop.client.post("/checkout/confirm", data={"purchase_key": key, "code": code})
    assert late.status_code == 400
    text = _text(late)
    assert "This code has expired. Ask for a new code" in text
    assert "The code expired at " in text and 'action="/checkout/resend"' in text
    again = _resend(shop, key)
    assert again.status_code == 200 and "Valid until " in _text(again)
    fresh = _latest_code(shop.app, shop.email)
    done = shop.client.post("/checkout/confirm", data={"purchase_key": key, "code": fresh})
    assert done.status_code == 302


def test_resend_of_a_finished_or_unknown_purchase(shop):
    order = _buy(shop, shop.self_paced)
    with shop.app.app_context():
        key = db.session.scalar(sa.select(Order.purchase_key).where(Order.id == order.id))
    done = _resend(shop, key)
    assert done.status_code == 302 and done.location == f"/account/orders/{order.id}"
    assert _resend(shop, "no-such-key").status_code == 404
    assert _resend(shop, "k" * 500).status_code == 404
    assert shop.client.post("/checkout/resend").status_code == 404


def test_resend_is_rate_limited_per_account(shop, throttled):
    key = _key(_start(shop, shop.self_paced))
    for _ in range(3):
        _age_the_code(shop.app, key)
        assert _resend(shop, key).status_code == 200
    _age_the_code(shop.app, key)
    limited = _resend(shop, key)
    assert limited.status_code == 429
    text = _text(limited)
    assert "You have asked for a new code too often. You can ask again at " in text
    assert "WIB" in text and 'name="code"' in text  # the code page, its form still there
    shop.client.set_cookie("lang", "id")
    assert "Anda terlalu sering meminta kode baru" in _text(_resend(shop, key))


def test_resend_refused_too_soon_does_not_use_up_the_limit(shop, throttled):
    key = _key(_start(shop, shop.self_paced))
    for _ in range(5):
        assert _resend(shop, key).status_code == 429  # too soon: nothing sent
    _age_the_code(shop.app, key)
    assert _resend(shop, key).status_code == 200


# --- the purchase check --------------------------------------------------------------------


def test_a_refused_purchase_shows_no_balance_after(shop):
    refused = _text(shop.client.get(f"/checkout/{shop.dear.slug}"))
    assert "You can't buy this course." in refused
    assert "Your balance after this purchase" not in refused
    assert "Rp1.000.000" in refused  # the balance now is still shown
    allowed = _text(shop.client.get(f"/checkout/{shop.self_paced.slug}"))
    assert "Your balance after this purchase" in allowed and "Rp700.000" in allowed


def test_codes_from_before_still_work_at_checkout_search(shop):
    """An order with an old-alphabet code is still shown grouped on its page."""
    order = _buy(shop, shop.self_paced)
    with shop.app.app_context():
        db.session.execute(
            sa.update(Order).where(Order.id == order.id).values(voucher_code="VCZ2S5B8LQAA")
        )
        db.session.commit()
        assert checkout.find_orders("vc22-5588-10aa").items[0].id == order.id
    page = _text(shop.client.get(f"/account/orders/{order.id}"))
    assert "VCZ2-S5B8-LQAA" in page
