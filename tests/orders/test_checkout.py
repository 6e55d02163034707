"""Checkout: the purchase rules, the mailed code, one order per key, and the races."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from support.checkout_rows import (
    PRICE,
    begin,
    buy,
    card_holders,
    card_of,
    count,
    course,
    participant,
    race,
    session_row,
)

from marketplace.catalogue.models import CourseSession, CourseStatus, SessionStatus
from marketplace.core import DomainError
from marketplace.core.database import kept_despite_refusal
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.money import cards, ledger
from marketplace.money.models import CardStatus, LedgerTransaction, Reason
from marketplace.orders import checkout
from marketplace.orders.models import Order, OrderStatus, PurchaseCode


def purchases() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(LedgerTransaction.id)).where(
            LedgerTransaction.reason == Reason.PURCHASE
        )
    )


def refused(shop, message_start, course_id, session_id=None, who=None, now=None):
    codes, mails = count(PurchaseCode), count(OutboxMail)
    with pytest.raises(DomainError) as error:
        begin(shop, course_id, session_id, who, now)
    assert error.value.message.startswith(message_start), error.value.message
    assert (count(PurchaseCode), count(OutboxMail)) == (codes, mails)
    return error.value


# --- the purchase rules --------------------------------------------------------------------


def test_no_card_is_refused(shop, ctx):
    refused(shop, "You don't have a Kartu Prakerja yet", shop.self_paced, who=shop.no_card)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CardStatus.REVOKED, "Your Kartu Prakerja has been revoked"),
        (CardStatus.FROZEN, "The programme office has frozen"),
        (CardStatus.EXHAUSTED, "Your Kartu Prakerja's training balance has been spent"),
    ],
)
def test_a_card_that_cannot_buy_is_refused(shop, ctx, status, message):
    card_of(shop.buyer).status = status
    db.session.flush()
    refused(shop, message, shop.self_paced)


def test_a_card_in_use_can_buy(shop, ctx):
    buy(shop, shop.self_paced)
    assert card_of(shop.buyer).status is CardStatus.IN_USE
    scheme = card_of(shop.buyer).scheme
    scheme.one_unfinished_course = False
    row, _code = begin(shop, shop.other)
    assert row.id is not None


def test_an_active_card_past_its_first_purchase_deadline_is_refused(shop, ctx):
    later = card_of(shop.buyer).purchase_deadline_at
    refused(shop, "The deadline for your first purchase has passed", shop.self_paced, now=later)


@pytest.mark.parametrize("status", [CourseStatus.DRAFT, CourseStatus.ARCHIVED])
def test_a_course_not_approved_is_refused(shop, ctx, status):
    course(shop.self_paced).status = status
    db.session.flush()
    refused(shop, "This course is not on sale", shop.self_paced)


def test_session_rules(shop, ctx):
    error = refused(shop, "Choose a session", shop.webinar)
    assert error.field == "session"
    refused(shop, "Choose a session", shop.offline)
    refused(
        shop, "That session is not a session of this course", shop.webinar, shop.offline_session
    )
    refused(shop, "This course is self-paced", shop.self_paced, shop.webinar_session)
    session = session_row(shop.webinar_session)
    refused(
        shop, "This session has already started", shop.webinar, session.id, now=session.starts_at
    )
    session.seats_taken = session.capacity
    db.session.flush()
    refused(shop, "This session is full", shop.webinar, session.id)
    session.seats_taken = 0
    session.status = SessionStatus.CANCELLED
    db.session.flush()
    refused(shop, "This session has been cancelled", shop.webinar, session.id)
    # The course's other session is still fine.
    row, _code = begin(shop, shop.webinar, shop.webinar_session_2)
    assert row.session_id == shop.webinar_session_2


def test_a_course_already_bought_is_refused_unless_refunded(shop, ctx):
    card_of(shop.buyer).scheme.one_unfinished_course = False
    order = buy(shop, shop.self_paced)
    refused(shop, "You have already bought this course", shop.self_paced)
    order.status = OrderStatus.REFUNDED
    db.session.flush()
    assert begin(shop, shop.self_paced)[0].id is not None


def test_one_unfinished_course_at_a_time(shop, ctx):
    assert card_of(shop.buyer).scheme.one_unfinished_course is True
    order = buy(shop, shop.self_paced)
    refused(shop, "Finish the course you have bought", shop.other)
    order.status = OrderStatus.REDEEMED
    db.session.flush()
    refused(shop, "Finish the course you have bought", shop.other)
    order.status = OrderStatus.COMPLETED
    db.session.flush()
    assert begin(shop, shop.other)[0].id is not None


def test_price_above_the_scheme_maximum_is_refused(shop, ctx):
    scheme = card_of(shop.buyer).scheme
    scheme.max_course_price = PRICE - 1
    db.session.flush()
    error = refused(shop, "This course costs %(price)s", shop.self_paced)
    assert error.params == {"price": "Rp300.000", "limit": "Rp299.999"}
    scheme.max_course_price = PRICE
    assert begin(shop, shop.self_paced)[0].id is not None


def test_a_price_above_the_balance_is_refused(shop, ctx):
    course(shop.self_paced).price = 1_000_001
    db.session.flush()
    error = refused(shop, "Your balance of %(balance)s is not enough", shop.self_paced)
    assert error.params == {"balance": "Rp1.000.000", "price": "Rp1.000.001"}


# --- the code ------------------------------------------------------------------------------


def test_begin_mails_a_six_digit_code_and_stores_only_its_hash(shop, ctx):
    row, code = begin(shop, shop.self_paced)
    assert len(code) == 6 and code.isdigit()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at == shop.now + timedelta(minutes=10) and row.attempts == 0
    assert len(row.purchase_key) >= 40
    mail = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert mail.recipient == participant(shop.buyer).user.email
    assert mail.subject == "Your code to confirm a purchase"
    assert code in mail.body and "Rp300.000" in mail.body
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "purchase.started")
    )
    assert [code not in str(event.detail) for event in events] == [True]


def test_the_code_mail_is_in_the_participants_language(shop, ctx):
    who = participant(shop.buyer)
    who.user.locale = "id"
    _row, code = begin(shop, shop.self_paced)
    mail = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert code in mail.body
    from flask_babel import force_locale
    from flask_babel import gettext as translate

    with force_locale("id"):
        assert mail.subject == translate("Your code to confirm a purchase")


def test_a_purchase_moves_the_price_to_the_provider(shop, ctx):
    order = buy(shop, shop.self_paced)
    assert order.status is OrderStatus.PAID and order.price == PRICE
    assert order.course_id == shop.self_paced and order.session_id is None
    assert order.voucher_code.startswith("VC") and len(order.voucher_code) == 12
    assert order.redeem_code is None
    card = card_of(shop.buyer)
    assert order.card_id == card.id
    assert ledger.balance_of(ledger.card_code(card.id)) == 700_000
    assert ledger.balance_of(f"provider:{shop.provider_id}") == PRICE
    assert purchases() == 1
    assert ledger.verify() == []
    assert checkout.order_for(participant(shop.buyer), order.id) is order
    assert checkout.order_for(participant(shop.no_card), order.id) is None
    used = db.session.scalar(
        sa.select(PurchaseCode).where(PurchaseCode.purchase_key == order.purchase_key)
    )
    assert used.used_at == shop.now
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "order.paid", AuditEvent.subject == f"order:{order.id}"
        )
    )


def test_a_session_purchase_takes_a_seat_and_gets_a_redeem_code(shop, ctx):
    taken = session_row(shop.webinar_session).seats_taken
    order = buy(shop, shop.webinar, shop.webinar_session)
    assert order.session_id == shop.webinar_session
    assert order.redeem_code.startswith("RD") and len(order.redeem_code) == 12
    assert session_row(shop.webinar_session).seats_taken == taken + 1
    assert ledger.verify() == []


def test_the_first_purchase_meets_the_deadline(shop, ctx):
    card = card_of(shop.buyer)
    assert card.status is CardStatus.ACTIVE and card.first_purchase_at is None
    buy(shop, shop.self_paced)
    card = card_of(shop.buyer)
    assert card.status is CardStatus.IN_USE and card.first_purchase_at == shop.now
    # The deadline job no longer touches it.
    db.session.commit()
    assert cards.expire_overdue(card.purchase_deadline_at + timedelta(days=1)) == 0


def test_confirming_twice_with_one_key_makes_one_order_and_one_debit(shop, ctx):
    row, code = begin(shop, shop.self_paced)
    key = row.purchase_key
    first = checkout.confirm(participant(shop.buyer), key, code, shop.now)
    db.session.commit()
    again = checkout.confirm(participant(shop.buyer), key, code, shop.now + timedelta(minutes=30))
    assert again.id == first.id
    assert count(Order) == 1 and purchases() == 1
    assert ledger.balance_of(ledger.card_code(card_of(shop.buyer).id)) == 700_000


def test_someone_elses_key_is_not_found(shop, ctx):
    row, code = begin(shop, shop.self_paced)
    with pytest.raises(checkout.PurchaseNotFound):
        checkout.confirm(participant(shop.no_card), row.purchase_key, code, shop.now)
    with pytest.raises(checkout.PurchaseNotFound):
        checkout.confirm(participant(shop.buyer), "no-such-key", code, shop.now)
    assert count(Order) == 0


def test_five_wrong_codes_void_the_purchase(shop, ctx):
    row, code = begin(shop, shop.self_paced)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    who = participant(shop.buyer)
    for attempt in range(1, 6):
        with pytest.raises(checkout.WrongCode) as error:
            checkout.confirm(who, row.purchase_key, wrong, shop.now)
        assert kept_despite_refusal()  # a request's boundary keeps the count
        db.session.commit()  # as the boundary does for a refusal so marked
        assert row.attempts == attempt
        if attempt < 5:
            assert error.value.params == {"left": 5 - attempt} and row.voided_at is None
    assert error.value.message == "Too many wrong codes: start the purchase again."
    assert row.voided_at == shop.now
    with pytest.raises(DomainError, match="can no longer be used"):
        checkout.confirm(who, row.purchase_key, code, shop.now)
    assert count(Order) == 0 and purchases() == 0


def test_a_malformed_code_is_refused_without_counting(shop, ctx):
    row, _code = begin(shop, shop.self_paced)
    for bad in ["", "12345", "1234567", "abcdef", "１２３４５６"]:
        with pytest.raises(DomainError, match="6-digit"):
            checkout.confirm(participant(shop.buyer), row.purchase_key, bad, shop.now)
        assert not kept_despite_refusal()  # refused as usual: rolled back
    assert row.attempts == 0


def test_an_expired_code_is_refused(shop, ctx):
    row, code = begin(shop, shop.self_paced)
    with pytest.raises(DomainError, match="expired"):
        checkout.confirm(participant(shop.buyer), row.purchase_key, code, row.expires_at)
    assert count(Order) == 0 and purchases() == 0


def test_the_rules_are_checked_again_at_confirm(shop, ctx):
    row, code = begin(shop, shop.webinar, shop.webinar_session)
    session = session_row(shop.webinar_session)
    session.seats_taken = session.capacity
    db.session.flush()
    with pytest.raises(DomainError, match="This session is full"):
        checkout.confirm(participant(shop.buyer), row.purchase_key, code, shop.now)
    assert count(Order) == 0 and purchases() == 0
    assert card_of(shop.buyer).status is CardStatus.ACTIVE
    assert db.session.get(PurchaseCode, row.id).used_at is None


def test_the_seat_update_refuses_a_full_session_even_when_the_check_passed(shop, ctx, monkeypatch):
    row, code = begin(shop, shop.webinar, shop.webinar_session)
    db.session.commit()
    db.session.execute(
        sa.update(CourseSession)
        .where(CourseSession.id == shop.webinar_session)
        .values(seats_taken=CourseSession.capacity)
    )
    monkeypatch.setattr(checkout, "_check_session", lambda *args: None)
    with pytest.raises(DomainError, match="This session is full"):
        checkout.confirm(participant(shop.buyer), row.purchase_key, code, shop.now)
    assert count(Order) == 0 and purchases() == 0
    assert ledger.balance_of(ledger.card_code(card_of(shop.buyer).id)) == 1_000_000


# --- races ---------------------------------------------------------------------------------


def _confirm_work(participant_id, key, code, now):
    def work():
        return checkout.confirm(participant(participant_id), key, code, now).id

    return work


def test_fifty_purchases_racing_on_one_card_spend_exactly_its_balance(app, shop):
    course_ids = [shop.course().id for _ in range(50)]
    with app.app_context():
        scheme = card_of(shop.buyer).scheme
        scheme.one_unfinished_course = False
        db.session.commit()
        started = []
        for course_id in course_ids:
            row, code = begin(shop, course_id)
            started.append((row.purchase_key, code))
        db.session.commit()

    outcomes = race(app, [_confirm_work(shop.buyer, k, c, shop.now) for k, c in started])

    assert len(outcomes) == 50
    assert [o for o in outcomes if isinstance(o, str)] == []
    assert len([o for o in outcomes if isinstance(o, int)]) == 3
    # Refused by the rule checked again under the card's lock, on the newest balance (the
    # ledger's conditional UPDATE is only the last line of defence).
    assert all(o.message.startswith("Your balance of") for o in outcomes if not isinstance(o, int))
    with app.app_context():
        assert count(Order) == 3 and purchases() == 3
        assert ledger.balance_of(ledger.card_code(card_of(shop.buyer).id)) == 100_000
        assert ledger.balance_of(f"provider:{shop.provider_id}") == 900_000
        assert ledger.verify() == []


def test_twenty_buyers_racing_for_the_last_seat_make_one_order(app, shop):
    buyers = card_holders(app, 20, shop.now)
    with app.app_context():
        session = session_row(shop.webinar_session)
        session.seats_taken = session.capacity - 1
        db.session.commit()
        started = []
        for who in buyers:
            row, code = begin(shop, shop.webinar, shop.webinar_session, who=who)
            started.append((who, row.purchase_key, code))
        db.session.commit()

    outcomes = race(app, [_confirm_work(w, k, c, shop.now) for w, k, c in started])

    assert [o for o in outcomes if isinstance(o, str)] == []
    assert len([o for o in outcomes if isinstance(o, int)]) == 1
    assert {o.message for o in outcomes if isinstance(o, DomainError)} == {"This session is full."}
    with app.app_context():
        assert count(Order) == 1 and purchases() == 1
        session = session_row(shop.webinar_session)
        assert session.seats_taken == session.capacity
        assert ledger.verify() == []


def test_ten_confirms_racing_with_one_key_make_one_order(app, shop):
    with app.app_context():
        row, code = begin(shop, shop.self_paced)
        key = row.purchase_key
        db.session.commit()

    outcomes = race(app, [_confirm_work(shop.buyer, key, code, shop.now)] * 10)

    assert [o for o in outcomes if not isinstance(o, int)] == []
    assert len(set(outcomes)) == 1
    with app.app_context():
        assert count(Order) == 1 and purchases() == 1
        assert ledger.balance_of(ledger.card_code(card_of(shop.buyer).id)) == 700_000
        assert ledger.verify() == []


def test_ledger_verify_finds_an_order_without_its_purchase_and_a_purchase_without_order(shop, ctx):
    order = buy(shop, shop.self_paced)
    db.session.commit()
    assert ledger.verify() == []
    # An order whose price no longer matches what was paid …
    order.price += 1
    db.session.flush()
    assert any(f"order {order.id}: price" in problem for problem in ledger.verify())
    order.price -= 1
    db.session.flush()
    # The purchase points at its order by a foreign key: the order can't go while it stands.
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.delete(Order).where(Order.id == order.id))
    # … and a checkout's purchase that names no order.
    db.session.execute(
        sa.update(LedgerTransaction)
        .where(LedgerTransaction.order_id == order.id)
        .values(order_id=None)
    )
    orphaned = ledger.verify()
    assert any("a purchase without an order" in problem for problem in orphaned), orphaned
    db.session.rollback()
    assert ledger.verify() == []
