"""The books' statements: the card's statement, the office's totals and accounts, their pages."""

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD
from support.programme_rows import fund

from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.money import cards, ledger, statements
from marketplace.money.models import (
    AccountKind,
    Card,
    CardStatus,
    LedgerAccount,
    LedgerEntry,
    Reason,
)
from marketplace.orders import checkout
from marketplace.orders.models import OrderStatus
from marketplace.people.models import Participant, User

FUNDED = 5_000_000
BALANCE = 1_000_000  # the 2020 scheme's training balance
FIRST_PRICE = 300_000
SECOND_PRICE = 200_000


# --- rows ----------------------------------------------------------------------------------


def _card(participant_id: int) -> Card:
    return db.session.scalar(sa.select(Card).where(Card.participant_id == participant_id))


def _buy(participant_id: int, course_id: int, now):
    from marketplace.catalogue.models import Course

    who = db.session.get(Participant, participant_id)
    row, code = checkout.begin(who, db.session.get(Course, course_id), None, now)
    return checkout.confirm(who, row.purchase_key, code, now)


def _refund(order, provider_id: int, now) -> None:
    """A refund as orders/refunds.py writes it: provider → card, about the order."""
    order.status = OrderStatus.REFUNDED
    order.refunded_at = now
    ledger.transfer(
        Reason.REFUND,
        f"order:{order.id}",
        f"provider:{provider_id}",
        ledger.card_code(order.card_id),
        order.price,
        idempotency_key=f"refund:{order.id}",
        order_id=order.id,
    )


@pytest.fixture
def books(app, factory):
    """Buyer: a card, a purchase refunded (the provider cancelled), then a second purchase.
    Lapsed: a card expired unused. All committed."""
    now = utcnow().replace(microsecond=0)
    provider = factory.provider()
    first = factory.course("Dasar Excel", provider=provider, price=FIRST_PRICE)
    second = factory.course("Menulis Surat Lamaran", provider=provider, price=SECOND_PRICE)
    with app.app_context():
        fund(FUNDED)
        db.session.commit()
    buyer = factory.card_holder(now, funded=False).id
    lapsed = factory.card_holder(now - timedelta(days=40), funded=False).id
    with app.app_context():
        bought_first = _buy(buyer, first.id, now)
        _refund(bought_first, provider.id, now)
        bought_second = _buy(buyer, second.id, now)
        assert cards.expire_overdue(now) == 1
        db.session.commit()
        emails = {who: db.session.get(Participant, who).user.email for who in (buyer, lapsed)}
        card_ids = {who: _card(who).id for who in (buyer, lapsed)}
        return SimpleNamespace(
            now=now,
            provider_id=provider.id,
            first=first,
            second=second,
            first_order=bought_first.id,
            second_order=bought_second.id,
            buyer=buyer,
            lapsed=lapsed,
            emails=emails,
            card_ids=card_ids,
        )


def _sign_in(app, email: str, language: str | None = "en"):
    client = app.test_client()
    if language:
        client.set_cookie("lang", language)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


# --- the card's statement ------------------------------------------------------------------


def _summary(lines):
    return [
        (
            line.reason,
            line.description,
            line.course_title,
            line.order_id,
            line.amount,
            line.balance_after,
        )
        for line in lines
    ]


def test_a_card_statement_names_every_movement_newest_first(books, ctx):
    page = statements.card_statement(_card(books.buyer))
    assert page.total == 4 and page.pages == 1 and page.page == 1
    assert _summary(page.items) == [
        (
            Reason.PURCHASE,
            "Purchase: %(title)s",
            "Menulis Surat Lamaran",
            books.second_order,
            -200_000,
            800_000,
        ),
        (Reason.REFUND, "Refund: %(title)s", "Dasar Excel", books.first_order, 300_000, 1_000_000),
        (
            Reason.PURCHASE,
            "Purchase: %(title)s",
            "Dasar Excel",
            books.first_order,
            -300_000,
            700_000,
        ),
        (Reason.CARD_ISSUED, "Training balance issued", None, None, 1_000_000, 1_000_000),
    ]
    # The running balances are the card's entries summed in the order they were written.
    card = _card(books.buyer)
    amounts = db.session.scalars(
        sa.select(LedgerEntry.amount)
        .where(LedgerEntry.account_id == card.account_id)
        .order_by(LedgerEntry.id)
    ).all()
    running = list(itertools.accumulate(amounts))
    assert [line.balance_after for line in page.items] == running[::-1]
    assert page.items[0].balance_after == card.account.balance


