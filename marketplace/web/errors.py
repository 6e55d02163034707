"""Error pages in the page's language; JSON-free, server-rendered."""

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from marketplace.web.i18n import lazy_gettext as _l

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is not available right now"),
}
EXPLANATIONS = {
    400: _l("Check what you typed or the link you followed, then try again."),
    403: _l(
        "Your account does not have access to this page. Sign in with another account, "
        "or go back to the home page."
    ),
    404: _l("The address may be mistyped, or the page may have moved or been removed."),
    405: _l("Go back to the previous page and use its buttons and links."),
    413: _l("Send a smaller file or a shorter text."),
    429: _l("You have tried too many times in a short while. Wait a minute and try again."),
    500: _l("We have been told about the problem. Try again in a few minutes."),
    503: _l("We have been told about the problem. Try again in a few minutes."),
}


def _render(code: int, description: str | None = None):
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=TITLES.get(code, TITLES[500]),
            explanation=EXPLANATIONS.get(code, EXPLANATIONS[500]),
            description=description,
        ),
        code,
    )


def register(app: Flask) -> None:
    """Render every HTTP error with the shared error template."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        description = getattr(error, "user_message", None)
        return _render(error.code or 500, description)

    @app.errorhandler(500)
    def server_error(_error):
        # The transaction was rolled back already (web/transaction.py).
        return _render(500)
