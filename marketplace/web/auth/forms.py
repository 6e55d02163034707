"""Sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from marketplace.web.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address")),
            Email(_l("Enter an email address in the correct format, like nama@contoh.com")),
            Length(max=254, message=_l("An email address is at most 254 characters")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password")),
            Length(max=256, message=_l("A password is at most 256 characters")),
        ],
    )
    next = HiddenField()
