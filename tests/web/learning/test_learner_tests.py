"""The learner's tests (web/learning): the pre-test, a module's quiz and the post-test, taken
through their pages. The form carries question ids and choice indexes only; everything else
is the server's, and whatever else is sent is refused with nothing changed."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import count
from support.learning_rows import (
    buy_for,
    learn_modules,
    modules_of,
    order,
    right_answers,
    signed_in_buyer,
    start,
    take,
    write_bank,
)

from marketplace.extensions import db
from marketplace.learning import assessments
from marketplace.learning.models import Assessment, AssessmentKind, ModuleProgress
from marketplace.orders.models import OrderStatus
from marketplace.web.learning import views

RADIO = re.compile(r'name="(answer-\d+)" type="radio" value="(\d+)"')


@pytest.fixture
def clock(monkeypatch, shop):
    class Clock:
        now = shop.now

    monkeypatch.setattr(views, "utcnow", lambda: Clock.now)
    return Clock


@pytest.fixture
def learner(app, factory, shop, clock):
    """A signed-in buyer who has started the shop's self-paced course (bank written)."""
    with app.app_context():
        write_bank(shop.self_paced)
        db.session.commit()
    participant_id, client = signed_in_buyer(app, factory, shop)
    order_id = buy_for(app, shop, participant_id, shop.self_paced)
    with app.app_context():
        start(order(order_id), shop.now)
        db.session.commit()
    return type("Learner", (), {"id": participant_id, "client": client, "order": order_id})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _open_try(app, order_id, kind, module_id=None) -> Assessment | None:
    with app.app_context():
        found = assessments.open_try(order(order_id), kind, module_id)
        if found is not None:
            db.session.expunge(found)
        return found


def _answers(app, attempt_id: int, wrong: int = 0) -> dict[str, str]:
    """The form a participant sends: every question of the try answered, all right but the
    first `wrong`."""
    with app.app_context():
        attempt = db.session.get(Assessment, attempt_id)
        return {f"answer-{key}": str(value) for key, value in right_answers(attempt, wrong).items()}


def _state(app) -> list:
    """What a refused submission must leave as it was: every try and every module's row."""
    with app.app_context():
        tries = db.session.execute(
            sa.select(Assessment.id, Assessment.submitted_at, Assessment.score, Assessment.answers)
        ).all()
        progress = db.session.execute(
            sa.select(ModuleProgress.module_id, ModuleProgress.quiz_passed_at)
        ).all()
        return [sorted(tries), sorted(progress)]


def _pre_test_done(app, learner, now):
    with app.app_context():
        take(order(learner.order), AssessmentKind.PRE_TEST, now)
        db.session.commit()


# --- the pre-test ---------------------------------------------------------------------------


def test_the_pre_test_is_taken_once_through_its_page(app, learner):
    url = f"/learn/{learner.order}/pre-test"
    page = _text(learner.client.get(url))
    assert "Start the pre-test" in page and f'action="{url}/start"' in page
    assert _open_try(app, learner.order, AssessmentKind.PRE_TEST) is None  # the GET drew none
    started = learner.client.post(f"{url}/start")
    assert started.status_code == 302 and started.headers["Location"].endswith(url)
    attempt = _open_try(app, learner.order, AssessmentKind.PRE_TEST)
    questions = _text(learner.client.get(url))
    names = {name for name, _value in RADIO.findall(questions)}
    assert names == {f"answer-{key}" for key in attempt.question_ids}
    assert questions.count("<fieldset") == len(attempt.question_ids)
    assert questions.count("<legend") == len(attempt.question_ids)
    # Starting again while the try is open gives the same try.
    assert learner.client.post(f"{url}/start").status_code == 302
    with app.app_context():
        assert count(Assessment) == 1
    sent = learner.client.post(url, data=_answers(app, attempt.id, wrong=3))
    assert sent.status_code == 302 and sent.headers["Location"].endswith(url)
    result = _text(learner.client.get(url))
    assert "Your pre-test score is 50 of 100" in result and "50 of 100" in result
    assert "Start the pre-test" not in result and "It is taken once" in result
    refused = learner.client.post(f"{url}/start")
    assert refused.status_code == 409 and "It is taken once" in _text(refused)
    with app.app_context():
        assert count(Assessment) == 1
        assert db.session.scalar(sa.select(Assessment.score)) == 50


# --- a module's quiz ------------------------------------------------------------------------


