"""Template filters: money as Rp1.000.000, dates as 17 Agustus 2025, times in WIB."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal
from flask import Flask, request
from flask_babel import format_date, get_locale

from marketplace.web.security import safe_next

JAKARTA = ZoneInfo("Asia/Jakarta")


def rupiah(amount: int | None) -> str:
    """Whole rupiah the Indonesian way in every language: Rp1.000.000."""
    if amount is None:
        return ""
    return format_currency(amount, "IDR", format="¤#,##0", locale="id", currency_digits=False)


def long_date(value: date | datetime | None) -> str:
    """A date in the page's language: 17 Agustus 2025 / August 17, 2025."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _to_jakarta(value).date()
    return format_date(value, "long")


def _to_jakarta(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(JAKARTA)


def wib(value: datetime | None, with_date: bool = True) -> str:
    """A UTC time shown in Jakarta time with the zone named: 17 Agustus 2025, 09.00 WIB."""
    if value is None:
        return ""
    local = _to_jakarta(value)
    clock = f"{local:%H}.{local:%M}" if str(get_locale()) == "id" else f"{local:%H}:{local:%M}"
    if not with_date:
        return f"{clock} WIB"
    return f"{format_date(local.date(), 'long')}, {clock} WIB"


def number(value: float | int, digits: int = 0) -> str:
    """A number with the page language's separators."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=str(get_locale()))


def current_path() -> str:
    """This page's path and query string, for links that come back here."""
    path = request.full_path if request.query_string else request.path
    return safe_next(path.rstrip("?") or "/")


def choices(options: dict, english: bool = False) -> list[tuple[str, str]]:
    """(slug, name) pairs of filter options, named in the page's language."""
    return [(slug, option.name_en if english else option.name) for slug, option in options.items()]


def dict_without(mapping: dict, *keys: str) -> dict:
    """A copy of the mapping without the given keys (for "remove this filter" links)."""
    return {key: value for key, value in mapping.items() if key not in keys}


def register(app: Flask) -> None:
    """Install the filters and globals."""
    app.add_template_filter(rupiah)
    app.add_template_filter(long_date)
    app.add_template_filter(wib)
    app.add_template_filter(number)
    app.add_template_filter(choices)
    app.add_template_filter(dict_without)
    app.add_template_global(current_path)
    app.add_template_global(get_locale)
