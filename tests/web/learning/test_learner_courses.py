"""/account/courses, "Pelatihan Saya": every order of the participant, newest first, with
its state, its progress, ONE next step and the deadline where there is one."""

import re
from datetime import timedelta

import pytest
from support.learning_rows import (
    buy_for,
    complete,
    modules_of,
    order,
    refunded_by_office,
    signed_in_buyer,
    start,
    take,
    write_bank,
)

from marketplace.extensions import db
from marketplace.learning import lessons
from marketplace.learning.models import AssessmentKind
from marketplace.web.learning import views


@pytest.fixture
def clock(monkeypatch, shop):
    class Clock:
        now = shop.now

    monkeypatch.setattr(views, "utcnow", lambda: Clock.now)
    return Clock


def _cards(html: str) -> dict[int, str]:
    """Each order's card on the page, by order id, in the page's order."""
    card = r'<li class="course-card learning-card" id="order-(\d+)">(.*?)</li>\s*'
    found = re.findall(card + r'(?=<li class="course-card|</ul>)', html, re.S)
    return {int(order_id): body for order_id, body in found}


def _actions(card: str) -> list[str]:
    return re.findall(r'<p class="learning-next__action"><a ([^>]*)>([^<]*)</a>', card)


def test_no_course_bought_says_where_to_find_one(app, factory, shop):
    _participant, client = signed_in_buyer(app, factory, shop)
    html = client.get("/account/courses").get_data(as_text=True)
    assert "You have not bought a course yet" in html
    assert 'class="button" href="/courses"' in html


def test_each_state_has_its_label_and_one_next_step(app, factory, shop, clock):
    participant, client = signed_in_buyer(app, factory, shop)
    with app.app_context():
        write_bank(shop.self_paced)
        write_bank(shop.other)
        db.session.commit()
    # Bought oldest first: refunded, completed, waiting on a module's time, the pre-test to
    # take, a session to come, a voucher to type.
    refunded = buy_for(app, shop, participant, shop.offline, shop.offline_session)
    refunded_by_office(app, refunded, shop.now)
    completed = buy_for(app, shop, participant, shop.other)
    with app.app_context():
        complete(completed, shop.now)
        db.session.commit()
    waiting = buy_for(app, shop, participant, shop.self_paced)
    with app.app_context():
        row = order(waiting)
        start(row, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        first = modules_of(row.course_id)[0]
        lessons.open_module(row, row.participant, first, shop.now)
        take(row, AssessmentKind.QUIZ, shop.now, module=first)
        db.session.commit()
    session = buy_for(app, shop, participant, shop.webinar, shop.webinar_session)
    with app.app_context():
        starts_at = order(session).session.starts_at
    clock.now = shop.now + timedelta(minutes=10)

    client.set_cookie("lang", "en")
    html = client.get("/account/courses").get_data(as_text=True)
    cards = _cards(html)
    assert list(cards) == sorted(cards, reverse=True)  # newest first
    assert set(cards) == {refunded, completed, waiting, session}
    for card in cards.values():
        assert len(_actions(card)) == 1  # one clear next step

    assert "Refunded" in cards[refunded] and "See your order" in cards[refunded]
    assert _actions(cards[refunded])[0][0] == f'href="/account/orders/{refunded}"'

    assert "Completed" in cards[completed]
    assert _actions(cards[completed])[0] == (
        f'class="button" href="/account/orders/{completed}/review"',
        "Rate this course",
    )

    assert "In progress" in cards[waiting]
    assert f'<progress id="progress-{waiting}" max="100" value="' in cards[waiting]
    assert "You can continue at" in cards[waiting]
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("en"):
            at = views.wib_soon(shop.now + timedelta(minutes=23))
            session_time = views.wib(starts_at)
    assert at in cards[waiting]
    assert _actions(cards[waiting])[0][0] == f'href="/learn/{waiting}/modules/1"'

    assert "Not started" in cards[session]
    assert f"Session: {session_time}" in cards[session]
    assert _actions(cards[session])[0] == (
        f'class="button" href="/account/orders/{session}"',
        "See your redeem code",
    )
    assert "style=" not in html  # the CSP forbids inline styles


def test_a_course_not_started_leads_to_its_voucher_form_then_its_next_step(
    app, factory, shop, clock
):
    participant, client = signed_in_buyer(app, factory, shop)
    with app.app_context():
        write_bank(shop.self_paced)
        db.session.commit()
    order_id = buy_for(app, shop, participant, shop.self_paced)
    card = _cards(client.get("/account/courses").get_data(as_text=True))[order_id]
    assert "Not started" in card
    assert _actions(card)[0] == (
        f'class="button" href="/learn/{order_id}#start"',
        "Start the course",
    )
    with app.app_context():
        start(order(order_id), shop.now)
        db.session.commit()
    card = _cards(client.get("/account/courses").get_data(as_text=True))[order_id]
    assert "In progress" in card and "0% done" in card
    assert _actions(card)[0] == (
        f'class="button" href="/learn/{order_id}/pre-test"',
        "Take the pre-test",
    )
    with app.app_context():
        take(order(order_id), AssessmentKind.PRE_TEST, shop.now)
        db.session.commit()
    card = _cards(client.get("/account/courses").get_data(as_text=True))[order_id]
    assert _actions(card)[0] == (
        f'class="button" href="/learn/{order_id}/modules/1"',
        "Go to module 1",
    )
    client.post(f"/learn/{order_id}/modules/1")
    card = _cards(client.get("/account/courses").get_data(as_text=True))[order_id]
    assert _actions(card)[0] == (
        f'class="button" href="/learn/{order_id}/modules/1/quiz"',
        "Take the quiz",
    )
    client.set_cookie("lang", "id")
    html = client.get("/account/courses").get_data(as_text=True)
    assert '<h1 class="page-title">Pelatihan Saya</h1>' in html
    assert "Kerjakan kuis" in _cards(html)[order_id]