def test_a_quiz_is_passed_through_its_page(app, learner, shop, clock):
    _pre_test_done(app, learner, shop.now)
    url = f"/learn/{learner.order}/modules/1/quiz"
    closed = _text(learner.client.get(url))
    assert "Open the module and read its lesson first" in closed
    assert "Start the quiz" not in closed
    assert learner.client.post(f"{url}/start").status_code == 409
    learner.client.post(f"/learn/{learner.order}/modules/1")
    with app.app_context():
        module_id = modules_of(order(learner.order).course_id)[0].id
    assert "Start the quiz" in _text(learner.client.get(url))
    assert learner.client.post(f"{url}/start").status_code == 302
    attempt = _open_try(app, learner.order, AssessmentKind.QUIZ, module_id)
    # A wrong try first: not passed, and the quiz may be taken again.
    failed = learner.client.post(url, data=_answers(app, attempt.id, wrong=2))
    assert failed.status_code == 302
    page = _text(learner.client.get(url))
    assert "You scored 0 of 100: the pass mark is 60" in page and "Start the quiz" in page
    learner.client.post(f"{url}/start")
    again = _open_try(app, learner.order, AssessmentKind.QUIZ, module_id)
    assert again.number == 2
    passed = learner.client.post(url, data=_answers(app, again.id))
    assert passed.status_code == 302
    page = _text(learner.client.get(url))
    assert "You scored 100 of 100: you passed" in page and "Start the quiz" not in page
    assert "already passed this quiz" in page
    assert f'href="/learn/{learner.order}/modules/2"' in page  # on to the next module
    with app.app_context():
        progress = db.session.get(ModuleProgress, (learner.order, module_id))
        assert progress.quiz_passed_at == clock.now
    module = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "You passed it with 100 of 100" in module


# --- refused answers ------------------------------------------------------------------------


def _quiz_open(app, learner, shop):
    """The pre-test taken, module 1 opened and its quiz started: the open try."""
    _pre_test_done(app, learner, shop.now)
    learner.client.post(f"/learn/{learner.order}/modules/1")
    learner.client.post(f"/learn/{learner.order}/modules/1/quiz/start")
    with app.app_context():
        module_id = modules_of(order(learner.order).course_id)[0].id
    return _open_try(app, learner.order, AssessmentKind.QUIZ, module_id)


def test_a_tampered_question_id_is_refused_and_nothing_changes(app, learner, shop):
    attempt = _quiz_open(app, learner, shop)
    url = f"/learn/{learner.order}/modules/1/quiz"
    answers = _answers(app, attempt.id)
    with app.app_context():
        # A real question, of another test (the post-test's bank).
        other = db.session.scalar(
            sa.text("SELECT id FROM course_question WHERE module_id IS NULL LIMIT 1")
        )
    before = _state(app)
    for extra in ({f"answer-{other}": "0"}, {"answer-999999": "1"}):
        for lang, message in (("en", "is not part of this test"), ("id", "bukan bagian dari tes")):
            learner.client.set_cookie("lang", lang)
            refused = learner.client.post(url, data={**answers, **extra})
            assert refused.status_code == 400
            assert message in _text(refused)
    assert _state(app) == before
    assert _open_try(app, learner.order, AssessmentKind.QUIZ, attempt.module_id) is not None


@pytest.mark.parametrize("name", ["answer-abc", "answer-²", "answer-", "answer-" + "9" * 400])
def test_a_question_id_that_is_not_a_number_is_refused(app, learner, shop, name):
    attempt = _quiz_open(app, learner, shop)
    url = f"/learn/{learner.order}/modules/1/quiz"
    before = _state(app)
    refused = learner.client.post(url, data={**_answers(app, attempt.id), name: "0"})
    html = _text(refused)
    assert refused.status_code == 400 and "is not part of this test" in html
    assert "Error:" in html.split("</title>")[0]
    # The answers sent stay chosen on the form shown again.
    assert html.count(" checked>") == len(attempt.question_ids)
    assert _state(app) == before


def test_missing_answers_show_the_form_again_with_each_question_marked(app, learner, shop):
    attempt = _quiz_open(app, learner, shop)
    url = f"/learn/{learner.order}/modules/1/quiz"
    first, second = attempt.question_ids
    answers = _answers(app, attempt.id)
    before = _state(app)
    refused = learner.client.post(url, data={f"answer-{first}": answers[f"answer-{first}"]})
    html = _text(refused)
    assert refused.status_code == 400
    assert html.split("</title>")[0].count("Error:") == 1
    assert 'class="error-summary"' in html
    assert f'<a href="#answer-{second}">Question 2: Choose an answer to every question.</a>' in html
    assert f'id="answer-{second}-error"' in html and f'id="answer-{first}-error"' not in html
    chosen = answers[f"answer-{first}"]
    assert f'name="answer-{first}" type="radio" value="{chosen}" checked>' in html
    assert _state(app) == before
    # A choice that is not one of the question's, or two for one question.
    for value in ("7", "x", ["0", "1"]):
        refused = learner.client.post(url, data={**answers, f"answer-{second}": value})
        assert refused.status_code == 400, value
        assert "Choose one of the answers" in _text(refused)
    assert _state(app) == before


