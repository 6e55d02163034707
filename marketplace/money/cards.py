"""Kartu Prakerja cards: issuing them, and revoking those whose first purchase never came.

Every change of a card's status lives in this module:

    active → (first purchase) in use → exhausted
    active → revoked (first-purchase deadline missed: the balance returns to the programme)

A card number is 16 digits: the prefix 5211, eleven random digits and a Luhn check digit,
so a mistyped digit is caught before anything is looked up. One card per participant
(and so per NIK), ever: the `card.participant_id` column is unique.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.indonesia import end_of_day, rupiah
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import Card, CardStatus, LedgerAccount, Reason
from marketplace.people.models import Participant, User
from marketplace.programme.models import Batch

CARD_PREFIX = "5211"
NUMBER_ATTEMPTS = 10
# Stored on the card (English, a message id: pages show it translated).
DEADLINE_MISSED = N_("first purchase deadline missed")


# --- numbers -------------------------------------------------------------------------------


def luhn_check_digit(digits: str) -> str:
    """The Luhn check digit to append to `digits` (a string of ASCII digits)."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("digits only")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # every second digit, starting next to the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid_card_number(number: object) -> bool:
    """True for 16 ASCII digits whose last is the Luhn check digit of the first 15."""
    return (
        isinstance(number, str)
        and len(number) == 16
        and number.isascii()
        and number.isdigit()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def new_card_number() -> str:
    """A random card number: 5211, eleven random digits, the check digit."""
    body = CARD_PREFIX + f"{secrets.randbelow(10**11):011d}"
    return body + luhn_check_digit(body)


# --- mail ----------------------------------------------------------------------------------


# --- issuing -------------------------------------------------------------------------------


def has_card(participant: Participant) -> bool:
    """Whether this participant was ever given a card (whatever its status now)."""
    return (
        db.session.scalar(sa.select(Card.id).where(Card.participant_id == participant.id))
        is not None
    )


def purchase_deadline(issued_at: datetime, days: int) -> datetime:
    """The first-purchase deadline of a card issued at `issued_at` with `days` to buy: the end
    (23.59 WIB) of the Jakarta day `days` days later, never earlier than `days` full days."""
    return end_of_day(issued_at + timedelta(days=days))


def issue(participant: Participant, batch: Batch, now: datetime, actor: User | None = None) -> Card:
    """Issue the participant's one card for `batch`, loaded with the scheme's training balance.

    The balance moves programme_fund → card in the ledger (reason CARD_ISSUED); the
    first-purchase deadline is `purchase_deadline(now, scheme's days)`. Refused when the
    participant already has a card; InsufficientBalance when the programme fund is short.
    """
    if has_card(participant):
        raise DomainError(N_("This participant already has a card: one card per person, ever."))
    scheme = batch.scheme
    card_account = ledger.open_card_account()
    card = None
    for _attempt in range(NUMBER_ATTEMPTS):
        candidate = Card(
            number=new_card_number(),
            participant_id=participant.id,
            batch_id=batch.id,
            scheme_id=scheme.id,
            account_id=card_account.id,
            status=CardStatus.ACTIVE,
            issued_at=now,
            purchase_deadline_at=purchase_deadline(now, scheme.purchase_deadline_days),
        )
        try:
            with db.session.begin_nested():
                db.session.add(candidate)
        except IntegrityError:
            if has_card(participant):  # a concurrent request issued it first
                raise DomainError(
                    N_("This participant already has a card: one card per person, ever.")
                ) from None
            continue  # the random number was taken: draw another
        card = candidate
        break
    if card is None:
        raise RuntimeError("could not draw an unused card number")
    ledger.name_card_account(card_account, card.id)
    ledger.transfer(
        Reason.CARD_ISSUED,
        ledger.card_code(card.id),
        ledger.programme_fund(),
        card_account,
        scheme.training_balance,
        idempotency_key=f"card-issued:{card.id}",
        card_id=card.id,
    )
    db.session.expire(participant, ["card"])
    mail.send_in_language(
        participant.user,
        N_("Your Kartu Prakerja has been issued"),
        [
            N_("Hello %(name)s,"),
            N_(
                "Your Kartu Prakerja %(number)s has been issued with a training balance "
                "of %(balance)s."
            ),
            N_(
                "Buy your first course before %(deadline)s. If you do not, the card is "
                "revoked and the balance returns to the programme."
            ),
            N_("Sign in to the Prakerja marketplace to choose a course."),
        ],
        name=participant.full_name,
        number=card.masked_number,
        balance=rupiah(scheme.training_balance),
        deadline=lambda: mail.wib(card.purchase_deadline_at),
    )
    audit.record(
        "card.issued",
        ledger.card_code(card.id),
        actor=actor,
        participant_id=participant.id,
        batch=batch.number,
        scheme=scheme.code,
        balance=scheme.training_balance,
        number=card.masked_number,
    )
    return card


# --- the first-purchase deadline -----------------------------------------------------------


def expire_overdue(now: datetime, actor: User | None = None) -> int:
    """Revoke every active card whose first-purchase deadline has passed; how many.

    The cards are claimed by ONE conditional UPDATE … RETURNING, so two runs at the same
    time (or one after the other) revoke each card once; each card's whole balance then
    returns to programme_fund with the idempotency key ``card-expired:<id>``.
    """
    claimed = db.session.scalars(
        sa.update(Card)
        .where(
            Card.status == CardStatus.ACTIVE,
            Card.first_purchase_at.is_(None),
            Card.purchase_deadline_at <= now,
        )
        .values(status=CardStatus.REVOKED, revoked_at=now, revoked_reason=DEADLINE_MISSED)
        .returning(Card.id)
        .execution_options(synchronize_session=False)
    ).all()
    fund = ledger.programme_fund() if claimed else None
    for start in range(0, len(claimed), 500):
        cards = db.session.scalars(
            sa.select(Card)
            .where(Card.id.in_(claimed[start : start + 500]))
            .options(joinedload(Card.account), joinedload(Card.participant))
            .order_by(Card.id)
            .execution_options(populate_existing=True)
        ).all()
        for card in cards:
            _return_balance(card, fund, actor)
    return len(claimed)


def _return_balance(card: Card, fund, actor: User | None) -> None:
    returned = card.account.balance
    if returned > 0:
        ledger.transfer(
            Reason.CARD_EXPIRED,
            ledger.card_code(card.id),
            card.account,
            fund,
            returned,
            idempotency_key=f"card-expired:{card.id}",
            card_id=card.id,
        )
    participant = card.participant
    mail.send_in_language(
        participant.user,
        N_("Your Kartu Prakerja has been revoked"),
        [
            N_("Hello %(name)s,"),
            N_(
                "You did not buy a course before %(deadline)s, so your Kartu Prakerja "
                "%(number)s has been revoked and its balance of %(balance)s has returned "
                "to the programme."
            ),
            N_("Each person can receive one card only, ever."),
        ],
        name=participant.full_name,
        number=card.masked_number,
        balance=rupiah(returned),
        deadline=lambda: mail.wib(card.purchase_deadline_at),
    )
    audit.record(
        "card.expired",
        ledger.card_code(card.id),
        actor=actor,
        participant_id=participant.id,
        returned=returned,
        reason="first_purchase_deadline",
    )


# --- the first purchase --------------------------------------------------------------------


def mark_first_purchase(card: Card, now: datetime, actor: User | None = None) -> bool:
    """Record the card's first purchase at `now`: status in use, the deadline met.

    ONE conditional UPDATE (only an active card without a first purchase), so a later
    purchase, or a purchase racing `expire_overdue`, changes nothing. True when this was
    the first purchase.
    """
    marked = db.session.execute(
        sa.update(Card)
        .where(
            Card.id == card.id,
            Card.status == CardStatus.ACTIVE,
            Card.first_purchase_at.is_(None),
        )
        .values(status=CardStatus.IN_USE, first_purchase_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(card, ["status", "first_purchase_at"])
    if marked:
        audit.record(
            "card.first_purchase",
            ledger.card_code(card.id),
            actor=actor,
            participant_id=card.participant_id,
        )
    return bool(marked)


# --- the balance spent, and back -----------------------------------------------------------


def follow_balance(card: Card, actor: User | None = None) -> CardStatus:
    """Put the card's status in step with its balance after money moved; the status now.

    A card in use whose balance reached zero is exhausted; an exhausted card that got money
    back (a refund) is in use again. Each is ONE conditional UPDATE reading the balance in
    the same statement, so it holds under concurrent purchases and refunds. Revoked and
    frozen cards keep their status.
    """
    balance = (
        sa.select(LedgerAccount.balance)
        .where(LedgerAccount.id == Card.account_id)
        .scalar_subquery()
    )
    changes = (
        (CardStatus.IN_USE, CardStatus.EXHAUSTED, balance <= 0, "card.exhausted"),
        (CardStatus.EXHAUSTED, CardStatus.IN_USE, balance > 0, "card.in_use_again"),
    )
    for before, after, condition, action in changes:
        changed = db.session.execute(
            sa.update(Card)
            .where(Card.id == card.id, Card.status == before, condition)
            .values(status=after)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            audit.record(
                action, ledger.card_code(card.id), actor=actor, participant_id=card.participant_id
            )
    db.session.expire(card, ["status"])
    return card.status
