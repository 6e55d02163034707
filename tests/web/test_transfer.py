"""What goes over the wire: text gzipped for clients that accept it (web/compression.py), and
static files at versioned URLs that browsers keep for a year (web/formatting.py)."""

import gzip
import re

import pytest
from flask import Response

from marketplace.web import compression
from marketplace.web.formatting import file_version, static_url

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
YEAR = "max-age=31536000"


def _stylesheet_url(client) -> str:
    html = client.get("/courses").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)


def test_pages_are_gzipped_when_the_client_accepts_it(client, factory):
    for number in range(5):
        factory.course(f"Pelatihan Gzip {number}")
    plain = client.get("/courses")
    packed = client.get("/courses", headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3
    for response in (plain, packed):  # a cache between must keep the two apart
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "Cookie" in response.headers["Vary"]  # what was there before stays


@pytest.mark.parametrize(
    "accept", ["identity", "gzip;q=0", "deflate", "br", "gzip;q=0, *;q=1", "", None]
)
def test_no_gzip_for_a_client_that_does_not_accept_it(client, accept):
    headers = {} if accept is None else {"Accept-Encoding": accept}
    response = client.get("/courses", headers=headers)
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"<!doctype html>")
    assert "Accept-Encoding" in response.headers["Vary"]


def test_wildcard_and_error_pages(client):
    response = client.get("/courses", headers={"Accept-Encoding": "*"})
    assert response.headers["Content-Encoding"] == "gzip"
    missing = client.get("/no-such-page", headers=GZIP)
    assert missing.status_code == 404
    assert missing.headers["Content-Encoding"] == "gzip"
    assert b"<title>" in gzip.decompress(missing.data)


def test_small_bodies_and_non_text_go_as_they_are(app, client):
    small = client.get("/static/js/error-summary.js", headers=GZIP)
    assert small.status_code == 200 and len(small.data) < compression.MINIMUM_SIZE
    assert "Content-Encoding" not in small.headers
    assert "Accept-Encoding" not in small.headers.get("Vary", "")
    with app.test_request_context(headers=GZIP):
        image = compression.compress(Response(b"\x89PNG" * 1000, mimetype="image/png"))
        assert "Content-Encoding" not in image.headers
        done = Response(b"x" * 5000, mimetype="text/html", headers={"Content-Encoding": "br"})
        assert compression.compress(done).headers["Content-Encoding"] == "br"
        assert compression.compress(done).data == b"x" * 5000

        def chunks():
            yield b"<p>" * 2000

        streamed = compression.compress(Response(chunks(), mimetype="text/html"))
        assert "Content-Encoding" not in streamed.headers and streamed.is_streamed
        kept = Response(
            b"x" * 5000, mimetype="text/plain", headers={"Cache-Control": "no-transform"}
        )
        assert "Content-Encoding" not in compression.compress(kept).headers


def test_the_same_body_is_compressed_once(app, monkeypatch):
    calls = []
    real = gzip.compress
    monkeypatch.setattr(
        compression.gzip, "compress", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    body = b"<p>sama</p>" * 500
    with app.test_request_context(headers=GZIP):
        first = compression.compress(Response(body, mimetype="text/html")).data
        second = compression.compress(Response(body, mimetype="text/html")).data
        assert first == second and gzip.decompress(first) == body
        assert len(calls) == 1
        for _ in range(2):
            private = Response(body, mimetype="text/html", headers={"Cache-Control": "private"})
            compression.compress(private)
        assert len(calls) == 3  # a private answer is compressed, never kept
        personal = compression.compress(
            Response(body, mimetype="text/html", headers={"Cache-Control": "no-store"})
        )
        assert personal.data == body and "Content-Encoding" not in personal.headers
        assert len(calls) == 3


def test_personal_pages_go_uncompressed(participant_client):
    """A page with secrets and text from its address is never compressed (BREACH)."""
    response = participant_client.get("/account?probe=VC", headers=GZIP)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in response.headers
    assert "probe" in response.get_data(as_text=True)  # the address is echoed in its links


def test_pages_link_static_files_by_version(app, client):
    url = _stylesheet_url(client)
    path, version = url.split("?v=")
    assert path == "/static/css/site.css"
    assert version == file_version(f"{app.static_folder}/css/site.css")
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    with app.test_request_context():
        assert static_url("css/site.css") == url
        assert static_url("img/favicon.svg").startswith("/static/img/favicon.svg?v=")


def test_the_version_changes_with_the_content(tmp_path):
    stylesheet = tmp_path / "site.css"
    stylesheet.write_text("body { color: black; }")
    before = file_version(str(stylesheet))
    assert file_version(str(stylesheet)) == before
    stylesheet.write_text("body { color: navy; }")
    assert file_version(str(stylesheet)) != before


def test_a_versioned_static_file_is_kept_a_year(client):
    url = _stylesheet_url(client)
    for headers in ({}, GZIP):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "public" in cache and YEAR in cache and "immutable" in cache
        assert "no-cache" not in cache
    packed = client.get(url, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"].startswith('W/"')  # the bytes differ, the meaning not
    assert (
        client.get(url, headers={**GZIP, "If-None-Match": packed.headers["ETag"]}).status_code
        == 304
    )


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v="])
def test_unversioned_or_stale_requests_are_revalidated(client, query):
    response = client.get(f"/static/css/site.css{query}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert YEAR not in response.headers["Cache-Control"]


def test_headers_sent_twice_or_oddly_are_read_safely(app):
    body = b"<p>rahasia</p>" * 500
    with app.test_request_context(headers=GZIP):
        # A `no-store` in a second Cache-Control header still keeps the page uncompressed.
        twice = Response(body, mimetype="text/html")
        twice.headers.add("Cache-Control", "public")
        twice.headers.add("Cache-Control", "no-store")
        assert "Content-Encoding" not in compression.compress(twice).headers
        # A length that is digits but not ASCII ones is no length: never a 500.
        odd = Response(body, mimetype="text/html")
        odd.headers["Content-Length"] = "²"
        assert compression.compress(odd).headers["Content-Encoding"] == "gzip"
        # The first Content-Type sent is the one read, as Headers.get reads it.
        typed = Response(body, mimetype="image/png")
        typed.headers.add("Content-Type", "text/html")
        assert "Content-Encoding" not in compression.compress(typed).headers