def test_answers_sent_again_after_the_try_closed_are_refused(app, learner, shop):
    attempt = _quiz_open(app, learner, shop)
    url = f"/learn/{learner.order}/modules/1/quiz"
    answers = _answers(app, attempt.id, wrong=2)
    assert learner.client.post(url, data=answers).status_code == 302
    again = learner.client.post(url, data=answers)
    assert again.status_code == 409 and "already sent these answers" in _text(again)
    with app.app_context():
        assert count(Assessment) == 2  # the quiz and the pre-test: no new try


# --- the post-test --------------------------------------------------------------------------


def _modules_done(app, learner, shop) -> object:
    """The pre-test taken and every module learnt: the time the last module is done."""
    _pre_test_done(app, learner, shop.now)
    with app.app_context():
        done = learn_modules(order(learner.order), shop.now)
        db.session.commit()
    return done


def test_the_post_test_is_locked_until_every_module_is_done(app, learner, shop):
    _pre_test_done(app, learner, shop.now)
    url = f"/learn/{learner.order}/post-test"
    page = _text(learner.client.get(url))
    assert "The post-test opens when you have finished every module" in page
    assert "Start the post-test" not in page
    refused = learner.client.post(f"{url}/start")
    assert refused.status_code == 409
    with app.app_context():
        assert count(Assessment) == 1


def test_the_post_test_s_tries_run_out(app, learner, shop, clock):
    clock.now = _modules_done(app, learner, shop)
    url = f"/learn/{learner.order}/post-test"
    page = _text(learner.client.get(url))
    assert "You have 3 tries left" in page and "Start the post-test" in page
    for number in range(1, 4):
        assert learner.client.post(f"{url}/start").status_code == 302
        attempt = _open_try(app, learner.order, AssessmentKind.POST_TEST)
        assert attempt.number == number
        assert learner.client.post(url, data=_answers(app, attempt.id, wrong=6)).status_code == 302
    page = _text(learner.client.get(url))
    assert "You have used all 3 tries of the post-test" in page
    assert "0 tries left" in page and "Start the post-test" not in page
    refused = learner.client.post(f"{url}/start")
    assert refused.status_code == 409 and "used all 3 tries" in _text(refused)
    with app.app_context():
        assert count(Assessment) == 1 + 2 + 3  # the pre-test, two quizzes, three post-tests
        assert order(learner.order).status is OrderStatus.REDEEMED
    home = _text(learner.client.get(f"/learn/{learner.order}"))
    assert "Not passed" in home and "You used every try of the post-test" in home
    courses = _text(learner.client.get("/account/courses"))
    assert "You used every try of the post-test" in courses


def test_passing_the_post_test_completes_the_course_and_asks_for_a_review(
    app, learner, shop, clock
):
    clock.now = _modules_done(app, learner, shop)
    url = f"/learn/{learner.order}/post-test"
    learner.client.post(f"{url}/start")
    attempt = _open_try(app, learner.order, AssessmentKind.POST_TEST)
    sent = learner.client.post(url, data=_answers(app, attempt.id, wrong=1))
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/learn/{learner.order}")
    home = _text(learner.client.get(f"/learn/{learner.order}"))
    assert "completed the course" in home and "Rate this course" in home
    assert f'href="/account/orders/{learner.order}/review"' in home
    with app.app_context():
        row = order(learner.order)
        assert row.status is OrderStatus.COMPLETED
        assert row.completed_at == clock.now and row.score == 83  # 5 of 6 right
    courses = _text(learner.client.get("/account/courses"))
    assert "Rate this course" in courses
    # Once reviewed, the course's row links to its results instead.
    review = learner.client.post(
        f"/account/orders/{learner.order}/review",
        data={"stars": "5", "text": "Materinya jelas dan langsung bisa dipraktikkan."},
    )
    assert review.status_code == 302
    courses = _text(learner.client.get("/account/courses"))
    assert "Rate this course" not in courses and "See your results" in courses
    # The lessons stay readable; nothing more can be taken.
    assert "Pengantar" in _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    done = learner.client.post(f"{url}/start")
    assert done.status_code == 409 and "You have completed this course" in _text(done)


