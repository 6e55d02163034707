"""The page's language: choosing it, and the translation callables the site uses.

The language is the `lang` cookie, then the user's setting, then Bahasa Indonesia.
Flask-Babel calls `select_locale` once per request and keeps the result; everything else
goes through its public API (`get_locale`, `gettext`, `lazy_gettext`, `ngettext`,
`force_locale`), so a forced locale (mail in the recipient's language) and the page agree.
Templates use `_`, `gettext` and `ngettext` as the i18n extension's "newstyle" form has
them (variables are escaped, the message is not), from the callables below, set as template
globals: the catalogue of the current locale is looked up in one step rather than through
Flask-Babel's several context look-ups per message, and each message is one template call,
which on the catalogue page's forty-odd messages was a large share of its time.
"""

from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, get_translations, gettext, lazy_gettext, ngettext
from jinja2 import pass_eval_context
from markupsafe import Markup

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


@pass_eval_context
def template_gettext(eval_context, message: str, /, **variables) -> str:
    """`_()`/`gettext()` in a template: the message in the current locale, formatted with
    `variables`. In an autoescaped template the message is markup and the variables are
    escaped into it; the message is always a format string ("%%" is a percent sign), as
    with the i18n extension's newstyle gettext."""
    text = current_catalogue().ugettext(message)
    if eval_context.autoescape:
        text = Markup(text)  # noqa: S704  # nosec B704  # a message of the catalogue; values are escaped
    return text % variables


@pass_eval_context
def template_ngettext(eval_context, singular: str, plural: str, n: int, /, **variables) -> str:
    """`ngettext()` in a template: the singular or plural message for `n`, which is also
    the message's `num` unless given."""
    variables.setdefault("num", n)
    text = current_catalogue().ungettext(singular, plural, n)
    if eval_context.autoescape:
        text = Markup(text)  # noqa: S704  # nosec B704  # a message of the catalogue; values are escaped
    return text % variables


def install_template_callables(app: Flask) -> None:
    """`_`, `gettext` and `ngettext` for templates, and `page_locale()`.

    Set as plain template globals: one call each, where the i18n extension's newstyle
    wrappers (which Flask-Babel installs) call through the template context twice per
    message. Templates use no `{% trans %}` block."""
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.add_template_global(page_locale)
