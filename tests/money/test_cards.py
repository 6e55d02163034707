"""Cards: numbers with a Luhn check digit, issuing once, and the first-purchase deadline."""

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from support.programme_rows import NOW, fund, make_participant, open_batch_row

from marketplace.core import DomainError
from marketplace.core.indonesia import is_end_of_day, rupiah
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.money import cards, ledger
from marketplace.money.models import Card, CardStatus, LedgerTransaction, Reason


def outbox(recipient: str) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.recipient == recipient).order_by(OutboxMail.id)
        )
    )


# --- numbers -------------------------------------------------------------------------------


def test_luhn_check_digit_of_known_numbers():
    assert cards.luhn_check_digit("7992739871") == "3"
    assert cards.luhn_check_digit("411111111111111") == "1"  # the 4111 1111 1111 1111 test card
    assert cards.luhn_check_digit("0") == "0"
    with pytest.raises(ValueError):
        cards.luhn_check_digit("12a4")


def test_card_numbers_are_sixteen_digits_with_a_valid_check_digit():
    numbers = {cards.new_card_number() for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert len(number) == 16 and number.startswith("5211")
        assert cards.is_valid_card_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111112",  # wrong check digit
        "411111111111111",  # 15 digits
        "41111111111111111",  # 17 digits
        "4111 1111 1111 1111",
        "４１１１１１１１１１１１１１１１",  # full-width digits
        None,
        4111111111111111,
    ],
)
def test_invalid_card_numbers(number):
    assert not cards.is_valid_card_number(number)


def test_a_single_mistyped_digit_is_caught():
    number = cards.new_card_number()
    for position in range(16):
        wrong = str((int(number[position]) + 1) % 10)
        assert not cards.is_valid_card_number(number[:position] + wrong + number[position + 1 :])


# --- issuing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "balance", "days"), [("2020", 1_000_000, 30), ("2023", 3_500_000, 15)]
)
def test_issue_loads_the_scheme_balance_from_the_fund(ctx, scheme, balance, days):
    fund(10_000_000)
    batch = open_batch_row(scheme=scheme)
    participant = make_participant(locale="en", name="Siti Aminah")

    card = cards.issue(participant, batch, NOW)

    assert cards.is_valid_card_number(card.number) and card.number.startswith("5211")
    assert card.status is CardStatus.ACTIVE
    assert card.participant_id == participant.id and card.batch_id == batch.id
    assert card.scheme.code == scheme
    assert card.issued_at == NOW
    # The end (23.59.59 WIB) of the day `days` after NOW: NOW is 10.00 WIB.
    assert card.purchase_deadline_at == NOW + timedelta(days=days, hours=13, minutes=59, seconds=59)
    assert card.account.code == f"card:{card.id}"
    assert card.balance == balance
    assert ledger.balance_of("programme_fund") == 10_000_000 - balance
    transaction = db.session.scalar(
        sa.select(LedgerTransaction).where(
            LedgerTransaction.idempotency_key == f"card-issued:{card.id}"
        )
    )
    assert transaction.reason is Reason.CARD_ISSUED and transaction.reference == f"card:{card.id}"
    assert ledger.verify() == []
    (message,) = outbox(participant.user.email)
    assert card.masked_number in message.body and card.number not in message.body
    assert rupiah(balance) in message.body
    assert "Siti Aminah" in message.body
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "card.issued"))
    assert event.subject == f"card:{card.id}"
    assert participant.nik not in str(event.detail)


@pytest.mark.parametrize(
    ("issued_at", "deadline"),
    [
        # 00.04 WIB on 10 March: 30 days later is 9 April, to its last second.
        (datetime(2026, 3, 9, 17, 4), datetime(2026, 4, 9, 16, 59, 59)),
        # 23.30 WIB on 10 March: still 9 April, never a day less nor "00.04 WIB".
        (datetime(2026, 3, 10, 16, 30), datetime(2026, 4, 9, 16, 59, 59)),
    ],
)
def test_the_first_purchase_deadline_is_the_end_of_a_day_in_wib(ctx, issued_at, deadline):
    fund(10_000_000)
    card = cards.issue(make_participant(), open_batch_row(), issued_at)
    assert card.purchase_deadline_at == deadline
    assert is_end_of_day(card.purchase_deadline_at)
    assert card.purchase_deadline_at - issued_at >= timedelta(days=30)


def test_the_card_mail_is_in_the_participants_language(ctx):
    fund(10_000_000)
    batch = open_batch_row(scheme="2023")  # deadline 25 March 2026, 23.59 WIB
    english = make_participant(locale="en")
    indonesian = make_participant(locale=None)
    cards.issue(english, batch, NOW)
    cards.issue(indonesian, batch, NOW)
    (to_english,) = outbox(english.user.email)
    (to_indonesian,) = outbox(indonesian.user.email)
    assert "Your Kartu Prakerja has been issued" in to_english.subject
    assert "25 March 2026, 23.59 WIB" in to_english.body
    # Indonesian unless the user chose English: the month is written in Indonesian.
    assert "25 Maret 2026, 23.59 WIB" in to_indonesian.body


