"""The books: the only code that moves money.

Double entry: every movement is one `LedgerTransaction` with two `LedgerEntry` rows whose
signed amounts sum to zero, and each account's `balance` caches the sum of its entries.

Accounts (by `code`):

- ``budget`` (BUDGET, may go negative): the state allocation, the source of all money;
- ``programme_fund`` (PROGRAMME_FUND): allocated and not yet on a card;
- ``card:<card id>`` (CARD): a participant's training balance;
- ``provider:<provider id>`` (PROVIDER_PAYABLE): owed to a provider for the courses it sold
  (purchases in, refunds out);
- ``incentives_reserved`` (PROGRAMME_FUND): programme money set aside for an incentive
  being paid (fund → reserved when it is sent; reserved → paid out, or back to the fund
  when the try failed);
- ``incentives_paid`` (INCENTIVES_PAID): cash incentives and survey payments paid out to
  participants (a reversal returns one to the programme fund).

Why it is race-free on SQLite and PostgreSQL alike: the debit is ONE conditional UPDATE,
``SET balance = balance - :amount WHERE id = :id AND (may_go_negative OR balance >= :amount)``,
checked by its row count. PostgreSQL re-checks the WHERE clause on the newest row version
after waiting for a concurrent writer's row lock; SQLite lets one writer at a time in. The
CHECK constraint ``may_go_negative OR balance >= 0`` is the last line of defence.

Each transfer writes first (the transaction row, inside a SAVEPOINT) and reads afterwards.
On SQLite (WAL) that matters: a transaction whose first statement writes waits for the
write lock (busy_timeout), whereas one that has already read fails at once with "database
is locked" when another writer committed in between (SQLITE_BUSY_SNAPSHOT; the busy
timeout does not apply to that upgrade). A request that reads before it writes is safe on
SQLite only when its transaction began with BEGIN IMMEDIATE.

Services flush and never commit: every function here works inside the caller's transaction.
"""

import secrets
from contextlib import nullcontext

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from marketplace.core import N_, DomainError
from marketplace.core.base import utcnow
from marketplace.core.indonesia import rupiah
from marketplace.extensions import db
from marketplace.money.models import (
    AccountKind,
    Card,
    CardStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Reason,
)
from marketplace.orders.models import Order, OrderStatus

BUDGET = "budget"
PROGRAMME_FUND = "programme_fund"
INCENTIVES_PAID = "incentives_paid"
INCENTIVES_RESERVED = "incentives_reserved"


class InsufficientBalance(DomainError):
    """The source account does not hold the amount (and may not go below zero)."""

    def __init__(self, account_code: str, amount: int, available: int):
        super().__init__(
            N_("The balance is not enough: %(needed)s is needed and %(available)s is left."),
            needed=rupiah(amount),
            available=rupiah(available),
        )
        self.account_code = account_code
        self.amount = amount
        self.available = available


def card_code(card_id: int) -> str:
    """The code of a card's account: ``card:<card id>``."""
    return f"card:{card_id}"


def provider_code(provider_id: int) -> str:
    """The code of a provider's payable account: ``provider:<provider id>``."""
    return f"provider:{provider_id}"


def provider_payable(provider_id: int) -> LedgerAccount:
    """What the programme owes a provider for courses sold (created on the first sale)."""
    return account(provider_code(provider_id), AccountKind.PROVIDER_PAYABLE)


def find(code: str) -> LedgerAccount | None:
    """The account with this code, or None."""
    return db.session.scalar(sa.select(LedgerAccount).where(LedgerAccount.code == code))


def account(
    code: str, kind: AccountKind | None = None, may_go_negative: bool = False
) -> LedgerAccount:
    """The account with this code, created (empty) when it does not exist and `kind` is given.

    Race-safe: the insert runs in a SAVEPOINT; when a concurrent request created the same
    code first, the unique constraint refuses ours and theirs is read back.
    """
    found = find(code)
    if found is not None:
        return found
    if kind is None:
        raise LookupError(f"no ledger account {code!r}")
    created = LedgerAccount(code=code, kind=kind, balance=0, may_go_negative=may_go_negative)
    try:
        with db.session.begin_nested():
            db.session.add(created)
    except IntegrityError:
        found = find(code)
        if found is None:
            raise
        return found
    return created


def budget() -> LedgerAccount:
    """The state budget allocation: the source of all money, allowed below zero."""
    return account(BUDGET, AccountKind.BUDGET, may_go_negative=True)


def programme_fund() -> LedgerAccount:
    """Money allocated to the programme and not yet on a card."""
    return account(PROGRAMME_FUND, AccountKind.PROGRAMME_FUND)


