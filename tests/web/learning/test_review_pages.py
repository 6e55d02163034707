"""Review pages: the participant's form after completion (/account/orders/<id>/review), the
course page's summary and reviews, the provider's replies (/provider/reviews) and the
office's hiding (/admin/reviews); and the catalogue list showing a new average at once."""

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD
from support.learning_rows import complete

from marketplace.catalogue.models import Course
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.learning.models import Review
from marketplace.orders import checkout
from marketplace.people.models import Participant, Role

TEXT = "Materinya jelas dan langsung bisa dipraktikkan di tempat kerja."


def _sign_in(app, email: str, lang: str = "en"):
    client = app.test_client()
    client.set_cookie("lang", lang)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _buyer(app, factory, world, name: str, completed: bool = True):
    """A participant who bought the world's course (and completed it); signed in."""
    holder = factory.card_holder(world.now)
    with app.app_context():
        participant = db.session.get(Participant, holder.id)
        participant.full_name = name
        course = db.session.get(Course, world.course_id)
        row, code = checkout.begin(participant, course, None, world.now)
        order = checkout.confirm(participant, row.purchase_key, code, world.now)
        if completed:
            complete(order.id, world.now)
        db.session.commit()
        order_id = order.id
    return SimpleNamespace(
        order_id=order_id, participant_id=holder.id, client=_sign_in(app, holder.user.email)
    )


@pytest.fixture
def world(app, factory):
    now = utcnow().replace(microsecond=0)
    provider = factory.provider("LPK Cahaya Mandiri")
    category = factory.category("Teknologi Informasi", "Information Technology")
    course = factory.course(
        "Microsoft Excel untuk Kantor", provider=provider, category=category, price=300_000
    )
    desk = factory.user(role=Role.PROVIDER, provider=provider)
    return SimpleNamespace(
        now=now, course_id=course.id, slug=course.slug, provider=provider, desk=desk
    )


def _review(client, order_id, **data):
    return client.post(f"/account/orders/{order_id}/review", data=data)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Review.id)))


# --- the participant ------------------------------------------------------------------------


def test_the_order_page_asks_to_rate_and_the_review_is_published(app, factory, world):
    siti = _buyer(app, factory, world, "Siti Rahayu")
    order_page = _text(siti.client.get(f"/account/orders/{siti.order_id}"))
    assert "Rate this course" in order_page
    assert f"/account/orders/{siti.order_id}/review" in order_page
    form = siti.client.get(f"/account/orders/{siti.order_id}/review")
    assert form.status_code == 200 and 'name="stars"' in _text(form)
    done = _review(siti.client, siti.order_id, stars="4", text=TEXT)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/account/orders/{siti.order_id}")
    order_page = _text(siti.client.get(f"/account/orders/{siti.order_id}"))
    assert "Rate this course</a>" not in order_page and "Your review of this course" in order_page
    again = _review(siti.client, siti.order_id, stars="1", text=TEXT)
    assert again.status_code == 409 and "already reviewed" in _text(again)
    with app.app_context():
        assert _count() == 1
        course = db.session.get(Course, world.course_id)
        assert (course.rating_avg, course.rating_count) == (4.0, 1)


def test_an_order_not_completed_is_not_asked_for_a_review(app, factory, world):
    buyer = _buyer(app, factory, world, "Agus Setiawan", completed=False)
    assert "Rate this course" not in _text(buyer.client.get(f"/account/orders/{buyer.order_id}"))
    page = buyer.client.get(f"/account/orders/{buyer.order_id}/review")
    assert page.status_code == 200 and 'name="stars"' not in _text(page)
    refused = _review(buyer.client, buyer.order_id, stars="5", text=TEXT)
    assert refused.status_code == 409 and "once you have completed it" in _text(refused)
    with app.app_context():
        assert _count() == 0


def test_another_participants_order_is_not_found(app, factory, world, login):
    siti = _buyer(app, factory, world, "Siti Rahayu")
    agus = _buyer(app, factory, world, "Agus Setiawan")
    assert agus.client.get(f"/account/orders/{siti.order_id}/review").status_code == 404
    assert _review(agus.client, siti.order_id, stars="5", text=TEXT).status_code == 404
    assert siti.client.get("/account/orders/999999/review").status_code == 404
    no_profile = login(Role.PARTICIPANT)
    assert no_profile.get(f"/account/orders/{siti.order_id}/review").status_code == 404
    assert (
        login(Role.PROVIDER, provider=world.provider)
        .get(f"/account/orders/{siti.order_id}/review")
        .status_code
        == 403
    )
    with app.app_context():
        assert _count() == 0


