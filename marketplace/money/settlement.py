"""Money owed to training providers: the monthly settlement statement.

Nothing here writes. A provider's statement for a calendar month is read from the books: its
payable account (``provider:<id>``, `ledger.provider_payable`), which every purchase of one
of its courses credits and every refund debits. A movement belongs to the month, in Jakarta
time (WIB), in which the books recorded it (`LedgerTransaction.created_at`): a purchase at
23.30 WIB on 31 March is March's, whatever its UTC date; a refund in April of a March
purchase is taken off April's sales, March's statement is not rewritten.

For one provider and one month:

- orders paid: the purchases credited to the account in the month (how many, how much);
- refunds: the refunds debited from it in the month (how many, how much);
- net sales: orders paid less refunds; it equals the sum of the account's entries in the
  month (`Totals.ledger_total`, read by the same statement; `Totals.agrees` compares them),
  so the statement agrees with the books to the rupiah;
- the platform partner's commission: `Platform.commission_bp` basis points (1/100 of a
  percent) of net sales, rounded to the nearest whole rupiah, a half rupiah away from zero
  (`commission_of`); the rate is the provider's platform's as held now;
- owed: net sales less the commission: what the programme owes the provider for the month
  (below zero when the month's refunds outweigh its sales).

The lines (`Line`, one per order that moved in the month: when, the order, the course, the
participant's name, paid, refunded) are read a page at a time for the page, or all at once
for the CSV. The office's overview (`month_overview`) reads every provider's totals for a
month in one grouped statement. Each read is one statement over the entries of the month,
with their transactions, orders, courses and participants joined (no query per line).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from marketplace.catalogue.models import Course, Platform, Provider
from marketplace.core import N_, DomainError
from marketplace.core.indonesia import JAKARTA, jakarta_date
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Reason,
)
from marketplace.money.statements import Page, PageOutOfRange
from marketplace.orders.models import Order
from marketplace.people.models import Participant

# A month is written YYYY-MM (ISO 8601), as `<input type="month">` sends it.
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR = 2000
LAST_YEAR = 2099
BASIS_POINTS = 10_000  # 100 %
PER_PAGE = 50
SORTS = ("owed_desc", "owed_asc", "name")


class BadMonth(DomainError):
    """A month that can't be read, or lies outside the years a statement can cover."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month of the programme's calendar (Jakarta's)."""

    year: int
    month: int

    def __post_init__(self):
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.month <= 12):
            raise ValueError(f"no such month: {self.year}-{self.month}")

    @classmethod
    def of(cls, moment: datetime) -> "Month":
        """The Jakarta month of a time (naive means UTC)."""
        day = jakarta_date(moment)
        return cls(day.year, day.month)

    @classmethod
    def read(cls, text: str | None) -> "Month":
        """A month written YYYY-MM ("2026-03"); BadMonth when it isn't one."""
        found = _MONTH.fullmatch((text or "").strip())
        if found is None:
            raise BadMonth(
                N_("Write the month as year and month, like %(example)s."),
                field="month",
                example="2026-03",
            )
        year, month = int(found.group(1)), int(found.group(2))
        if not 1 <= month <= 12:
            raise BadMonth(
                N_("The month must be from 01 to 12, like %(example)s."),
                field="month",
                example="2026-03",
            )
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise BadMonth(
                N_("The year must be from %(first)s to %(last)s."),
                field="month",
                first=str(FIRST_YEAR),
                last=str(LAST_YEAR),
            )
        return cls(year, month)

    @property
    def key(self) -> str:
        """YYYY-MM: the month's form in links, forms and file names."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> "Month | None":
        if self.month == 1:
            return None if self.year == FIRST_YEAR else Month(self.year - 1, 12)
        return Month(self.year, self.month - 1)

    @property
    def next(self) -> "Month | None":
        if self.month == 12:
            return None if self.year == LAST_YEAR else Month(self.year + 1, 1)
        return Month(self.year, self.month + 1)

    @property
    def starts_at(self) -> datetime:
        """00.00 WIB on the month's first day, as naive UTC (the books' clock)."""
        return _utc(self.year, self.month)

    @property
    def ends_at(self) -> datetime:
        """00.00 WIB on the next month's first day, as naive UTC: the month ends before it."""
        if self.month == 12:
            return _utc(self.year + 1, 1)
        return _utc(self.year, self.month + 1)


def _utc(year: int, month: int) -> datetime:
    local = datetime(year, month, 1, tzinfo=JAKARTA)
    return local.astimezone(UTC).replace(tzinfo=None)


