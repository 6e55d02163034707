"""What providers write is Indonesian in both languages of the site: in the English UI every
course title, summary, description, module and place sits inside an element with
lang="id" (WCAG 3.1.2, language of parts), and the site's own English words do not."""

from datetime import timedelta

import pytest
from support.checkout_rows import buy
from support.factories import PASSWORD
from support.html_page import HtmlPage

from marketplace.catalogue.models import Method
from marketplace.core.base import utcnow
from marketplace.extensions import db

TITLE = "Dasar Pembukuan Usaha Mikro"
SUMMARY = "Belajar mencatat arus kas warung sendiri"
FIRST = "Paragraf pertama tentang buku kas harian."
SECOND = "Paragraf kedua tentang laporan laba rugi."
OUTCOME = "Menyusun laporan keuangan sederhana"


@pytest.fixture
def course(factory):
    provider = factory.provider("LPK Sinar Harapan")
    course = factory.course(
        TITLE,
        provider=provider,
        summary=SUMMARY,
        description=f"{FIRST}\n\n{SECOND}",
        outcomes=OUTCOME,
        method=Method.WEBINAR,
        sessions=1,
    )
    factory.course("Membuat Laporan Pajak UMKM", provider=provider)
    return course


@pytest.mark.parametrize("language", ["en", "id"])
def test_course_titles_in_the_catalogue_are_marked_indonesian(client, course, language):
    client.set_cookie("lang", language)
    page = HtmlPage(client.get("/courses").get_data(as_text=True))
    assert page.lang == language
    # (Provider names are proper names, in the filter's list too; the titles are words.)
    for text in (TITLE, "Membuat Laporan Pajak UMKM"):
        assert page.languages_of(text) == {"id"}, text
    assert page.languages_of("Course catalogue" if language == "en" else "Katalog pelatihan") == {
        language
    }


def test_the_course_page_marks_what_the_provider_wrote(client, course):
    client.set_cookie("lang", "en")
    page = HtmlPage(client.get(f"/courses/{course.slug}").get_data(as_text=True))
    assert page.lang == "en"
    for text in (
        TITLE,
        SUMMARY,
        FIRST,
        SECOND,
        OUTCOME,
        "Modul 1",
        "Zoom Meeting",
        "LPK Sinar Harapan",
        "Membuat Laporan Pajak UMKM",
    ):
        assert page.languages_of(text) == {"id"}, text
    # The site's own words stay in the page's language.
    for text in ("About this course", "Modules", "Buy with Kartu Prakerja", "Training provider"):
        assert page.languages_of(text) == {"en"}, text


def test_the_order_page_marks_the_course_title(app, factory, shop):
    holder = factory.card_holder(utcnow() - timedelta(days=2))
    holder_id, email = holder.id, holder.user.email
    with app.app_context():
        order = buy(shop, shop.self_paced, who=holder_id)
        order_id, title = order.id, order.course.title
        db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    page = HtmlPage(client.get(f"/account/orders/{order_id}").get_data(as_text=True))
    assert page.lang == "en"
    assert (title, "id", "span") in page.texts  # inside the heading's sentence
    assert (title, "id", "a") in page.texts  # the summary's link to the course
    assert page.languages_of(title) == {"id"}  # everywhere, the next steps' sentences too
    assert page.languages_of("You have bought") == {"en"}
    home = HtmlPage(client.get("/account").get_data(as_text=True))
    assert home.languages_of(title) == {"id"}  # the next step names the course too
