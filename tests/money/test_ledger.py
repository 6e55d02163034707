"""The ledger: double-entry transfers, the no-overdraft rule under concurrency, verify."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from support.programme_rows import NOW, fund, make_participant, open_batch_row

from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.money import cards, ledger, statements
from marketplace.money.models import (
    AccountKind,
    Card,
    CardStatus,
    LedgerEntry,
    LedgerTransaction,
    Reason,
)


def funded_card(code="card:1", amount=1_000_000):
    """A card account holding `amount`, drawn from a fresh budget allocation."""
    card = ledger.account(code, AccountKind.CARD)
    ledger.allocate_budget(amount, "test allocation")
    ledger.transfer(Reason.CARD_ISSUED, code, ledger.PROGRAMME_FUND, card, amount)
    return card


def test_transfer_moves_money_with_two_entries_summing_to_zero(ctx):
    ledger.allocate_budget(5_000_000, "APBN 2020")
    card = ledger.account("card:7", AccountKind.CARD)

    transaction = ledger.transfer(
        Reason.CARD_ISSUED, "card:7", ledger.programme_fund(), card, 1_000_000
    )

    assert ledger.balance_of("budget") == -5_000_000
    assert ledger.balance_of("programme_fund") == 4_000_000
    assert card.balance == 1_000_000
    amounts = sorted(entry.amount for entry in transaction.entries)
    assert amounts == [-1_000_000, 1_000_000]
    assert transaction.reason is Reason.CARD_ISSUED and transaction.reference == "card:7"
    assert ledger.verify() == []


def test_transfer_accepts_account_codes(ctx):
    ledger.allocate_budget(300_000, "APBN")
    ledger.account("card:2", AccountKind.CARD)
    ledger.transfer(Reason.CARD_ISSUED, "card:2", "programme_fund", "card:2", 200_000)
    assert ledger.balance_of("card:2") == 200_000
    assert ledger.balance_of("programme_fund") == 100_000


def test_insufficient_balance_refuses_and_changes_nothing(ctx):
    card = funded_card(amount=500_000)
    provider = ledger.account("provider:1", AccountKind.PROVIDER_PAYABLE)
    transactions_before = db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id)))

    with pytest.raises(ledger.InsufficientBalance) as refused:
        ledger.transfer(Reason.PURCHASE, "order:1", card, provider, 500_001)

    assert isinstance(refused.value, DomainError)
    assert refused.value.params == {"needed": "Rp500.001", "available": "Rp500.000"}
    assert card.balance == 500_000 and provider.balance == 0
    count = db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id)))
    assert count == transactions_before
    assert ledger.verify() == []


def test_insufficient_balance_also_when_the_destination_has_the_lower_id(ctx):
    provider = ledger.account("provider:1", AccountKind.PROVIDER_PAYABLE)
    card = funded_card(amount=100_000)
    assert provider.id < card.id
    with pytest.raises(ledger.InsufficientBalance):
        ledger.transfer(Reason.PURCHASE, "order:1", card, provider, 100_001)
    assert provider.balance == 0 and card.balance == 100_000
    ledger.transfer(Reason.PURCHASE, "order:1", card, provider, 100_000)
    assert provider.balance == 100_000 and card.balance == 0
    assert ledger.verify() == []


def test_an_idempotency_key_moves_money_once(ctx):
    card = funded_card()
    provider = ledger.account("provider:1", AccountKind.PROVIDER_PAYABLE)

    first = ledger.transfer(Reason.PURCHASE, "order:9", card, provider, 300_000, "order:9")
    second = ledger.transfer(Reason.PURCHASE, "order:9", card, provider, 300_000, "order:9")

    assert first.id == second.id
    assert card.balance == 700_000 and provider.balance == 300_000
    assert ledger.verify() == []


def test_a_used_key_is_not_refused_for_lack_of_balance(ctx):
    card = funded_card(amount=300_000)
    provider = ledger.account("provider:1", AccountKind.PROVIDER_PAYABLE)
    first = ledger.transfer(Reason.PURCHASE, "order:9", card, provider, 300_000, "order:9")
    again = ledger.transfer(Reason.PURCHASE, "order:9", card, provider, 300_000, "order:9")
    assert again.id == first.id and card.balance == 0


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "100"])
def test_a_transfer_moves_a_positive_whole_amount(ctx, amount):
    card = funded_card()
    with pytest.raises(ValueError):
        ledger.transfer(Reason.PURCHASE, "order:1", card, "programme_fund", amount)


def test_a_transfer_needs_two_accounts(ctx):
    card = funded_card()
    with pytest.raises(ValueError):
        ledger.transfer(Reason.PURCHASE, "order:1", card, card, 1)
    assert card.balance == 1_000_000


def test_account_is_get_or_create(ctx):
    with pytest.raises(LookupError):
        ledger.account("provider:404")
    created = ledger.account("provider:5", AccountKind.PROVIDER_PAYABLE)
    assert ledger.account("provider:5") is created
    assert ledger.account("provider:5", AccountKind.PROVIDER_PAYABLE).id == created.id
    assert created.balance == 0 and created.may_go_negative is False
    assert ledger.budget().may_go_negative is True


def test_the_check_constraint_refuses_a_negative_balance_written_directly(ctx):
    funded_card()
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.text("UPDATE ledger_account SET balance = -1 WHERE code = 'programme_fund'")
        )
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.text("UPDATE ledger_account SET balance = balance - 1000001 WHERE code = 'card:1'")
        )
    db.session.rollback()
    # The budget may go below zero.
    db.session.execute(sa.text("UPDATE ledger_account SET balance = -9 WHERE code = 'budget'"))


def test_verify_finds_a_tampered_balance(ctx):
    funded_card()
    db.session.commit()
    db.session.execute(
        sa.text("UPDATE ledger_account SET balance = balance + 1 WHERE code = 'card:1'")
    )
    assert ledger.verify() == ["account card:1: balance 1000001 but its entries sum to 1000000"]


def test_verify_finds_a_one_sided_transaction_and_an_unbalanced_one(ctx):
    card = funded_card()
    lonely = LedgerTransaction(reason=Reason.PURCHASE, reference="order:13")
    lopsided = LedgerTransaction(reason=Reason.PURCHASE, reference="order:14")
    db.session.add_all(
        [
            lonely,
            lopsided,
            LedgerEntry(transaction=lonely, account_id=card.id, amount=-5),
            LedgerEntry(transaction=lopsided, account_id=card.id, amount=-5),
            LedgerEntry(transaction=lopsided, account_id=card.id, amount=3),
        ]
    )
    db.session.flush()
    problems = ledger.verify()
    assert f"transaction {lonely.id} (order:13): 1 entries summing to -5" in problems
    assert f"transaction {lopsided.id} (order:14): 2 entries summing to -2" in problems
    # The card's entries no longer add up to its cached balance either.
    assert "account card:1: balance 1000000 but its entries sum to 999993" in problems


def issued_cards(count: int) -> list:
    """`count` cards of a 2020 batch (Rp1.000.000 each), issued at NOW."""
    fund(count * 1_000_000)
    batch = open_batch_row()
    return [cards.issue(make_participant(), batch, NOW) for _ in range(count)]


def spend_all(card) -> None:
    """Move the card's whole balance back to the programme fund, the books still balancing."""
    ledger.transfer(
        Reason.CARD_EXPIRED,
        ledger.card_code(card.id),
        card.account,
        ledger.PROGRAMME_FUND,
        card.balance,
    )


