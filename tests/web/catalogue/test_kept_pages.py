"""Kept catalogue pages and filter forms (web/catalogue/pages.py) are never shown stale or to
the wrong person.

A whole page is kept only for a visitor who is not signed in and has nothing in a session,
under the language, the path and query string, and the result rows it shows (a course page:
the course's content as kept under the catalogue's revision); a second app on the same
database stands for a second worker.
"""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import session, template_rendered

from marketplace import create_app
from marketplace.catalogue import listing, search
from marketplace.catalogue.models import Course, CourseStatus
from marketplace.extensions import db
from marketplace.people.models import Role
from marketplace.web.catalogue import pages
from marketplace.web.fragments import rendered_parts


@pytest.fixture
def courses(factory):
    category = factory.category("Teknologi Informasi", "Information Technology")
    provider = factory.provider("LPK Cahaya Mandiri")
    return [
        factory.course(title, provider=provider, category=category, price=price)
        for title, price in (("Microsoft Excel untuk Kantor", 300_000), ("Excel Lanjutan", 450_000))
    ]


class Drawn:
    """Counts the templates an app renders."""

    def __init__(self, app):
        self.count = 0
        template_rendered.connect(self._seen, app)

    def _seen(self, *_args, **_extra):
        self.count += 1


def _update(app, course_id: int, **values) -> None:
    """A change committed by someone else (the office, a provider, a purchase)."""
    with app.app_context():
        db.session.execute(sa.update(Course).where(Course.id == course_id).values(**values))
        db.session.commit()


def _html(client, path: str = "/courses?q=excel") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_visitor_gets_the_kept_page(app, client, courses):
    drawn = Drawn(app)
    first = _html(client)
    assert drawn.count == 1
    assert _html(client) == first and drawn.count == 1  # kept: nothing drawn again
    assert "Excel Lanjutan" in first


def test_a_changed_or_withdrawn_course_shows_at_once_in_every_worker(app, client, courses):
    other_worker = create_app({**app.config}).test_client()
    assert _html(client) == _html(other_worker)  # both keep the page
    _update(app, courses[1].id, title="Excel Tingkat Mahir", price=500_000)
    for worker in (client, other_worker):
        page = _html(worker)
        assert "Excel Tingkat Mahir" in page and "Rp500.000" in page
        assert "Excel Lanjutan" not in page
    _update(app, courses[1].id, status=CourseStatus.ARCHIVED)
    with app.app_context():  # what taking a course off the catalogue does to the search index
        search.index_courses([courses[1].id])
        db.session.commit()
    for worker in (client, other_worker):
        assert "Excel Tingkat Mahir" not in _html(worker)


def test_each_language_and_query_has_its_own_page(client, courses):
    client.set_cookie("lang", "id")
    indonesian = _html(client)
    client.set_cookie("lang", "en")
    english = _html(client)
    assert 'lang="id"' in indonesian and 'lang="en"' in english
    cheap = _html(client, "/courses?q=excel&max_price=400000")
    assert "Excel Lanjutan" not in cheap and 'value="400000"' in cheap
    assert "Excel Lanjutan" in _html(client, "/courses?q=excel")


def test_a_signed_in_user_never_gets_a_kept_page(app, client, login, courses):
    drawn = Drawn(app)
    _html(client)
    participant = login(Role.PARTICIPANT)
    page = _html(participant)
    assert drawn.count == 2  # drawn for them, not the visitor's page
    assert "Keluar" in page and 'href="/login' not in page
    _html(participant)
    assert drawn.count == 3  # and their page is not kept either
    assert 'href="/login' in _html(client)  # the visitor's page still is


def test_a_waiting_message_is_shown_on_a_kept_page(app, client, courses):
    _html(client)  # kept
    client.get("/account")  # needs signing in: redirects with a message
    page = _html(client)
    assert "Masuk untuk melihat halaman ini" in page