def test_an_expired_card_shows_its_balance_going_back(books, ctx):
    lines = statements.card_statement_lines(_card(books.lapsed))
    assert _card(books.lapsed).status is CardStatus.REVOKED
    assert _summary(lines) == [
        (
            Reason.CARD_EXPIRED,
            "Balance returned: first-purchase deadline missed",
            None,
            None,
            -1_000_000,
            0,
        ),
        (Reason.CARD_ISSUED, "Training balance issued", None, None, 1_000_000, 1_000_000),
    ]


def test_a_later_page_carries_the_running_balance_across(books, ctx):
    card = _card(books.buyer)
    first = statements.card_statement(card, page=1, per_page=3)
    second = statements.card_statement(card, page=2, per_page=3)
    assert (first.pages, first.has_next, second.has_prev, second.has_next) == (2, True, True, False)
    assert [line.balance_after for line in first.items] == [800_000, 1_000_000, 700_000]
    assert [(line.reason, line.balance_after) for line in second.items] == [
        (Reason.CARD_ISSUED, 1_000_000)
    ]
    with pytest.raises(statements.PageOutOfRange) as refused:
        statements.card_statement(card, page=3, per_page=3)
    assert refused.value.params == {"pages": 2}
    for wrong in (0, -1, statements.MAX_PAGE + 1, "2", True):
        with pytest.raises(ValueError):
            statements.card_statement(card, page=wrong)


def test_the_statement_is_two_queries_however_many_lines(books, ctx):
    card = _card(books.buyer)
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        lines = statements.card_statement(card).items
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(lines) == 4 and len(seen) == 2  # the count for the page links, then the page


def test_a_refund_names_its_order_by_key_not_by_its_reference(books, ctx):
    card = _card(books.buyer)
    bought = statements.card_statement(card).items[0].order_id
    assert bought is not None
    ledger.transfer(
        Reason.REFUND, f"order:{bought}", f"provider:{books.provider_id}", card.account, 1000
    )
    ledger.transfer(Reason.REFUND, "order:", f"provider:{books.provider_id}", card.account, 1000)
    newest = statements.card_statement(card).items[:2]
    assert [(line.description, line.order_id, line.balance_after) for line in newest] == [
        ("Refund", None, 802_000),
        ("Refund", None, 801_000),
    ]


# --- the office's totals -------------------------------------------------------------------


def test_totals_per_kind_and_the_grand_total(books, ctx):
    totals = statements.account_totals(with_flows=True)
    rows = {row.kind: row for row in totals.kinds}
    assert [row.kind for row in totals.kinds] == list(statements.KINDS)
    spent = FIRST_PRICE + SECOND_PRICE
    assert rows[AccountKind.BUDGET] == statements.KindTotal(
        AccountKind.BUDGET, 1, -FUNDED, 0, -FUNDED
    )
    assert rows[AccountKind.PROGRAMME_FUND] == statements.KindTotal(
        AccountKind.PROGRAMME_FUND, 1, FUNDED - BALANCE, FUNDED + BALANCE, -2 * BALANCE
    )
    assert rows[AccountKind.CARD] == statements.KindTotal(
        AccountKind.CARD,
        2,
        BALANCE - SECOND_PRICE,
        2 * BALANCE + FIRST_PRICE,
        -(spent + BALANCE),
    )
    assert rows[AccountKind.PROVIDER_PAYABLE] == statements.KindTotal(
        AccountKind.PROVIDER_PAYABLE, 1, SECOND_PRICE, spent, -FIRST_PRICE
    )
    assert rows[AccountKind.INCENTIVES_PAID] == statements.KindTotal(
        AccountKind.INCENTIVES_PAID, 0, 0, 0, 0
    )
    assert totals.grand_total == 0 and totals.balanced and totals.accounts == 5
    assert totals.with_flows


def test_totals_without_flows_only_read_the_accounts(books, ctx):
    totals = statements.account_totals()
    assert not totals.with_flows and totals.grand_total == 0
    assert [(row.kind, row.accounts, row.balance, row.money_in) for row in totals.kinds] == [
        (AccountKind.BUDGET, 1, -FUNDED, None),
        (AccountKind.PROGRAMME_FUND, 1, FUNDED - BALANCE, None),
        (AccountKind.CARD, 2, BALANCE - SECOND_PRICE, None),
        (AccountKind.PROVIDER_PAYABLE, 1, SECOND_PRICE, None),
        (AccountKind.INCENTIVES_PAID, 0, 0, None),
    ]


