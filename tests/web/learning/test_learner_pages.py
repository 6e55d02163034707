"""The learner's course pages (web/learning): who may open them, starting a self-paced course
with its voucher code, and a module's lesson, lock and minimum learning time."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import count
from support.learning_rows import (
    buy_for,
    desk,
    modules_of,
    order,
    refunded_by_office,
    right_answers,
    signed_in_buyer,
    start,
    take,
    write_bank,
)

from marketplace.catalogue.models import Module, Provider
from marketplace.extensions import db
from marketplace.learning import assessments, attendance, completion
from marketplace.learning.models import Assessment, AssessmentKind, ModuleProgress
from marketplace.orders import redemption
from marketplace.orders.models import OrderStatus
from marketplace.people.models import Role, User
from marketplace.web.learning import views


@pytest.fixture
def clock(monkeypatch, shop):
    """The pages' clock (`views.utcnow`), set by the test: `clock.now`."""

    class Clock:
        now = shop.now

    monkeypatch.setattr(views, "utcnow", lambda: Clock.now)
    return Clock


@pytest.fixture
def learner(app, factory, shop, clock):
    """A signed-in buyer of the shop's self-paced course, its bank and lessons written."""
    with app.app_context():
        write_bank(shop.self_paced)
        db.session.commit()
    participant_id, client = signed_in_buyer(app, factory, shop)
    order_id = buy_for(app, shop, participant_id, shop.self_paced)
    return type("Learner", (), {"id": participant_id, "client": client, "order": order_id})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _start(app, order_id, now):
    with app.app_context():
        start(order(order_id), now)
        db.session.commit()


def _pre_test(app, order_id, now):
    with app.app_context():
        take(order(order_id), AssessmentKind.PRE_TEST, now)
        db.session.commit()


def _pages(order_id: int) -> list[str]:
    base = f"/learn/{order_id}"
    return [
        base,
        f"{base}/modules/1",
        f"{base}/pre-test",
        f"{base}/modules/1/quiz",
        f"{base}/post-test",
    ]


def _forms(order_id: int) -> list[str]:
    base = f"/learn/{order_id}"
    return [
        f"{base}/start",
        f"{base}/modules/1",
        f"{base}/pre-test/start",
        f"{base}/pre-test",
        f"{base}/modules/1/quiz/start",
        f"{base}/modules/1/quiz",
        f"{base}/post-test/start",
        f"{base}/post-test",
    ]


# --- who may open them ----------------------------------------------------------------------


