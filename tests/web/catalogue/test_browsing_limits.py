"""Browsing the catalogue carries no rate limit, and the limiter is told so up front, unless
the site sets a limit for every page."""

from pathlib import Path

import pytest

from marketplace.extensions import limiter
from marketplace.web.catalogue import views

CATALOGUE_WEB = Path(views.__file__).parent
THROTTLED = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def test_no_catalogue_view_carries_a_rate_limit():
    # `browsing_is_unlimited` exempts the whole blueprint: a limit put on one of its views
    # (or on the blueprint) would never count, so the limiter is used there for that only.
    uses = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(CATALOGUE_WEB.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "limiter" in line
        and line.strip()
        not in ("from marketplace.extensions import limiter", "@limiter.request_filter")
    ]
    assert uses == []


def test_the_limiter_asks_the_filter():
    # Flask-Limiter keeps its request filters in a list of its own (no public reader).
    assert views.browsing_is_unlimited in limiter._request_filters


@pytest.mark.parametrize(
    ("path", "unlimited"),
    [
        ("/courses", True),
        ("/courses?q=excel&page=2", True),
        ("/courses/some-course", True),
        ("/login", False),
        ("/register", False),
        ("/certificates/verify", False),
        ("/no-such-page", False),
    ],
)
def test_only_catalogue_pages_skip_the_limiter(app, path, unlimited):
    with app.test_request_context(path):
        assert views.browsing_is_unlimited() is unlimited


@pytest.mark.parametrize("app_config", [THROTTLED], ids=["throttled"])
def test_the_sign_in_form_is_still_limited_beside_unlimited_browsing(client):
    for _ in range(30):
        assert client.get("/courses").status_code == 200
    answers = [
        client.post("/login", data={"email": "a@example.com", "password": "x"}).status_code
        for _ in range(12)
    ]
    assert 429 in answers


@pytest.fixture
def site_wide_limit():
    yield
    # The limiter is one object for every app: leave no default limit to the next test.
    limiter.limit_manager.set_default_limits([])


@pytest.mark.parametrize(
    "app_config", [{**THROTTLED, "RATELIMIT_DEFAULT": "3 per minute"}], ids=["site-wide"]
)
def test_a_limit_for_every_page_covers_the_catalogue_too(app, client, site_wide_limit):
    with app.test_request_context("/courses"):
        assert views.browsing_is_unlimited() is False
    answers = [client.get("/courses").status_code for _ in range(5)]
    assert answers[:3] == [200, 200, 200] and answers[3:] == [429, 429]
