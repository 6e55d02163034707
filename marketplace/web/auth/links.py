"""Links in mail and the pages they open: shared by the way in and the account's pages."""

from flask import current_app, render_template, url_for

from marketplace.core import DomainError
from marketplace.web.formatting import error_message


def external(endpoint: str, **values) -> str:
    """An absolute link for mail: always on PUBLIC_URL, never on the request's Host header.

    create_app sees that PUBLIC_URL is set; a link is never built without it.
    """
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise RuntimeError("PUBLIC_URL is not set: links in mail are built only on it")
    return base.rstrip("/") + url_for(endpoint, **values)


def private(response, status: int = 200):
    """A page reached through a secret link: not cached, and no Referer carrying the link."""
    response = current_app.make_response((response, status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def link_problem(error: DomainError, next_step: str):
    """The page for a link that can't be used (a 400): why, and how to get a new one.

    `next_step`: "verification", "reset" or "email_change".
    """
    return private(
        render_template(
            "auth/link_problem.html", message=error_message(error), next_step=next_step
        ),
        400,
    )