def incentives_paid() -> LedgerAccount:
    """Cash incentives and survey payments paid out to participants."""
    return account(INCENTIVES_PAID, AccountKind.INCENTIVES_PAID)


def incentives_reserved() -> LedgerAccount:
    """Programme money set aside for incentives being paid (sent to the payout gateway, its
    outcome not known yet): still the programme's, no longer spendable on cards."""
    return account(INCENTIVES_RESERVED, AccountKind.PROGRAMME_FUND)


def open_card_account() -> LedgerAccount:
    """A new, empty card account under a provisional code; see `name_card_account`.

    A card row needs its account first, and the account's code needs the card's id.
    """
    return account(f"card-new:{secrets.token_hex(12)}", AccountKind.CARD)


def name_card_account(ledger_account: LedgerAccount, card_id: int) -> None:
    """Give a freshly opened card account its permanent code ``card:<card id>``."""
    if not ledger_account.code.startswith("card-new:"):
        raise ValueError("only a freshly opened card account can be named")
    ledger_account.code = card_code(card_id)
    db.session.flush()


def _account_id(which: LedgerAccount | str) -> int:
    if isinstance(which, LedgerAccount):
        return which.id
    found = find(which)
    if found is None:
        raise LookupError(f"no ledger account {which!r}")
    return found.id


def _forget_cached_balances(*account_ids: int) -> None:
    """Expire `balance` on loaded account objects: the UPDATEs bypassed the ORM."""
    for account_id in account_ids:
        loaded = db.session.identity_map.get(identity_key(LedgerAccount, account_id))
        if loaded is not None:
            db.session.expire(loaded, ["balance"])


