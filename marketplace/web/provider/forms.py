"""Forms of the training provider's portal."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired

from marketplace.web.i18n import lazy_gettext as _l


class RedeemForm(FlaskForm):
    """One code typed at the provider's desk; redemption.redeem reads and checks it."""

    code = StringField(
        _l("Code"), validators=[InputRequired(_l("Enter the code the participant gives you."))]
    )


class CancelSessionForm(FlaskForm):
    """The reason for cancelling a session; refunds.cancel_session checks it (required, at
    most 200 characters) so the rule lives in one place."""

    reason = TextAreaField(_l("Why is the session cancelled?"))