@pytest.mark.parametrize(
    ("data", "english", "indonesian"),
    [
        ({"stars": "0", "text": TEXT}, "Choose from 1 to 5 stars", "Pilih 1 sampai 5 bintang"),
        ({"stars": "6", "text": TEXT}, "Choose from 1 to 5 stars", "Pilih 1 sampai 5 bintang"),
        ({"stars": "x", "text": TEXT}, "Choose from 1 to 5 stars", "Pilih 1 sampai 5 bintang"),
        ({"text": TEXT}, "Choose from 1 to 5 stars", "Pilih 1 sampai 5 bintang"),
        ({"stars": "5", "text": "Bagus."}, "at least 20 characters", "paling sedikit 20 karakter"),
        ({"stars": "5", "text": "  "}, "Write your review", "Tulis pendapat Anda"),
        ({"stars": "5", "text": "a" * 2001}, "at most 2000 characters", "paling banyak 2000"),
    ],
)
def test_bad_input_is_a_400_in_the_pages_language(app, factory, world, data, english, indonesian):
    buyer = _buyer(app, factory, world, "Siti Rahayu")
    for lang, message in (("en", english), ("id", indonesian)):
        buyer.client.set_cookie("lang", lang)
        refused = _review(buyer.client, buyer.order_id, **data)
        assert refused.status_code == 400
        page = _text(refused)
        assert message in page and 'class="error-summary"' in page
        assert TEXT in page if data.get("text") == TEXT else True  # what was typed stays
    with app.app_context():
        assert _count() == 0


def test_control_characters_are_a_400(app, factory, world):
    buyer = _buyer(app, factory, world, "Siti Rahayu")
    refused = _review(buyer.client, buyer.order_id, stars="5", text=TEXT + "\x1b[31m")
    assert refused.status_code == 400
    with app.app_context():
        assert _count() == 0


# --- the course page and the catalogue ------------------------------------------------------


def test_the_course_page_shows_bars_and_first_names_only(app, factory, world):
    for name, stars in (("Siti Rahayu", "5"), ("Agus Budi Setiawan", "3")):
        buyer = _buyer(app, factory, world, name)
        assert _review(buyer.client, buyer.order_id, stars=stars, text=TEXT).status_code == 302
    client = app.test_client()
    client.set_cookie("lang", "en")
    page = _text(client.get(f"/courses/{world.slug}"))
    assert "Siti" in page and "Agus" in page
    assert "Rahayu" not in page and "Setiawan" not in page
    assert page.index("Agus") < page.index("Siti")  # newest first
    assert 'class="rating-bars"' in page
    bars = page[page.index('class="rating-bars"') :]
    bars = bars[: bars.index("</table>")]
    # Each star's count is written out, not only drawn.
    assert re.search(r"5 stars</th>.*?1 review</td>", bars, re.S)
    assert re.search(r"4 stars</th>.*?0 reviews</td>", bars, re.S)
    assert "4,0" in page or "4.0" in page  # the average of 5 and 3
    client.set_cookie("lang", "id")
    assert "5 bintang" in _text(client.get(f"/courses/{world.slug}"))


def test_the_course_pages_reviews_are_paginated(app, factory, world):
    for index in range(12):
        buyer = _buyer(app, factory, world, f"Peserta{index} Nama")
        _review(buyer.client, buyer.order_id, stars="5", text=TEXT)
    client = app.test_client()
    first = _text(client.get(f"/courses/{world.slug}"))
    assert "Peserta11" in first and "Peserta1 " not in first and "reviews_page=2" in first
    second = client.get(f"/courses/{world.slug}?reviews_page=2")
    assert second.status_code == 200 and "Peserta1 " not in _text(second)
    assert "Peserta0" in _text(second) and "Peserta11" not in _text(second)
    assert client.get(f"/courses/{world.slug}?reviews_page=3").status_code == 404
    for bad in ("0", "x", "99999999999"):
        assert client.get(f"/courses/{world.slug}?reviews_page={bad}").status_code == 400


def test_the_catalogue_list_shows_the_new_average_at_once(app, factory, world):
    visitor = app.test_client()
    before = _text(visitor.get("/courses?q=excel"))
    assert "No ratings yet" in before or "Belum ada penilaian" in before
    assert _text(visitor.get("/courses?q=excel")) == before  # kept for the visitor
    buyer = _buyer(app, factory, world, "Siti Rahayu")
    assert _review(buyer.client, buyer.order_id, stars="4", text=TEXT).status_code == 302
    after = _text(visitor.get("/courses?q=excel"))
    assert after != before and "4,0" in after


