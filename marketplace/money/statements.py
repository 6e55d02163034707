"""The books' statements: reading the ledger for the participant and the programme office.

Nothing here writes. Money moves only in money/ledger.py; this module reads what it wrote:

- `card_statement(card)`: every movement of a card's balance, newest first, each with a
  description in the participant's words, the order it is about, and the balance after it;
- `account_statement(account)`: the same for any account of the books (the office's view);
- `account_totals()`: per kind of account, how many there are and their balances (and, when
  asked, the money that went in and out), and the grand total of all balances (zero when
  the books balance);
- `accounts_page(kind, sort, page)`: the individual accounts, a page at a time;
- `check_books()`: `ledger.verify()`, its problems counted and the first few kept.

How a movement names its order: a purchase's or a refund's transaction points at it by its
foreign key `order_id`, joined for the rows of one page only, in the same query that reads
the page: no query per line.

Lines are newest first in the order the entries were written, and the balance after each
is worked back from the account's balance (see `_statement_page`): a page costs the same on
the first page of a card and of the programme fund. Without concurrent transfers this is
`ledger.statement` read backwards, line for line; `ledger.verify()` (`check_books`) proves
each balance equals the sum of its entries.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from marketplace.catalogue.models import Course
from marketplace.core import N_, DomainError
from marketplace.core.paging import MAX_PAGE
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import (
    AccountKind,
    Card,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Reason,
)
from marketplace.orders.models import Order

PER_PAGE = 50
# The order in which the kinds of account are shown.
KINDS = (
    AccountKind.BUDGET,
    AccountKind.PROGRAMME_FUND,
    AccountKind.CARD,
    AccountKind.PROVIDER_PAYABLE,
    AccountKind.INCENTIVES_PAID,
)
SORTS = ("code", "balance_desc", "balance_asc")
FIRST_PROBLEMS = 20

# What a movement is, in the participant's words (English message ids; pages translate).
DESCRIPTIONS = {
    Reason.BUDGET_ALLOCATED: N_("State budget allocated to the programme"),
    Reason.CARD_ISSUED: N_("Training balance issued"),
    Reason.CARD_EXPIRED: N_("Balance returned: first-purchase deadline missed"),
    Reason.PURCHASE: N_("Purchase"),
    Reason.REFUND: N_("Refund"),
    Reason.INCENTIVE: N_("Incentive paid"),
}
WITH_COURSE = {
    Reason.PURCHASE: N_("Purchase: %(title)s"),
    Reason.REFUND: N_("Refund: %(title)s"),
}


class PageOutOfRange(DomainError):
    """A page number past the last page of a statement or list."""

    def __init__(self, page: int, pages: int):
        super().__init__(
            N_("This page does not exist. The last page is page %(pages)s."),
            field="page",
            pages=pages,
        )
        self.page = page
        self.pages = pages


@dataclass(frozen=True)
class Page:
    """One page of lines or accounts, with what the page links need."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


@dataclass(frozen=True)
class CardStatementLine:
    """One movement of an account's balance, with the balance after it.

    `description` is an English message id; translate it with `title=course_title`.
    `order_id` is the order a purchase or refund was about (None for other movements).
    """

    entry_id: int
    at: datetime
    reason: Reason
    reference: str
    amount: int
    balance_after: int
    order_id: int | None
    course_title: str | None

    @property
    def description(self) -> str:
        if self.course_title is not None and self.reason in WITH_COURSE:
            return WITH_COURSE[self.reason]
        return DESCRIPTIONS.get(self.reason, N_("Movement"))


# An office statement line is the same thing; the name says who reads it.
StatementLine = CardStatementLine


@dataclass(frozen=True)
class KindTotal:
    """All accounts of one kind together: count, balances, money in (+) and out (−).

    `money_in` sums the positive entries, `money_out` the negative ones (zero or below);
    both are None when they were not counted (see `account_totals`).
    """

    kind: AccountKind
    accounts: int
    balance: int
    money_in: int | None = None
    money_out: int | None = None


@dataclass(frozen=True)
class BooksTotals:
    """The totals per kind of account and the grand total of every balance."""

    kinds: list[KindTotal]

    @property
    def grand_total(self) -> int:
        """The sum of every balance: zero, since the budget goes below zero by what it gave."""
        return sum(row.balance for row in self.kinds)

    @property
    def balanced(self) -> bool:
        return self.grand_total == 0

    @property
    def accounts(self) -> int:
        return sum(row.accounts for row in self.kinds)

    @property
    def with_flows(self) -> bool:
        """Whether the money in and out of each kind was counted."""
        return any(row.money_in is not None for row in self.kinds)


@dataclass(frozen=True)
class AccountRow:
    """One account in the office's list."""

    id: int
    code: str
    kind: AccountKind
    balance: int
    money_in: int
    money_out: int
    entries: int


@dataclass(frozen=True)
class BooksCheck:
    """What `ledger.verify()` found: how many problems, and the first few."""

    count: int
    first: list[str]

    @property
    def ok(self) -> bool:
        return self.count == 0


