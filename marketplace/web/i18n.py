"""Choosing the page's language: the `lang` cookie, then the user's setting, then Indonesian."""

from flask import current_app, request
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The locale for this request; Bahasa Indonesia unless the visitor chose English."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]
