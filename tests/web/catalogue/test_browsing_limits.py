"""Browsing the catalogue carries no rate limit, and the limiter is told so up front."""

import re
from pathlib import Path

import pytest

from marketplace.web.catalogue import views

CATALOGUE_WEB = Path(views.__file__).parent


def test_no_catalogue_view_carries_a_rate_limit():
    # `browsing_is_unlimited` exempts the whole blueprint: a limit put on one of its views
    # would never count, so none may be there.
    decorated = [
        f"{path.name}:{number}"
        for path in sorted(CATALOGUE_WEB.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"limiter\.(limit|shared_limit|exempt)\b", line)
    ]
    assert decorated == []


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


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}],
    ids=["throttled"],
)
def test_the_sign_in_form_is_still_limited_beside_unlimited_browsing(client):
    for _ in range(30):
        assert client.get("/courses").status_code == 200
    answers = [
        client.post("/login", data={"email": "a@example.com", "password": "x"}).status_code
        for _ in range(12)
    ]
    assert 429 in answers