def test_the_accounts_page_filters_sorts_and_sums_each_account(books, ctx):
    buyer_code = ledger.card_code(books.card_ids[books.buyer])
    lapsed_code = ledger.card_code(books.card_ids[books.lapsed])
    by_balance = statements.accounts_page(AccountKind.CARD, "balance_desc")
    assert by_balance.total == 2
    assert by_balance.items == [
        statements.AccountRow(
            by_balance.items[0].id,
            buyer_code,
            AccountKind.CARD,
            800_000,
            1_300_000,
            -500_000,
            4,
        ),
        statements.AccountRow(
            by_balance.items[1].id, lapsed_code, AccountKind.CARD, 0, 1_000_000, -1_000_000, 2
        ),
    ]
    lowest = statements.accounts_page(AccountKind.CARD, "balance_asc")
    assert [row.code for row in lowest.items] == [lapsed_code, buyer_code]
    everything = statements.accounts_page(None, "code")
    codes = [row.code for row in everything.items]
    assert codes == sorted(codes) and len(codes) == 5
    paged = statements.accounts_page(None, "code", page=2, per_page=2)
    assert paged.pages == 3 and [row.code for row in paged.items] == codes[2:4]
    with pytest.raises(statements.PageOutOfRange):
        statements.accounts_page(None, "code", page=4, per_page=2)
    with pytest.raises(ValueError):
        statements.accounts_page(None, "name")
    assert statements.accounts_page(AccountKind.INCENTIVES_PAID).items == []


def test_checking_the_books_counts_the_problems(books, ctx):
    assert statements.check_books() == statements.BooksCheck(0, [])
    code = ledger.card_code(books.card_ids[books.buyer])
    db.session.execute(  # a cached balance that no longer matches its entries
        sa.update(LedgerAccount).where(LedgerAccount.code == code).values(balance=900_000)
    )
    found = statements.check_books(first=1)
    assert found.count == 1 and not found.ok
    assert found.first == [f"account {code}: balance 900000 but its entries sum to 800000"]
    assert not statements.account_totals().balanced


# --- the participant's page ----------------------------------------------------------------


def test_the_participant_sees_their_own_statement(app, books):
    client = _sign_in(app, books.emails[books.buyer])
    response = client.get("/account/statement")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    with app.app_context():
        masked = _card(books.buyer).masked_number
    assert masked in page and "Rp800.000" in page
    assert 'Purchase: <span lang="id">Dasar Excel</span>' in page  # the title is Indonesian
    assert 'Refund: <span lang="id">Dasar Excel</span>' in page
    assert 'Purchase: <span lang="id">Menulis Surat Lamaran</span>' in page
    assert "Training balance issued" in page
    assert "+Rp300.000" in page and "−Rp200.000" in page and "+Rp1.000.000" in page
    assert f'href="/account/orders/{books.first_order}"' in page
    assert f'href="/account/orders/{books.second_order}"' in page
    assert "first-purchase deadline missed" not in page  # the other participant's card


def test_another_participant_sees_only_theirs(app, books):
    page = _sign_in(app, books.emails[books.lapsed]).get("/account/statement")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Balance returned: first-purchase deadline missed" in text
    assert "−Rp1.000.000" in text
    assert "Dasar Excel" not in text and "/account/orders/" not in text


def test_a_participant_without_a_card_sees_a_plain_message(app, participant_client):
    participant_client.set_cookie("lang", "en")
    response = participant_client.get("/account/statement")
    assert response.status_code == 200
    assert "You don't have a Kartu Prakerja yet." in response.get_data(as_text=True)
    assert participant_client.get("/account/statement?page=2").status_code == 404


def test_the_statement_needs_a_participant(app, client, admin_client, provider_client):
    response = client.get("/account/statement")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert admin_client.get("/account/statement").status_code == 403
    assert provider_client.get("/account/statement").status_code == 403


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("page=abc", 400, "The page number must be a whole number, like 2"),
        ("page=0", 400, "The page number must be 1 or more"),
        ("page=-3", 400, "The page number must be a whole number, like 2"),
        ("page=" + "9" * 5000, 400, "The page number can be at most 100,000"),
        ("page=2", 404, "The last page is page 1."),
    ],
)
def test_a_bad_page_number_is_refused_with_a_reason(app, books, query, status, message):
    response = _sign_in(app, books.emails[books.buyer]).get(f"/account/statement?{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_the_statement_is_in_indonesian_by_default(app, books):
    client = _sign_in(app, books.emails[books.buyer], language=None)
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.email == books.emails[books.buyer]).values(locale=None)
        )
        db.session.commit()
    page = client.get("/account/statement").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Saldo pelatihan" in page and "Kartu Anda" in page and "Akun Anda" in page
    assert '<p class="muted">Training balance</p>' not in page


