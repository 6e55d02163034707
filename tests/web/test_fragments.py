"""Kept page parts never change what a page shows.

Every GET page each role can reach (app.url_map walked, path variables filled from the seeded
demo), in both languages, is drawn with kept parts off, then twice with them on (the second
time from what the first kept), and all three must be the same page. The CSRF token, different
on every draw, is the only thing masked.
"""

import re

import pytest
from support import demo_world
from support.demo_world import signed_in
from web.test_page_language import _pages

from marketplace.web.fragments import EXTENSION

CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")')


def _client(app, role: str):
    if role == "anonymous":
        return app.test_client()
    return signed_in(app, demo_world.DEMO_ACCOUNTS[role])


def _page(client, path: str) -> tuple[int, str]:
    response = client.get(path)
    if response.mimetype != "text/html":
        # A signed document (a certificate's status list) is made afresh, with the time it
        # was signed, on every request: no kept part draws it; only its answer is compared.
        return response.status_code, response.mimetype
    return response.status_code, CSRF.sub(r"\1…\2", response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["anonymous", "participant", "provider", "admin"])
def test_pages_are_the_same_with_and_without_kept_parts(demo, role):
    client = _client(demo, role)
    parts = demo.extensions[EXTENSION]
    pages = _pages(demo, demo_world.world(demo)) + [
        "/courses?q=excel&sort=price_asc",
        "/courses?category=teknologi-informasi&method=self_paced",
        "/courses?min_price=100000&max_price=500000",
        "/courses/no-such-course",
    ]
    client.get("/")  # shows (and so clears) the message signing in leaves
    compared, different = 0, []
    for language in ("id", "en"):
        client.set_cookie("lang", language)
        for path in pages:
            parts.keep = False
            fresh = _page(client, path)
            if 300 <= fresh[0] < 400:
                client.get("/")  # shows (and so clears) the message a redirect may leave
                continue
            parts.keep = True
            first, second = _page(client, path), _page(client, path)
            if not fresh == first == second:
                different.append(f"{role}/{language} {path}")
            compared += 1
    assert compared > 30
    assert not different, "\n".join(different)


def test_every_kind_of_part_was_kept(demo):
    client = demo.test_client()
    client.get("/courses")
    parts = demo.extensions[EXTENSION]
    assert {"page", "course_cards"} <= set(parts.stores)
    course_page = next(
        path
        for path in _pages(demo, demo_world.world(demo))
        if path.startswith("/courses/") and path.count("/") == 2
    )
    assert client.get(course_page).status_code == 200
    assert {"course-pages", "course-whole-pages"} <= set(parts.stores)
    assert len(parts.stores["page"].parts) >= 3  # the head, the search box, the footer
