"""Text answers compressed with gzip for clients that accept it.

A catalogue page is some 35 KB of HTML and the stylesheet 20 KB; gzipped they are a fifth of
that, which on a phone on a slow mobile connection is most of the wait. `compress` runs after
every request (the last word on the body: nothing after it changes it):

- only text (HTML, CSS, JavaScript, JSON, SVG, plain text) of at least MINIMUM_SIZE bytes:
  below about one network packet compressing saves nothing worth the work;
- never a response that is encoded already, partial (206, Content-Range), empty (204, 304),
  marked `no-transform`, or streamed without a known length; a file (the static files) is
  read when it is no larger than LARGEST_SIZE;
- such a response says `Vary: Accept-Encoding` whether or not this client gets it
  compressed, so that a cache between keeps the two apart; the ETag of a compressed answer
  is made weak (the bytes differ, the meaning does not), so revalidation still finds it;
- never a personal page (marked `no-store`: the account, orders, the office's pages): such a
  page holds secrets (voucher and redeem codes, an address) beside text an attacker can put
  in its address (every page links back to itself for the language switch), and compressed
  lengths would let someone watching the traffic guess the secret a letter at a time
  (BREACH); they go uncompressed;
- the same bytes are compressed once: the gzip of a body is kept under the digest of the body
  (the catalogue page of a visitor without a session, a course page, the stylesheet come
  back identical again and again), except answers marked `private`.

gzip only, no Brotli: the Python standard library has gzip; the maintained Brotli binding is
a compiled extension (wheels per platform, not a pure-Python wheel), a native dependency for
some 15-20% less on pages that gzip already brings to 7 KB. A front proxy can add Brotli.
"""

import gzip
import hashlib

from flask import Flask, Response, request

from marketplace.web.fragments import RenderedParts

MINIMUM_SIZE = 1024  # bytes; smaller bodies go as they are
LARGEST_SIZE = 2 * 1024 * 1024  # a file response larger than this is sent as it is
LEVEL = 5  # the catalogue page: within 0.5% of level 6's size, some 10% less work
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/xml",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/xml",
        "image/svg+xml",
    }
)
KEPT = 256  # compressed bodies kept per process (a catalogue page gzips to some 7 KB)

_kept = RenderedParts(KEPT)


def _directives(value: str | None) -> set[str]:
    """The directive names of a Cache-Control value, lower case ("private", "no-store")."""
    if not value:
        return set()
    return {part.split("=", 1)[0].strip().lower() for part in value.split(",")}


def _headers_by_name(response: Response) -> dict[str, str]:
    """The response's headers by lower-case name, read in one pass: every response passes
    here, and each look-up of a Headers object is a scan of all of them. A name sent more
    than once keeps its first value (as `Headers.get` reads it), but Cache-Control's values
    are joined, so a `no-store` in a second one is not missed."""
    named: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        if key not in named:
            named[key] = value
        elif key == "cache-control":
            named[key] = f"{named[key]}, {value}"
    return named


def has_body(response: Response) -> bool:
    """Whether the status is one that carries a whole body (not 1xx, 204, 206 or 304)."""
    status = response.status_code
    return status >= 200 and status not in (204, 206, 304)


def worth_compressing(response: Response, headers: dict[str, str]) -> bool:
    """Whether a response with a body (`has_body`) is text of a size worth compressing, not
    encoded or partial; `headers` are its headers by lower-case name (`_headers_by_name`).

    Runs after every request, so it reads the raw headers (one pass, a few string
    operations) rather than building the parsed header objects most answers would not
    need."""
    mimetype = headers.get("content-type", "").partition(";")[0].strip().lower()
    if mimetype not in COMPRESSIBLE:
        return False
    if "content-encoding" in headers or "content-range" in headers:
        return False
    if "no-transform" in _directives(headers.get("cache-control")):
        return False
    length = headers.get("content-length")
    length = int(length) if length is not None and length.isascii() and length.isdigit() else None
    if response.is_streamed:
        # A stream of unknown length stays a stream; a file of known size may be read.
        return length is not None and MINIMUM_SIZE <= length <= LARGEST_SIZE
    return length is None or length >= MINIMUM_SIZE


def accepts_gzip() -> bool:
    """Whether the request's Accept-Encoding allows gzip (q=0 refuses it); a request without
    the header (most robots and load tools) is answered at once."""
    offered = (request.environ.get("HTTP_ACCEPT_ENCODING") or "").lower()
    if "gzip" not in offered and "*" not in offered:
        return False
    return request.accept_encodings["gzip"] > 0


def vary_on_encoding(response: Response, headers: dict[str, str]) -> None:
    """Say `Vary: Accept-Encoding`, keeping whatever else the response varies on."""
    if "vary" in headers:
        response.vary.add("Accept-Encoding")
    else:
        response.headers.add("Vary", "Accept-Encoding")


def gzipped(data: bytes, keep: bool) -> bytes:
    """The gzip of `data` (no file name, no time: the same bytes give the same gzip)."""
    key = None
    if keep:
        key = (len(data), hashlib.blake2b(data, digest_size=16).digest())
        found = _kept.get(key)
        if found is not None:
            return found
    packed = gzip.compress(data, compresslevel=LEVEL, mtime=0)
    if key is not None:
        _kept.put(key, packed)
    return packed


def compress(response: Response) -> Response:
    """Gzip a text response for a client that accepts it (see the module's docstring)."""
    if not has_body(response):
        return response  # nothing to compress (a revalidated static file, most often)
    headers = _headers_by_name(response)
    if not worth_compressing(response, headers):
        return response
    cache = _directives(headers.get("cache-control"))
    if "no-store" in cache:
        return response
    vary_on_encoding(response, headers)
    if not accepts_gzip():
        return response
    response.direct_passthrough = False  # a file (send_file): read it into the body
    data = response.get_data()
    if len(data) < MINIMUM_SIZE:
        return response
    response.set_data(gzipped(data, keep="private" not in cache))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def register(app: Flask) -> None:
    """Compress every response worth it."""
    app.after_request(compress)
