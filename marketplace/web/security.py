"""Security headers for every response, and the safe `next` redirect check."""

import re
from urllib.parse import urlsplit

from flask import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\\]")


def add_security_headers(response: Response) -> Response:
    """Add CSP (no inline script), nosniff, framing and referrer headers.

    A view that sets one of these itself keeps its own value.
    """
    present = {name.lower() for name, _value in response.headers}
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a local path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if _CONTROL_CHARACTERS.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def not_cached(response: Response) -> Response:
    """Keep a page out of shared and back-button caches (Cache-Control: no-store): registered
    as `after_request` by the blueprints whose pages show a person's data or one-time codes
    (account, checkout, provider, admin)."""
    response.headers["Cache-Control"] = "no-store"
    return response
