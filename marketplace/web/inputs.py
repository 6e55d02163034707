"""Where a request's input enters the site: ids in paths, numbers in forms, text anywhere.

The rules themselves live in `marketplace.core.inputs`; this module applies them at the door:

- `RowId`, the `<id:...>` path converter: 1 to 10 ASCII digits up to the largest INTEGER
  key, anything else is not a route (404) before a view or a query sees it.
- `WholeNumberField`, WTForms' integer field reading at most as many digits as its
  highest value has, so a 400-digit number is a message, not an OverflowError.
- `check_request_input`, run before every view: a body that is not a form (JSON, say, which
  Flask-WTF would hand to the fields as numbers, lists or null), a file sent to a view that
  takes none (WTForms' text fields would get a FileStorage), or a path, query or form
  value holding NUL or another control character, is a 400 saying so, and nothing runs.
  A view that takes files says so with `@takes_uploads`.
"""

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError
from wtforms import IntegerField
from wtforms.validators import StopValidation

from marketplace.core.base import LARGEST_ID
from marketplace.core.inputs import control_character, whole_number
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l


class RowId(BaseConverter):
    """A row's id in a path: ASCII digits, 1 to LARGEST_ID; a larger one is not found."""

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = whole_number(value, lowest=1, highest=LARGEST_ID)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class WholeNumberField(IntegerField):
    """An integer field that reads ASCII digits only, at most as many as `highest` has.

    Anything else leaves `data` as None and the field's `message` as its only error (the
    other validators don't run on a value that could not be read).
    """

    def __init__(self, label=None, validators=None, *, highest: int, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.highest = highest
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            return
        self.data = whole_number(str(valuelist[0]), lowest=0, highest=10 ** len(str(self.highest)))
        if self.data is None:
            raise ValueError(self.message or _l("Enter a whole number, like 2"))

    def pre_validate(self, form):
        """Stop here when the value could not be read: its message says all there is."""
        if self.process_errors:
            raise StopValidation()


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def takes_uploads(view):
    """Mark a view as one that takes files in its form (every other view refuses them)."""
    view.takes_uploads = True
    return view


def takes_json(view):
    """Mark a view that takes a JSON body (a machine's call, such as the payout gateway's
    webhook): its body is read by the view, every other view refuses JSON."""
    view.takes_json = True
    return view


def _values(multidict) -> list[str]:
    values = []
    for key, items in multidict.lists():
        values.append(key)
        values.extend(item for item in items if isinstance(item, str))
    return values


def _refuse(message: str) -> None:
    refused = BadRequest()
    refused.user_message = message
    raise refused


def check_request_input() -> None:
    """Before every view: a 400 for a body that is not a form, for files sent to a view that
    takes none, and for a control character in the path, query or form.

    NUL and the other controls have no business in anything a person types; PostgreSQL
    refuses NUL in text, and SQLite would store it and put it in mail. Tab, line feed and
    carriage return are allowed (a textarea sends them).
    """
    texts = [request.path]
    texts.extend(_values(request.args))
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.mimetype:
        view = current_app.view_functions.get(request.endpoint)
        # A view marked `takes_json` reads and checks its (signed) body whole itself.
        if not (request.mimetype == "application/json" and getattr(view, "takes_json", False)):
            if request.mimetype not in FORM_TYPES:
                _refuse(gettext("This page takes a form sent by its own buttons, nothing else."))
            if request.files and not getattr(view, "takes_uploads", False):
                _refuse(gettext("This form does not take files. Send it without a file."))
            texts.extend(_values(request.form))
    if any(control_character(text) for text in texts):
        _refuse(
            gettext(
                "What you sent contains a control character (such as a NUL byte) that can't "
                "be used. Remove it and try again."
            )
        )


def register(app: Flask) -> None:
    """Install the path converter and the control-character check on `app`."""
    app.url_map.converters["id"] = RowId
    app.before_request(check_request_input)
