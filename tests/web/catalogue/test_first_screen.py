"""A phone's first screen: the header's search box only where it helps, the course page's
price and buy button before its description, the catalogue's Filter link before its
results."""

import re

import pytest
from support.html_page import HtmlPage

from marketplace.catalogue.models import Method


def _page(client, path: str, status: int = 200) -> HtmlPage:
    response = client.get(path)
    assert response.status_code == status, path
    return HtmlPage(response.get_data(as_text=True))


def _has_header_search(page: HtmlPage) -> bool:
    return page.index_of("input", id="header-q") >= 0


def test_the_header_search_is_on_course_and_error_pages_only(client, factory, participant_client):
    course = factory.course("Desain Logo untuk UMKM")
    assert _has_header_search(_page(client, f"/courses/{course.slug}"))
    assert _has_header_search(_page(client, "/courses/tidak-ada", 404))
    assert _has_header_search(_page(client, "/no-such-page", 404))
    # Pages with a bigger search of their own, and forms.
    assert not _has_header_search(_page(client, "/courses"))
    assert not _has_header_search(_page(client, "/courses?q=logo"))
    assert not _has_header_search(_page(client, "/"))
    assert not _has_header_search(_page(client, "/login"))
    # Checkout and the account.
    assert not _has_header_search(_page(participant_client, "/account"))
    checkout = participant_client.get(f"/checkout/{course.slug}")
    assert checkout.status_code < 500
    assert "header-q" not in checkout.get_data(as_text=True)


@pytest.mark.parametrize("method", [Method.SELF_PACED, Method.WEBINAR])
def test_price_and_buy_button_come_before_the_description(client, factory, method):
    course = factory.course("Fotografi Produk", method=method, sessions=1)
    page = _page(client, f"/courses/{course.slug}")
    price = page.index_of("p", class_="buy-box__price")
    buy = page.index_of("a", class_="button--buy")
    title = page.index_of("h1")
    summary = page.index_of("p", class_="course__summary")
    description = page.index_of("section", class_="course__section")
    assert -1 < title < price < buy < summary < description


def test_the_filter_link_comes_before_the_results_and_counts_the_filters(client, factory):
    category = factory.category("Kuliner", "Culinary")
    for number in range(3):
        factory.course(f"Membuat Roti {number}", category=category, price=300_000)
    page = _page(client, "/courses")
    filter_link = page.index_of("a", href="#filters")
    assert -1 < filter_link < page.index_of("h2", id="results-title")
    assert filter_link < page.index_of("li", class_="course-card")
    assert page.index_of("form", id="filters") > -1

    client.set_cookie("lang", "en")
    html = client.get("/courses?category=kuliner&min_price=100000&q=roti").get_data(as_text=True)
    page = HtmlPage(html)
    assert -1 < page.index_of("a", href="#filters") < page.index_of("li", class_="course-card")
    # Two filters (the search words are not one), the count said in words to screen readers.
    shown = re.sub(r"<[^>]+>", "", html[html.index('href="#filters">') :].split("</a>")[0])
    assert shown == 'href="#filters">Filter (2 filters chosen)'

    # With no results and with errors, the filters are still one jump away.
    empty = _page(client, "/courses?category=kuliner&max_price=1000")
    assert empty.index_of("a", href="#filters") > -1
    assert _page(client, "/courses?min_price=x", 400).index_of("a", href="#filters") > -1
