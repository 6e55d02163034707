"""Certificate pages kept whole, answered before the app for the next visitor like the first.

A certificate's page is looked at by many who are not signed in: employers following a link
or scanning the printed QR code, over and over, for the same few certificates. Its content
never changes but for one thing: a revocation (the facts are copied into the certificate
when it is issued, and a revocation can't be undone). So the answer the app gave, status,
headers and bytes, is kept, and the next request that would get the same answer gets the
kept one, after one indexed read of the certificate's revocation time
(`issuing.revoked_at_of`): a certificate revoked since, by whichever process or server,
answers afresh at once. It is the job of a cache in front of the site, done inside it so
that the site needs no other part.

What is kept, and for whom (the view decides, `keep_answer`; the store checks the rest):
- only `/certificates/<GROUPED-CODE>` (the page; not the PDF, the JSON or the redirects)
  answered 200 to a GET without a query string, for a visitor with nothing in a session and
  not signed in (`fragments.a_visitor_without_session`), and never an answer that sets a
  cookie;
- under everything the answer depends on: the Host header, the path root and path, the
  Cookie header as sent (the language chosen is a cookie, and a session would be one) and
  Accept-Encoding (gzipped or not). The language comes from the `lang` cookie or, signed
  in, the account, never from Accept-Language (`web.i18n.select_locale`);
- the latest KEPT answers of each process, the least recently asked dropped first.

A kept answer is sent without running the app's request handling: the headers it carries
(security headers, Cache-Control, Vary) are those the app set the first time, less the
limiter's count of the first visitor's lookups. The limit on lookups counts only codes that
find nothing, which are never kept; so a visitor refused (429) for guessing still gets a
real certificate's page when it is kept: the limit is there against guessing, and a kept
page is only ever one whose code the visitor already has.

The Cookie header is part of the key as sent: a site cookie the page does not read (an
analytics tool's) makes each visitor's key their own, and such pages are simply drawn by
the app, the least recently asked dropped first. HEAD requests are never kept (an empty
body under a GET's key would be sent to the next GET). An app created with
KEEP_RENDERED_PARTS off (tests comparing pages drawn afresh, the benchmark's cold run) keeps
nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, request
from sqlalchemy.exc import SQLAlchemyError

from marketplace.certificates import issuing
from marketplace.extensions import db
from marketplace.web.fragments import RenderedParts, a_visitor_without_session, keeping_parts

KEPT = 2000  # whole pages per process (some 9 KB each, gzipped some 3 KB)
PREFIX = "/certificates/"
# Headers about the visitor who asked first (the limiter's count of their lookups), not sent
# again with a kept answer.
VISITORS_OWN_HEADERS = ("x-ratelimit-", "retry-after")
# Where the view leaves, for the store, the certificate an answer shows (the WSGI environ
# is the same dict for the store and the request).
NOTE = "marketplace.kept_certificate"


@dataclass(frozen=True)
class KeptAnswer:
    """An answer as the app sent it, and the revocation time of the certificate it shows."""

    code: str
    revoked_at: datetime | None
    status: str
    headers: tuple
    body: bytes


def keep_answer(code: str, revoked_at: datetime | None) -> None:
    """Called by the certificate page's view: this answer may be kept (see the module)."""
    if keeping_parts() and not request.query_string and a_visitor_without_session():
        request.environ[NOTE] = (code, revoked_at)


class KeptCertificatePages:
    """WSGI middleware around the app's own: answers a kept certificate page, or asks the app
    and keeps its answer when the view said it may."""

    def __init__(self, app: Flask, size: int = KEPT) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.kept = RenderedParts(size)
        self.engine = None

    def _revoked_at(self, code: str) -> tuple[bool, datetime | None]:
        """(whether the certificate still exists, its revocation time), read now."""
        if self.engine is None:
            with self.app.app_context():
                self.engine = db.engine
        with self.engine.connect() as connection:
            return issuing.revoked_at_of(connection, code)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (
            not path.startswith(PREFIX)
            or environ.get("REQUEST_METHOD") != "GET"
            or environ.get("QUERY_STRING")
        ):
            return self.wsgi_app(environ, start_response)
        key = (
            environ.get("HTTP_HOST"),
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("HTTP_COOKIE"),
            environ.get("HTTP_ACCEPT_ENCODING"),
        )
        answer = self.kept.get(key)
        if answer is not None:
            try:
                current = self._revoked_at(answer.code)
            except SQLAlchemyError:
                # The database can't say: the app answers, with its own error page if need be.
                current = None
            if current == (True, answer.revoked_at):
                start_response(answer.status, list(answer.headers))
                return [answer.body]
            self.kept.drop(key)
        return self._ask_app(key, environ, start_response)

    def _ask_app(self, key, environ, start_response):
        sent = {}

        def noting_start_response(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, noting_start_response)
        note = environ.get(NOTE)
        headers = sent.get("headers") or ()
        if (
            note is None
            or not sent.get("status", "").startswith("200 ")
            or any(name.lower() == "set-cookie" for name, _value in headers)
        ):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        code, revoked_at = note
        # The limiter's headers count this visitor's lookups: not the next visitor's.
        kept_headers = tuple(
            (name, value)
            for name, value in headers
            if not name.lower().startswith(VISITORS_OWN_HEADERS)
        )
        self.kept.put(key, KeptAnswer(code, revoked_at, sent["status"], kept_headers, data))
        return [data]


def install(app: Flask) -> None:
    """Keep certificate pages in front of `app` (unless it keeps no rendered parts)."""
    if app.config.get("KEEP_RENDERED_PARTS", True):
        app.wsgi_app = KeptCertificatePages(app)