def test_one_card_per_participant_ever(ctx):
    fund(10_000_000)
    batch = open_batch_row()
    participant = make_participant()
    cards.issue(participant, batch, NOW)
    with pytest.raises(DomainError):
        cards.issue(participant, batch, NOW + timedelta(days=40))
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 1
    assert ledger.balance_of("programme_fund") == 9_000_000


def test_a_taken_card_number_is_drawn_again(ctx, monkeypatch):
    fund(10_000_000)
    batch = open_batch_row()
    first = cards.issue(make_participant(), batch, NOW)
    drawn = iter([first.number, first.number, "5211000000000001"])
    monkeypatch.setattr(cards, "new_card_number", lambda: next(drawn))
    second = cards.issue(make_participant(), batch, NOW)
    assert second.number == "5211000000000001"
    assert ledger.verify() == []


def test_issue_is_refused_when_the_fund_is_short(ctx):
    fund(999_999)
    batch = open_batch_row()
    with pytest.raises(ledger.InsufficientBalance):
        cards.issue(make_participant(), batch, NOW)


# --- the first-purchase deadline -----------------------------------------------------------


@pytest.fixture
def issued(ctx):
    """Four cards of a 2020 batch issued at NOW: deadline the end of the day 30 days later."""
    fund(10_000_000)
    batch = open_batch_row()
    return [cards.issue(make_participant(), batch, NOW) for _ in range(4)]


def test_expire_revokes_overdue_active_cards_only_and_returns_their_balance(ctx, issued):
    overdue, bought, already_revoked, later = issued
    bought.status, bought.first_purchase_at = CardStatus.IN_USE, NOW + timedelta(days=2)
    already_revoked.status = CardStatus.REVOKED
    deadline = overdue.purchase_deadline_at
    later.purchase_deadline_at = NOW + timedelta(days=60)
    db.session.flush()
    fund_before = ledger.balance_of("programme_fund")

    assert cards.expire_overdue(deadline - timedelta(seconds=1)) == 0
    assert cards.expire_overdue(deadline) == 1

    assert overdue.status is CardStatus.REVOKED
    assert overdue.revoked_at == deadline
    assert overdue.revoked_reason == "first purchase deadline missed"
    assert overdue.balance == 0
    assert ledger.balance_of("programme_fund") == fund_before + 1_000_000
    assert bought.status is CardStatus.IN_USE and bought.balance == 1_000_000
    assert later.status is CardStatus.ACTIVE and later.balance == 1_000_000
    assert already_revoked.revoked_at is None  # untouched
    (issued_mail, revoked_mail) = outbox(overdue.participant.user.email)
    assert overdue.masked_number in revoked_mail.body and "Rp1.000.000" in revoked_mail.body
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "card.expired", AuditEvent.subject == f"card:{overdue.id}"
        )
    )
    assert ledger.verify() == []


def test_expire_twice_moves_the_money_once(ctx, issued):
    deadline = issued[0].purchase_deadline_at
    assert cards.expire_overdue(deadline) == 4
    fund_after_first = ledger.balance_of("programme_fund")
    assert cards.expire_overdue(deadline + timedelta(days=1)) == 0
    assert ledger.balance_of("programme_fund") == fund_after_first == 10_000_000
    expiries = db.session.scalar(
        sa.select(sa.func.count(LedgerTransaction.id)).where(
            LedgerTransaction.reason == Reason.CARD_EXPIRED
        )
    )
    assert expiries == 4
    assert ledger.verify() == []


def test_two_expiry_runs_at_once_revoke_each_card_once(app):
    with app.app_context():
        fund(10_000_000)
        batch = open_batch_row()
        for _ in range(5):
            cards.issue(make_participant(), batch, NOW)
        db.session.commit()
    barrier = threading.Barrier(2)
    revoked: list = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                revoked.append(cards.expire_overdue(NOW + timedelta(days=31)))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                revoked.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(revoked) == [0, 5], revoked
    with app.app_context():
        assert ledger.balance_of("programme_fund") == 10_000_000
        assert ledger.verify() == []


def test_cli_cards_expire_prints_how_many(app, runner):
    with app.app_context():
        fund(10_000_000)
        batch = open_batch_row()
        card = cards.issue(make_participant(), batch, NOW - timedelta(days=400))
        cards.issue(make_participant(), batch, NOW + timedelta(days=3650))
        db.session.commit()
        card_id = card.id
    result = runner.invoke(args=["cards", "expire"])
    assert result.exit_code == 0, result.output
    assert "Revoked 1 cards" in result.output
    again = runner.invoke(args=["cards", "expire"])
    assert "Revoked 0 cards" in again.output
    with app.app_context():
        assert db.session.get(Card, card_id).status is CardStatus.REVOKED
        assert ledger.verify() == []
