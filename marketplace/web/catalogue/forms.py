"""The catalogue's search-and-filter form: a GET form read from the query string."""

from collections.abc import Collection

from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.validators import Length, StopValidation, ValidationError

from marketplace.services.catalogue import FilterOptions
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l

MAX_QUERY_LENGTH = 200
MAX_PRICE = 100_000_000
METHODS = (
    ("self_paced", _l("Self-paced video")),
    ("webinar", _l("Webinar")),
    ("offline", _l("In person (offline)")),
)
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


class WholeNumberField(IntegerField):
    """An optional whole number with its own sentences for a parse error and its range.

    Empty means None. The range is checked here rather than by Optional + NumberRange
    validators: those stop the chain by raising on every empty field, and this form is
    read on every catalogue page.
    """

    def __init__(self, *args, parse_message=None, minimum=None, maximum=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parse_message = parse_message
        self.minimum = minimum  # (value, message) or None
        self.maximum = maximum

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        raw = valuelist[0].strip().replace(".", "")
        if not raw.lstrip("-").isdigit() or len(raw) > 12:
            self.data = None
            raise ValueError(self.parse_message)
        self.data = int(raw)

    def pre_validate(self, form):
        """After a parse error, say only that; otherwise check the range."""
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            return
        if self.minimum is not None and self.data < self.minimum[0]:
            raise StopValidation(self.minimum[1])
        if self.maximum is not None and self.data > self.maximum[0]:
            raise StopValidation(self.maximum[1])


class ChoiceField(SelectField):
    """A select whose unknown values are refused with a sentence naming the field.

    `allowed` is the collection of accepted values ('' means any); the options are
    rendered by the template from the reference data, not by WTForms.
    """

    allowed: Collection[str] = ()

    def pre_validate(self, form):
        if self.data != "" and self.data not in self.allowed:
            raise ValidationError(
                gettext("Choose a value for “%(field)s” from the list", field=str(self.label.text))
            )


class CatalogueForm(Form):
    """What a visitor can ask the catalogue; every field optional.

    A plain WTForms form read from the query string: a search changes nothing, so it
    carries no CSRF token (and needs no session).
    """

    q = StringField(
        _l("Search courses"),
        validators=[
            Length(
                max=MAX_QUERY_LENGTH,
                message=_l("Search words can be at most %(max)d characters long", max=200),
            )
        ],
    )
    category = ChoiceField(_l("Category"), validate_choice=True, default="")
    method = ChoiceField(_l("Training method"), validate_choice=True, default="")
    platform = ChoiceField(_l("Digital platform"), validate_choice=True, default="")
    provider = ChoiceField(_l("Training provider"), validate_choice=True, default="")
    province = ChoiceField(_l("Province (in-person courses)"), validate_choice=True, default="")
    min_price = WholeNumberField(
        _l("Lowest price (Rp)"),
        parse_message=_l("Enter the lowest price as a whole number of rupiah, like 100000"),
        minimum=(0, _l("The lowest price can't be below 0")),
        maximum=(MAX_PRICE, _l("The lowest price can be at most Rp100.000.000")),
    )
    max_price = WholeNumberField(
        _l("Highest price (Rp)"),
        parse_message=_l("Enter the highest price as a whole number of rupiah, like 500000"),
        minimum=(0, _l("The highest price can't be below 0")),
        maximum=(MAX_PRICE, _l("The highest price can be at most Rp100.000.000")),
    )
    min_rating = ChoiceField(_l("Minimum rating"), validate_choice=True, default="")
    sort = ChoiceField(_l("Sort by"), validate_choice=True, default="")
    page = WholeNumberField(
        _l("Page"),
        parse_message=_l("The page number must be a whole number, like 2"),
        minimum=(1, _l("The page number must be 1 or more")),
    )

    def current_choices(self) -> dict:
        """The valid, non-empty choices, for links that keep them (pagination, "remove")."""
        return {
            name: field.data
            for name, field in self._fields.items()
            if name != "page" and field.data not in (None, "") and not field.errors
        }

    def set_choices(self, options: FilterOptions) -> None:
        """Accept the slugs of the reference data and the fixed choices; '' means any."""
        self.category.allowed = options.categories
        self.method.allowed = _METHOD_VALUES
        self.platform.allowed = options.platforms
        self.provider.allowed = options.providers
        self.province.allowed = options.provinces
        self.min_rating.allowed = _RATING_VALUES
        self.sort.allowed = _SORT_VALUES

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (
            valid
            and self.min_price.data is not None
            and self.max_price.data is not None
            and self.min_price.data > self.max_price.data
        ):
            self.max_price.errors = list(self.max_price.errors) + [
                _l("The highest price must be the same as or more than the lowest price")
            ]
            return False
        return valid
