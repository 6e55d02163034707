"""What a visitor asks the catalogue: the query string of /courses, read and checked.

A search changes nothing, so it is a plain GET query rather than a posted form: there is
no CSRF token, no session and no widget to render (web/catalogue/filters.py lays the
fields out). It is read here rather than through a WTForms form because it is read on
every catalogue page, the busiest page of the site, and binding and validating eleven
WTForms fields was an eighth of that page's time. Every field is optional; every refused
value gets one sentence in the page's language, and the value is shown back as typed.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from marketplace.catalogue.listing import Criteria, FilterOptions
from marketplace.core.inputs import read_number
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.labels import COURSE_METHODS

MAX_QUERY_LENGTH = 200
MAX_PRICE = 100_000_000
METHODS = tuple(COURSE_METHODS.items())
SORT_LABELS = (
    ("relevance", _l("Most relevant")),
    ("popular", _l("Most popular")),
    ("rating", _l("Highest rated")),
    ("price_asc", _l("Lowest price")),
    ("price_desc", _l("Highest price")),
    ("newest", _l("Newest")),
)
RATINGS = (("4.5", "4,5+"), ("4", "4+"), ("3.5", "3,5+"), ("3", "3+"))
_METHOD_VALUES = frozenset(value for value, _label in METHODS)
_SORT_VALUES = frozenset(value for value, _label in SORT_LABELS)
_RATING_VALUES = frozenset(value for value, _label in RATINGS)
_EXACT_VALUES = frozenset({"1"})  # `exact=1`: no typo correction (the "search exactly" link)

LABELS = {
    "q": _l("Search courses"),
    "category": _l("Category"),
    "method": _l("Training method"),
    "platform": _l("Digital platform"),
    "provider": _l("Training provider"),
    "province": _l("Province (in-person courses)"),
    "min_price": _l("Lowest price (Rp)"),
    "max_price": _l("Highest price (Rp)"),
    "min_rating": _l("Minimum rating"),
    "sort": _l("Sort by"),
    "page": _l("Page"),
    "exact": _l("Search the words exactly as typed"),
}
# (message when it is not a whole number, (lowest, message), (highest, message) or None)
_WHOLE_NUMBERS = {
    "min_price": (
        _l("Enter the lowest price as a whole number of rupiah, like 100000"),
        (0, _l("The lowest price can't be below 0")),
        (MAX_PRICE, _l("The lowest price can be at most Rp100.000.000")),
    ),
    "max_price": (
        _l("Enter the highest price as a whole number of rupiah, like 500000"),
        (0, _l("The highest price can't be below 0")),
        (MAX_PRICE, _l("The highest price can be at most Rp100.000.000")),
    ),
    "page": (
        _l("The page number must be a whole number, like 2"),
        (1, _l("The page number must be 1 or more")),
        None,
    ),
}


@dataclass(slots=True)
class QueryField:
    """One parameter of the query: its value, what was typed, and what is wrong with it."""

    name: str
    data: object = None  # the checked value: "" or None when absent or refused
    raw: str | None = None  # as typed, for showing back
    errors: list = field(default_factory=list)

    @property
    def id(self) -> str:
        """The id of the field's element on the page (the error summary links to it)."""
        return self.name

    @property
    def label(self) -> str:
        return str(LABELS[self.name])


class CatalogueQuery:
    """The catalogue's query string read into fields, each checked against `options`."""

    def __init__(self, args: Mapping[str, str], options: FilterOptions) -> None:
        if not isinstance(args, dict):
            # The first value of each parameter. A MultiDict raises (and catches) an HTTP
            # exception for every absent key, and most of the eleven are absent.
            args = args.to_dict()
        self.fields = {name: QueryField(name) for name in LABELS}
        self._text("q", args.get("q"))
        self._choice("category", args.get("category"), options.categories)
        self._choice("method", args.get("method"), _METHOD_VALUES)
        self._choice("platform", args.get("platform"), options.platforms)
        self._choice("provider", args.get("provider"), options.providers)
        self._choice("province", args.get("province"), options.provinces)
        for name in ("min_price", "max_price", "page"):
            self._whole_number(name, args.get(name))
        self._choice("min_rating", args.get("min_rating"), _RATING_VALUES)
        self._choice("sort", args.get("sort"), _SORT_VALUES)
        self._choice("exact", args.get("exact"), _EXACT_VALUES)
        low, high = self.fields["min_price"], self.fields["max_price"]
        if (
            not self.errors
            and low.data is not None
            and high.data is not None
            and low.data > high.data
        ):
            high.errors.append(
                gettext("The highest price must be the same as or more than the lowest price")
            )

    def __getitem__(self, name: str) -> QueryField:
        return self.fields[name]

    def __getattr__(self, name: str) -> QueryField:
        try:
            return self.__dict__["fields"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self):
        return iter(self.fields.values())

    @property
    def errors(self) -> dict[str, list]:
        """The refused fields' messages, by field name (empty when all is well)."""
        return {name: field.errors for name, field in self.fields.items() if field.errors}

    def current_choices(self) -> dict:
        """The valid, non-empty choices, for links that keep them (pagination, "remove")."""
        return {
            name: field.data
            for name, field in self.fields.items()
            if name != "page" and field.data not in (None, "") and not field.errors
        }

    def criteria(self, options: FilterOptions) -> Criteria:
        """The service's criteria from a query without errors: slugs resolved to ids."""

        def pick(mapping, slug):
            return mapping[slug].id if slug else None

        fields = self.fields
        rating = fields["min_rating"].data
        return Criteria(
            q=(fields["q"].data or "").strip(),
            category_id=pick(options.categories, fields["category"].data),
            method=fields["method"].data or None,
            platform_id=pick(options.platforms, fields["platform"].data),
            provider_id=pick(options.providers, fields["provider"].data),
            province_id=pick(options.provinces, fields["province"].data),
            min_price=fields["min_price"].data,
            max_price=fields["max_price"].data,
            min_rating=float(rating) if rating else None,
            sort=fields["sort"].data or None,
            page=fields["page"].data or 1,
            exact=fields["exact"].data == "1",
        )

    def _text(self, name: str, value: str | None) -> None:
        field = self.fields[name]
        field.raw = value
        if value is not None and len(value) > MAX_QUERY_LENGTH:
            field.errors.append(
                gettext("Search words can be at most %(max)d characters long", max=MAX_QUERY_LENGTH)
            )
        else:
            field.data = value or ""

    def _choice(self, name: str, value: str | None, allowed: Collection[str]) -> None:
        field = self.fields[name]
        field.raw = value
        if not value:
            field.data = ""
        elif value in allowed:
            field.data = value
        else:
            field.errors.append(
                gettext("Choose a value for “%(field)s” from the list", field=field.label)
            )

    def _whole_number(self, name: str, value: str | None) -> None:
        field = self.fields[name]
        field.raw = value
        if value is None or not value.strip():
            return
        parse_message, lowest, highest = _WHOLE_NUMBERS[name]
        number = read_number(value, max_digits=12, negative=True, thousands=True)
        if number is None:
            field.errors.append(str(parse_message))
            return
        if lowest is not None and number < lowest[0]:
            field.errors.append(str(lowest[1]))
        elif highest is not None and number > highest[0]:
            field.errors.append(str(highest[1]))
        else:
            field.data = number
