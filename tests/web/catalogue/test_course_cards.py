"""Rendered course cards and filter lists are kept, and never shown stale.

A card is kept under the whole result row it was drawn from, read from the database on every
request; so any change a card shows (a course edited, rated, a provider renamed) shows at
once, in every worker (here: a second app on the same database stands for a second worker).
"""

import re

import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.catalogue import listing
from marketplace.catalogue.models import Category, Course, Provider
from marketplace.extensions import db
from marketplace.web.fragments import RenderedParts, rendered_parts


@pytest.fixture
def course(factory):
    category = factory.category("Teknologi Informasi", "Information Technology")
    provider = factory.provider("LPK Cahaya Mandiri")
    return factory.course(
        "Microsoft Excel untuk Kantor",
        provider=provider,
        category=category,
        price=300_000,
        rating_avg=4.8,
        rating_count=120,
        hours=12,
    )


def _card(client, lang: str = "id") -> str:
    client.set_cookie("lang", lang)
    html = client.get("/courses").get_data(as_text=True)
    cards = re.findall(r'<li class="course-card">.*?</li>', html, re.S)
    assert len(cards) == 1
    return cards[0]


def _update(app, model, row_id: int, **values) -> None:
    """A change committed by someone else (another worker, the office, a purchase)."""
    with app.app_context():
        db.session.execute(sa.update(model).where(model.id == row_id).values(**values))
        db.session.commit()


def test_a_card_shows_the_course_in_the_page_language(client, course):
    indonesian, english = _card(client, "id"), _card(client, "en")
    assert "Microsoft Excel untuk Kantor" in indonesian
    assert f'href="/courses/{course.slug}"' in indonesian
    assert "Rp300.000" in indonesian and "Rp300.000" in english
    assert "4,8" in indonesian and "(120 penilaian)" in indonesian
    assert "4.8" in english and "(120 ratings)" in english
    assert "12 jam" in indonesian and "12 hours" in english
    assert "Teknologi Informasi" in indonesian and "Information Technology" in english
    assert _card(client, "id") == indonesian  # the kept card, the same markup


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"rating_avg": 3.1, "rating_count": 121}, "(121 penilaian)"),
        ({"rating_avg": 0, "rating_count": 0}, "Belum ada penilaian"),
        ({"price": 450_000}, "Rp450.000"),
        ({"title": "Excel Lanjutan"}, "Excel Lanjutan"),
        ({"hours": 20}, "20 jam"),
    ],
)
def test_a_changed_course_shows_at_once_in_every_worker(app, client, course, change, shown):
    other_worker = create_app({**app.config})
    other_client = other_worker.test_client()
    before = _card(client), _card(other_client)  # both workers keep the card
    assert shown not in before[0] and before[0] == before[1]
    _update(app, Course, course.id, **change)
    assert shown in _card(client)
    assert shown in _card(other_client)


def test_a_renamed_provider_or_category_shows_at_once(app, client, course):
    _card(client)
    _update(app, Provider, course.provider_id, name="LPK Cahaya Baru")
    _update(app, Category, course.category_id, name_en="IT and Software")
    assert "LPK Cahaya Baru" in _card(client)
    assert "IT and Software" in _card(client, "en")


def test_seats_taken_keep_the_card_right(app, client, course):
    card = _card(client)
    _update(app, Course, course.id, enrolment_count=course.enrolment_count + 1)
    assert _card(client) == card  # the card does not show seats; it is drawn again all the same


def test_the_store_drops_the_least_recently_shown_card():
    store = RenderedParts(size=2)
    store.put("a", "A")
    store.put("b", "B")
    assert store.get("a") == "A"  # "a" shown again: "b" is now the oldest
    store.put("c", "C")
    assert store.get("b") is None and store.get("a") == "A" and store.get("c") == "C"


def test_cards_are_kept_per_app(app, client, course):
    _card(client, "id")
    _card(client, "en")
    with app.app_context():
        kept = rendered_parts("course_cards").parts
        assert {key[0] for key in kept} == {"id", "en"}


def test_filter_lists_follow_the_reference_data(app, client, factory, course):
    html = client.get("/courses?category=teknologi-informasi").get_data(as_text=True)
    assert '<option value="teknologi-informasi" selected>Teknologi Informasi</option>' in html
    html = client.get("/courses").get_data(as_text=True)
    assert '<option value="teknologi-informasi">Teknologi Informasi</option>' in html
    factory.category("Desain Grafis", "Graphic Design")  # and the choices are read again
    listing.forget_filter_options()
    html = client.get("/courses").get_data(as_text=True)
    assert '<option value="desain-grafis">Desain Grafis</option>' in html
