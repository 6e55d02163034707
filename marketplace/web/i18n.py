"""The page's language: choosing it, and fast translation callables for the templates.

The language is the `lang` cookie, then the user's setting, then Bahasa Indonesia.
Flask-Babel looks the translations up through several context proxies on every call; a
catalogue page makes dozens of calls, so the templates use callables that keep the
translations of the current locale on the app context and notice when
`flask_babel.force_locale` changes it.
"""

from functools import lru_cache
from types import SimpleNamespace

import flask_babel
from babel import Locale
from flask import Flask, current_app, has_request_context, request
from flask.globals import _cv_app
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from marketplace.web.auth.session import signed_in_user

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


_translations: dict[str, object] = {}


def _current():
    """(locale, code, translations) of the current context, worked out once per context.

    The first call of a request runs the locale selector and tells Flask-Babel the result
    (so its date formats agree); later calls return what was kept, unless
    `flask_babel.force_locale` has changed the locale since. Catalogues are loaded once
    per process and language.
    """
    context = _cv_app.get().g.__dict__
    babel_state = context.get("_flask_babel")
    if babel_state is None:
        babel_state = context["_flask_babel"] = SimpleNamespace()
    locale = getattr(babel_state, "babel_locale", None)
    cached = context.get("_page_language")
    if cached is not None and cached[0] is locale:
        return cached
    if locale is None:
        locale = babel_state.babel_locale = select_locale()
    code = str(locale)
    translations = _translations.get(code)
    if translations is None:
        translations = _translations[code] = flask_babel.get_translations()
    cached = context["_page_language"] = (locale, code, translations)
    return cached


def page_locale() -> str:
    """The current locale's code, e.g. 'id' or 'en'."""
    return _current()[1]


def template_gettext(message: str, **variables) -> Markup:
    """`_()` in templates: the translation is trusted text, the variables are escaped."""
    translated = Markup(_current()[2].ugettext(message))  # noqa: S704  # nosec B704  # our own catalogue; variables escaped by %
    return translated % variables if variables else translated


def template_ngettext(singular: str, plural: str, n: int, **variables) -> Markup:
    """`ngettext()` in templates, with %(num)s defaulting to n."""
    variables.setdefault("num", n)
    translated = Markup(_current()[2].ungettext(singular, plural, n))  # noqa: S704  # nosec B704  # our own catalogue; variables escaped by %
    return translated % variables


def install_template_callables(app: Flask) -> None:
    """Use the fast callables for `_`, `gettext` and `ngettext` in templates.

    They are plain globals (one call each from a template) rather than the i18n
    extension's wrappers, which cost two context calls per message; they behave the same
    as the extension's "newstyle" gettext (which Flask-Babel has already switched on):
    variables are escaped, the message is not.
    """
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.add_template_global(page_locale)


def gettext(message: str, **variables) -> str:
    """Translate a message into the page's language, then fill in %(name)s variables."""
    translated = _current()[2].ugettext(message)
    return translated % variables if variables else translated


def lazy_gettext(message: str, **variables) -> LazyString:
    """A message translated when it is shown (for form labels and module-level text)."""
    return LazyString(gettext, message, **variables)


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    """The singular or plural form for `n`, translated, with %(num)s and variables filled."""
    variables.setdefault("num", n)
    return _current()[2].ungettext(singular, plural, n) % variables