# --- the provider ---------------------------------------------------------------------------


def test_the_provider_replies_once_to_reviews_of_its_own_courses(app, factory, world):
    siti = _buyer(app, factory, world, "Siti Rahayu")
    _review(siti.client, siti.order_id, stars="5", text=TEXT)
    with app.app_context():
        review_id = db.session.scalar(sa.select(Review.id))
    desk = _sign_in(app, world.desk.email)
    listed = _text(desk.get("/provider/reviews"))
    assert TEXT in listed and f"/provider/reviews/{review_id}/reply" in listed
    assert "Rahayu" not in listed  # first names only, as on the course page
    empty = desk.post(f"/provider/reviews/{review_id}/reply", data={"reply": "  "})
    assert empty.status_code == 400 and "Write your reply" in _text(empty)
    done = desk.post(f"/provider/reviews/{review_id}/reply", data={"reply": "Terima kasih, Siti!"})
    assert done.status_code == 302
    again = desk.post(f"/provider/reviews/{review_id}/reply", data={"reply": "Sekali lagi"})
    assert again.status_code == 409 and "already has a reply" in _text(again)
    assert f"/provider/reviews/{review_id}/reply" not in _text(desk.get("/provider/reviews"))
    course_page = _text(app.test_client().get(f"/courses/{world.slug}"))
    assert "Terima kasih, Siti!" in course_page and "Sekali lagi" not in course_page
    # Another provider's staff: not found, and its own list is empty.
    other = factory.user(role=Role.PROVIDER, provider=factory.provider())
    stranger = _sign_in(app, other.email)
    assert TEXT not in _text(stranger.get("/provider/reviews"))
    assert (
        stranger.post(f"/provider/reviews/{review_id}/reply", data={"reply": "Halo"}).status_code
        == 404
    )
    with app.app_context():
        assert db.session.get(Review, review_id).reply == "Terima kasih, Siti!"


# --- the office -----------------------------------------------------------------------------


def test_the_office_hides_with_a_reason_and_shows_again(app, factory, world):
    for name, stars in (("Siti Rahayu", "5"), ("Agus Setiawan", "1")):
        buyer = _buyer(app, factory, world, name)
        _review(buyer.client, buyer.order_id, stars=stars, text=TEXT + " " + name)
    with app.app_context():
        abusive = db.session.scalar(sa.select(Review.id).where(Review.stars == 1))
    office = _sign_in(app, factory.user(role=Role.ADMIN).email)
    assert f"/admin/reviews/{abusive}" in _text(office.get("/admin/reviews"))
    assert office.get(f"/admin/reviews/{abusive}").status_code == 200
    no_reason = office.post(f"/admin/reviews/{abusive}/hide", data={"reason": ""})
    assert no_reason.status_code == 400 and "Write why the review is hidden" in _text(no_reason)
    hidden = office.post(f"/admin/reviews/{abusive}/hide", data={"reason": "Berisi hinaan"})
    assert hidden.status_code == 302
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        assert (course.rating_avg, course.rating_count) == (5.0, 1)
    page = _text(app.test_client().get(f"/courses/{world.slug}"))
    assert "Agus" not in page and "Siti" in page
    listed_hidden = _text(office.get("/admin/reviews?state=hidden"))
    assert f"/admin/reviews/{abusive}" in listed_hidden
    assert f"/admin/reviews/{abusive}" not in _text(office.get("/admin/reviews?state=shown"))
    assert office.get("/admin/reviews?state=nonsense").status_code == 400
    assert "Berisi hinaan" in _text(office.get(f"/admin/reviews/{abusive}"))
    assert office.post(f"/admin/reviews/{abusive}/unhide").status_code == 302
    again = office.post(f"/admin/reviews/{abusive}/unhide")
    assert again.status_code == 409
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        assert (course.rating_avg, course.rating_count) == (3.0, 2)
    assert "Agus" in _text(app.test_client().get(f"/courses/{world.slug}"))
    assert office.get("/admin/reviews/999999").status_code == 404
    desk = _sign_in(app, world.desk.email)
    assert desk.get("/admin/reviews").status_code == 403
    assert desk.post(f"/admin/reviews/{abusive}/hide", data={"reason": "x"}).status_code == 403
