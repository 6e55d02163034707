"""The learner's forms. A test's answers are not fields here: their names (`answer-<question
id>`) come from the try the server drew, and views.read_answers reads them."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from marketplace.web.i18n import lazy_gettext as _l


class ButtonForm(FlaskForm):
    """A button that changes something (open a module, start a test, send the answers): the
    CSRF token only."""


class StartForm(FlaskForm):
    """The voucher code that starts a self-paced course; redemption.start_self_paced reads it
    (any case, with or without dashes) and checks it is this order's."""

    code = StringField(
        _l("Voucher code"),
        validators=[InputRequired(_l("Enter the voucher code of this course."))],
    )
