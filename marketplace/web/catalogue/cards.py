"""Course cards: the catalogue's result rows as the list of cards the page shows.

The catalogue shows up to twenty cards on every page, the busiest page of the site. A
card is a dozen values in a fixed piece of markup; writing it here, in one Python loop
with the page's translations fetched once and every value escaped, costs a fraction of a
template loop that looks up and escapes each value through Jinja. The markup follows the
site's card pattern (static/css/site.css, `.course-card`).
"""

import re
from html import escape
from typing import NamedTuple
from urllib.parse import quote

from flask import request, url_for
from markupsafe import Markup

from marketplace.web.catalogue.query import METHODS
from marketplace.web.formatting import number_symbols, rupiah
from marketplace.web.i18n import gettext, ngettext, page_locale

_PLAIN_SLUG = re.compile(r"[a-z0-9-]+\Z")
_course_paths: dict[str, str] = {}


def _course_path() -> str:
    """The path of a course page without its slug (kept per script root)."""
    root = request.script_root
    path = _course_paths.get(root)
    if path is None:
        path = _course_paths[root] = url_for("catalogue.course", slug="-")[:-1]
    return path


class _CardTexts(NamedTuple):
    """The fixed texts of a card in one language, escaped, `{}` where a value goes."""

    methods: dict
    hours: str
    ratings: tuple  # (one, other)
    no_ratings: str
    group: str  # the digit group separator
    decimal: str


_texts: dict[str, _CardTexts] = {}


def _card_texts(language: str) -> _CardTexts:
    """The fixed texts of the current language, translated once per process."""
    texts = _texts.get(language)
    if texts is None:

        def slot(text: str) -> str:
            return escape(text).replace("\x00", "{}")

        group, decimal = number_symbols(language)
        texts = _texts[language] = _CardTexts(
            methods={value: escape(str(label)) for value, label in METHODS},
            hours=slot(gettext("%(hours)s hours", hours="\x00")),
            # Both languages of the site have at most two forms: one, and other.
            ratings=tuple(
                slot(ngettext("%(num)s rating", "%(num)s ratings", n, num="\x00")) for n in (1, 2)
            ),
            no_ratings=escape(gettext("No ratings yet")),
            group=group,
            decimal=decimal,
        )
    return texts


def course_list(rows) -> Markup:
    """The <ul> of cards for catalogue result rows (see catalogue.listing.list_courses)."""
    language = page_locale()
    english = language == "en"
    course_path = _course_path()
    texts = _card_texts(language)
    methods, hours_text, ratings_text = texts.methods, texts.hours, texts.ratings
    html = ['<ul class="course-list">']
    for row in rows:
        slug = row.slug if _PLAIN_SLUG.match(row.slug) else quote(row.slug)
        count = row.rating_count
        if count:
            average = f"{row.rating_avg:.1f}".replace(".", texts.decimal)
            count_text = ratings_text[count != 1].format(f"{count:,}".replace(",", texts.group))
            rating = (
                '<span class="rating"><span class="rating__stars" aria-hidden="true">★</span> '
                f'<strong>{average}</strong> <span class="muted">({count_text})</span></span>'
            )
        else:
            rating = f'<span class="rating muted">{texts.no_ratings}</span>'
        city = f" · <span>{escape(row.city)}</span>" if row.city else ""
        category = row.category_name_en if english else row.category_name
        html.append(
            '<li class="course-card">'
            f'<h3 class="course-card__title"><a href="{course_path}{escape(slug)}">'
            f"{escape(row.title)}</a></h3>"
            f'<p class="course-card__provider">{escape(row.provider_name)} · '
            f"{escape(row.platform_name)}</p>"
            f'<p class="course-card__meta"><span class="badge badge--{row.method}">'
            f"{methods[row.method]}</span> <span>{escape(category)}</span>{city} · "
            f"<span>{hours_text.format(row.hours)}</span></p>"
            f'<p class="course-card__foot"><span class="price">{rupiah(row.price)}</span> '
            f"{rating}</p></li>"
        )
    html.append("</ul>")
    return Markup("\n".join(html))  # noqa: S704  # nosec B704  # every value above is escaped
