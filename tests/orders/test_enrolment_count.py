"""A course's participants (its page, its card, the "most popular" order) follow its
purchases and refunds, and a purchase at the same time as another is never lost."""

from datetime import timedelta

import sqlalchemy as sa
from support.checkout_rows import begin, buy, card_holders, participant, race
from support.programme_rows import make_user

from marketplace.catalogue.models import Course, CourseSession
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.orders import checkout, refunds
from marketplace.people.models import Role


def enrolments(course_id: int) -> int:
    return db.session.scalar(sa.select(Course.enrolment_count).where(Course.id == course_id))


def test_a_purchase_counts_a_participant_and_its_refund_takes_them_off(shop, ctx):
    before, other = enrolments(shop.self_paced), enrolments(shop.other)
    order = buy(shop, shop.self_paced)
    assert enrolments(shop.self_paced) == before + 1
    # The course row already loaded in this session sees the new count too.
    assert db.session.get(Course, shop.self_paced).enrolment_count == before + 1
    assert enrolments(shop.other) == other
    refunds.refund_order(order, "Bought the wrong course", shop.now, make_user(role=Role.ADMIN))
    assert enrolments(shop.self_paced) == before
    assert ledger.verify() == []


def test_a_cancelled_session_takes_off_each_participant_it_refunds(app, shop):
    second = card_holders(app, 1, shop.now)[0]
    with app.app_context():
        before = enrolments(shop.webinar)
        buy(shop, shop.webinar, shop.webinar_session)
        buy(shop, shop.webinar, shop.webinar_session_2, who=second)
        assert enrolments(shop.webinar) == before + 2
        desk = make_user(role=Role.PROVIDER)
        desk.provider_id = shop.provider_id
        db.session.flush()
        session = db.session.get(CourseSession, shop.webinar_session)
        refunds.cancel_session(session, "The trainer is ill", shop.now, desk)
        assert enrolments(shop.webinar) == before + 1
        assert ledger.verify() == []


def test_the_count_never_falls_below_zero(shop, ctx):
    order = buy(shop, shop.self_paced)
    db.session.execute(
        sa.update(Course).where(Course.id == shop.self_paced).values(enrolment_count=0)
    )
    later = shop.now + timedelta(hours=1)
    refunds.refund_order(order, "Paid twice", later, make_user(role=Role.ADMIN))
    assert enrolments(shop.self_paced) == 0


def test_purchases_of_one_course_at_the_same_time_are_all_counted(app, shop):
    holders = card_holders(app, 4, shop.now)
    with app.app_context():
        before = enrolments(shop.self_paced)
        started = []
        for holder in holders:
            row, code = begin(shop, shop.self_paced, who=holder)
            started.append((holder, row.purchase_key, code))
        db.session.commit()

    def confirm(holder, key, code):
        return lambda: checkout.confirm(participant(holder), key, code, shop.now).id

    outcomes = race(app, [confirm(*purchase) for purchase in started])
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    with app.app_context():
        assert enrolments(shop.self_paced) == before + len(holders)


def test_the_course_page_shows_the_new_count_at_once(app, client, shop):
    with app.app_context():
        slug = db.session.get(Course, shop.self_paced).slug
        before = enrolments(shop.self_paced)
    assert f"{before} peserta" in client.get(f"/courses/{slug}").get_data(as_text=True)
    with app.test_request_context("/checkout", method="POST"):
        buy(shop, shop.self_paced)
        db.session.commit()
    page = client.get(f"/courses/{slug}").get_data(as_text=True)
    assert f"{before + 1} peserta" in page
