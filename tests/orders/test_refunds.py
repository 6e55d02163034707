"""Refunds: the office refunds one order with a reason; a provider cancels a session."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import PRICE, buy, card_holders, card_of, race, session_row
from support.programme_rows import make_user

from marketplace.catalogue.models import Course, CourseSession, SessionStatus
from marketplace.core import DomainError
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import CardStatus, LedgerTransaction, Reason
from marketplace.orders import checkout, refunds
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Role, User

BALANCE = 1_000_000


def office():
    return make_user(role=Role.ADMIN)


def desk(provider_id):
    user = make_user(role=Role.PROVIDER)
    user.provider_id = provider_id
    db.session.flush()
    return user


def refunds_of(order_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(LedgerTransaction.id)).where(
            LedgerTransaction.reason == Reason.REFUND,
            LedgerTransaction.order_id == order_id,
        )
    )


def provider_balance(shop) -> int:
    return ledger.balance_of(ledger.provider_code(shop.provider_id))


# --- the office's refund -------------------------------------------------------------------


def test_the_office_refunds_an_order_with_its_reason(shop, ctx):
    order = buy(shop, shop.self_paced)
    assert card_of(shop.buyer).balance == BALANCE - PRICE
    assert provider_balance(shop) == PRICE
    later = shop.now + timedelta(days=2)
    refunds.refund_order(order, "  Paid twice by   mistake ", later, office())
    order = db.session.get(Order, order.id)
    assert order.status is OrderStatus.REFUNDED
    assert (order.refunded_at, order.refund_reason) == (later, "Paid twice by mistake")
    assert card_of(shop.buyer).balance == BALANCE
    assert provider_balance(shop) == 0
    assert refunds_of(order.id) == 1
    mail = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert "has been refunded" in mail.subject and "Paid twice by mistake" in mail.body
    assert "Rp300.000" in mail.body
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "order.refunded"))
    assert (
        event.subject == f"order:{order.id}" and event.detail["reason"] == "Paid twice by mistake"
    )
    assert ledger.verify() == []


def test_a_refunded_course_can_be_bought_again(shop, ctx):
    order = buy(shop, shop.self_paced)
    refunds.refund_order(order, "Wrong course", shop.now, office())
    again = buy(shop, shop.self_paced)
    assert again.id != order.id and card_of(shop.buyer).balance == BALANCE - PRICE
    assert ledger.verify() == []


def test_a_refund_frees_an_upcoming_sessions_seat(shop, ctx):
    order = buy(shop, shop.webinar, shop.webinar_session)
    assert session_row(shop.webinar_session).seats_taken == 1
    refunds.refund_order(order, "Moved abroad", shop.now, office())
    assert session_row(shop.webinar_session).seats_taken == 0


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Write the reason"), ("   ", "Write the reason"), ("x" * 201, "The reason can be")],
)
def test_a_refund_needs_a_reason(shop, ctx, reason, message):
    order = buy(shop, shop.self_paced)
    with pytest.raises(DomainError) as error:
        refunds.refund_order(order, reason, shop.now, office())
    assert error.value.message.startswith(message) and error.value.field == "reason"
    assert db.session.get(Order, order.id).status is OrderStatus.PAID
    assert refunds_of(order.id) == 0


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.PROVIDER])
def test_only_the_office_refunds_an_order(shop, ctx, role):
    order = buy(shop, shop.self_paced)
    with pytest.raises(DomainError, match="Only the programme office"):
        refunds.refund_order(order, "Please", shop.now, make_user(role=role))
    assert refunds_of(order.id) == 0


def test_an_order_is_refunded_once(shop, ctx):
    order = buy(shop, shop.self_paced)
    refunds.refund_order(order, "First", shop.now, office())
    with pytest.raises(DomainError, match="already been refunded"):
        refunds.refund_order(order, "Second", shop.now, office())
    assert refunds_of(order.id) == 1 and card_of(shop.buyer).balance == BALANCE


def test_a_completed_course_is_not_refunded(shop, ctx):
    order = buy(shop, shop.self_paced)
    order.status = OrderStatus.COMPLETED
    db.session.flush()
    with pytest.raises(DomainError, match="completed course"):
        refunds.refund_order(order, "Late", shop.now, office())
    assert refunds_of(order.id) == 0


def test_eight_refunds_racing_on_one_order_refund_it_once(app, shop):
    with app.app_context():
        order_id = buy(shop, shop.self_paced).id
        admin_id = office().id
        db.session.commit()

    def refund():
        order = db.session.get(Order, order_id)
        return refunds.refund_order(order, "Race", shop.now, db.session.get(User, admin_id)).id

    outcomes = race(app, [refund] * 8)
    assert outcomes.count(order_id) == 1, outcomes
    assert all(o == order_id or isinstance(o, DomainError) for o in outcomes), outcomes
    with app.app_context():
        assert refunds_of(order_id) == 1
        assert card_of(shop.buyer).balance == BALANCE
        assert ledger.verify() == []


# --- the card's status follows its balance -------------------------------------------------


def test_a_card_spent_to_zero_is_exhausted_and_a_refund_puts_it_back_in_use(shop, ctx):
    whole = shop.course(price=BALANCE)
    order = buy(shop, whole.id)
    card = card_of(shop.buyer)
    assert card.balance == 0 and card.status is CardStatus.EXHAUSTED
    with pytest.raises(DomainError, match="spent"):
        checkout.begin(order.participant, db.session.get(Course, shop.other), None, shop.now)
    refunds.refund_order(order, "Wrong course", shop.now, office())
    card = card_of(shop.buyer)
    assert card.balance == BALANCE and card.status is CardStatus.IN_USE
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("card.%")).order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["card.exhausted", "card.in_use_again"]


def test_a_frozen_card_stays_frozen_when_refunded(shop, ctx):
    order = buy(shop, shop.self_paced)
    card_of(shop.buyer).status = CardStatus.FROZEN
    db.session.flush()
    refunds.refund_order(order, "Fraud check", shop.now, office())
    assert card_of(shop.buyer).status is CardStatus.FROZEN
    assert card_of(shop.buyer).balance == BALANCE


# --- a provider cancels a session ----------------------------------------------------------


@pytest.fixture
def booked(app, shop):
    """Three card holders on the first webinar session, one on the second; committed."""
    buyers = [shop.buyer, *card_holders(app, 2, shop.now)]
    with app.app_context():
        card_of(shop.buyer).scheme.one_unfinished_course = False
        orders = [buy(shop, shop.webinar, shop.webinar_session, who=who).id for who in buyers]
        other = buy(shop, shop.offline, shop.offline_session, who=buyers[1]).id
        db.session.commit()
    return buyers, orders, other


def test_cancelling_a_session_refunds_every_order_on_it(shop, booked, ctx):
    buyers, orders, other = booked
    refunded = refunds.cancel_session(
        session_row(shop.webinar_session), "The trainer is ill", shop.now, desk(shop.provider_id)
    )
    assert sorted(o.id for o in refunded) == orders
    assert session_row(shop.webinar_session).status is SessionStatus.CANCELLED
    for order_id in orders:
        order = db.session.get(Order, order_id)
        assert order.status is OrderStatus.REFUNDED and "The trainer is ill" in order.refund_reason
        assert refunds_of(order_id) == 1
    assert db.session.get(Order, other).status is OrderStatus.PAID
    assert card_of(buyers[0]).balance == BALANCE
    assert card_of(buyers[1]).balance == BALANCE - PRICE  # the offline order stays
    mails = db.session.scalars(
        sa.select(OutboxMail.subject).where(OutboxMail.subject.like("%has been refunded"))
    ).all()
    assert len(mails) == 3
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "session.cancelled"))
    assert event.detail["refunded"] == 3
    assert ledger.verify() == []


def test_a_cancelled_session_sells_no_more_seats(shop, booked, ctx):
    refunds.cancel_session(
        session_row(shop.webinar_session), "Ill", shop.now, desk(shop.provider_id)
    )
    with pytest.raises(DomainError, match="cancelled"):
        buy(shop, shop.webinar, shop.webinar_session)


def test_a_session_is_cancelled_once(shop, booked, ctx):
    user = desk(shop.provider_id)
    refunds.cancel_session(session_row(shop.webinar_session), "Ill", shop.now, user)
    with pytest.raises(DomainError, match="already been cancelled"):
        refunds.cancel_session(session_row(shop.webinar_session), "Again", shop.now, user)
    assert sum(refunds_of(o) for o in booked[1]) == 3


def test_a_started_session_is_not_cancelled(shop, booked, ctx):
    starts = session_row(shop.webinar_session).starts_at
    with pytest.raises(DomainError, match="has started"):
        refunds.cancel_session(
            session_row(shop.webinar_session), "Late", starts, desk(shop.provider_id)
        )
    assert session_row(shop.webinar_session).status is SessionStatus.SCHEDULED
    assert sum(refunds_of(o) for o in booked[1]) == 0


def test_only_the_sessions_provider_cancels_it(shop, booked, factory, app):
    other = factory.provider().id
    with app.app_context():
        for user in (desk(other), make_user(role=Role.PARTICIPANT)):
            with pytest.raises(DomainError, match="Only the session's training provider"):
                refunds.cancel_session(session_row(shop.webinar_session), "Mine", shop.now, user)
        assert session_row(shop.webinar_session).status is SessionStatus.SCHEDULED
        refunds.cancel_session(session_row(shop.webinar_session), "Office", shop.now, office())
        assert session_row(shop.webinar_session).status is SessionStatus.CANCELLED
        db.session.rollback()


def test_cancelling_needs_a_reason(shop, booked, ctx):
    with pytest.raises(DomainError, match="Write the reason"):
        refunds.cancel_session(
            session_row(shop.webinar_session), " ", shop.now, desk(shop.provider_id)
        )
    assert session_row(shop.webinar_session).status is SessionStatus.SCHEDULED


# --- the books -----------------------------------------------------------------------------


def test_verify_finds_a_refunded_order_without_its_refund(shop, ctx):
    order = buy(shop, shop.self_paced)
    order.status = OrderStatus.REFUNDED
    db.session.flush()
    assert ledger.verify() == [f"order {order.id}: refunded but no refund in the books"]


def test_verify_finds_a_refund_of_an_order_not_refunded(shop, ctx):
    order = buy(shop, shop.self_paced)
    ledger.transfer(
        Reason.REFUND,
        f"order:{order.id}",
        ledger.provider_code(shop.provider_id),
        order.card.account,
        PRICE,
        order_id=order.id,
    )
    assert ledger.verify() == [f"order {order.id}: paid but refunded {PRICE}"]


def test_verify_finds_an_order_refunded_twice(shop, ctx):
    order = buy(shop, shop.self_paced)
    refunds.refund_order(order, "Once", shop.now, office())
    fund = ledger.budget()  # a top-up from outside the programme fund
    ledger.transfer(
        Reason.PURCHASE, "top-up", fund, ledger.provider_payable(shop.provider_id), PRICE
    )
    ledger.transfer(
        Reason.REFUND,
        f"order:{order.id}",
        ledger.provider_code(shop.provider_id),
        order.card.account,
        PRICE,
        order_id=order.id,
    )
    assert f"order {order.id}: refunded 2 times" in ledger.verify()


def test_verify_finds_a_refund_without_an_order(shop, ctx):
    order = buy(shop, shop.self_paced)
    transaction = ledger.transfer(
        Reason.REFUND,
        f"order:{order.id}",  # the text names an order, but no foreign key does
        ledger.provider_code(shop.provider_id),
        ledger.programme_fund(),
        1,
    )
    assert (
        f"transaction {transaction.id} (order:{order.id}): a refund without an order"
        in ledger.verify()
    )


def test_the_cancel_rule_is_one_rule_for_the_page_and_the_update(shop, ctx):
    """`why_not_cancellable` (what the pages show) and `cancellable` (what cancel_session's
    UPDATE checks) agree: before the start, at it, after it, and once cancelled."""
    session = session_row(shop.webinar_session)
    start = session.starts_at

    def allowed_by_sql(now) -> bool:
        return (
            db.session.scalar(
                sa.select(sa.func.count(CourseSession.id)).where(
                    CourseSession.id == session.id, refunds.cancellable(now)
                )
            )
            == 1
        )

    cases = {
        start - timedelta(seconds=1): None,
        start: refunds.ALREADY_STARTED,
        start + timedelta(hours=1): refunds.ALREADY_STARTED,
    }
    for now, why in cases.items():
        assert refunds.why_not_cancellable(session, now) == why
        assert allowed_by_sql(now) is (why is None)
    refunds.cancel_session(session, "The trainer is ill", shop.now, desk(shop.provider_id))
    assert refunds.why_not_cancellable(session, shop.now) == refunds.ALREADY_CANCELLED
    assert not allowed_by_sql(shop.now)
    with pytest.raises(DomainError) as refused:
        refunds.cancel_session(session, "Again", shop.now, desk(shop.provider_id))
    assert refused.value.message == refunds.ALREADY_CANCELLED
