"""Forms of the programme office's portal."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from marketplace.core import DomainError
from marketplace.programme import batches
from marketplace.web.formatting import error_message
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import WholeNumberField

TIME_PATTERN = r"^([01]?\d|2[0-3])[:.][0-5]\d$"


class BatchForm(FlaskForm):
    """A new batch: its number, when it opens and closes (WIB), quota and scheme."""

    number = WholeNumberField(
        _l("Batch number"),
        highest=100_000,
        message=_l("Enter the batch number as a whole number, like 3"),
        validators=[
            InputRequired(_l("Enter the batch number")),
            NumberRange(
                min=1, max=100_000, message=_l("The batch number must be from 1 to 100.000")
            ),
        ],
    )
    opens_date = DateField(
        _l("Opens on"),
        validators=[InputRequired(_l("Enter the date the batch opens"))],
        format="%Y-%m-%d",
    )
    opens_time = StringField(
        _l("Opens at (WIB)"),
        default="00:00",
        validators=[
            InputRequired(_l("Enter the time the batch opens")),
            Regexp(TIME_PATTERN, message=_l("Enter a time like 09:00")),
        ],
    )
    closes_date = DateField(
        _l("Closes on"),
        validators=[InputRequired(_l("Enter the date the batch closes"))],
        format="%Y-%m-%d",
    )
    closes_time = StringField(
        _l("Closes at (WIB)"),
        default="23:59",
        validators=[
            InputRequired(_l("Enter the time the batch closes")),
            Regexp(TIME_PATTERN, message=_l("Enter a time like 09:00")),
        ],
    )
    quota = WholeNumberField(
        _l("Quota (participants to accept)"),
        highest=10_000_000,
        message=_l("Enter the quota as a whole number, like 1000"),
        validators=[
            InputRequired(_l("Enter the quota")),
            NumberRange(
                min=1, max=10_000_000, message=_l("The quota must be from 1 to 10.000.000")
            ),
        ],
    )
    scheme = SelectField(_l("Scheme"), validators=[InputRequired(_l("Choose the scheme"))])
    province_quotas = TextAreaField(
        _l("Province quotas (optional)"),
        validators=[
            Optional(),
            Length(max=2000, message=_l("Province quotas are at most 2,000 characters")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_quota_ids: dict[int, int] = {}

    def validate_province_quotas(self, field) -> None:
        """Read the "32=100" lines into {province id: quota}."""
        try:
            self.province_quota_ids = batches.read_province_quotas(field.data)
        except DomainError as error:
            raise ValidationError(error_message(error)) from None


class ConfirmForm(FlaskForm):
    """An action button: just the CSRF token."""


class OrderSearchForm(FlaskForm):
    """Find an order: its number, a voucher or redeem code, or the participant's email."""

    class Meta:
        csrf = False  # a GET search that changes nothing

    q = StringField(
        _l("Order number, code or email"),
        validators=[Length(max=254, message=_l("Enter at most 254 characters"))],
    )


class RefundForm(FlaskForm):
    """The programme office's refund of one order: the reason is recorded and mailed."""

    reason = TextAreaField(
        _l("Reason for the refund"),
        validators=[
            InputRequired(_l("Write the reason for the refund.")),
            Length(max=200, message=_l("The reason can be at most 200 characters.")),
        ],
    )
