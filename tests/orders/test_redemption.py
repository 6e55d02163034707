"""Redemption: a provider takes a voucher or redeem code, with the real programme's errors."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_of, race, session_row

from marketplace.catalogue.models import Provider, SessionStatus
from marketplace.core import DomainError
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.orders import redemption
from marketplace.orders.models import Order, OrderStatus


def provider(provider_id: int) -> Provider:
    return db.session.get(Provider, provider_id)


def refused(shop, code, message_start, now=None, provider_id=None):
    with pytest.raises(DomainError) as error:
        redemption.redeem(provider(provider_id or shop.provider_id), code, now or shop.now)
    assert error.value.message.startswith(message_start), error.value.message
    assert error.value.field == "code"
    return error.value


def test_a_voucher_code_redeems_a_self_paced_order(shop, ctx):
    order = buy(shop, shop.self_paced)
    redeemed = redemption.redeem(provider(shop.provider_id), order.voucher_code, shop.now)
    assert redeemed.id == order.id
    assert redeemed.status is OrderStatus.REDEEMED and redeemed.redeemed_at == shop.now
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.action == "order.redeemed", AuditEvent.subject == f"order:{order.id}"
        )
    )


def test_codes_are_read_without_case_spaces_or_dashes(shop, ctx):
    order = buy(shop, shop.self_paced)
    typed = f" {order.voucher_code[:4].lower()}-{order.voucher_code[4:8]} {order.voucher_code[8:]}"
    assert redemption.redeem(provider(shop.provider_id), typed, shop.now).id == order.id


@pytest.mark.parametrize("code", ["", "VCNOSUCHCODE", "x" * 500, "VC' OR 1=1 --", "ＶＣ１２３"])
def test_an_unknown_code_is_not_found(shop, ctx, code):
    buy(shop, shop.self_paced)
    refused(shop, code, "Code not found")


def test_another_providers_code_is_refused(shop, factory, ctx):
    other = factory.provider().id
    order = buy(shop, shop.self_paced)
    refused(
        shop,
        order.voucher_code,
        "This code is for a course of another training provider",
        provider_id=other,
    )
    assert db.session.get(Order, order.id).status is OrderStatus.PAID


def test_a_used_code_is_refused_with_when(shop, ctx):
    order = buy(shop, shop.self_paced)
    redemption.redeem(provider(shop.provider_id), order.voucher_code, shop.now)
    error = refused(
        shop,
        order.voucher_code,
        "This code has already been used",
        now=shop.now + timedelta(hours=1),
    )
    assert error.params["when"] == shop.now


def test_a_refunded_orders_code_is_cancelled(shop, ctx):
    order = buy(shop, shop.self_paced)
    order.status = OrderStatus.REFUNDED
    db.session.flush()
    refused(shop, order.voucher_code, "This code has been cancelled")


def test_a_cancelled_sessions_code_is_cancelled(shop, ctx):
    order = buy(shop, shop.webinar, shop.webinar_session)
    session_row(shop.webinar_session).status = SessionStatus.CANCELLED
    db.session.flush()
    starts = session_row(shop.webinar_session).starts_at
    refused(shop, order.redeem_code, "This code has been cancelled", now=starts)


def test_a_redeem_code_works_only_within_an_hour_of_the_start(shop, ctx):
    order = buy(shop, shop.webinar, shop.webinar_session)
    starts = session_row(shop.webinar_session).starts_at
    hour = timedelta(hours=1)
    for moment in (starts - hour - timedelta(seconds=1), starts + hour + timedelta(seconds=1)):
        error = refused(shop, order.redeem_code, "A redeem code works only from", now=moment)
        assert (error.params["opens"], error.params["closes"]) == (starts - hour, starts + hour)
    assert db.session.get(Order, order.id).status is OrderStatus.PAID
    for moment in (starts - hour, starts + hour):
        order.status, order.redeemed_at = OrderStatus.PAID, None
        db.session.flush()
        redemption.redeem(provider(shop.provider_id), order.redeem_code, moment)
        assert db.session.get(Order, order.id).status is OrderStatus.REDEEMED


def test_a_sessions_voucher_code_points_to_the_redeem_code(shop, ctx):
    order = buy(shop, shop.webinar, shop.webinar_session)
    starts = session_row(shop.webinar_session).starts_at
    refused(shop, order.voucher_code, "This course has a session", now=starts)


def test_the_page_shows_window_times_in_wib(shop, app):
    with app.test_request_context():
        from marketplace.web.formatting import error_message

        with app.app_context():
            order = buy(shop, shop.webinar, shop.webinar_session)
            starts = session_row(shop.webinar_session).starts_at
            with pytest.raises(DomainError) as error:
                redemption.redeem(
                    provider(shop.provider_id), order.redeem_code, starts - timedelta(days=1)
                )
            text = error_message(error.value)
            db.session.rollback()
    assert "WIB" in text and "datetime" not in text


def test_two_desks_taking_one_code_at_once_redeem_it_once(app, shop):
    with app.app_context():
        code = buy(shop, shop.self_paced).voucher_code
        db.session.commit()

    def desk():
        redemption.redeem(provider(shop.provider_id), code, shop.now)
        return "redeemed"

    outcomes = [
        outcome if isinstance(outcome, str) else outcome.message
        for outcome in race(app, [desk] * 8)
    ]
    assert outcomes.count("redeemed") == 1, outcomes
    assert all(o == "redeemed" or o.startswith("This code has already been used") for o in outcomes)
    with app.app_context():
        assert card_of(shop.buyer) is not None