def test_verify_finds_a_card_whose_status_disagrees_with_its_balance(ctx):
    issued = issued_cards(10)  # Rp1.000.000 each
    full, empty = issued[:5], issued[5:]
    for card in empty:
        spend_all(card)
    statuses = list(CardStatus)
    for card, status in zip(full + empty, statuses + statuses, strict=True):
        card.status = status
    db.session.flush()

    full_active, full_in_use, full_exhausted, full_revoked, full_frozen = full
    empty_active, empty_in_use, empty_exhausted, empty_revoked, empty_frozen = empty
    # Above Rp0: active, in use, frozen and revoked (for another reason than the deadline)
    # are right; at Rp0: exhausted, revoked and frozen.
    assert ledger.verify() == [
        f"card {full_exhausted.id}: exhausted but its balance is 1000000",
        f"card {empty_active.id}: active at balance 0, not exhausted",
        f"card {empty_in_use.id}: in_use at balance 0, not exhausted",
    ]

    # A card revoked for its missed deadline returned its balance.
    full_revoked.revoked_reason = empty_revoked.revoked_reason = cards.DEADLINE_MISSED
    db.session.flush()
    assert ledger.verify() == [
        f"card {full_exhausted.id}: exhausted but its balance is 1000000",
        f"card {full_revoked.id}: revoked for its missed deadline but its balance is 1000000",
        f"card {empty_active.id}: active at balance 0, not exhausted",
        f"card {empty_in_use.id}: in_use at balance 0, not exhausted",
    ]

    full_exhausted.status = full_revoked.status = CardStatus.IN_USE
    empty_active.status = empty_in_use.status = CardStatus.EXHAUSTED
    db.session.flush()
    assert ledger.verify() == []