# --- statements ----------------------------------------------------------------------------


def _kind(value) -> AccountKind:
    return value if isinstance(value, AccountKind) else AccountKind(value)


def _checked_page(page: int) -> int:
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise ValueError(f"a page number is a whole number from 1 to {MAX_PAGE}, not {page!r}")
    return page


def _statement_page(account_id: int, page: int, per_page: int) -> Page:
    """A page of the account's movements, newest first, each with the balance after it.

    Lines go in the order the entries were written (entry id). That is the order in which
    the balance changed: `ledger.transfer` writes its entries after its conditional UPDATE
    of the balance, so two transfers on one account are written in the order they took the
    account's row; their transactions' times and ids were taken before that wait.

    The balance after a line is the account's balance less the entries written after it,
    so a page reads only the entries down to its last line (an index range on
    ledger_entry.account_id) and the first page of an account with a million entries costs
    what a card's does. One statement reads the balance, the entries, their transactions,
    orders and courses (one snapshot on PostgreSQL); a second counts the entries for the
    page links. `ledger.verify()` checks that each balance equals the sum of its entries.
    """
    page = _checked_page(page)
    total = (
        db.session.scalar(
            sa.select(sa.func.count(LedgerEntry.id)).where(LedgerEntry.account_id == account_id)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise PageOutOfRange(page, pages)
    offset = (page - 1) * per_page
    # The newest entries down to this page's last line; the newer ones are needed for the sum.
    recent = (
        sa.select(
            LedgerEntry.id.label("entry_id"),
            LedgerEntry.transaction_id.label("transaction_id"),
            LedgerEntry.amount.label("amount"),
        )
        .where(LedgerEntry.account_id == account_id)
        .order_by(LedgerEntry.id.desc())
        .limit(offset + per_page)
        .subquery("recent")
    )
    # The entries from the newest down to each line, the line included.
    written_since = sa.func.sum(recent.c.amount).over(
        order_by=recent.c.entry_id.desc(), rows=(None, 0)
    )
    balance = (
        sa.select(LedgerAccount.balance).where(LedgerAccount.id == account_id).scalar_subquery()
    )
    shown = (
        sa.select(
            recent.c.entry_id,
            recent.c.transaction_id,
            recent.c.amount,
            (balance - written_since + recent.c.amount).label("balance_after"),
        )
        .order_by(recent.c.entry_id.desc())
        .limit(per_page)
        .offset(offset)
        .subquery("shown")
    )
    rows = db.session.execute(
        sa.select(
            shown.c.entry_id,
            LedgerTransaction.created_at,
            LedgerTransaction.reason,
            LedgerTransaction.reference,
            shown.c.amount,
            shown.c.balance_after,
            LedgerTransaction.order_id,
            Course.title,
        )
        .select_from(shown)
        .join(LedgerTransaction, LedgerTransaction.id == shown.c.transaction_id)
        .outerjoin(Order, Order.id == LedgerTransaction.order_id)
        .outerjoin(Course, Course.id == Order.course_id)
        .order_by(shown.c.entry_id.desc())
    ).all()
    items = [
        CardStatementLine(
            entry_id=row.entry_id,
            at=row.created_at,
            reason=row.reason if isinstance(row.reason, Reason) else Reason(row.reason),
            reference=row.reference,
            amount=int(row.amount),
            balance_after=int(row.balance_after),
            order_id=row.order_id,
            course_title=row.title,
        )
        for row in rows
    ]
    return Page(items=items, page=page, per_page=per_page, total=total)


def card_statement(card: Card, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """A page of every movement of the card's balance, newest first (CardStatementLine).

    Raises PageOutOfRange past the last page (page 1 always exists, empty or not) and
    ValueError for a page number that is not a whole number from 1 to MAX_PAGE.
    """
    return _statement_page(card.account_id, page, per_page)


def card_statement_lines(card: Card) -> list[CardStatementLine]:
    """Every movement of the card's balance, newest first, on one list."""
    total = db.session.scalar(
        sa.select(sa.func.count(LedgerEntry.id)).where(LedgerEntry.account_id == card.account_id)
    )
    return _statement_page(card.account_id, 1, max(1, total or 0)).items


def find_account(code: str) -> LedgerAccount | None:
    """The account of the books with this code, or None (also for a code no account could
    have: empty, over 60 characters, or not printable ASCII, which PostgreSQL may refuse)."""
    if (
        not isinstance(code, str)
        or not 0 < len(code) <= 60
        or not (code.isascii() and code.isprintable())
    ):
        return None
    return ledger.find(code)


def account_statement(
    ledger_account: LedgerAccount, page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """A page of any account's movements, newest first, as on a card's statement.

    Cost: page N reads the account's newest N pages of entries (an index range), whatever
    the account's size: the programme fund has one entry per card issued.
    """
    return _statement_page(ledger_account.id, page, per_page)


# --- the office's totals -------------------------------------------------------------------


def account_totals(with_flows: bool = False) -> BooksTotals:
    """Per kind of account (every kind, in KINDS order): how many, and their balances.

    One aggregate over the accounts (their cached balances). With `with_flows`, a second
    over every entry of the books adds the money in and out of each kind: that one reads
    the whole ledger_entry table (no index can answer a sum over the whole books), about
    seven times the first, so the office page runs it only when asked, beside
    `check_books`. Without it, `money_in` and `money_out` are None.
    """
    counted = {
        _kind(kind): (count, balance)
        for kind, count, balance in db.session.execute(
            sa.select(
                LedgerAccount.kind,
                sa.func.count(LedgerAccount.id),
                sa.func.coalesce(sa.func.sum(LedgerAccount.balance), 0),
            ).group_by(LedgerAccount.kind)
        )
    }
    flows = {}
    if with_flows:
        positive = sa.case((LedgerEntry.amount > 0, LedgerEntry.amount), else_=0)
        negative = sa.case((LedgerEntry.amount < 0, LedgerEntry.amount), else_=0)
        flows = {
            _kind(kind): (int(money_in), int(money_out))
            for kind, money_in, money_out in db.session.execute(
                sa.select(
                    LedgerAccount.kind,
                    sa.func.coalesce(sa.func.sum(positive), 0),
                    sa.func.coalesce(sa.func.sum(negative), 0),
                )
                .join(LedgerAccount, LedgerEntry.account_id == LedgerAccount.id)
                .group_by(LedgerAccount.kind)
            )
        }
    kinds = []
    for kind in KINDS:
        count, balance = counted.get(kind, (0, 0))
        money_in, money_out = flows.get(kind, (0, 0) if with_flows else (None, None))
        kinds.append(KindTotal(kind, int(count), int(balance), money_in, money_out))
    return BooksTotals(kinds)


def accounts_page(
    kind: AccountKind | None = None,
    sort: str = "code",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """A page of the accounts (AccountRow), maybe of one kind, sorted by code or balance.

    `sort` is "code" (A to Z), "balance_desc" (highest first) or "balance_asc" (lowest
    first); ties go by code. The page is cut in SQL from the accounts alone, and only its
    accounts' entries are summed (through the index on ledger_entry.account_id), so a page
    costs the same with a million card accounts; the count for the page links and a sort by
    balance read every account of the kind (there is no index on kind or balance).
    """
    if sort not in SORTS:
        raise ValueError(f"sort is one of {SORTS}, not {sort!r}")
    page = _checked_page(page)
    wanted = [] if kind is None else [LedgerAccount.kind == kind]
    total = db.session.scalar(sa.select(sa.func.count(LedgerAccount.id)).where(*wanted)) or 0
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise PageOutOfRange(page, pages)

    def ordering(columns):
        if sort == "balance_desc":
            return (columns.balance.desc(), columns.code)
        if sort == "balance_asc":
            return (columns.balance.asc(), columns.code)
        return (columns.code,)

    shown = (
        sa.select(LedgerAccount.id, LedgerAccount.code, LedgerAccount.kind, LedgerAccount.balance)
        .where(*wanted)
        .order_by(*ordering(LedgerAccount))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("shown")
    )
    positive = sa.case((LedgerEntry.amount > 0, LedgerEntry.amount), else_=0)
    negative = sa.case((LedgerEntry.amount < 0, LedgerEntry.amount), else_=0)
    flows = (
        sa.select(
            LedgerEntry.account_id.label("account_id"),
            sa.func.sum(positive).label("money_in"),
            sa.func.sum(negative).label("money_out"),
            sa.func.count(LedgerEntry.id).label("entries"),
        )
        .where(LedgerEntry.account_id.in_(sa.select(shown.c.id)))
        .group_by(LedgerEntry.account_id)
        .subquery("flows")
    )
    rows = db.session.execute(
        sa.select(
            shown.c.id,
            shown.c.code,
            shown.c.kind,
            shown.c.balance,
            sa.func.coalesce(flows.c.money_in, 0),
            sa.func.coalesce(flows.c.money_out, 0),
            sa.func.coalesce(flows.c.entries, 0),
        )
        .select_from(shown)
        .outerjoin(flows, flows.c.account_id == shown.c.id)
        .order_by(*ordering(shown.c))
    ).all()
    items = [
        AccountRow(
            id=row[0],
            code=row[1],
            kind=_kind(row[2]),
            balance=int(row[3]),
            money_in=int(row[4]),
            money_out=int(row[5]),
            entries=int(row[6]),
        )
        for row in rows
    ]
    return Page(items=items, page=page, per_page=per_page, total=total)


def check_books(first: int = FIRST_PROBLEMS) -> BooksCheck:
    """Run `ledger.verify()` (a full scan of the books) and keep the first problems."""
    problems = ledger.verify()
    return BooksCheck(count=len(problems), first=problems[:first])
