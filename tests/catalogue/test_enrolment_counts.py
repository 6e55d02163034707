"""A course's number of participants (`enrolment_count`, "1.234 peserta") follows purchases
and refunds: each adds a change in its own transaction, and the fold (catalogue/enrolments.py,
every ten minutes) counts them into the course, raising the catalogue's revision once.
Runs on SQLite and PostgreSQL."""

import threading

import sqlalchemy as sa
from support.checkout_rows import buy, card_holders, race
from support.programme_rows import make_user

from marketplace.catalogue import enrolments, search
from marketplace.catalogue.models import Course, EnrolmentChange
from marketplace.cli import count_enrolments
from marketplace.core import tasks
from marketplace.extensions import db
from marketplace.orders import refunds
from marketplace.people.models import Role


def participants(course_id: int) -> int:
    return db.session.scalar(sa.select(Course.enrolment_count).where(Course.id == course_id))


def waiting() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentChange))


def test_a_purchase_counts_at_the_next_fold_and_a_refund_takes_it_back(shop, ctx):
    before = participants(shop.self_paced)
    revision = search.catalogue_revision()
    order = buy(shop, shop.self_paced)
    db.session.commit()
    assert participants(shop.self_paced) == before  # not yet: the course row is untouched
    assert search.catalogue_revision() == revision  # so no kept page was emptied
    assert waiting() == 1

    assert enrolments.fold() == 1
    db.session.commit()
    assert participants(shop.self_paced) == before + 1
    assert waiting() == 0
    assert search.catalogue_revision() > revision  # pages show the new count at once

    refunds.refund_order(order, "Salah beli", shop.now, make_user(role=Role.ADMIN))
    db.session.commit()
    assert waiting() == 1
    assert count_enrolments() == 1  # the worker's periodic job
    db.session.commit()
    assert participants(shop.self_paced) == before


def test_a_fold_with_nothing_to_count_writes_nothing(shop, ctx):
    revision = search.catalogue_revision()
    assert enrolments.fold() == 0
    db.session.commit()
    assert search.catalogue_revision() == revision


def test_a_purchase_and_its_refund_before_a_fold_leave_the_course_alone(shop, ctx):
    before = participants(shop.self_paced)
    order = buy(shop, shop.self_paced)
    refunds.refund_order(order, "Salah beli", shop.now, make_user(role=Role.ADMIN))
    db.session.commit()
    revision = search.catalogue_revision()
    assert enrolments.fold() == 0
    db.session.commit()
    assert (participants(shop.self_paced), waiting()) == (before, 0)
    assert search.catalogue_revision() == revision


def test_the_count_never_goes_below_zero(shop, ctx):
    db.session.execute(
        sa.update(Course).where(Course.id == shop.self_paced).values(enrolment_count=0)
    )
    enrolments.count_refund(shop.self_paced)  # a purchase made before counting began
    db.session.commit()
    enrolments.fold()
    db.session.commit()
    assert participants(shop.self_paced) == 0


def test_purchases_made_at_once_are_each_counted_once(app, shop, ctx):
    before = participants(shop.self_paced)
    db.session.rollback()
    buyers = card_holders(app, 3, shop.now)
    outcomes = race(app, [lambda who=who: buy(shop, shop.self_paced, who=who) for who in buyers])
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    race(app, [enrolments.fold, enrolments.fold])  # two workers folding at once
    db.session.rollback()  # read what they committed
    assert participants(shop.self_paced) == before + 3
    assert waiting() == 0


def test_a_fold_started_while_another_is_open_waits_and_counts_nothing_twice(app, shop, ctx):
    enrolments.count_purchase(shop.self_paced)
    enrolments.count_purchase(shop.self_paced)
    db.session.commit()
    before = participants(shop.self_paced)
    db.session.rollback()
    first_folded, release = threading.Event(), threading.Event()
    folded: dict[str, int] = {}

    def fold(name: str, then=None) -> None:
        with app.app_context():
            folded[name] = enrolments.fold()
            if then is not None:
                then()
            db.session.commit()

    first = threading.Thread(
        target=fold, args=("first", lambda: (first_folded.set(), release.wait(10)))
    )
    first.start()
    assert first_folded.wait(10)
    second = threading.Thread(target=fold, args=("second",))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting on the rows (PostgreSQL) or the writer (SQLite)
    release.set()
    first.join(10)
    second.join(10)
    assert folded == {"first": 1, "second": 0}
    assert participants(shop.self_paced) == before + 2


def test_the_command_counts_by_hand(app, shop, ctx):
    before = participants(shop.self_paced)
    enrolments.count_purchase(shop.self_paced)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["catalogue", "count-enrolments"])
    assert result.exit_code == 0, result.output
    assert "courses whose count changed: 1." in result.output
    db.session.rollback()
    assert participants(shop.self_paced) == before + 1


def test_the_worker_folds_on_a_schedule():
    assert count_enrolments.schedule is not None
    assert count_enrolments in tasks.declared()


def test_the_demo_starts_with_its_purchases_counted(demo):
    with demo.app_context():
        assert waiting() == 0
