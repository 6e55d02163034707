"""The site on a small Android phone (360×740): nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

NO_SIDEWAYS_SCROLL = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5)
        .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')),
})"""


@pytest.mark.browser
def test_no_horizontal_scroll_on_a_phone(phone_page, shelf, tmp_path):
    page = phone_page
    pages = {
        "home": ("/", 200),
        "catalogue": ("/courses", 200),
        "search": ("/courses?q=excel", 200),
        "webinar": (f"/courses/{shelf.webinar.slug}", 200),
        "offline": (f"/courses/{shelf.offline.slug}", 200),
        "login": ("/login", 200),
        "not-found": ("/courses/tidak-ada-pelatihan-ini", 404),
        "bad-input": ("/courses?page=abc", 400),
    }
    overflowing = {}
    for name, (path, status) in pages.items():
        response = page.goto(path)
        assert response.status == status, path
        expect(page.locator("h1")).to_be_visible()
        measured = page.evaluate(NO_SIDEWAYS_SCROLL)
        assert measured["innerWidth"] == 360
        if measured["scrollWidth"] > measured["innerWidth"]:
            overflowing[path] = measured
        page.screenshot(path=tmp_path / f"{name}.png", full_page=True)
    assert overflowing == {}
    # The catalogue's screenshot is a real picture (kept only in pytest's tmp dir).
    shot = tmp_path / "catalogue.png"
    assert shot.stat().st_size > 1_000
    assert shot.read_bytes().startswith(b"\x89PNG")