def _debit(account_id: int, amount: int) -> bool:
    """Take `amount` off an account unless that would put it below zero: one UPDATE."""
    result = db.session.execute(
        sa.update(LedgerAccount)
        .where(
            LedgerAccount.id == account_id,
            sa.or_(LedgerAccount.may_go_negative, LedgerAccount.balance >= amount),
        )
        .values(balance=LedgerAccount.balance - amount)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _credit(account_id: int, amount: int) -> None:
    result = db.session.execute(
        sa.update(LedgerAccount)
        .where(LedgerAccount.id == account_id)
        .values(balance=LedgerAccount.balance + amount)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise LookupError(f"no ledger account with id {account_id}")


def transfer(
    reason: Reason,
    reference: str,
    source: LedgerAccount | str,
    destination: LedgerAccount | str,
    amount: int,
    idempotency_key: str | None = None,
    own_savepoint: bool = True,
    *,
    order_id: int | None = None,
    card_id: int | None = None,
    incentive_payment_id: int | None = None,
) -> LedgerTransaction:
    """Move `amount` whole rupiah from `source` to `destination` (accounts or their codes).

    `order_id`, `card_id` and `incentive_payment_id` say what the movement is about (the
    order of a purchase or a refund, the card of an issue or an expiry, the incentive paid
    or reversed): `verify` and the statements join on them.

    Raises InsufficientBalance (a DomainError) when the source can't go below zero and does
    not hold the amount; then nothing is written. With an `idempotency_key` that was used
    before, returns that earlier transaction and moves nothing.

    The writes run in a SAVEPOINT of their own, unless the caller runs the transfer inside
    a SAVEPOINT that already makes its purpose happen once (`own_savepoint=False`: a
    checkout purchase, whose order's unique one-time key comes first); then a refusal or a
    repeated idempotency key raises and the caller's SAVEPOINT undoes everything.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"a transfer moves a positive whole number of rupiah, not {amount!r}")
    transaction = LedgerTransaction(
        reason=reason,
        reference=reference,
        idempotency_key=idempotency_key,
        order_id=order_id,
        card_id=card_id,
        incentive_payment_id=incentive_payment_id,
        created_at=utcnow(),
    )
    touched: list[int] = []
    try:
        with db.session.begin_nested() if own_savepoint else nullcontext():
            # Write first: on SQLite this takes the write lock before anything is read.
            db.session.add(transaction)
            db.session.flush()
            source_id = _account_id(source)
            destination_id = _account_id(destination)
            touched.extend((source_id, destination_id))
            if source_id == destination_id:
                raise ValueError("a transfer needs two different accounts")
            # Touch the two rows in id order, so two opposite transfers can't deadlock.
            if source_id < destination_id:
                debited = _debit(source_id, amount)
                if debited:
                    _credit(destination_id, amount)
            else:
                _credit(destination_id, amount)
                debited = _debit(source_id, amount)
            if not debited:
                available = db.session.scalar(
                    sa.select(LedgerAccount.balance).where(LedgerAccount.id == source_id)
                )
                code = source if isinstance(source, str) else source.code
                raise InsufficientBalance(code, amount, available or 0)
            # Both entries in one executemany (nothing reads their ids).
            db.session.execute(
                sa.insert(LedgerEntry),
                [
                    {"transaction_id": transaction.id, "account_id": source_id, "amount": -amount},
                    {
                        "transaction_id": transaction.id,
                        "account_id": destination_id,
                        "amount": amount,
                    },
                ],
            )
    except IntegrityError:
        if idempotency_key is None or not own_savepoint:
            raise
        earlier = db.session.scalar(
            sa.select(LedgerTransaction).where(LedgerTransaction.idempotency_key == idempotency_key)
        )
        if earlier is None:
            raise
        return earlier
    finally:
        _forget_cached_balances(*touched)
    return transaction


def allocate_budget(
    amount: int, reference: str, idempotency_key: str | None = None
) -> LedgerTransaction:
    """Allocate state budget to the programme: budget → programme_fund."""
    return transfer(
        Reason.BUDGET_ALLOCATED, reference, budget(), programme_fund(), amount, idempotency_key
    )


def balance_of(code: str) -> int:
    """The balance of the account with this code (0 when it does not exist yet)."""
    found = find(code)
    return found.balance if found is not None else 0


def verify() -> list[str]:
    """Check the books; an empty list means they balance.

    Every transaction has at least two entries summing to zero; every account's cached
    balance equals the sum of its entries; no account that must not go negative is below zero;
    every order was paid by exactly one purchase of its price, and every purchase names its
    order; every refunded order has exactly one refund of its price, no other order has a
    refund, and every refund names its order; every card's status agrees with its balance
    (see `_card_problems`). Purchases and refunds are matched to their orders by the
    transactions' foreign key `order_id`, never by reading ids out of strings.
    """
    problems = []
    entry_count = sa.func.count(LedgerEntry.id)
    entry_sum = sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)
    unbalanced = db.session.execute(
        sa.select(LedgerTransaction.id, LedgerTransaction.reference, entry_count, entry_sum)
        .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .group_by(LedgerTransaction.id, LedgerTransaction.reference)
        .having(sa.or_(entry_count < 2, entry_sum != 0))
        .order_by(LedgerTransaction.id)
    ).all()
    for transaction_id, reference, count, total in unbalanced:
        problems.append(
            f"transaction {transaction_id} ({reference}): {count} entries summing to {total}"
        )
    sums = (
        sa.select(LedgerEntry.account_id, sa.func.sum(LedgerEntry.amount).label("total"))
        .group_by(LedgerEntry.account_id)
        .subquery()
    )
    total = sa.func.coalesce(sums.c.total, 0)
    mismatched = db.session.execute(
        sa.select(LedgerAccount.code, LedgerAccount.balance, total)
        .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
        .where(LedgerAccount.balance != total)
        .order_by(LedgerAccount.id)
    ).all()
    for code, cached, summed in mismatched:
        problems.append(f"account {code}: balance {cached} but its entries sum to {summed}")
    negative = db.session.execute(
        sa.select(LedgerAccount.code, LedgerAccount.balance)
        .where(sa.not_(LedgerAccount.may_go_negative), LedgerAccount.balance < 0)
        .order_by(LedgerAccount.id)
    ).all()
    for code, cached in negative:
        problems.append(f"account {code}: balance {cached} is below zero")
    problems += _order_problems()
    problems += _card_problems()
    # The incentives' caps and their payments' movements (incentives/caps.py). Imported
    # here: incentives moves its money through this module.
    from marketplace.incentives import caps

    problems += caps.problems()
    return problems


def _card_problems() -> list[str]:
    """Cards whose status disagrees with their balance.

    `cards.follow_balance` keeps a card in use above Rp0 and exhausted at Rp0, and a card
    is active only until its first purchase (which puts it in use), so: an active or in-use
    card at Rp0 should have been exhausted, and an exhausted card above Rp0 should be in use
    again. A card revoked for its missed first-purchase deadline returned its whole balance
    to the programme, so it holds Rp0. A frozen card, or one revoked for another reason,
    may hold any balance.
    """
    from marketplace.money.cards import DEADLINE_MISSED

    balance = LedgerAccount.balance
    problems = []
    for card_id, status, cached in db.session.execute(
        sa.select(Card.id, Card.status, balance)
        .join(LedgerAccount, LedgerAccount.id == Card.account_id)
        .where(
            sa.or_(
                sa.and_(Card.status.in_((CardStatus.ACTIVE, CardStatus.IN_USE)), balance <= 0),
                sa.and_(Card.status == CardStatus.EXHAUSTED, balance != 0),
                sa.and_(
                    Card.status == CardStatus.REVOKED,
                    Card.revoked_reason == DEADLINE_MISSED,
                    balance != 0,
                ),
            )
        )
        .order_by(Card.id)
    ):
        if status is CardStatus.EXHAUSTED:
            problems.append(f"card {card_id}: exhausted but its balance is {cached}")
        elif status is CardStatus.REVOKED:
            problems.append(
                f"card {card_id}: revoked for its missed deadline but its balance is {cached}"
            )
        else:
            problems.append(f"card {card_id}: {status.value} at balance {cached}, not exhausted")
    return problems


def _moved_for_orders(reason: Reason):
    """Per order, the transactions of this reason about it (`order_id`): how many, and the
    money they moved (the sum of their positive entries)."""
    return (
        sa.select(
            LedgerTransaction.order_id.label("order_id"),
            sa.func.count(sa.distinct(LedgerTransaction.id)).label("count"),
            sa.func.sum(sa.case((LedgerEntry.amount > 0, LedgerEntry.amount), else_=0)).label(
                "amount"
            ),
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.reason == reason, LedgerTransaction.order_id.is_not(None))
        .group_by(LedgerTransaction.order_id)
        .subquery()
    )


def _without_order(reason: Reason, *where, what: str) -> list[str]:
    """Transactions of this reason (and `where`) that name no order (`order_id` empty)."""
    return [
        f"transaction {tid} ({reference}): {what}"
        for tid, reference in db.session.execute(
            sa.select(LedgerTransaction.id, LedgerTransaction.reference)
            .where(LedgerTransaction.reason == reason, LedgerTransaction.order_id.is_(None), *where)
            .order_by(LedgerTransaction.id)
        )
    ]


def _order_problems() -> list[str]:
    """Orders without exactly one purchase of their price, and purchases without an order.

    A purchase is a PURCHASE transaction whose `order_id` is the order; a checkout's
    purchase (idempotency key ``purchase:`` + the order's one-time key) must name one.
    """
    paid = _moved_for_orders(Reason.PURCHASE)
    problems = []
    for order_id, price, count, amount in db.session.execute(
        sa.select(Order.id, Order.price, paid.c.count, paid.c.amount)
        .outerjoin(paid, paid.c.order_id == Order.id)
        .where(sa.or_(paid.c.count.is_(None), paid.c.count != 1, paid.c.amount != Order.price))
        .order_by(Order.id)
    ):
        if count is None:
            problems.append(f"order {order_id}: price {price} but no purchase paid")
        elif count != 1:
            problems.append(f"order {order_id}: paid by {count} purchases")
        else:
            problems.append(f"order {order_id}: price {price} but {amount} paid")
    problems += _without_order(
        Reason.PURCHASE,
        LedgerTransaction.idempotency_key.like("purchase:%"),
        what="a purchase without an order",
    )
    return problems + _refund_problems()


def _refund_problems() -> list[str]:
    """Refunds: a refunded order has exactly one refund of its price; no other order has any.

    A refund is a REFUND transaction whose `order_id` is the order (and whose idempotency
    key is ``refund:<order id>``).
    """
    refunds = _moved_for_orders(Reason.REFUND)
    problems = []
    for order_id, status, price, count, amount in db.session.execute(
        sa.select(Order.id, Order.status, Order.price, refunds.c.count, refunds.c.amount)
        .outerjoin(refunds, refunds.c.order_id == Order.id)
        .where(
            sa.or_(
                sa.and_(
                    Order.status == OrderStatus.REFUNDED,
                    sa.or_(
                        refunds.c.count.is_(None),
                        refunds.c.count != 1,
                        refunds.c.amount != Order.price,
                    ),
                ),
                sa.and_(Order.status != OrderStatus.REFUNDED, refunds.c.count.is_not(None)),
            )
        )
        .order_by(Order.id)
    ):
        if status is not OrderStatus.REFUNDED:
            problems.append(f"order {order_id}: {status.value} but refunded {amount}")
        elif count is None:
            problems.append(f"order {order_id}: refunded but no refund in the books")
        elif count != 1:
            problems.append(f"order {order_id}: refunded {count} times")
        else:
            problems.append(f"order {order_id}: price {price} but {amount} refunded")
    return problems + _without_order(Reason.REFUND, what="a refund without an order")


def size() -> tuple[int, int]:
    """(number of transactions, number of accounts) in the books."""
    transactions = db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id)))
    accounts = db.session.scalar(sa.select(sa.func.count(LedgerAccount.id)))
    return transactions or 0, accounts or 0
