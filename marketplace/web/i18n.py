"""The page's language: choosing it, and the translation callables the site uses.

The language is the `lang` cookie, then the user's setting, then Bahasa Indonesia.
Flask-Babel calls `select_locale` once per request and keeps the result; everything else
goes through its public API (`get_locale`, `gettext`, `lazy_gettext`, `ngettext`,
`force_locale`), so a forced locale (mail in the recipient's language) and the page agree.
Templates use `_`, `gettext` and `ngettext` from Jinja's i18n extension in its "newstyle"
form (variables are escaped, the message is not), with the callables below installed through
the extension's public `install_gettext_callables`: the catalogue of the current locale is
looked up in one step rather than through Flask-Babel's several context look-ups per
message, which on the catalogue page's forty-odd messages was a large share of its time.
"""

from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, get_translations, gettext, lazy_gettext, ngettext

from marketplace.web.auth.session import signed_in_user

__all__ = [
    "LANGUAGE_COOKIE",
    "gettext",
    "current_catalogue",
    "install_template_callables",
    "lazy_gettext",
    "ngettext",
    "page_locale",
    "select_locale",
]

LANGUAGE_COOKIE = "lang"


@lru_cache(maxsize=8)
def _locale(code: str) -> Locale:
    """Parsed Babel locales, kept: parsing one on every request shows up in the profile."""
    return Locale.parse(code)


def select_locale() -> Locale:
    """The locale for this request; Bahasa Indonesia unless the visitor chose English."""
    if not has_request_context():
        return _locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return _locale(chosen)
    user = signed_in_user()
    if user is not None and user.locale in languages:
        return _locale(user.locale)
    return _locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def page_locale() -> str:
    """The current locale's language code, e.g. 'id' or 'en' (honours `force_locale`)."""
    locale = get_locale()
    if locale is None:  # outside an app context
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return locale.language


_catalogues: dict = {}  # Locale -> Flask-Babel's translations for it, as Flask-Babel keeps them


def current_catalogue():
    """The translations of the current locale (a forced one included), kept per locale."""
    locale = get_locale()
    catalogue = _catalogues.get(locale)
    if catalogue is None:
        catalogue = get_translations()
        if locale is not None:
            _catalogues[locale] = catalogue
    return catalogue


def template_gettext(message: str) -> str:
    """The translation of a template's message in the current locale."""
    return current_catalogue().ugettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural translation of a template's message for `n`."""
    return current_catalogue().ungettext(singular, plural, n)


def install_template_callables(app: Flask) -> None:
    """Template translations through the current catalogue, and `page_locale()`."""
    app.jinja_env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)
    app.add_template_global(page_locale)