def test_the_courses_page_is_the_address_the_completion_mail_links_to(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("learning.courses") == completion.COURSES_PATH == "/account/courses"


def test_only_the_orders_own_participant_opens_its_pages(app, factory, shop, learner, login):
    for path in ["/account/courses", *_pages(learner.order)]:
        assert learner.client.get(path).status_code == 200, path
    _other_id, other = signed_in_buyer(app, factory, shop)
    for path in _pages(learner.order):
        assert other.get(path).status_code == 404, path
    for path in _forms(learner.order):
        assert other.post(path, data={"code": "x"}).status_code == 404, path
    assert learner.client.get("/learn/999999").status_code == 404
    assert learner.client.get(f"/learn/{learner.order}/modules/99").status_code == 404
    assert learner.client.get(f"/learn/{learner.order}/modules/0").status_code == 404
    assert learner.client.get(f"/learn/{learner.order}/modules/x/quiz").status_code == 404
    provider = login(Role.PROVIDER, provider=factory.provider())
    admin = login(Role.ADMIN)
    for path in ["/account/courses", *_pages(learner.order)]:
        assert provider.get(path).status_code == 403, path
        assert admin.get(path).status_code == 403, path
        visitor = app.test_client().get(path)
        assert visitor.status_code == 302 and "/login" in visitor.headers["Location"], path
    with app.app_context():
        assert order(learner.order).status is OrderStatus.PAID
        assert count(Assessment) == count(ModuleProgress) == 0


def test_a_participant_without_a_profile_has_no_courses(login, learner):
    newcomer = login(Role.PARTICIPANT)
    newcomer.set_cookie("lang", "en")
    page = newcomer.get("/account/courses")
    assert page.status_code == 200 and "You have not bought a course yet" in _text(page)
    assert newcomer.get(f"/learn/{learner.order}").status_code == 404


def test_a_module_without_quiz_questions_has_no_quiz_page(app, learner):
    with app.app_context():
        module = modules_of(order(learner.order).course_id)[0]
        db.session.execute(
            sa.text("DELETE FROM course_question WHERE module_id = :id"), {"id": module.id}
        )
        db.session.commit()
    assert learner.client.get(f"/learn/{learner.order}/modules/1/quiz").status_code == 404
    assert learner.client.get(f"/learn/{learner.order}/modules/2/quiz").status_code == 200


def test_a_course_with_a_session_has_no_module_pages(app, factory, shop, clock):
    participant_id, client = signed_in_buyer(app, factory, shop)
    order_id = buy_for(app, shop, participant_id, shop.webinar, shop.webinar_session)
    page = client.get(f"/learn/{order_id}")
    assert page.status_code == 200
    html = _text(page)
    assert "See your redeem code" in html and f'href="/account/orders/{order_id}"' in html
    assert 'name="code"' not in html  # its redeem code is taken at the session
    assert client.get(f"/learn/{order_id}/modules/1").status_code == 404
    assert client.get(f"/learn/{order_id}/modules/1/quiz").status_code == 404
    refused = client.post(f"/learn/{order_id}/start", data={"code": "VC"})
    assert refused.status_code == 409 and "it starts when the provider takes" in _text(refused)


def test_the_account_home_links_to_my_courses(app, learner):
    home = _text(learner.client.get("/account"))
    assert 'href="/account/courses"' in home
    learner.client.set_cookie("lang", "id")
    home = _text(learner.client.get("/account"))
    assert "Pelatihan Saya" in home


# --- starting with the voucher code ---------------------------------------------------------


def test_the_right_voucher_code_starts_the_course(app, learner, clock):
    home = learner.client.get(f"/learn/{learner.order}")
    html = _text(home)
    assert f'action="/learn/{learner.order}/start"' in html and 'name="code"' in html
    with app.app_context():
        code = order(learner.order).voucher_code
    typed = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"  # as people type it
    started = learner.client.post(f"/learn/{learner.order}/start", data={"code": typed})
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"/learn/{learner.order}")
    page = _text(learner.client.get(f"/learn/{learner.order}"))
    assert "Your course has started" in page and "Take the pre-test" in page
    assert 'name="code"' not in page
    with app.app_context():
        row = order(learner.order)
        assert row.status is OrderStatus.REDEEMED and row.redeemed_at == clock.now


@pytest.mark.parametrize(
    ("code", "english", "indonesian"),
    [
        ("VCAAAA-AAAA-AA", "is not the voucher code of this course", "bukan kode voucher"),
        ("", "Enter the voucher code of this course", "Masukkan kode voucher"),
        ("x" * 5000, "is not the voucher code of this course", "bukan kode voucher"),
    ],
)
def test_a_wrong_voucher_code_is_refused_in_the_pages_language(
    app, learner, code, english, indonesian
):
    for lang, message in (("en", english), ("id", indonesian)):
        learner.client.set_cookie("lang", lang)
        refused = learner.client.post(f"/learn/{learner.order}/start", data={"code": code})
        assert refused.status_code == 400
        html = _text(refused)
        assert message in html and 'class="error-summary"' in html and 'name="code"' in html
    with app.app_context():
        assert order(learner.order).status is OrderStatus.PAID