# --- the office's pages --------------------------------------------------------------------


def test_the_office_sees_the_totals_and_the_accounts(app, books, admin_client):
    admin_client.set_cookie("lang", "en")
    response = admin_client.get("/admin/ledger")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Balanced" in page and "Not balanced" not in page
    assert "Check the books now" in page and "Result of the check" not in page
    for label in ("State budget", "Programme fund", "Cards", "Owed to training providers"):
        assert label in page
    assert "−Rp5.000.000" in page  # the budget's balance
    assert "is counted when you check the books" in page  # money in and out per kind
    buyer_code = ledger.card_code(books.card_ids[books.buyer])
    assert f'href="/admin/ledger/accounts/{buyer_code}"' in page

    cards_only = admin_client.get("/admin/ledger?kind=card&sort=balance_desc")
    text = cards_only.get_data(as_text=True)
    assert cards_only.status_code == 200 and "2 accounts" in text
    assert text.index(buyer_code) < text.index(ledger.card_code(books.card_ids[books.lapsed]))
    assert "/admin/ledger/accounts/programme_fund" not in text


@pytest.mark.books_broken
def test_checking_the_books_is_a_link_away(app, books, admin_client):
    admin_client.set_cookie("lang", "en")
    page = admin_client.get("/admin/ledger/check").get_data(as_text=True)
    assert "The books balance: no problems found." in page
    assert "Money in" in page and "+Rp6.000.000" in page  # the programme fund's money in
    with app.app_context():
        db.session.execute(
            sa.update(LedgerAccount)
            .where(LedgerAccount.code == ledger.PROGRAMME_FUND)
            .values(balance=1)
        )
        db.session.commit()
    page = admin_client.get("/admin/ledger/check").get_data(as_text=True)
    assert "The check found 1 problem." in page
    assert "account programme_fund: balance 1 but its entries sum to 4000000" in page
    assert "Not balanced" in page


def test_the_office_reads_one_accounts_statement(app, books, admin_client):
    admin_client.set_cookie("lang", "en")
    code = ledger.card_code(books.card_ids[books.buyer])
    response = admin_client.get(f"/admin/ledger/accounts/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'Refund: <span lang="id">Dasar Excel</span>' in page
    assert f"Order {books.first_order}" in page
    assert "Rp800.000" in page and "−Rp300.000" in page
    fund_page = admin_client.get("/admin/ledger/accounts/programme_fund").get_data(as_text=True)
    assert "Balance returned: first-purchase deadline missed" in fund_page
    assert f'href="/admin/ledger/accounts/{code}"' in fund_page  # the card it was issued to
    assert admin_client.get("/admin/ledger/accounts/card:999999").status_code == 404
    assert admin_client.get("/admin/ledger/accounts/" + "x" * 300).status_code == 404
    assert admin_client.get("/admin/ledger/accounts/card%00").status_code == 400  # NUL
    assert admin_client.get(f"/admin/ledger/accounts/{code}?page=abc").status_code == 400
    assert admin_client.get(f"/admin/ledger/accounts/{code}?page=9").status_code == 404


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("kind=nonsense", 400, "Choose a kind of account from the list"),
        ("sort=name", 400, "Choose an order from the list"),
        ("page=abc", 400, "The page number must be a whole number, like 2"),
        ("page=99999999999999999999", 400, "The page number can be at most 100,000"),
        ("page=7", 404, "The last page is page 1."),
    ],
)
def test_a_bad_query_on_the_books_is_refused_with_a_reason(
    app, books, admin_client, query, status, message
):
    admin_client.set_cookie("lang", "en")
    response = admin_client.get(f"/admin/ledger?{query}")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page


def test_the_books_are_for_the_office_only(app, client, participant_client, provider_client):
    for path in ("/admin/ledger", "/admin/ledger/check", "/admin/ledger/accounts/budget"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert participant_client.get(path).status_code == 403
        assert provider_client.get(path).status_code == 403


def test_the_books_are_in_indonesian_by_default(app, books, admin_client):
    page = admin_client.get("/admin/ledger").get_data(as_text=True)
    assert '<html lang="id">' in page and "Urutkan menurut" in page and "Sort by" not in page
