"""The catalogue's filter fields: the search form turned into what each field shows.

The filter form is on every catalogue page, the busiest page of the site, and its lists are
long (some 150 providers, 38 provinces). Each list's `<option>` tags are rendered by the
`select_options` macro (templates/_macros/filters.html) once per set of reference data,
language and chosen value, and kept with that set of reference data
(`catalogue.listing.filter_options`): when the reference data, read again every minute,
has changed, a new set comes with no rendered lists, and the old set's go with it; while it
is unchanged the same set, and its lists, go on.

The `filter_form` macro lays the fields out; the whole rendered form of a query without
errors is kept too (web/catalogue/pages.py).
"""

from threading import Lock
from typing import NamedTuple
from weakref import WeakKeyDictionary

from flask import get_template_attribute
from markupsafe import Markup

from marketplace.catalogue.listing import FilterOptions
from marketplace.web.catalogue.pages import kept_form
from marketplace.web.catalogue.query import LABELS, METHODS, RATINGS, SORT_LABELS, CatalogueQuery
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.i18n import page_locale


class FilterField(NamedTuple):
    """One field of the filter form as the page shows it."""

    name: str  # also the element id
    label: str
    kind: str  # "search", "select" or "price"
    options: Markup | None  # a select's <option> tags, the current choice selected
    value: str | None  # what a text field shows: the value as typed, or the valid value
    errors: list


# (field, the reference-data list it offers or a fixed list of choices, the "any" option)
_SELECTS = {
    "category": ("categories", _l("All categories")),
    "method": (METHODS, _l("All methods")),
    "platform": ("platforms", _l("All platforms")),
    "provider": ("providers", _l("All providers")),
    "province": ("provinces", _l("All provinces")),
    "min_rating": (RATINGS, _l("Any rating")),
    "sort": (SORT_LABELS, _l("Default order")),
}
_TEXTS = {"q": "search", "min_price": "price", "max_price": "price"}

# Rendered option lists, per set of reference data: {(field, language, chosen): Markup}
_rendered: WeakKeyDictionary = WeakKeyDictionary()
_rendered_lock = Lock()
_labels: dict[str, dict[str, str]] = {}  # the fields' labels, per language


def filter_form(query: CatalogueQuery, options: FilterOptions) -> Markup:
    """The catalogue's rendered search-and-filter form for `query`."""
    form_macro = get_template_attribute("_macros/filters.html", "filter_form")
    if query.errors:
        return form_macro(filter_fields(query, options), query.page.errors)
    typed = tuple(field.raw for name, field in query.fields.items() if name != "page")
    return kept_form(options, typed, lambda: form_macro(filter_fields(query, options), []).strip())


def filter_fields(query: CatalogueQuery, options: FilterOptions) -> list[FilterField]:
    """The filter form's fields in page order (the page number is not one of them)."""
    language = page_locale()
    labels = _labels.get(language)
    if labels is None:
        labels = _labels[language] = {name: str(label) for name, label in LABELS.items()}
    fields = []
    for name, field in query.fields.items():
        if name in ("page", "exact"):  # not fields of the form: links set them
            continue
        if name in _TEXTS:
            value = field.raw
            fields.append(FilterField(name, labels[name], _TEXTS[name], None, value, field.errors))
            continue
        tags = option_tags(options, name, language, field.data or "")
        fields.append(FilterField(name, labels[name], "select", tags, None, field.errors))
    return fields


def option_tags(options: FilterOptions, name: str, language: str, chosen: str) -> Markup:
    """A select's <option> tags with `chosen` selected, rendered once and kept.

    `chosen` is a checked value (one of the list's, or ""), so what is kept is bounded by
    the reference data.
    """
    with _rendered_lock:
        rendered = _rendered.setdefault(options, {})
    key = (name, language, chosen)
    tags = rendered.get(key)
    if tags is None:
        offered, any_label = _SELECTS[name]
        if isinstance(offered, str):
            english = language == "en"
            choices = [
                (slug, option.name_en if english else option.name)
                for slug, option in getattr(options, offered).items()
            ]
        else:
            choices = [(value, str(label)) for value, label in offered]
        select_options = get_template_attribute("_macros/filters.html", "select_options")
        tags = rendered[key] = select_options(str(any_label), choices, chosen).strip()
    return tags