def test_a_refunded_course_is_closed(app, learner, shop):
    refunded_by_office(app, learner.order, shop.now)
    with app.app_context():
        code = order(learner.order).voucher_code
    page = learner.client.get(f"/learn/{learner.order}")
    html = _text(page)
    assert page.status_code == 200 and "This course is closed" in html and "Salah beli" in html
    assert 'name="code"' not in html
    refused = learner.client.post(f"/learn/{learner.order}/start", data={"code": code})
    assert refused.status_code == 409 and "the purchase was refunded" in _text(refused)
    module = learner.client.get(f"/learn/{learner.order}/modules/1")
    assert "This order was refunded" in _text(module) and "Pengantar" not in _text(module)
    assert learner.client.post(f"/learn/{learner.order}/modules/1").status_code == 409
    with app.app_context():
        assert order(learner.order).status is OrderStatus.REFUNDED
        assert count(ModuleProgress) == 0


def test_a_started_course_sent_again_leads_to_the_course(app, learner, shop):
    """A second tab or a double tap: the course has started, as asked; nothing changes."""
    _start(app, learner.order, shop.now)
    with app.app_context():
        code = order(learner.order).voucher_code
        redeemed_at = order(learner.order).redeemed_at
    again = learner.client.post(f"/learn/{learner.order}/start", data={"code": code})
    assert again.status_code == 302 and again.headers["Location"] == f"/learn/{learner.order}"
    assert "Your course has already started." in _text(
        learner.client.get(again.headers["Location"])
    )
    with app.app_context():
        assert order(learner.order).redeemed_at == redeemed_at


# --- a module -------------------------------------------------------------------------------


def test_nothing_opens_before_the_course_is_started(app, learner):
    page = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "Start the course first" in page and "Open the module</button>" not in page
    refused = learner.client.post(f"/learn/{learner.order}/modules/1")
    assert refused.status_code == 409 and "Start the course first" in _text(refused)
    with app.app_context():
        assert count(ModuleProgress) == 0


def test_a_locked_module_says_why_and_shows_nothing_of_its_lesson(app, learner, shop):
    _start(app, learner.order, shop.now)
    page = learner.client.get(f"/learn/{learner.order}/modules/1")
    html = _text(page)
    assert page.status_code == 200
    assert "Take the pre-test first" in html and "Pengantar" not in html
    assert "Open the module</button>" not in html
    refused = learner.client.post(f"/learn/{learner.order}/modules/1")
    assert refused.status_code == 409 and "Take the pre-test first" in _text(refused)
    with app.app_context():
        assert count(ModuleProgress) == 0


def test_opening_a_module_shows_its_lesson_and_when_the_next_may_open(app, learner, shop, clock):
    _start(app, learner.order, shop.now)
    _pre_test(app, learner.order, shop.now)
    closed = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "Open the module</button>" in closed and "Pengantar" not in closed
    assert "23 minutes" in closed  # half of its 45 minutes, rounded up: the minimum time
    with app.app_context():
        assert count(ModuleProgress) == 0  # the GET opened nothing
    opened = learner.client.post(f"/learn/{learner.order}/modules/1")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/learn/{learner.order}/modules/1")
    lesson = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "<h2>Pengantar</h2>" in lesson and "<li>Langkah pertama</li>" in lesson
    assert "<p>Paragraf penutup.</p>" in lesson
    assert "You can continue" in lesson and "Take the quiz" in lesson
    assert f'href="/learn/{learner.order}/modules/1/quiz"' in lesson
    assert f'href="/learn/{learner.order}/modules/2"' in lesson  # the next module
    with app.app_context():
        assert db.session.scalar(sa.select(ModuleProgress.opened_at)) == clock.now
    # Opening it again changes nothing: the minimum time runs from the first open.
    clock.now = shop.now + timedelta(minutes=5)
    assert learner.client.post(f"/learn/{learner.order}/modules/1").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(ModuleProgress.opened_at)) == shop.now

    # The quiz passed before the minimum time is up: the next module says when it opens.
    with app.app_context():
        module = modules_of(order(learner.order).course_id)[0]
        take(order(learner.order), AssessmentKind.QUIZ, clock.now, module=module)
        db.session.commit()
    waiting = learner.client.get(f"/learn/{learner.order}/modules/2")
    html = _text(waiting)
    until = views.wib_soon  # the page's own way of saying the time
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("en"):
            expected = until(shop.now + timedelta(minutes=23))
    assert waiting.status_code == 200 and "You can continue at" in html and expected in html
    assert "Pengantar" not in html and "Open the module</button>" not in html
    refused = learner.client.post(f"/learn/{learner.order}/modules/2")
    assert refused.status_code == 409 and expected in _text(refused)
    clock.now = shop.now + timedelta(minutes=23)
    assert "Open the module</button>" in _text(
        learner.client.get(f"/learn/{learner.order}/modules/2")
    )
    assert learner.client.post(f"/learn/{learner.order}/modules/2").status_code == 302
    with app.app_context():
        assert count(ModuleProgress) == 2


