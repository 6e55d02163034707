"""The sign-out page: a GET shows a button that POSTs to /logout; only the POST signs out."""

import re

import pytest
from support.factories import PASSWORD

from marketplace.people.models import Role

CSRF_ON = pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], ids=["csrf-on"])
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def text(response) -> str:
    return response.get_data(as_text=True)


def token_in(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def signed_in(client) -> bool:
    return 'action="/logout"' in text(client.get("/"))


def sign_in(client, email: str) -> None:
    token = token_in(text(client.get("/login")))
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def logout_form(html: str) -> str:
    """The sign-out form in the page's main content (not the one in the header)."""
    main = html.split("<main", 1)[1]
    found = re.search(r'<form method="post" action="/logout">.*?</form>', main, re.S)
    assert found, "no sign-out form in the page"
    return found.group(0)


@CSRF_ON
def test_get_shows_a_sign_out_button_in_indonesian(client, factory, app_config):
    sign_in(client, factory.user(role=Role.PARTICIPANT).email)
    response = client.get("/logout")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text(response)
    assert '<h1 class="page-title">Keluar</h1>' in html
    assert "Keluar akan mengakhiri sesi Anda" in html
    form = logout_form(html)
    assert 'name="csrf_token"' in form
    assert '<button type="submit" class="button">Keluar</button>' in form


@CSRF_ON
def test_get_shows_a_sign_out_button_in_english(client, factory, app_config):
    client.set_cookie("lang", "en")
    sign_in(client, factory.user(role=Role.PARTICIPANT).email)
    html = text(client.get("/logout"))
    assert '<h1 class="page-title">Sign out</h1>' in html
    assert "Signing out ends your session in this browser" in html
    form = logout_form(html)
    assert 'name="csrf_token"' in form
    assert '<button type="submit" class="button">Sign out</button>' in form


@CSRF_ON
def test_get_does_not_sign_out_and_the_button_does(client, factory, app_config):
    sign_in(client, factory.user(role=Role.PARTICIPANT).email)
    page = text(client.get("/logout"))
    assert signed_in(client)
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 400  # no token: refused, still signed in
    assert signed_in(client)
    response = client.post("/logout", data={"csrf_token": token_in(logout_form(page))})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not signed_in(client)
    assert client.get("/account").status_code == 302  # to the sign-in page


def test_post_still_signs_out(client, factory):
    email = factory.user(role=Role.PROVIDER, provider=factory.provider()).email
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
    assert client.post("/logout").status_code == 302
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("language", "heading"), [("id", "Anda sudah keluar"), ("en", "You are signed out")]
)
def test_an_anonymous_visitor_is_told_they_are_signed_out(client, language, heading):
    client.set_cookie("lang", language)
    response = client.get("/logout")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text(response)
    assert f'<h1 class="page-title">{heading}</h1>' in html
    assert 'action="/logout"' not in html
    assert 'href="/login"' in html


def test_an_anonymous_post_is_shown_that_nobody_is_signed_in(client):
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/logout")
    assert "sudah keluar" in text(client.get("/logout"))
