"""The programme office's orders: find one, read it, refund it with a reason."""

import pytest
import sqlalchemy as sa
from support.checkout_rows import PRICE, buy, card_of

from marketplace.core.models import OutboxMail
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.redemption import grouped
from marketplace.people.models import Participant


@pytest.fixture
def bought(app, shop):
    """A self-paced order and a webinar order of the shop's card holder; committed."""
    with app.app_context():
        card_of(shop.buyer).scheme.one_unfinished_course = False
        first = buy(shop, shop.self_paced)
        second = buy(shop, shop.webinar, shop.webinar_session)
        email = db.session.get(Participant, shop.buyer).user.email
        db.session.commit()
        return first.id, second.id, first.voucher_code, second.redeem_code, email


def test_only_the_office_sees_orders(client, participant_client, provider_client, bought):
    assert client.get("/admin/orders").status_code == 302
    for other in (participant_client, provider_client):
        assert other.get("/admin/orders").status_code == 403
        assert other.get(f"/admin/orders/{bought[0]}").status_code == 403
        assert (
            other.post(f"/admin/orders/{bought[0]}/refund", data={"reason": "x"}).status_code == 403
        )


def test_the_office_lists_and_finds_orders(admin_client, bought):
    first, second, voucher, redeem, email = bought
    admin_client.set_cookie("lang", "en")
    listing = admin_client.get("/admin/orders").get_data(as_text=True)
    assert f"/admin/orders/{first}" in listing and f"/admin/orders/{second}" in listing
    for query, found, missing in [
        (str(first), first, second),
        (f"#{second}", second, first),
        (voucher.lower(), first, second),
        (redeem, second, first),
    ]:
        page = admin_client.get("/admin/orders", query_string={"q": query}).get_data(as_text=True)
        assert f'/admin/orders/{found}"' in page and f'/admin/orders/{missing}"' not in page
    by_email = admin_client.get("/admin/orders", query_string={"q": email.upper()})
    assert by_email.get_data(as_text=True).count("/admin/orders/") >= 2
    none = admin_client.get("/admin/orders", query_string={"q": "nothing-like-this"})
    assert none.status_code == 200 and "No order matches." in none.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/orders?q=" + "x" * 300, 400),
        ("/admin/orders?page=0", 400),
        ("/admin/orders?page=abc", 400),
        ("/admin/orders?page=99999999999", 400),
        ("/admin/orders?q=99999999999999999999", 200),
        ("/admin/orders/0", 404),
        ("/admin/orders/99999999999", 404),
        ("/admin/orders/424242", 404),
    ],
)
def test_bad_addresses_are_4xx_not_500(admin_client, bought, url, status):
    assert admin_client.get(url).status_code == status


def test_the_order_page_shows_the_order_and_the_refund_form(admin_client, bought):
    first = bought[0]
    admin_client.set_cookie("lang", "en")
    page = admin_client.get(f"/admin/orders/{first}").get_data(as_text=True)
    assert grouped(bought[2]) in page and "Rp300.000" in page  # the code as people read it
    assert "Refund Rp300.000 to the card" in page
    assert "This can&#39;t be undone." in page or "This can't be undone." in page


def test_the_office_refunds_an_order_with_a_reason(app, admin_client, shop, bought):
    first = bought[0]
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(
        f"/admin/orders/{first}/refund", data={"reason": "Charged twice by the platform"}
    )
    assert response.status_code == 302 and response.location.endswith(f"/admin/orders/{first}")
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "has been refunded to the participant" in page
    assert "Charged twice by the platform" in page
    assert "Refund Rp300.000 to the card" not in page
    with app.app_context():
        order = db.session.get(Order, first)
        assert order.status is OrderStatus.REFUNDED
        assert card_of(shop.buyer).balance == 1_000_000 - PRICE  # the webinar order stays
        assert (
            db.session.scalar(
                sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.subject.like("%refunded"))
            )
            == 1
        )
        assert ledger.verify() == []


def test_a_refund_without_a_reason_changes_nothing(app, admin_client, shop, bought):
    first = bought[0]
    for client_lang, message in (("en", "Write the reason for the refund."), ("id", "alasan")):
        admin_client.set_cookie("lang", client_lang)
        response = admin_client.post(f"/admin/orders/{first}/refund", data={"reason": "  "})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Order, first).status is OrderStatus.PAID
        assert card_of(shop.buyer).balance == 1_000_000 - 2 * PRICE


def test_a_second_refund_is_refused(app, admin_client, bought):
    first = bought[0]
    admin_client.set_cookie("lang", "en")
    assert (
        admin_client.post(f"/admin/orders/{first}/refund", data={"reason": "One"}).status_code
        == 302
    )
    again = admin_client.post(f"/admin/orders/{first}/refund", data={"reason": "Two"})
    assert again.status_code == 409
    assert "already been refunded" in again.get_data(as_text=True)
    with app.app_context():
        assert ledger.verify() == []


def test_the_office_menu_links_orders_and_the_books(admin_client):
    page = admin_client.get("/admin/orders").get_data(as_text=True)
    assert 'href="/admin/orders"' in page and 'href="/admin/ledger"' in page


def test_the_offices_pages_are_never_cached(admin_client, bought):
    for url in ("/admin/orders", f"/admin/orders/{bought[0]}", "/admin/ledger", "/admin/batches"):
        assert admin_client.get(url).headers["Cache-Control"] == "no-store", url