def test_a_lesson_is_text_never_markup(app, learner, shop):
    with app.app_context():
        module = db.session.scalar(
            sa.select(Module).where(
                Module.course_id == order(learner.order).course_id, Module.position == 1
            )
        )
        module.lesson = '## <img src=x onerror="alert(1)">\n- <script>alert(2)</script>'
        db.session.commit()
    _start(app, learner.order, shop.now)
    _pre_test(app, learner.order, shop.now)
    learner.client.post(f"/learn/{learner.order}/modules/1")
    html = _text(learner.client.get(f"/learn/{learner.order}/modules/1"))
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)" in html
    assert "<img src=x" not in html and "<h2>&lt;img" in html


# --- a course with a session ----------------------------------------------------------------


def test_a_session_course_shows_its_attendance_and_waits_for_the_provider(
    app, factory, shop, clock
):
    participant_id, client = signed_in_buyer(app, factory, shop)
    with app.app_context():
        write_bank(shop.webinar)
        db.session.commit()
    order_id = buy_for(app, shop, participant_id, shop.webinar, shop.webinar_session)
    with app.app_context():
        row = order(order_id)
        starts_at = row.session.starts_at
        staff = desk(shop.provider_id)
        redemption.redeem(
            db.session.get(Provider, shop.provider_id), row.redeem_code, starts_at, staff
        )
        staff_id = staff.id
        db.session.commit()
    clock.now = starts_at + timedelta(hours=1)
    home = _text(client.get(f"/learn/{order_id}"))
    assert "Take the pre-test" in home and "Attendance at the session" in home
    assert "Not marked" in home and "/modules/" not in home

    client.post(f"/learn/{order_id}/pre-test/start")
    with app.app_context():
        attempt = assessments.open_try(order(order_id), AssessmentKind.PRE_TEST)
        answers = {f"answer-{key}": str(value) for key, value in right_answers(attempt).items()}
    sent = client.post(f"/learn/{order_id}/pre-test", data=answers, follow_redirects=True)
    assert "Your pre-test score is 100 of 100." in _text(sent)
    assert "The modules are open now" not in _text(sent)

    home = _text(client.get(f"/learn/{order_id}"))
    assert "Waiting for the provider" in home and "to mark your attendance" in home
    courses = _text(client.get("/account/courses"))
    assert "Waiting for the provider" in courses and "to mark your attendance" in courses
    post_test = _text(client.get(f"/learn/{order_id}/post-test"))
    assert "once the provider has marked your attendance" in post_test
    assert "Start the post-test" not in post_test
    assert client.post(f"/learn/{order_id}/post-test/start").status_code == 409

    with app.app_context():
        row = order(order_id)
        # Marked once the session has ended: a session starting late in the evening in
        # Jakarta runs into the next day, which can't be marked before it has begun.
        clock.now = row.session.ends_at + timedelta(hours=1)
        marks = {(order_id, day): True for day in attendance.session_days(row.session)}
        attendance.mark(row.session, db.session.get(User, staff_id), marks, clock.now)
        db.session.commit()
    home = _text(client.get(f"/learn/{order_id}"))
    assert "Present" in home and "Take the post-test" in home
    assert "Start the post-test" in _text(client.get(f"/learn/{order_id}/post-test"))
