"""The monthly settlement statement (money/settlement.py): what the programme owes a training
provider for a month in WIB, read from its payable account in the books.

Purchases and refunds are made through checkout and the office's refund, at chosen times:
the books' clock (`ledger.utcnow`) is set to the time each operation is given, so the books
record a purchase at 23.30 WIB on 31 March as a purchase would have been recorded then.
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from support.checkout_rows import card_holders

from marketplace.catalogue.models import Course, Platform, Provider
from marketplace.extensions import db
from marketplace.money import ledger, settlement
from marketplace.money.models import LedgerAccount, LedgerEntry, LedgerTransaction
from marketplace.orders import checkout, refunds
from marketplace.orders.models import Order
from marketplace.people.models import Participant, Role, User

MARCH = settlement.Month(2026, 3)
APRIL = settlement.Month(2026, 4)
FEBRUARY = settlement.Month(2026, 2)
PRICE = 300_000
ODD_PRICE = 200_005  # 15 % of it ends in a fraction of a rupiah
RIVAL_PRICE = 400_000


def utc(year, month, day, hour=0, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second)


# --- the world -----------------------------------------------------------------------------


@pytest.fixture
def world(app, factory, monkeypatch):
    """A provider (its platform's commission 15 %) with two courses, a rival provider with
    one, the office, and a clock the books follow. Buyers come from `buyers(at, count)`:
    participants with 2023 cards (Rp3.500.000, several courses at once) issued at `at`."""
    clock = SimpleNamespace(now=utc(2026, 3, 1))
    monkeypatch.setattr(ledger, "utcnow", lambda: clock.now)
    provider = factory.provider(name="LPK Maju Jaya")
    rival = factory.provider(name="LPK Saingan")
    category = factory.category()
    course = factory.course("Excel untuk Kantor", provider=provider, category=category, price=PRICE)
    odd = factory.course("Akuntansi Dasar", provider=provider, category=category, price=ODD_PRICE)
    rival_course = factory.course(
        "Pemasaran Saingan", provider=rival, category=category, price=RIVAL_PRICE
    )
    office = factory.user(role=Role.ADMIN)

    def buyers(at: datetime, count: int) -> list[int]:
        return card_holders(app, count, at, scheme="2023")

    def buy(buyer: int, course_id: int, at: datetime) -> int:
        clock.now = at
        with app.app_context():
            participant = db.session.get(Participant, buyer)
            row, code = checkout.begin(participant, db.session.get(Course, course_id), None, at)
            order = checkout.confirm(participant, row.purchase_key, code, at)
            db.session.commit()
            return order.id

    def refund(order_id: int, at: datetime) -> None:
        clock.now = at
        with app.app_context():
            refunds.refund_order(
                db.session.get(Order, order_id),
                "Lembaga tidak dapat menyelenggarakan pelatihan",
                at,
                db.session.get(User, office.id),
            )
            db.session.commit()

    return SimpleNamespace(
        app=app,
        clock=clock,
        provider_id=provider.id,
        rival_id=rival.id,
        course=course.id,
        odd=odd.id,
        rival_course=rival_course.id,
        buyers=buyers,
        buy=buy,
        refund=refund,
    )


def statement_of(world, provider_id: int, month: settlement.Month, page=None):
    with world.app.app_context():
        return settlement.statement(db.session.get(Provider, provider_id), month, page)


@pytest.fixture
def march(world):
    """Three orders of the provider's courses paid in March (one of the rival's too); one
    refunded in March, one in April."""
    first, second, third = world.buyers(utc(2026, 3, 1, 2), 3)
    refunded_same_month = world.buy(first, world.course, utc(2026, 3, 5, 3))
    refunded_next_month = world.buy(second, world.course, utc(2026, 3, 10, 3))
    kept = world.buy(third, world.odd, utc(2026, 3, 12, 3))
    world.buy(third, world.rival_course, utc(2026, 3, 12, 4))
    world.refund(refunded_same_month, utc(2026, 3, 20, 3))
    world.refund(refunded_next_month, utc(2026, 4, 2, 3))
    return SimpleNamespace(
        refunded_same_month=refunded_same_month,
        refunded_next_month=refunded_next_month,
        kept=kept,
    )


# --- the figures ---------------------------------------------------------------------------


def test_a_month_counts_its_purchases_and_its_refunds(world, march):
    found = statement_of(world, world.provider_id, MARCH).totals

    assert (found.orders_paid, found.paid) == (3, 2 * PRICE + ODD_PRICE)
    assert (found.refunds, found.refunded) == (1, PRICE)  # the refund made in March
    assert found.net_sales == PRICE + ODD_PRICE == 500_005
    assert found.commission_bp == 1500
    assert found.commission == 75_001  # 15 % of 500.005 is 75.000,75: rounded up
    assert found.owed == 500_005 - 75_001 == 425_004
    assert found.agrees


def test_a_refund_in_a_later_month_is_taken_off_that_month(world, march):
    found = statement_of(world, world.provider_id, APRIL)

    assert (found.totals.orders_paid, found.totals.paid) == (0, 0)
    assert (found.totals.refunds, found.totals.refunded) == (1, PRICE)
    assert found.totals.net_sales == -PRICE
    assert found.totals.commission == -45_000  # the commission on it is given back
    assert found.totals.owed == -255_000
    assert found.totals.agrees
    [line] = found.lines.items
    assert (line.order_id, line.paid, line.refunded) == (march.refunded_next_month, 0, PRICE)
    # March is not rewritten by April's refund.
    assert statement_of(world, world.provider_id, MARCH).totals.net_sales == 500_005


def test_a_line_per_order_in_the_order_of_its_first_movement(world, march):
    found = statement_of(world, world.provider_id, MARCH)

    with world.app.app_context():
        names = {
            order.id: order.participant.full_name for order in db.session.scalars(sa.select(Order))
        }
    assert [
        (line.order_id, line.course_title, line.participant_name, line.paid, line.refunded)
        for line in found.lines.items
    ] == [
        (march.refunded_same_month, "Excel untuk Kantor", names[march.refunded_same_month],
         PRICE, PRICE),
        (march.refunded_next_month, "Excel untuk Kantor", names[march.refunded_next_month],
         PRICE, 0),
        (march.kept, "Akuntansi Dasar", names[march.kept], ODD_PRICE, 0),
    ]  # fmt: skip
    assert found.lines.items[0].at == utc(2026, 3, 5, 3)  # its purchase, the first movement
    assert sum(line.net for line in found.lines.items) == found.totals.net_sales
    assert found.lines.total == found.totals.orders == 3


def test_the_lines_come_a_page_at_a_time(world, march):
    with world.app.app_context():
        provider = db.session.get(Provider, world.provider_id)
        first = settlement.statement(provider, MARCH, 1, per_page=2)
        second = settlement.statement(provider, MARCH, 2, per_page=2)
        with pytest.raises(settlement.PageOutOfRange):
            settlement.statement(provider, MARCH, 3, per_page=2)
    assert (first.lines.total, first.lines.pages) == (3, 2)
    assert [line.order_id for line in first.lines.items + second.lines.items] == [
        march.refunded_same_month,
        march.refunded_next_month,
        march.kept,
    ]
    assert first.totals == second.totals  # the figures are the whole month's on every page


def test_another_providers_sales_are_not_in_the_statement(world, march):
    ours = statement_of(world, world.provider_id, MARCH)
    theirs = statement_of(world, world.rival_id, MARCH)

    assert "Pemasaran Saingan" not in [line.course_title for line in ours.lines.items]
    assert (theirs.totals.orders_paid, theirs.totals.paid) == (1, RIVAL_PRICE)
    assert [line.course_title for line in theirs.lines.items] == ["Pemasaran Saingan"]


# --- agreement with the books --------------------------------------------------------------


def _payable_entries_in(provider_id: int, month: settlement.Month) -> int:
    """The sum of the provider's payable account's entries whose transactions the books
    recorded in the month, WIB, worked out here without the module under test."""
    jakarta = ZoneInfo("Asia/Jakarta")
    start = datetime(month.year, month.month, 1, tzinfo=jakarta)
    following = (start + timedelta(days=32)).replace(day=1)
    bounds = [moment.astimezone(UTC).replace(tzinfo=None) for moment in (start, following)]
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.code == f"provider:{provider_id}",
            LedgerTransaction.created_at >= bounds[0],
            LedgerTransaction.created_at < bounds[1],
        )
    )


def test_the_statement_agrees_with_the_books_to_the_rupiah(world, march):
    with world.app.app_context():
        for provider_id in (world.provider_id, world.rival_id):
            for month in (FEBRUARY, MARCH, APRIL):
                found = settlement.statement(db.session.get(Provider, provider_id), month, None)
                in_books = _payable_entries_in(provider_id, month)
                assert found.totals.net_sales == in_books, (provider_id, month)
                assert found.totals.ledger_total == in_books
                assert sum(line.net for line in found.lines.items) == in_books
        # Every month together is the account's balance: nothing is left out or counted twice.
        balance = ledger.find(ledger.provider_code(world.provider_id)).balance
    assert balance == sum(
        statement_of(world, world.provider_id, month).totals.net_sales
        for month in (FEBRUARY, MARCH, APRIL)
    )


def test_a_movement_outside_purchases_and_refunds_shows_as_disagreement(world, march):
    """Should anything but a purchase or a refund ever move a provider's account, the
    statement says its figures no longer agree with the books rather than hide it."""
    world.clock.now = utc(2026, 3, 25)
    with world.app.app_context():
        ledger.transfer(
            ledger.Reason.BUDGET_ALLOCATED,
            "a movement the statement does not know",
            ledger.budget(),
            ledger.provider_code(world.provider_id),
            1,
        )
        found = settlement.statement(db.session.get(Provider, world.provider_id), MARCH)
        db.session.rollback()
    assert found.totals.ledger_total == found.totals.net_sales + 1
    assert not found.totals.agrees


# --- months in WIB -------------------------------------------------------------------------


def test_months_begin_and_end_at_midnight_in_jakarta():
    assert MARCH.starts_at == utc(2026, 2, 28, 17)  # 00.00 WIB on 1 March
    assert MARCH.ends_at == utc(2026, 3, 31, 17)  # 00.00 WIB on 1 April
    assert settlement.Month(2026, 12).ends_at == utc(2026, 12, 31, 17)
    assert settlement.Month.of(utc(2026, 3, 31, 16, 59, 59)) == MARCH
    assert settlement.Month.of(utc(2026, 3, 31, 17)) == APRIL
    assert (MARCH.previous, MARCH.next) == (FEBRUARY, APRIL)
    assert settlement.Month(2026, 1).previous == settlement.Month(2025, 12)
    assert settlement.Month(2025, 12).next == settlement.Month(2026, 1)


def test_an_order_belongs_to_its_month_in_wib(world):
    february_buyers = world.buyers(utc(2026, 2, 20), 2)
    march_buyers = world.buyers(utc(2026, 3, 25), 2)
    # 23.59.59 WIB on 28 February; 00.00 WIB on 1 March; 23.30 WIB on 31 March; 00.00 WIB
    # on 1 April.
    last_of_february = world.buy(february_buyers[0], world.course, utc(2026, 2, 28, 16, 59, 59))
    first_of_march = world.buy(february_buyers[1], world.course, utc(2026, 2, 28, 17))
    late_on_the_31st = world.buy(march_buyers[0], world.course, utc(2026, 3, 31, 16, 30))
    first_of_april = world.buy(march_buyers[1], world.course, utc(2026, 3, 31, 17))

    def orders(month):
        return [line.order_id for line in statement_of(world, world.provider_id, month).lines.items]

    assert orders(FEBRUARY) == [last_of_february]
    assert orders(MARCH) == [first_of_march, late_on_the_31st]
    assert orders(APRIL) == [first_of_april]
    assert statement_of(world, world.provider_id, MARCH).totals.paid == 2 * PRICE


# --- the commission ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("net_sales", "basis_points", "commission"),
    [
        (500_005, 1500, 75_001),  # 75.000,75 → up
        (10_010, 1500, 1_502),  # 1.501,5: half a rupiah → up
        (10_003, 1500, 1_500),  # 1.500,45 → down
        (-10_010, 1500, -1_502),  # a month of refunds mirrors a month of sales
        (-10_003, 1500, -1_500),
        (1, 4999, 0),  # 0,4999
        (1, 5000, 1),  # 0,5
        (999_999, 0, 0),
        (999_999, 10_000, 999_999),
        (0, 1500, 0),
    ],
)
def test_the_commission_is_rounded_to_the_nearest_whole_rupiah(net_sales, basis_points, commission):
    assert settlement.commission_of(net_sales, basis_points) == commission


def test_the_commission_rounds_half_a_rupiah_away_from_zero_everywhere():
    for net_sales in range(-30_000, 30_001, 7):
        for basis_points in (1, 125, 1250, 1500, 3333, 9999):
            exact = Decimal(net_sales) * basis_points / 10_000
            expected = int(abs(exact).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            assert settlement.commission_of(net_sales, basis_points) == (
                expected if net_sales >= 0 else -expected
            )


def test_the_statement_takes_the_rate_of_the_providers_platform(world):
    [buyer] = world.buyers(utc(2026, 3, 1), 1)
    world.buy(buyer, world.odd, utc(2026, 3, 3))
    with world.app.app_context():
        provider = db.session.get(Provider, world.provider_id)
        db.session.get(Platform, provider.platform_id).commission_bp = 1250
        db.session.commit()
    found = statement_of(world, world.provider_id, MARCH).totals
    assert (found.commission_bp, found.net_sales) == (1250, ODD_PRICE)
    assert found.commission == 25_001  # 12,5 % of 200.005 is 25.000,625
    assert found.owed == ODD_PRICE - 25_001


# --- nothing to show -----------------------------------------------------------------------


def test_a_provider_that_sold_nothing_has_an_empty_statement(world, factory):
    quiet = factory.provider(name="LPK Sepi")  # no payable account at all
    found = statement_of(world, quiet.id, MARCH)
    assert found.totals == settlement.Totals(commission_bp=1500)
    assert found.totals.empty and found.totals.agrees
    assert (found.lines.items, found.lines.total, found.lines.pages) == ([], 0, 1)
    assert (found.totals.commission, found.totals.owed) == (0, 0)


def test_a_month_without_movements_is_empty_though_others_have_some(world, march):
    found = statement_of(world, world.provider_id, settlement.Month(2026, 5))
    assert found.totals.empty
    assert found.lines.items == []


# --- the office's overview -----------------------------------------------------------------


def test_the_office_overview_has_every_provider_that_moved_in_the_month(world, march, factory):
    factory.provider(name="LPK Sepi")  # sold nothing: not listed
    with world.app.app_context():
        by_owed = settlement.month_overview(MARCH)
        least_first = settlement.month_overview(MARCH, "owed_asc")
        by_name = settlement.month_overview(MARCH, "name")
        april = settlement.month_overview(APRIL)
        with pytest.raises(ValueError):
            settlement.month_overview(MARCH, "balance")

    assert [row.provider_name for row in by_owed.rows] == ["LPK Maju Jaya", "LPK Saingan"]
    assert [row.provider_id for row in least_first.rows] == [world.rival_id, world.provider_id]
    assert [row.provider_name for row in by_name.rows] == ["LPK Maju Jaya", "LPK Saingan"]
    ours = by_owed.rows[0].totals
    assert ours == statement_of(world, world.provider_id, MARCH).totals
    rival = by_owed.rows[1].totals
    assert (rival.paid, rival.commission, rival.owed) == (RIVAL_PRICE, 60_000, 340_000)
    assert by_owed.net_sales == 500_005 + RIVAL_PRICE
    assert by_owed.commission == 75_001 + 60_000
    assert by_owed.owed == 425_004 + 340_000
    assert [row.provider_id for row in april.rows] == [world.provider_id]
    assert april.owed == -255_000


# --- few queries ---------------------------------------------------------------------------


def _statements_run(app, work) -> int:
    with app.app_context():
        db.session.execute(sa.select(1))  # the connection is open before counting
        seen = []

        def count(*_args):
            seen.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            work()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)


def test_a_statement_costs_the_same_few_queries_however_many_lines(world):
    def read(month):
        def work():
            settlement.statement(db.session.get(Provider, world.provider_id), month, None)
            settlement.statement(db.session.get(Provider, world.provider_id), month, 1)
            settlement.month_overview(month)

        return _statements_run(world.app, work)

    first, *others = world.buyers(utc(2026, 3, 1), 4)
    world.buy(first, world.course, utc(2026, 3, 2))
    with_one_line = read(MARCH)
    for buyer in others:
        world.buy(buyer, world.course, utc(2026, 3, 3))
        world.buy(buyer, world.odd, utc(2026, 3, 4))
    assert statement_of(world, world.provider_id, MARCH).lines.total == 7
    assert read(MARCH) == with_one_line
    # The provider, its platform, the totals, the lines; twice; and the overview's one.
    assert with_one_line <= 9


# --- reading a month -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-03", " 2026-03 ", "2000-01", "2099-12"])
def test_a_month_is_read_as_year_and_month(text):
    month = settlement.Month.read(text)
    assert month.key == text.strip()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the month as year and month, like %(example)s."),
        ("2026-3", "Write the month as year and month, like %(example)s."),
        ("03-2026", "Write the month as year and month, like %(example)s."),
        ("2026-03-01", "Write the month as year and month, like %(example)s."),
        ("２０２６-０３", "Write the month as year and month, like %(example)s."),  # wide digits
        ("2026-13", "The month must be from 01 to 12, like %(example)s."),
        ("2026-00", "The month must be from 01 to 12, like %(example)s."),
        ("1999-12", "The year must be from %(first)s to %(last)s."),
        ("2100-01", "The year must be from %(first)s to %(last)s."),
        ("9" * 400, "Write the month as year and month, like %(example)s."),
    ],
)
def test_a_month_that_cant_be_read_is_refused_with_why(text, message):
    with pytest.raises(settlement.BadMonth) as refused:
        settlement.Month.read(text)
    assert refused.value.message == message
    assert refused.value.field == "month"
