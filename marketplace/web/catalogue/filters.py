"""The catalogue's filter fields: the search form turned into what each field shows.

The filter form is on every catalogue page, the busiest page of the site. Its ten fields
are prepared here in one Python loop, as the course cards are: the <option> tags of each
list are rendered once per set of reference data and language and kept, and the template
(catalogue/_filters.html) only lays the fields out.
"""

from typing import NamedTuple
from weakref import WeakKeyDictionary

from markupsafe import Markup, escape

from marketplace.catalogue.listing import FilterOptions
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

_rendered: WeakKeyDictionary = WeakKeyDictionary()
_labels: dict[str, dict[str, str]] = {}  # the fields' labels, per language


def filter_fields(query: CatalogueQuery, options: FilterOptions) -> list[FilterField]:
    """The filter form's fields in page order (the page number is not one of them)."""
    language = page_locale()
    rendered = _rendered.setdefault(options, {})
    labels = _labels.get(language)
    if labels is None:
        labels = _labels[language] = {name: str(label) for name, label in LABELS.items()}
    fields = []
    for name, field in query.fields.items():
        if name == "page":
            continue
        if name in _TEXTS:
            value = field.raw
            fields.append(FilterField(name, labels[name], _TEXTS[name], None, value, field.errors))
            continue
        tags = rendered.get((name, language))
        if tags is None:
            tags = rendered[(name, language)] = _option_tags(options, name, language)
        if field.data:
            tag = f'<option value="{escape(field.data)}">'
            tags = tags.replace(tag, tag[:-1] + " selected>", 1)
        fields.append(
            FilterField(name, labels[name], "select", Markup(tags), None, field.errors)  # noqa: S704  # nosec B704  # option tags of escaped values
        )
    return fields


def _option_tags(options: FilterOptions, name: str, language: str) -> str:
    """A select's <option> tags, the "any" option first, every value and label escaped."""
    offered, any_label = _SELECTS[name]
    if isinstance(offered, str):
        english = language == "en"
        pairs = [
            (slug, option.name_en if english else option.name)
            for slug, option in getattr(options, offered).items()
        ]
    else:
        pairs = [(value, str(label)) for value, label in offered]
    tags = [f'<option value="">{escape(str(any_label))}</option>']
    tags += [f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in pairs]
    return "".join(tags)
