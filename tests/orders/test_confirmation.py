"""After the purchase: the confirmation mail (what was bought, the codes, what to do next,
until when) and a new purchase code on request."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as translate
from support.checkout_rows import begin, buy, card_of, count, course, participant

from marketplace.core import DomainError
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.orders import checkout, receipt, redemption
from marketplace.orders.models import Order, PurchaseCode


def confirmations() -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(
                sa.or_(OutboxMail.subject.like("Order %"), OutboxMail.subject.like("Pesanan %"))
            )
            .order_by(OutboxMail.id)
        )
    )


def with_platform_url(course_id: int, url: str = "https://platform.example/prakerja") -> str:
    course(course_id).platform.url = url
    db.session.flush()
    return url


# --- the confirmation mail -----------------------------------------------------------------


def test_a_purchase_mails_its_confirmation_once(shop, ctx):
    url = with_platform_url(shop.self_paced)
    who = participant(shop.buyer)
    row, code = begin(shop, shop.self_paced)
    order = checkout.confirm(
        who, row.purchase_key, code, shop.now, order_link=lambda n: f"http://localhost/o/{n}"
    )
    again = checkout.confirm(who, row.purchase_key, code, shop.now)  # a double submit
    assert again.id == order.id
    (mail,) = confirmations()
    assert mail.recipient == who.user.email
    assert mail.subject == f"Order {order.id}: you have bought {course(shop.self_paced).title}"
    body = mail.body
    the_course = course(shop.self_paced)
    for fact in (
        f"Order number: {order.id}",
        f"Course: {the_course.title}",
        f"Training provider: {the_course.provider.name}",
        f"Digital platform: {the_course.platform.name}",
        "Price: Rp300.000",
        "Your card's balance now: Rp700.000",
        f"Your voucher code: {redemption.grouped(order.voucher_code)}",
        f"1. Open {the_course.platform.name}, the digital platform",
        f"   {url}",
        f"2. Sign in to {the_course.platform.name}, or register there, with the same email "
        f"address you use here: {who.user.email}.",
        "3. Find ",
        "4. Start the course.",
        "Your voucher code has no end date",
        f"http://localhost/o/{order.id}",
    ):
        assert fact in body, fact
    assert order.voucher_code not in body  # only in groups


def test_the_confirmation_is_in_the_participants_language(shop, ctx):
    who = participant(shop.buyer)
    who.user.locale = "id"
    order = buy(shop, shop.self_paced)
    (mail,) = confirmations()
    with force_locale("id"):
        title = course(shop.self_paced).title
        assert mail.subject == translate(
            "Order %(number)s: you have bought %(course)s", number=order.id, course=title
        )
    assert mail.subject.startswith(f"Pesanan {order.id}: Anda telah membeli")
    assert "Nomor pesanan:" in mail.body and "Saldo kartu Anda sekarang: Rp700.000" in mail.body
    assert "Kode voucher Anda: " + redemption.grouped(order.voucher_code) in mail.body
    assert "Yang perlu Anda lakukan:" in mail.body and "1. Buka " in mail.body


def test_a_session_confirmation_gives_the_redeem_code_and_its_window(shop, ctx):
    order = buy(shop, shop.offline, shop.offline_session)
    (mail,) = confirmations()
    window = redemption.redeem_window(order.session)
    assert f"Your redeem code: {redemption.grouped(order.redeem_code)}" in mail.body
    assert "1. Come to the session on " in mail.body and "WIB" in mail.body
    assert "identity card (KTP)" in mail.body
    assert "tell the trainer your redeem code" in mail.body
    assert "Your redeem code works until " in mail.body
    assert redemption.usable_until(order) == window.closes_at


def test_no_confirmation_for_a_refused_or_unconfirmed_purchase(shop, ctx):
    row, code = begin(shop, shop.self_paced)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(checkout.WrongCode):
        checkout.confirm(participant(shop.buyer), row.purchase_key, wrong, shop.now)
    late = shop.now + checkout.CODE_VALID_FOR
    with pytest.raises(DomainError, match="expired"):
        checkout.confirm(participant(shop.buyer), row.purchase_key, code, late)
    # The rules refuse inside the purchase: the course went off sale after the code was sent.
    row, code = begin(shop, shop.other)
    course(shop.other).price = 0
    db.session.flush()
    with pytest.raises(DomainError, match="not on sale"):
        checkout.confirm(participant(shop.buyer), row.purchase_key, code, shop.now)
    assert confirmations() == []
    assert count(Order) == 0


def test_the_steps_follow_the_method(shop, ctx):
    card_of(shop.buyer).scheme.one_unfinished_course = False
    email = participant(shop.buyer).user.email
    self_paced = buy(shop, shop.self_paced)
    webinar = buy(shop, shop.webinar, shop.webinar_session)
    offline = buy(shop, shop.offline, shop.offline_session)
    assert [step.message.split(" ")[0] for step in receipt.next_steps(self_paced, email)] == [
        "Open", "Sign", "Find", "Start"
    ]
    assert receipt.platform_link(self_paced) is None  # no address: named, not linked
    with_platform_url(shop.self_paced, "javascript:alert(1)")
    assert receipt.platform_link(self_paced) is None
    online = [step.message for step in receipt.next_steps(webinar, email)]
    assert any("held online" in text for text in online)
    assert not any("KTP" in text for text in online)
    in_person = [step.message for step in receipt.next_steps(offline, email)]
    assert any("KTP" in text for text in in_person)
    assert receipt.until_when(self_paced)[1] == {}
    assert receipt.until_when(webinar)[1] == {
        "date": redemption.redeem_window(webinar.session).closes_at
    }


# --- a new purchase code -------------------------------------------------------------------


def test_a_new_code_replaces_the_old_one(shop, ctx):
    who = participant(shop.buyer)
    row, first = begin(shop, shop.self_paced)
    with pytest.raises(checkout.TooSoon) as soon:
        checkout.resend_code(who, row.purchase_key, shop.now + timedelta(seconds=59))
    assert soon.value.again_at == shop.now + checkout.RESEND_AFTER
    wrong = "000000" if first != "000000" else "111111"
    with pytest.raises(checkout.WrongCode):
        checkout.confirm(who, row.purchase_key, wrong, shop.now)
    later = shop.now + checkout.RESEND_AFTER
    _row, second = checkout.resend_code(who, row.purchase_key, later)
    db.session.refresh(row)
    assert row.expires_at == later + checkout.CODE_VALID_FOR
    assert row.attempts == 1  # the wrong code stays counted: no new guesses
    mail = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert mail.subject == "Your new code to confirm a purchase"
    assert second in mail.body and "only the newest code works" in mail.body
    assert "works for 10 minutes" in mail.body
    if first != second:
        with pytest.raises(checkout.WrongCode):
            checkout.confirm(who, row.purchase_key, first, later)
    order = checkout.confirm(who, row.purchase_key, second, later)
    assert order.purchase_key == row.purchase_key
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "purchase.code_resent")
    )


def test_an_expired_code_can_be_replaced_without_starting_again(shop, ctx):
    who = participant(shop.buyer)
    row, _code = begin(shop, shop.self_paced)
    late = shop.now + checkout.CODE_VALID_FOR + timedelta(minutes=5)
    _row, code = checkout.resend_code(who, row.purchase_key, late)
    assert checkout.confirm(who, row.purchase_key, code, late + timedelta(minutes=9)).id


def test_a_new_code_is_refused_when_the_purchase_is_over(shop, ctx):
    card_of(shop.buyer).scheme.one_unfinished_course = False
    who = participant(shop.buyer)
    later = shop.now + checkout.RESEND_AFTER
    with pytest.raises(checkout.PurchaseNotFound):
        checkout.resend_code(who, "no-such-key", later)
    row, code = begin(shop, shop.self_paced)
    order = checkout.confirm(who, row.purchase_key, code, shop.now)
    with pytest.raises(checkout.PurchaseComplete) as complete:
        checkout.resend_code(who, row.purchase_key, later)
    assert complete.value.order.id == order.id
    voided, _code = begin(shop, shop.other)
    db.session.execute(
        sa.update(PurchaseCode).where(PurchaseCode.id == voided.id).values(voided_at=shop.now)
    )
    with pytest.raises(DomainError, match="can no longer be used"):
        checkout.resend_code(who, voided.purchase_key, later)
    mails = count(OutboxMail)
    stranger_key = voided.purchase_key
    with pytest.raises(checkout.PurchaseNotFound):
        checkout.resend_code(participant(shop.no_card), stranger_key, later)
    assert count(OutboxMail) == mails