@pytest.mark.books_broken
def test_cli_verify_reports_a_card_spent_to_rp0_but_still_in_use(app, runner):
    with app.app_context():
        card = issued_cards(1)[0]
        card.status = CardStatus.IN_USE
        spend_all(card)
        db.session.commit()
        card_id = card.id
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"card {card_id}: in_use at balance 0, not exhausted"]

    with app.app_context():
        cards.follow_balance(db.session.get(Card, card_id))
        db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output


def test_statement_lists_entries_with_running_balance(ctx):
    card = funded_card()
    provider = ledger.account("provider:1", AccountKind.PROVIDER_PAYABLE)
    ledger.transfer(Reason.PURCHASE, "order:1", card, provider, 250_000)
    ledger.transfer(Reason.REFUND, "order:1", provider, card, 250_000)
    ledger.transfer(Reason.PURCHASE, "order:2", card, provider, 100_000)
    lines = statements.account_statement(card).items  # newest first
    assert [(line.reason, line.amount, line.balance_after) for line in reversed(lines)] == [
        (Reason.CARD_ISSUED, 1_000_000, 1_000_000),
        (Reason.PURCHASE, -250_000, 750_000),
        (Reason.REFUND, 250_000, 1_000_000),
        (Reason.PURCHASE, -100_000, 900_000),
    ]


@pytest.mark.books_broken
def test_cli_verify_exit_codes(app, runner):
    with app.app_context():
        funded_card()
        db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger ok: 2 transactions, 3 accounts"

    with app.app_context():
        db.session.execute(sa.text("UPDATE ledger_account SET balance = 7 WHERE code = 'card:1'"))
        db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "account card:1: balance 7 but its entries sum to 1000000" in result.output


def test_cli_allocate_adds_to_the_fund_once_per_key(app, runner):
    for _ in range(2):
        result = runner.invoke(
            args=["ledger", "allocate", "2000000", "--reference", "APBN", "--key", "apbn-1"]
        )
        assert result.exit_code == 0, result.output
    assert "Rp2.000.000" in result.output
    with app.app_context():
        assert ledger.balance_of("programme_fund") == 2_000_000
        assert ledger.verify() == []


def _race(app, attempts: int, work) -> list[str]:
    """Run `work()` in `attempts` threads at once, each in its own app context."""
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(work())
                db.session.commit()
            except ledger.InsufficientBalance:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001 - the test reports any other failure
                db.session.rollback()
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_concurrent_spends_of_one_balance_let_exactly_one_through(app):
    with app.app_context():
        funded_card("card:race", 1_000_000)
        ledger.account("provider:race", AccountKind.PROVIDER_PAYABLE)
        db.session.commit()

    def spend():
        ledger.transfer(Reason.PURCHASE, "order:race", "card:race", "provider:race", 600_000)
        return "spent"

    outcomes = _race(app, 20, spend)

    assert sorted(outcomes) == ["refused"] * 19 + ["spent"]
    with app.app_context():
        assert ledger.balance_of("card:race") == 400_000
        assert ledger.balance_of("provider:race") == 600_000
        assert ledger.verify() == []


def test_a_double_submit_with_one_key_makes_one_transaction(app):
    with app.app_context():
        funded_card("card:twice", 1_000_000)
        ledger.account("provider:twice", AccountKind.PROVIDER_PAYABLE)
        db.session.commit()

    def submit():
        transaction = ledger.transfer(
            Reason.PURCHASE, "order:5", "card:twice", "provider:twice", 100_000, "order-key-5"
        )
        return f"transaction {transaction.id}"

    outcomes = _race(app, 8, submit)

    assert len(set(outcomes)) == 1 and outcomes[0].startswith("transaction "), outcomes
    with app.app_context():
        assert ledger.balance_of("card:twice") == 900_000
        assert ledger.verify() == []
