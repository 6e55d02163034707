"""The house: security headers, CSRF, sessions, languages, formatting, error pages."""

import re
from datetime import UTC, date, datetime

import pytest
from support.factories import PASSWORD

from marketplace.people.models import Role
from marketplace.web.security import safe_next


@pytest.mark.parametrize("path", ["/", "/courses", "/login", "/healthz", "/nope"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_templates_have_no_inline_script_or_style(client, factory):
    course = factory.course("Kursus Tanpa Skrip", sessions=1)
    for path in ("/", "/courses", f"/courses/{course.slug}", "/login", "/missing"):
        html = client.get(path).get_data(as_text=True)
        # Scripts only from files of the site (the CSP allows 'self'), never inline.
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)[^>]*>", html)
        assert "style=" not in html


def test_user_data_is_escaped(client, factory):
    factory.course("<script>alert(1)</script> Kelas", summary="<b>tebal</b>")
    html = client.get("/courses?q=kelas").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], ids=["csrf-on"])
def test_forms_refuse_posts_without_csrf_token(client, factory, app_config):
    factory.user(email="csrf@example.com")
    response = client.post("/login", data={"email": "csrf@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert 'action="/logout"' not in client.get("/").get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_session_cookie_is_httponly_and_lax(client, factory):
    factory.user(email="cookie@example.com")
    response = client.post("/login", data={"email": "cookie@example.com", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_and_logout(client, factory):
    factory.user(email="Peserta.Satu@Example.com")
    response = client.post(
        "/login",
        data={"email": "PESERTA.satu@example.com", "password": PASSWORD, "next": "/courses"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/courses"
    assert "Pengguna" in client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert 'action="/logout"' not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_a_400_with_a_message(client, factory):
    factory.user(email="salah@example.com")
    response = client.post("/login", data={"email": "salah@example.com", "password": "nope-nope"})
    assert response.status_code == 400
    assert "Alamat email atau kata sandi tidak sesuai." in response.get_data(as_text=True)


def test_login_refuses_open_redirects(client, factory):
    factory.user(email="next@example.com")
    response = client.post(
        "/login",
        data={"email": "next@example.com", "password": PASSWORD, "next": "https://evil.example"},
    )
    assert response.headers["Location"] == "/account"  # a participant's home, not the evil one


def test_session_dies_when_session_version_changes(app, client, factory):
    from marketplace.extensions import db
    from marketplace.people.models import User

    user = factory.user(email="versi@example.com")
    client.post("/login", data={"email": "versi@example.com", "password": PASSWORD})
    with app.app_context():
        db.session.get(User, user.id).session_version += 1
        db.session.commit()
    assert 'action="/logout"' not in client.get("/").get_data(as_text=True)


def test_each_role_client_is_signed_in(participant_client, provider_client, admin_client):
    for client in (participant_client, provider_client, admin_client):
        assert 'action="/logout"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/courses?q=a", "/courses?q=a"),
        ("https://evil.example/x", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_language_switch_returns_to_the_same_page(client):
    response = client.get("/language/en?next=/courses?q=excel")
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses?q=excel"
    html = client.get("/courses?q=excel").get_data(as_text=True)
    assert 'lang="en"' in html and "Course catalogue" in html
    client.get("/language/id?next=/")
    assert "Katalog pelatihan" in client.get("/courses").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_bad_next(client):
    response = client.get("/language/xx?next=https://evil.example")
    assert response.headers["Location"] == "/"
    assert 'lang="id"' in client.get("/").get_data(as_text=True)


def test_every_page_links_to_the_other_language(client):
    html = client.get("/courses?q=excel&page=1").get_data(as_text=True)
    assert "/language/en?next=/courses?q%3Dexcel%26page%3D1" in html


@pytest.mark.parametrize(
    ("path", "status", "indonesian", "english"),
    [
        ("/tidak-ada", 404, "Halaman tidak ditemukan", "Page not found"),
        ("/courses?page=abc", 400, "Ada masalah", "There is a problem"),
        (
            "/account/batches/join",  # POST only
            405,
            "Tindakan ini tidak diizinkan",
            "This action is not allowed",
        ),
    ],
)
def test_error_pages_in_both_languages(client, path, status, indonesian, english):
    response = client.get(path)
    assert response.status_code == status
    assert indonesian in response.get_data(as_text=True)
    client.get("/language/en")
    response = client.get(path)
    assert response.status_code == status
    assert english in response.get_data(as_text=True)


def test_500_page_is_friendly(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Terjadi kesalahan di sistem kami" in response.get_data(as_text=True)


def test_429_page(app):
    from werkzeug.exceptions import TooManyRequests

    @app.route("/busy")
    def busy():
        raise TooManyRequests()

    response = app.test_client().get("/busy")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)


def test_403_page(app):
    from flask import abort

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    assert "Anda tidak boleh membuka" in app.test_client().get("/forbidden").get_data(as_text=True)


def test_money_dates_and_times_the_indonesian_way(app):
    from marketplace.web.formatting import long_date, rupiah, wib

    assert rupiah(1_000_000) == "Rp1.000.000"
    assert rupiah(0) == "Rp0"
    with app.test_request_context("/"):
        assert long_date(date(2025, 8, 17)) == "17 Agustus 2025"
        assert wib(datetime(2025, 8, 17, 2, 0, tzinfo=UTC)) == "17 Agustus 2025, 09.00 WIB"
        # a naive datetime is UTC
        assert wib(datetime(2025, 8, 16, 20, 30)) == "17 Agustus 2025, 03.30 WIB"
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert long_date(date(2025, 8, 17)) == "August 17, 2025"
        assert rupiah(1_000_000) == "Rp1.000.000"


def test_healthz_reports_a_dead_database(tmp_path):
    from marketplace import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_app_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    from marketplace import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_roles_exist():
    assert {role.value for role in Role} == {"participant", "provider", "admin"}