def commission_of(net_sales: int, commission_bp: int) -> int:
    """`commission_bp` basis points of `net_sales`, in whole rupiah: rounded to the nearest
    rupiah, a half rupiah away from zero (Rp10.005 at 10 % is Rp1.001, −Rp10.005 is
    −Rp1.001). Integer arithmetic only, so no float ever rounds a rupiah."""
    magnitude = (abs(net_sales) * commission_bp + BASIS_POINTS // 2) // BASIS_POINTS
    return magnitude if net_sales >= 0 else -magnitude


@dataclass(frozen=True)
class Totals:
    """A provider's month in figures; amounts in whole rupiah.

    `refunded` is the money that went back (a positive number); `ledger_total` is the sum of
    every entry of the provider's payable account in the month, as the books have it.
    """

    orders_paid: int = 0
    paid: int = 0
    refunds: int = 0
    refunded: int = 0
    ledger_total: int = 0
    commission_bp: int = 0
    orders: int = 0  # orders with a movement in the month: the statement's lines

    @property
    def net_sales(self) -> int:
        return self.paid - self.refunded

    @property
    def commission(self) -> int:
        return commission_of(self.net_sales, self.commission_bp)

    @property
    def owed(self) -> int:
        """What the programme owes the provider for the month: net sales less commission."""
        return self.net_sales - self.commission

    @property
    def agrees(self) -> bool:
        """Whether net sales equal the movements of the payable account in the books."""
        return self.net_sales == self.ledger_total

    @property
    def empty(self) -> bool:
        return not (self.orders_paid or self.refunds or self.ledger_total)


@dataclass(frozen=True)
class Line:
    """One order that moved in the month: paid in it, refunded in it, or both.

    `at` is the time of its first movement in the month (naive UTC); `paid` and `refunded`
    are what moved in the month (0 when nothing did): the refund of an order paid in an
    earlier month has `paid` 0.
    """

    order_id: int
    at: datetime
    course_title: str
    participant_name: str
    paid: int
    refunded: int

    @property
    def net(self) -> int:
        return self.paid - self.refunded


@dataclass(frozen=True)
class Statement:
    """One provider's settlement for one month: its totals and (a page of) its lines."""

    provider_id: int
    provider_name: str
    platform_name: str
    month: Month
    totals: Totals
    lines: Page


@dataclass(frozen=True)
class ProviderRow:
    """One provider's totals in the office's overview of a month."""

    provider_id: int
    provider_name: str
    platform_name: str
    totals: Totals


@dataclass(frozen=True)
class Overview:
    """Every provider with a movement in the month, sorted, with the totals of them all."""

    month: Month
    rows: list[ProviderRow]

    @property
    def paid(self) -> int:
        return sum(row.totals.paid for row in self.rows)

    @property
    def orders_paid(self) -> int:
        return sum(row.totals.orders_paid for row in self.rows)

    @property
    def refunded(self) -> int:
        return sum(row.totals.refunded for row in self.rows)

    @property
    def refunds(self) -> int:
        return sum(row.totals.refunds for row in self.rows)

    @property
    def net_sales(self) -> int:
        return sum(row.totals.net_sales for row in self.rows)

    @property
    def commission(self) -> int:
        """The commissions added up, each rounded for its own provider."""
        return sum(row.totals.commission for row in self.rows)

    @property
    def owed(self) -> int:
        return sum(row.totals.owed for row in self.rows)

    def page(self, page: int, per_page: int = PER_PAGE) -> Page:
        """A page of the rows; PageOutOfRange past the last (page 1 always exists)."""
        total = len(self.rows)
        pages = max(1, -(-total // per_page))
        if page > pages:
            raise PageOutOfRange(page, pages)
        start = (page - 1) * per_page
        return Page(
            items=self.rows[start : start + per_page], page=page, per_page=per_page, total=total
        )


# --- reading the books ---------------------------------------------------------------------


def _in_month(month: Month):
    return sa.and_(
        LedgerTransaction.created_at >= month.starts_at,
        LedgerTransaction.created_at < month.ends_at,
    )


def _figures():
    """The aggregate columns of a month's entries (see `Totals`)."""
    purchase = LedgerTransaction.reason == Reason.PURCHASE
    refund = LedgerTransaction.reason == Reason.REFUND
    return (
        sa.func.count(sa.case((purchase, LedgerEntry.id))).label("orders_paid"),
        sa.func.coalesce(sa.func.sum(sa.case((purchase, LedgerEntry.amount), else_=0)), 0).label(
            "paid"
        ),
        sa.func.count(sa.case((refund, LedgerEntry.id))).label("refunds"),
        sa.func.coalesce(sa.func.sum(sa.case((refund, -LedgerEntry.amount), else_=0)), 0).label(
            "refunded"
        ),
        sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0).label("ledger_total"),
        sa.func.count(sa.distinct(LedgerTransaction.order_id)).label("orders"),
    )


def _totals(row, commission_bp: int) -> Totals:
    return Totals(
        orders_paid=int(row.orders_paid),
        paid=int(row.paid),
        refunds=int(row.refunds),
        refunded=int(row.refunded),
        ledger_total=int(row.ledger_total),
        commission_bp=int(commission_bp),
        orders=int(row.orders),
    )


def _month_entries(provider_id: int, month: Month):
    """The entries of the provider's payable account in the month, with their transactions."""
    return (
        sa.select()
        .select_from(LedgerEntry)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.code == ledger.provider_code(provider_id), _in_month(month))
    )


def totals(provider_id: int, month: Month, commission_bp: int = 0) -> Totals:
    """The provider's figures for the month (one aggregate statement)."""
    row = db.session.execute(_month_entries(provider_id, month).add_columns(*_figures())).one()
    return _totals(row, commission_bp)


def lines(provider_id: int, month: Month, page: int | None = 1, per_page: int = PER_PAGE):
    """The month's lines, one per order, in the order of their first movement: a page
    (`page`, `per_page`) or, with `page=None`, every one of them."""
    first_at = sa.func.min(LedgerTransaction.created_at)
    purchase = LedgerTransaction.reason == Reason.PURCHASE
    refund = LedgerTransaction.reason == Reason.REFUND
    statement = (
        _month_entries(provider_id, month)
        .add_columns(
            Order.id,
            first_at.label("at"),
            Course.title,
            Participant.full_name,
            sa.func.coalesce(sa.func.sum(sa.case((purchase, LedgerEntry.amount), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((refund, -LedgerEntry.amount), else_=0)), 0),
        )
        .join(Order, Order.id == LedgerTransaction.order_id)
        .join(Course, Course.id == Order.course_id)
        .join(Participant, Participant.id == Order.participant_id)
        .group_by(Order.id, Course.title, Participant.full_name)
        .order_by(first_at, Order.id)
    )
    if page is not None:
        statement = statement.limit(per_page).offset((page - 1) * per_page)
    return [
        Line(
            order_id=order_id,
            at=at,
            course_title=title,
            participant_name=name,
            paid=int(paid),
            refunded=int(refunded),
        )
        for order_id, at, title, name, paid, refunded in db.session.execute(statement)
    ]


def _checked_page(page: int | None) -> int | None:
    if page is None:
        return None
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError(f"a page number is a whole number from 1, not {page!r}")
    return page


def statement(
    provider: Provider, month: Month, page: int | None = 1, per_page: int | None = None
) -> Statement:
    """The provider's settlement statement for the month, with a page of its lines (or,
    with `page=None`, all of them: the CSV).

    Three statements: the provider's platform, the month's totals, the page of lines
    (`per_page` lines a page, PER_PAGE unless given).
    Raises PageOutOfRange past the last page (page 1 always exists, empty or not).
    """
    page = _checked_page(page)
    per_page = per_page or PER_PAGE
    platform_name, commission_bp = db.session.execute(
        sa.select(Platform.name, Platform.commission_bp).where(Platform.id == provider.platform_id)
    ).one()
    figures = totals(provider.id, month, commission_bp)
    if page is None:
        items = lines(provider.id, month, None)
        shown = Page(items=items, page=1, per_page=max(1, len(items)), total=len(items))
    else:
        pages = max(1, -(-figures.orders // per_page))
        if page > pages:
            raise PageOutOfRange(page, pages)
        shown = Page(
            items=lines(provider.id, month, page, per_page) if figures.orders else [],
            page=page,
            per_page=per_page,
            total=figures.orders,
        )
    return Statement(
        provider_id=provider.id,
        provider_name=provider.name,
        platform_name=platform_name,
        month=month,
        totals=figures,
        lines=shown,
    )


def _sort_key(sort: str):
    if sort == "owed_asc":
        return lambda row: (row.totals.owed, row.provider_name.casefold(), row.provider_id)
    if sort == "name":
        return lambda row: (row.provider_name.casefold(), row.provider_id)
    return lambda row: (-row.totals.owed, row.provider_name.casefold(), row.provider_id)


def month_overview(month: Month, sort: str = "owed_desc") -> Overview:
    """Every provider whose payable account moved in the month, with its totals, sorted by
    what is owed (highest first: "owed_desc"; lowest first: "owed_asc") or by name ("name").

    One grouped statement over the month's entries on providers' payable accounts, joined to
    the provider by the account's code (``provider:<id>``) and to its platform's rate.
    """
    if sort not in SORTS:
        raise ValueError(f"sort is one of {SORTS}, not {sort!r}")
    code_of_provider = sa.literal("provider:") + sa.cast(Provider.id, sa.String)
    rows = db.session.execute(
        sa.select(Provider.id, Provider.name, Platform.name, Platform.commission_bp, *_figures())
        .select_from(LedgerEntry)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .join(Provider, LedgerAccount.code == code_of_provider)
        .join(Platform, Platform.id == Provider.platform_id)
        .where(LedgerAccount.kind == AccountKind.PROVIDER_PAYABLE, _in_month(month))
        .group_by(Provider.id, Provider.name, Platform.name, Platform.commission_bp)
    ).all()
    found = [
        ProviderRow(
            provider_id=row[0],
            provider_name=row[1],
            platform_name=row[2],
            totals=_totals(row, row[3]),
        )
        for row in rows
    ]
    found.sort(key=_sort_key(sort))
    return Overview(month=month, rows=found)
