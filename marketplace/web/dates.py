"""Dates and clock times as people in Indonesia type them: 17/08/2026 and 09.00 (24-hour).

A browser's own date and time boxes (`type="date"`, `type="time"`) show the device's
format, on many an mm/dd/yyyy date and a 12-hour clock with AM/PM, whatever the hint beside
them says. The site's forms use plain text boxes instead, with the format in the hint and
the field (`_macros/forms.html`'s `date_time_input`), and read what was typed here:

- a date is day, month and year in that order, 01/04/2026 (one or two digits for the day and
  the month, four for the year), separated by "/", "-", "." or a space: a phone's number pad
  has "-" and "." but often no "/";
- a time is hours and minutes on the 24-hour clock, 09.00 or 23.59 (":" is read too).

Only ASCII digits count (`str.isdigit()` accepts "²" and "٣"). Anything else is refused with
a message saying what to type, and the box shows back what was typed.
"""

import re
from datetime import date, time

from wtforms import Field
from wtforms.validators import StopValidation

_DATE = re.compile(r"([0-9]{1,2})[/.\- ]([0-9]{1,2})[/.\- ]([0-9]{4})")
_CLOCK = re.compile(r"([0-9]{1,2})[.:]([0-9]{2})")

# What the boxes' `pattern` attributes say (the forms are `novalidate`: the server decides).
DATE_PATTERN = r"[0-9]{1,2}[\/.\- ][0-9]{1,2}[\/.\- ][0-9]{4}"
CLOCK_PATTERN = r"[0-9]{1,2}[.:][0-9]{2}"


class NotADate(ValueError):
    """What was typed is not a date written day/month/year, or no such day exists."""

    def __init__(self, real: bool) -> None:
        super().__init__("not a real date" if real else "not written day/month/year")
        self.written_right = real  # the form was right, the day does not exist (31/02)


def read_date(text: str) -> date:
    """The date typed as day/month/year (01/04/2026, 1-4-2026, 1.4.2026); NotADate else."""
    found = _DATE.fullmatch(" ".join(text.split()))
    if found is None:
        raise NotADate(real=False)
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise NotADate(real=True) from None


def read_clock(text: str) -> time:
    """The time typed on the 24-hour clock as hours.minutes (09.00, 9.00, 23:59); ValueError
    for anything else (12-hour times with AM/PM, 24.00, 9, 0900)."""
    found = _CLOCK.fullmatch(text.strip())
    if found is None:
        raise ValueError("not hours.minutes")
    hours, minutes = (int(part) for part in found.groups())
    if hours > 23 or minutes > 59:
        raise ValueError("not a time of the 24-hour clock")
    return time(hours, minutes)


def show_date(value: date) -> str:
    """A date as the box shows it: 01/04/2026."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def show_clock(value: time) -> str:
    """A time as the box shows it: 09.00."""
    return f"{value.hour:02d}.{value.minute:02d}"


class Typed:
    """The required check of a typed date or time box: `message` when nothing was typed
    (spaces count as nothing); a box whose text was refused keeps its own message."""

    field_flags = {"required": True}

    def __init__(self, message) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is None and not field.process_errors:
            raise StopValidation(str(self.message))


class _TypedField(Field):
    """A text box whose text is read into a value; shows back what was typed when refused."""

    input_pattern = ""
    example = ""

    def __init__(self, label=None, validators=None, *, message, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message
        self.typed: str | None = None

    def _read(self, text: str):
        raise NotImplementedError

    def _show(self, value) -> str:
        raise NotImplementedError

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        self.typed = valuelist[0]
        self.data = None
        if self.typed.strip():
            self.data = self._read(self.typed)

    def _value(self) -> str:
        if self.typed is not None:
            return self.typed
        return self._show(self.data) if self.data is not None else ""


class DateTextField(_TypedField):
    """A date typed day/month/year; `.data` is a `date` (None when empty or refused).

    `message` is said when the text is not a date written day/month/year, `not_real`
    when it is, but no such day exists (31/02/2026); `years` bounds the year.
    """

    input_pattern = DATE_PATTERN

    def __init__(self, label=None, validators=None, *, message, not_real, years=None, **kw):
        super().__init__(label, validators, message=message, **kw)
        self.not_real = not_real
        self.years = years  # (lowest, highest, message) or None

    def _read(self, text: str) -> date:
        try:
            day = read_date(text)
        except NotADate as refused:
            message = self.not_real if refused.written_right else self.message
            raise ValueError(str(message)) from None
        if self.years is not None:
            lowest, highest, message = self.years
            if not lowest <= day.year <= highest:
                raise ValueError(str(message))
        return day

    def _show(self, value: date) -> str:
        return show_date(value)


class ClockField(_TypedField):
    """A time typed on the 24-hour clock as hours.minutes; `.data` is a `time`."""

    input_pattern = CLOCK_PATTERN

    def _read(self, text: str) -> time:
        try:
            return read_clock(text)
        except ValueError:
            raise ValueError(str(self.message)) from None

    def _show(self, value: time) -> str:
        return show_clock(value)
