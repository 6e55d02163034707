"""The help and identity pages (/contact, /privacy, /accessibility, /terms, /glossary): each
answers in both languages with its heading, says what the code does, and the footer links to
all of them from every page."""

import re

import pytest
from support.demo_world import fill, path_template

from marketplace.orders import checkout
from marketplace.programme import batches, online_test

PAGES = {
    "/contact": ("Contact us", "Hubungi kami"),
    "/privacy": ("Privacy notice", "Pemberitahuan privasi"),
    "/accessibility": ("Accessibility statement", "Pernyataan aksesibilitas"),
    "/terms": ("Terms of use", "Syarat dan ketentuan"),
    "/glossary": ("Programme words", "Istilah program"),
}
FOOTER_LINKS = tuple(f'href="{path}"' for path in PAGES)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _get(client, path: str, language: str):
    client.set_cookie("lang", language)
    return client.get(path)


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') : html.index("</footer>")]


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("language", ["id", "en"])
def test_each_help_page_answers_with_its_heading(client, path, language):
    response = _get(client, path, language)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    heading = PAGES[path][0 if language == "en" else 1]
    assert f'<h1 class="page-title">{heading}</h1>' in html
    assert f"<title>{heading} · Prakerja</title>" in html
    assert f'<html lang="{language}">' in html
    # the list of help pages marks this one as the current page
    assert re.search(rf'<a href="{path}" aria-current="page">{heading}</a>', html)


@pytest.fixture
def app_config():
    return {"CONTACT_EMAIL": "aduan@contoh.go.id", "CONTACT_PHONE": "+62 21 555 0199"}


def test_contact_shows_the_configured_channel(client):
    for language in ("id", "en"):
        html = _get(client, "/contact", language).get_data(as_text=True)
        assert '<a href="mailto:aduan@contoh.go.id">aduan@contoh.go.id</a>' in html
        assert '<a href="tel:+62215550199">+62 21 555 0199</a>' in html
    text = _text(html)
    assert "Monday to Friday, 08:00 to 17:00 WIB" in text
    assert "What to put in your message" in text
    assert "within 14 working days" in text
    assert "SP4N-LAPOR!" in text and "Ombudsman" in text


def test_privacy_and_accessibility_name_the_configured_address(client):
    for path in ("/privacy", "/accessibility"):
        assert "aduan@contoh.go.id" in _get(client, path, "en").get_data(as_text=True)


def test_the_default_contact_settings(app):
    from marketplace import config

    settings = config.load(app.instance_path)
    assert "@" in settings["CONTACT_EMAIL"] and settings["CONTACT_PHONE"].startswith("+62")


def test_privacy_lists_what_is_collected_and_the_rights(client):
    text = _text(_get(client, "/privacy", "en").get_data(as_text=True))
    for collected in (
        "NIK",
        "family card (KK) number",
        "phone number",
        "email address",
        "date of birth",
        "province and city or regency",
        "education and work status",
        "your answers",
        "bank or e-wallet account",
    ):
        assert collected in text, collected
    assert "Law No. 27 of 2022 on Personal Data Protection" in text
    assert "A training provider sees only the name" in text
    assert "How long we keep it" in text and "Your rights" in text
    assert f"each family card at most {batches.KK_LIMIT}" in text


def test_accessibility_states_the_standard_and_the_time_limits(client):
    text = _text(_get(client, "/accessibility", "en").get_data(as_text=True))
    assert "(WCAG) version 2.2 at level AA" in text
    minutes = int(checkout.CODE_VALID_FOR.total_seconds() // 60)
    assert f"valid for {minutes} minutes" in text
    test_minutes = int(online_test.TIME_LIMIT.total_seconds() // 60)
    assert f"The online test lasts {test_minutes} minutes" in text
    assert "We reply within 5 working days" in text


def test_terms_show_each_scheme_from_its_row(app, client):
    with app.app_context():
        from marketplace.extensions import db

        batches.ensure_schemes()
        db.session.commit()
    text = _text(_get(client, "/terms", "en").get_data(as_text=True))
    assert "Prakerja 2020" in text and "Prakerja 2023 (skema normal)" in text
    assert "Rp1.000.000" in text and "Rp3.500.000" in text
    assert "Rp600.000 a month for 4 months" in text and "Rp600.000, paid once" in text
    assert "30 days" in text and "15 days" in text
    assert "One card per NIK" in text
    assert f"After {checkout.MAX_WRONG_CODES} wrong codes" in text
    assert f"At most {batches.KK_LIMIT} people" in text


def test_terms_before_any_scheme(client):
    assert "The schemes are published here with the first batch." in _text(
        _get(client, "/terms", "en").get_data(as_text=True)
    )


def test_the_footer_links_to_the_help_pages_on_every_page(app, client):
    """Every GET page without path variables, and an error page, in both languages."""
    paths = ["/no-such-page"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        template, names = path_template(rule)
        if names or rule.rule.startswith(("/logout", "/healthz", "/language")):
            continue
        paths.append(fill(template, {}))
    checked = 0
    for language in ("id", "en"):
        for path in paths:
            response = _get(client, path, language)
            if response.status_code >= 300 and response.status_code < 400:
                continue  # a page that needs signing in sends the visitor to /login
            if response.mimetype != "text/html":
                continue  # a document, not a page (the certificates' issuer profile)
            html = response.get_data(as_text=True)
            footer = _footer(html)
            for link in FOOTER_LINKS:
                assert link in footer, (path, language, link)
            checked += 1
    assert checked >= 2 * len(PAGES)
    assert ">Pernyataan aksesibilitas</a>" in _footer(
        _get(client, "/", "id").get_data(as_text=True)
    )
