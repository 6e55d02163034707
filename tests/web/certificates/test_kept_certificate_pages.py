"""Certificate pages kept whole (web/certificates/kept.py): the next visitor like the first gets
the kept answer, after one read of the certificate's revocation time; a revocation made
anywhere shows at once; nothing personal, partial or failed is kept. Runs on SQLite and
PostgreSQL."""

import gzip
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import template_rendered
from support.learning_rows import completed_orders, order

from marketplace.certificates import issuing
from marketplace.certificates.models import Certificate
from marketplace.extensions import db
from marketplace.people.models import Role


@pytest.fixture
def code(app, shop):
    """The stored code of a certificate of a completed order, committed."""
    ((_person, order_id),) = completed_orders(app, shop, shop.self_paced, 1)
    with app.app_context():
        certificate = issuing.issue(order(order_id))
        db.session.commit()
        return certificate.code


@pytest.fixture
def drawn(app):
    """The templates the app draws while the test runs (a kept answer draws none)."""
    names = []

    def note(_sender, template, **_extra):
        names.append(template.name)

    template_rendered.connect(note, app)
    yield names
    template_rendered.disconnect(note, app)


def _visit(app, path, lang="id", **headers):
    client = app.test_client()
    client.set_cookie("lang", lang)
    return client.get(path, headers=headers)


def _path(code):
    return "/certificates/" + issuing.shown(code)


def _revoke_behind_the_apps_back(app, code, reason):
    """Revoke in the database alone, as another process or server would: this process is
    told nothing."""
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
        when = certificate.completed_at + timedelta(days=1)
        db.session.execute(
            sa.update(Certificate)
            .where(Certificate.code == code)
            .values(revoked_at=when, revoked_reason=reason)
        )
        db.session.commit()


def test_the_second_visitor_gets_the_kept_answer_byte_for_byte(app, code, drawn):
    first = _visit(app, _path(code))
    assert first.status_code == 200 and "certificates/show.html" in drawn
    drawn.clear()
    second = _visit(app, _path(code))
    assert drawn == []  # nothing drawn: the kept answer
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["Cache-Control"] == "private, no-cache"


def test_a_revocation_made_elsewhere_shows_at_once(app, code, drawn):
    assert "certificate-state--valid" in _visit(app, _path(code)).get_data(as_text=True)
    _revoke_behind_the_apps_back(app, code, "Tugas akhir ternyata jiplakan")
    drawn.clear()
    html = _visit(app, _path(code)).get_data(as_text=True)
    assert "certificates/show.html" in drawn  # drawn afresh
    assert "certificate-state--revoked" in html and "Tugas akhir ternyata jiplakan" in html
    drawn.clear()
    again = _visit(app, _path(code)).get_data(as_text=True)
    assert drawn == [] and again == html  # the revoked page is kept in its turn


