"""Forms of the programme office's portal."""

from datetime import time

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from marketplace.core import DomainError
from marketplace.programme import batches
from marketplace.web.dates import ClockField, DateTextField, Typed
from marketplace.web.formatting import error_message
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import WholeNumberField

# The years a batch can open or close in (a typo such as 0226 or 20266 is caught here).
BATCH_YEARS = (2000, 2999, _l("Enter a date between the years 2000 and 2999."))


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
    # Typed the Indonesian way, 01/04/2026 and 09.00 (web/dates.py), never the browser's
    # date and time boxes, which show mm/dd/yyyy and AM/PM on many devices.
    opens_date = DateTextField(
        _l("Opens on"),
        validators=[Typed(_l("Enter the date the batch opens"))],
        message=_l("Enter the date the batch opens as day/month/year, for example 01/04/2026"),
        not_real=_l("The date the batch opens must be a real date, for example 01/04/2026"),
        years=BATCH_YEARS,
    )
    opens_time = ClockField(
        _l("Opens at (WIB)"),
        default=time(0, 0),
        validators=[Typed(_l("Enter the time the batch opens"))],
        message=_l(
            "Enter the time the batch opens on the 24-hour clock as hours.minutes, "
            "for example 09.00"
        ),
    )
    closes_date = DateTextField(
        _l("Closes on"),
        validators=[Typed(_l("Enter the date the batch closes"))],
        message=_l("Enter the date the batch closes as day/month/year, for example 14/04/2026"),
        not_real=_l("The date the batch closes must be a real date, for example 14/04/2026"),
        years=BATCH_YEARS,
    )
    closes_time = ClockField(
        _l("Closes at (WIB)"),
        default=time(23, 59),
        validators=[Typed(_l("Enter the time the batch closes"))],
        message=_l(
            "Enter the time the batch closes on the 24-hour clock as hours.minutes, "
            "for example 23.59"
        ),
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
