"""Template filters: money as Rp1.000.000, dates as 17 Agustus 2025, times in WIB; links,
and static files at versioned URLs."""

import hashlib
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlencode

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Flask, Response, current_app, g, request, url_for
from flask_babel import format_date
from markupsafe import Markup
from werkzeug.security import safe_join

from marketplace.core import indonesia
from marketplace.core.indonesia import in_jakarta
from marketplace.web.i18n import gettext, page_locale
from marketplace.web.security import safe_next


def rupiah(amount: int | None) -> str:
    """Whole rupiah in every language, Rp1.000.000 (`core.indonesia.rupiah`); nothing for None."""
    return "" if amount is None else indonesia.rupiah(amount)


@lru_cache(maxsize=16)
def number_symbols(locale: str) -> tuple[str, str]:
    """(group separator, decimal separator) of a locale, from Babel's CLDR data."""
    return get_group_symbol(locale), get_decimal_symbol(locale)


def long_date(value: date | datetime | None) -> str:
    """A date in the page's language: 17 Agustus 2025 / August 17, 2025."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = in_jakarta(value).date()
    return format_date(value, "long")


def wib(value: datetime | None, with_date: bool = True) -> str:
    """A UTC time shown in Jakarta time with the zone named: 17 Agustus 2025, 09.00 WIB."""
    if value is None:
        return ""
    local = in_jakarta(value)
    clock = f"{local:%H}.{local:%M}" if page_locale() == "id" else f"{local:%H}:{local:%M}"
    if not with_date:
        return f"{clock} WIB"
    return f"{format_date(local.date(), 'long')}, {clock} WIB"


def indonesian(text) -> Markup:
    """Indonesian data shown inside a sentence of the page, <span lang="id">…</span>: a course
    title, a place, what a provider wrote stays Indonesian in the English UI, and a screen
    reader must read it so (WCAG 3.1.2). Marked in both languages: one rule, no condition."""
    return Markup('<span lang="id">%s</span>') % text


def number(value: float | int, digits: int = 0) -> str:
    """A number with the page language's separators: 12.345 and 4,5 in Indonesian."""
    group, decimal = number_symbols(page_locale())
    text = f"{value:,.{digits}f}"
    return text.translate({ord(","): group, ord("."): decimal})


def current_path() -> str:
    """This page's path and query string, for links that come back here (once a request)."""
    context = g.__dict__
    path = context.get("_current_path")
    if path is None:
        path = request.full_path if request.query_string else request.path
        path = context["_current_path"] = safe_next(path.rstrip("?") or "/")
    return path


def choices(options: dict, english: bool = False) -> list[tuple[str, str]]:
    """(slug, name) pairs of filter options, named in the page's language."""
    return [(slug, option.name_en if english else option.name) for slug, option in options.items()]


def dict_without(mapping: dict, *keys: str) -> dict:
    """A copy of the mapping without the given keys (for "remove this filter" links)."""
    return {key: value for key, value in mapping.items() if key not in keys}


_paths: dict[tuple[str, str], str] = {}


def link(endpoint: str, **query) -> str:
    """The path of an endpoint, plus a query string of `query` (None values left out).

    url_for() matches the URL map on every call; the catalogue page needs a dozen links,
    so the paths of endpoints without path variables are looked up once per endpoint (and
    script root) and kept. An endpoint with path variables (a batch's page, a ledger
    account's) takes them from `query` through url_for, the rest becoming the query string.
    """
    pairs = [(name, value) for name, value in query.items() if value is not None]
    key = (endpoint, request.script_root)
    path = _paths.get(key)
    if path is None:
        if _has_path_variables(endpoint):
            return url_for(endpoint, **dict(pairs))
        path = _paths[key] = url_for(endpoint)
    return f"{path}?{urlencode(pairs, safe='/')}" if pairs else path


_variables: dict[str, bool] = {}


def _has_path_variables(endpoint: str) -> bool:
    """Whether any URL rule of `endpoint` has path variables (read once per endpoint)."""
    found = _variables.get(endpoint)
    if found is None:
        found = _variables[endpoint] = any(
            rule.arguments for rule in current_app.url_map.iter_rules(endpoint)
        )
    return found


# Static files are served at versioned URLs, /static/css/site.css?v=<the first 12 hex digits
# of the SHA-256 of its content>, and a request for the current version may be kept by the
# browser for a year without asking again (`cache_static_files`): a changed file has another
# URL. A version is read once per process, like the kept page chrome that shows it (a
# deploy restarts the processes). A request without a version, or with another version than
# the file's, is answered with the file as it is now and Flask's revalidation (no-cache).
STATIC_VERSION_LENGTH = 12
LONG_CACHE = 365 * 24 * 60 * 60  # a year, in seconds
_versions: dict[tuple[str, str], str | None] = {}


def file_version(path: str) -> str:
    """The version of a file's content: the first hex digits of its SHA-256."""
    with open(path, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()[:STATIC_VERSION_LENGTH]


def static_version(filename: str) -> str | None:
    """The version of a static file (read once per process), None if there is no such file."""
    folder = current_app.static_folder or ""
    key = (folder, filename)
    if key not in _versions:
        path = safe_join(folder, filename)
        try:
            _versions[key] = file_version(path) if path else None
        except OSError:
            _versions[key] = None
    return _versions[key]


def static_url(filename: str) -> str:
    """The versioned path of a static file (looked up once per file and script root)."""
    key = ("static:" + filename, request.script_root, current_app.static_folder)
    path = _paths.get(key)
    if path is None:
        version = static_version(filename)
        values = {"v": version} if version else {}
        path = _paths[key] = url_for("static", filename=filename, **values)
    return path


def cache_static_files(response: Response) -> Response:
    """A static file asked for at its current version is kept a year (`immutable`: not even
    revalidated on reload); everything else is left as Flask answers it. Not in debug, where
    files change under a running server."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    if not version or not filename or current_app.debug:
        return response
    if version == static_version(filename):
        cache = response.cache_control
        cache.no_cache = None
        cache.public = True
        cache.max_age = LONG_CACHE
        cache.immutable = True
    return response


def language_link(code: str) -> str:
    """The link that switches the site to a language and comes back to this page."""
    key = ("language:" + code, request.script_root)
    path = _paths.get(key)
    if path is None:
        path = _paths[key] = url_for("public.language", code=code)
    return f"{path}?{urlencode({'next': current_path()}, safe='/?')}"


def register(app: Flask) -> None:
    """Install the filters and globals."""
    app.add_template_filter(rupiah)
    app.add_template_filter(long_date)
    app.add_template_filter(wib)
    app.add_template_filter(number)
    app.add_template_filter(indonesian)
    app.add_template_filter(choices)
    app.add_template_global(link)
    app.add_template_global(static_url)
    app.add_template_filter(dict_without)
    app.add_template_global(current_path)
    app.add_template_global(language_link)


def error_message(error) -> str:
    """A service's DomainError as a sentence in the page's language (times shown in WIB)."""
    params = {
        name: wib(value) if isinstance(value, datetime) else value
        for name, value in error.params.items()
    }
    return gettext(error.message, **params)