def test_each_language_and_encoding_is_kept_apart(app, code):
    indonesian = _visit(app, _path(code), "id").get_data(as_text=True)
    english = _visit(app, _path(code), "en").get_data(as_text=True)
    assert "Sertifikat berlaku" in indonesian and "Valid certificate" in english
    assert "Sertifikat berlaku" in _visit(app, _path(code), "id").get_data(as_text=True)
    packed = _visit(app, _path(code), "en", **{"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Valid certificate" in gzip.decompress(packed.get_data()).decode()
    plain = _visit(app, _path(code), "en")
    assert "Content-Encoding" not in plain.headers
    assert "Valid certificate" in plain.get_data(as_text=True)


def test_a_kept_answer_carries_no_visitors_rate_limit_count(app, code):
    _visit(app, _path(code))
    kept = _visit(app, _path(code))
    assert not [name for name, _value in kept.headers if name.lower().startswith("x-ratelimit")]
    assert "Retry-After" not in kept.headers


def test_a_signed_in_visitors_page_is_never_kept_nor_given_a_kept_one(app, code, login, drawn):
    _visit(app, _path(code))  # kept for visitors without a session
    client = login(Role.PARTICIPANT)
    for _visit_again in range(2):
        drawn.clear()
        assert client.get(_path(code)).status_code == 200
        assert "certificates/show.html" in drawn  # the signed-in visitor's own page, drawn
    assert len(app.wsgi_app.kept.parts) == 1  # only the first visitor's


@pytest.mark.parametrize(
    "path",
    [
        "/certificates/AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA",  # no such certificate: 404
        "/certificates/{lower}",  # another spelling: 301
        "/certificates/{grouped}?utm_source=mail",  # a query string
        "/certificates/{grouped}.pdf",
        "/certificates/{grouped}.json",
    ],
)
def test_misses_redirects_queries_and_downloads_are_never_kept(app, code, drawn, path):
    grouped = issuing.shown(code)
    path = path.format(grouped=grouped, lower=grouped.lower())
    first = _visit(app, path)
    assert first.status_code in (200, 301, 404)
    drawn.clear()
    second = _visit(app, path)
    assert second.status_code == first.status_code
    if first.status_code == 404 or path.endswith("mail"):
        assert drawn  # asked of the app again
    assert app.wsgi_app.kept.parts == {}


@pytest.mark.parametrize("app_config", [{"KEEP_RENDERED_PARTS": False}])
def test_nothing_is_kept_when_the_app_keeps_no_rendered_parts(app, code, drawn):
    assert not hasattr(app.wsgi_app, "kept")
    _visit(app, _path(code))
    drawn.clear()
    assert _visit(app, _path(code)).status_code == 200
    assert "certificates/show.html" in drawn


def test_a_pdf_is_drawn_once_for_what_it_prints(app, code, monkeypatch):
    from marketplace.certificates import document
    from marketplace.core.base import utcnow
    from marketplace.web.certificates import views

    copied_at = utcnow()  # "valid when this copy was made" names the minute
    monkeypatch.setattr(views, "utcnow", lambda: copied_at)
    drawings = []
    draw = document.pdf
    monkeypatch.setattr(document, "pdf", lambda *a: drawings.append(a) or draw(*a))
    first = _visit(app, _path(code) + ".pdf")
    second = _visit(app, _path(code) + ".pdf")
    assert second.get_data() == first.get_data() and len(drawings) == 1
    assert _visit(app, _path(code) + ".pdf", "en").status_code == 200
    assert len(drawings) == 2  # English is drawn on its own
    monkeypatch.setattr(views, "utcnow", lambda: copied_at + timedelta(minutes=1))
    _visit(app, _path(code) + ".pdf")
    assert len(drawings) == 3  # a copy made a minute later says so
    _revoke_behind_the_apps_back(app, code, "Tugas akhir ternyata jiplakan")
    revoked = _visit(app, _path(code) + ".pdf")
    assert revoked.get_data() != first.get_data() and len(drawings) == 4


def test_a_credential_downloaded_twice_is_the_same_signed_file(app, code, monkeypatch):
    from marketplace.certificates import credential

    signings = []
    sign = credential.sign
    monkeypatch.setattr(credential, "sign", lambda *a: signings.append(a) or sign(*a))
    first = _visit(app, _path(code) + ".json")
    second = _visit(app, _path(code) + ".json", "en")
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data() and len(signings) == 1


def test_when_the_database_cant_say_the_app_answers(app, code, monkeypatch, drawn):
    from sqlalchemy.exc import OperationalError

    _visit(app, _path(code))
    middleware = app.wsgi_app

    def unreachable(_code):
        raise OperationalError("SELECT", {}, Exception("the database is down"))

    monkeypatch.setattr(middleware, "_revoked_at", unreachable)
    drawn.clear()
    assert _visit(app, _path(code)).status_code == 200
    assert "certificates/show.html" in drawn  # asked of the app, not sent from the store


def test_a_head_request_is_never_kept_so_the_next_get_has_its_body(app, code):
    client = app.test_client()
    client.set_cookie("lang", "id")
    head = client.head(_path(code))
    assert head.status_code == 200 and head.get_data() == b""
    page = _visit(app, _path(code))
    assert b"certificate-state--valid" in page.get_data()
    assert app.wsgi_app.kept.parts and all(
        answer.body for answer in app.wsgi_app.kept.parts.values()
    )


def test_an_answer_setting_a_cookie_is_not_kept(app, code):
    @app.after_request
    def with_a_cookie(response):
        response.set_cookie("seen", "1")
        return response

    answer = _visit(app, _path(code))
    assert answer.status_code == 200 and "seen=1" in answer.headers["Set-Cookie"]
    assert app.wsgi_app.kept.parts == {}


def test_each_host_is_kept_apart(app, code):
    client = app.test_client()
    client.set_cookie("lang", "id")
    client.get(_path(code), headers={"Host": "localhost"})
    client.get(_path(code), headers={"Host": "127.0.0.1"})
    hosts = {key[0] for key in app.wsgi_app.kept.parts}
    assert hosts == {"localhost", "127.0.0.1"}
    refused = client.get(_path(code), headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert {key[0] for key in app.wsgi_app.kept.parts} == hosts