def test_gets_write_nothing_at_any_step(app, learner, shop, clock):
    """Every learning page, opened at each step of the way, writes no row."""
    pages = [
        "/account/courses",
        f"/learn/{learner.order}",
        f"/learn/{learner.order}/pre-test",
        f"/learn/{learner.order}/modules/1",
        f"/learn/{learner.order}/modules/1/quiz",
        f"/learn/{learner.order}/modules/2",
        f"/learn/{learner.order}/post-test",
    ]

    def unchanged():
        before = _state(app)
        for path in pages:
            assert learner.client.get(path).status_code == 200, path
        assert _state(app) == before

    unchanged()
    _pre_test_done(app, learner, shop.now)
    unchanged()
    clock.now = _modules_done_after_pre_test(app, learner, shop)
    unchanged()


def _modules_done_after_pre_test(app, learner, shop):
    with app.app_context():
        done = learn_modules(order(learner.order), shop.now)
        db.session.commit()
    return done + timedelta(minutes=1)


def test_a_refund_closes_an_open_try_and_an_opened_module(app, learner, shop):
    from support.learning_rows import refunded_by_office

    _pre_test_done(app, learner, shop.now)
    learner.client.post(f"/learn/{learner.order}/modules/1")
    url = f"/learn/{learner.order}/modules/1/quiz"
    learner.client.post(f"{url}/start")
    attempt = _open_try(app, learner.order, AssessmentKind.QUIZ, _first_module(app, learner))
    answers = _answers(app, attempt.id)
    refunded_by_office(app, learner.order, shop.now)
    page = _text(learner.client.get(url))
    assert "This order was refunded" in page and 'type="radio"' not in page
    before = _state(app)
    refused = learner.client.post(url, data=answers)
    assert refused.status_code == 409 and "This order was refunded" in _text(refused)
    assert _state(app) == before
    module = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "This order was refunded" in module and "Pengantar" not in module


def _first_module(app, learner) -> int:
    with app.app_context():
        return modules_of(order(learner.order).course_id)[0].id


# --- what the review of the pages found ---------------------------------------------------------


def test_answers_sent_before_any_try_say_to_start_first(app, learner):
    sent = learner.client.post(f"/learn/{learner.order}/pre-test", data={"answer-1": "0"})
    assert sent.status_code == 409
    assert "Start the test first" in _text(sent) and "already sent" not in _text(sent)


def test_an_empty_bank_says_not_ready_before_the_button(app, factory, shop, clock):
    participant_id, client = signed_in_buyer(app, factory, shop)
    order_id = buy_for(app, shop, participant_id, shop.other)  # no question written
    with app.app_context():
        start(order(order_id), shop.now)
        db.session.commit()
    page = _text(client.get(f"/learn/{order_id}/pre-test"))
    assert "This test is not ready yet" in page and "Start the pre-test</button>" not in page


def test_a_module_whose_quiz_is_not_passed_does_not_say_continue_now(app, learner, clock):
    with app.app_context():
        row = order(learner.order)
        take(row, AssessmentKind.PRE_TEST, shop_now := clock.now)
        db.session.commit()
    opened = learner.client.post(f"/learn/{learner.order}/modules/1")
    assert opened.status_code == 302
    clock.now = shop_now + timedelta(hours=2)  # the minimum time has gone by, the quiz not passed
    page = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "once you have passed the quiz" in page
    assert "now: the minimum learning time has gone by" not in page
    with app.app_context():
        row = order(learner.order)
        take(row, AssessmentKind.QUIZ, clock.now, module=modules_of(row.course_id)[0])
        db.session.commit()
    page = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "now: the minimum learning time has gone by" in page


def test_every_step_done_but_not_completed_offers_to_complete(app, learner, clock):
    refused = learner.client.post(f"/learn/{learner.order}/complete")
    assert refused.status_code == 409 and "Take the pre-test." in _text(refused)
    with app.app_context():
        row = order(learner.order)
        row.course.needs_demonstration = True  # the post-test alone does not complete it
        take(row, AssessmentKind.PRE_TEST, clock.now)
        clock.now = learn_modules(row, clock.now)
        take(row, AssessmentKind.POST_TEST, clock.now)
        row.course.needs_demonstration = False  # (as if the provider's step were corrected)
        db.session.commit()
    page = _text(learner.client.get(f"/learn/{learner.order}"))
    assert f'action="/learn/{learner.order}/complete"' in page
    done = learner.client.post(f"/learn/{learner.order}/complete")
    assert done.status_code == 302
    with app.app_context():
        assert order(learner.order).status is OrderStatus.COMPLETED
