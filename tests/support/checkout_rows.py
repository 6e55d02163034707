"""Rows for checkout tests: participants with cards, a purchase (the `shop` fixture of
tests/conftest.py builds a provider's courses and a card holder with these).

    from support.checkout_rows import buy, card_of, ...   # tests/ is on sys.path under pytest
"""

import threading

import sqlalchemy as sa

from marketplace.catalogue.models import Course, CourseSession
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.money import cards
from marketplace.money.models import Card
from marketplace.orders import checkout
from marketplace.people.models import Participant
from support.programme_rows import closed_batch, fund, make_participant

PRICE = 300_000


# --- rows ----------------------------------------------------------------------------------


def card_holders(app, count: int, now, scheme: str = "2020") -> list[int]:
    """`count` participants, each with a card of `scheme` (2020: Rp1.000.000, 2023:
    Rp3.500.000) issued at `now`, from one batch that closed before; their ids. The programme
    fund is topped up by their balances and one more, which tests of the books spend."""
    with app.app_context():
        batch = closed_batch(now, scheme)
        fund((count + 1) * batch.scheme.training_balance)
        ids = []
        for _ in range(count):
            participant = make_participant()
            cards.issue(participant, batch, now)
            ids.append(participant.id)
        db.session.commit()
        return ids


def participant(participant_id: int) -> Participant:
    return db.session.get(Participant, participant_id)


def course(course_id: int) -> Course:
    return db.session.get(Course, course_id)


def session_row(session_id: int) -> CourseSession:
    return db.session.get(CourseSession, session_id)


def card_of(participant_id: int) -> Card:
    return db.session.scalar(sa.select(Card).where(Card.participant_id == participant_id))


def begin(shop, course_id, session_id=None, who=None, now=None):
    return checkout.begin(
        participant(who or shop.buyer),
        course(course_id),
        session_row(session_id) if session_id else None,
        now or shop.now,
    )


def buy(shop, course_id, session_id=None, who=None):
    row, code = begin(shop, course_id, session_id, who)
    return checkout.confirm(participant(who or shop.buyer), row.purchase_key, code, shop.now)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def race(app, works) -> list:
    """Run each of `works` in its own thread at once, each in a POST request that commits
    (so SQLite begins it IMMEDIATE, as a real request); their results or DomainErrors."""
    barrier = threading.Barrier(len(works))
    outcomes: list = []

    def attempt(work):
        with app.test_request_context("/checkout", method="POST"):
            barrier.wait()
            try:
                outcomes.append(work())
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error)
            except Exception as error:  # noqa: BLE001 - the test reports any other failure
                db.session.rollback()
                outcomes.append(f"unexpected {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