def test_new_reference_data_draws_the_page_and_form_again(app, client, factory, courses):
    page = _html(client, "/courses")
    assert "Desain Grafis" not in page
    factory.category("Desain Grafis", "Graphic Design")
    listing.forget_filter_options()  # the reference data is read again (every minute)
    assert '<option value="desain-grafis">Desain Grafis</option>' in _html(client, "/courses")


def test_the_filter_form_shows_what_was_typed(app, login, courses):
    participant = login(Role.PARTICIPANT)  # signed in: the page is drawn, the form may be kept
    first = _html(participant, "/courses?q=excel&min_price=100000")
    second = _html(participant, "/courses?q=kantor&min_price=200000")
    assert 'id="q" name="q" type="search" maxlength="200" value="excel"' in first
    assert 'id="q" name="q" type="search" maxlength="200" value="kantor"' in second
    assert 'value="100000"' in first and 'value="200000"' in second
    wrong = _html_any(participant, "/courses?q=excel&min_price=abc")
    assert 'value="abc"' in wrong and "form-group--error" in wrong


def _html_any(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


# --- course pages: kept whole for a visitor, around the content kept under the revision -------


def _course_path(app, course) -> str:
    with app.app_context():
        return f"/courses/{db.session.get(Course, course.id).slug}"


def _sign_in_leads_back_to(page: str) -> str:
    """Where the sign-in link of the page's menu brings the visitor back to."""
    menu = page.split('<nav class="site-nav"')[1].split("</nav>")[0]
    (link,) = re.findall(r'href="(/login\?[^"]*)"', menu)
    return parse_qs(urlsplit(html.unescape(link)).query)["next"][0]


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def test_a_visitor_gets_the_kept_course_page(app, client, courses):
    path = _course_path(app, courses[0])
    drawn = Drawn(app)
    first = _html(client, path)
    assert drawn.count == 2  # the page and its content
    assert _html(client, path) == first and drawn.count == 2  # kept: nothing drawn again
    assert _title(first).startswith("Microsoft Excel untuk Kantor")
    assert _sign_in_leads_back_to(first) == path


def test_a_changed_course_page_shows_at_once_in_every_worker(app, client, courses):
    path = _course_path(app, courses[0])
    other_worker = create_app({**app.config}).test_client()
    assert _html(client, path) == _html(other_worker, path)  # both keep the page
    _update(app, courses[0].id, title="Excel Kantor Modern", price=350_000)
    for worker in (client, other_worker):
        page = _html(worker, path)
        assert _title(page).startswith("Excel Kantor Modern") and "Rp350.000" in page
        assert "Rp300.000" not in page


def test_each_course_page_path_and_language_has_its_own_page(app, client, courses):
    first, second = (_course_path(app, course) for course in courses)
    assert _title(_html(client, first)).startswith("Microsoft Excel untuk Kantor")
    assert _title(_html(client, second)).startswith("Excel Lanjutan")
    client.set_cookie("lang", "en")
    english = _html(client, first)
    assert 'lang="en"' in english and "Sign in" in english
    asked = first + "?reviews_page=1"
    assert _sign_in_leads_back_to(_html(client, asked)) == asked
    assert _sign_in_leads_back_to(_html(client, first)) == first


def test_a_signed_in_user_never_gets_the_visitors_course_page(app, client, login, courses):
    path = _course_path(app, courses[0])
    drawn = Drawn(app)
    _html(client, path)
    participant = login(Role.PARTICIPANT)
    page = _html(participant, path)
    assert "Keluar" in page and 'href="/login' not in page
    seen = drawn.count
    _html(participant, path)
    assert drawn.count == seen + 1  # their page is drawn around the kept content every time
    assert _sign_in_leads_back_to(_html(client, path)) == path  # the visitor's is still theirs


def test_a_waiting_message_is_shown_on_a_kept_course_page(app, client, courses):
    path = _course_path(app, courses[0])
    _html(client, path)  # kept
    client.get("/account")  # needs signing in: redirects with a message
    assert "Masuk untuk melihat halaman ini" in _html(client, path)
    assert "Masuk untuk melihat halaman ini" not in _html(client, path)  # shown once


def test_every_kept_result_page_can_have_its_page_and_form_kept_too():
    # A result page kept without its rendered page is drawn again on every request: the
    # stores of pages and forms hold as many as the results' store (listing.RESULTS_KEPT).
    assert pages.PAGES_KEPT >= listing.RESULTS_KEPT
    assert pages.FORMS_KEPT >= listing.RESULTS_KEPT


def test_kept_pages_outlive_the_minutes_read_of_unchanged_reference_data(
    app, client, monkeypatch, factory, courses
):
    monkeypatch.setattr(listing, "OPTIONS_TTL_SECONDS", 0.0)  # read again on every request
    drawn = Drawn(app)
    first = _html(client)
    assert _html(client) == first and drawn.count == 1  # the same set: the page kept with it
    factory.category("Desain Grafis", "Graphic Design")
    assert "Desain Grafis" in _html(client) and drawn.count == 2  # a new set: drawn again


def test_a_page_asked_with_other_parameters_is_answered_but_not_kept(app, client, courses):
    course_path = _course_path(app, courses[0])
    drawn = Drawn(app)
    for path in (
        "/courses?q=excel&utm_source=wa",
        "/courses?q=excel&q=kantor",
        course_path + "?fbclid=abc",
        course_path + "?reviews_page=1&reviews_page=1",
    ):
        seen = drawn.count
        first = _html(client, path)
        assert _html(client, path) == first
        assert drawn.count >= seen + 2, path  # drawn for each request: nothing kept
    with app.app_context():
        assert not rendered_parts("course-whole-pages").parts


def test_a_page_that_wrote_to_the_session_while_drawn_is_not_kept(app, courses):
    # A page whose drawing puts something in the session (a CSRF token, a message) belongs to
    # that visitor: the next visitor gets a page drawn for them.
    def write_session(*_args, template, **_extra):
        if template.name == "base.html" or template.name.startswith("catalogue/"):
            session["drawn_for"] = "the first visitor"

    drawn = Drawn(app)
    template_rendered.connect(write_session, app)
    try:
        for _ in range(2):
            _html(app.test_client())
            _html(app.test_client(), _course_path(app, courses[0]))
    finally:
        template_rendered.disconnect(write_session, app)
    # The result page twice, the course page twice (its content, kept for anyone, once).
    assert drawn.count == 5


def test_pages_asked_with_the_names_they_read_are_kept(app, client, courses):
    drawn = Drawn(app)
    for path in (
        "/courses?q=excel&max_price=400000&sort=price_asc&page=1",
        _course_path(app, courses[0]) + "?reviews_page=1",
    ):
        first = _html(client, path)
        seen = drawn.count
        assert _html(client, path) == first and drawn.count == seen, path  # kept


def test_a_kept_answer_has_the_headers_of_a_drawn_one(app, client, courses):
    drawn = Drawn(app)
    for path in ("/courses?q=excel", _course_path(app, courses[0])):
        for encoding in ("identity", "gzip"):
            asked = {"Accept-Encoding": encoding}
            first = client.get(path, headers=asked)
            seen = drawn.count
            kept = client.get(path, headers=asked)
            assert drawn.count == seen  # answered from the store
            assert kept.get_data() == first.get_data()
            headers = {name: value for name, value in first.headers if name != "Date"}
            assert {name: value for name, value in kept.headers if name != "Date"} == headers
            assert "Set-Cookie" not in headers and "Cookie" in headers["Vary"]
            assert headers.get("Content-Encoding") == ("gzip" if encoding == "gzip" else None)
            head = client.head(path, headers=asked)
            assert head.headers["Content-Length"] == headers["Content-Length"]
