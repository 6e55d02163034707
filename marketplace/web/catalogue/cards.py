"""Course cards: the catalogue's result rows turned into the texts a card shows.

The catalogue page shows twenty cards; preparing their texts in one Python loop (with the
page's translations fetched once) costs a fraction of calling template macros per card.
"""

import re
from typing import NamedTuple
from urllib.parse import quote

from flask import request, url_for

from marketplace.web.catalogue.query import METHODS
from marketplace.web.formatting import number_symbols, rupiah
from marketplace.web.i18n import gettext, ngettext, page_locale

_PLAIN_SLUG = re.compile(r"[a-z0-9-]+\Z")


class CourseCard(NamedTuple):
    """What one result card says."""

    url: str
    title: str
    provider: str
    platform: str
    method: str
    method_label: str
    category: str
    city: str | None
    hours: str
    price: str
    rating: str | None
    rating_count: str | None


_course_paths: dict[str, str] = {}


def _course_path() -> str:
    """The path of a course page without its slug (kept per script root)."""
    root = request.script_root
    path = _course_paths.get(root)
    if path is None:
        path = _course_paths[root] = url_for("catalogue.course", slug="-")[:-1]
    return path


def course_cards(rows) -> list[CourseCard]:
    """Cards for catalogue result rows (see services.catalogue.list_courses)."""
    language = page_locale()
    english = language == "en"
    course_path = _course_path()
    method_labels = {value: str(label) for value, label in METHODS}
    hours_text = gettext("%(hours)s hours", hours="\x00").replace("\x00", "{}")
    # Both languages of the site have at most two forms: one, and other.
    rating_counts = (
        ngettext("%(num)s rating", "%(num)s ratings", 1, num="\x00").replace("\x00", "{}"),
        ngettext("%(num)s rating", "%(num)s ratings", 2, num="\x00").replace("\x00", "{}"),
    )
    group, decimal = number_symbols(language)
    cards = []
    for row in rows:
        method = row.method
        count = row.rating_count
        cards.append(
            CourseCard(
                url=course_path + (row.slug if _PLAIN_SLUG.match(row.slug) else quote(row.slug)),
                title=row.title,
                provider=row.provider_name,
                platform=row.platform_name,
                method=method,
                method_label=method_labels[method],
                category=row.category_name_en if english else row.category_name,
                city=row.city,
                hours=hours_text.format(row.hours),
                price=rupiah(row.price),
                rating=f"{row.rating_avg:.1f}".replace(".", decimal) if count else None,
                rating_count=(
                    rating_counts[count != 1].format(f"{count:,}".replace(",", group))
                    if count
                    else None
                ),
            )
        )
    return cards
