"""Forms of the way in: signing in, registering, verifying (or changing) the email, passwords.

The password rules themselves (length, common passwords, not the email or name) live in
services.passwords, so registering, resetting and changing a password all apply the same
ones; the services check them, and the registration form asks them too so that every
problem on its page shows at once.
"""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from marketplace.core import DomainError
from marketplace.people import passwords
from marketplace.web.formatting import error_message
from marketplace.web.i18n import lazy_gettext as _l

# A password field takes up to this many characters before the rules look at it, so a
# pasted essay gets the "at most 128 characters" message rather than a hash of it.
_PASSWORD_INPUT_MAX = 1024


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your email address")),
            Length(max=254, message=_l("An email address is at most 254 characters")),
            Email(_l("Enter an email address in the correct format, like nama@contoh.com")),
        ],
    )


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Enter a password")),
            Length(
                max=_PASSWORD_INPUT_MAX,
                message=_l("Your password must be %(max)s characters or fewer.", max=128),
            ),
        ],
    )


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


class RegisterForm(FlaskForm):
    """A new participant account: name, email address, password."""

    name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your full name")),
            Length(max=120, message=_l("Your name must be %(max)s characters or fewer.")),
        ],
    )
    email = _email_field()
    password = _new_password_field(_l("Create a password"))

    def validate_password(self, field) -> None:
        """The password rules, here too, so every problem on the page shows at once."""
        try:
            passwords.check_new_password(
                field.data or "", email=self.email.data or "", name=self.name.data or ""
            )
        except DomainError as error:
            raise ValidationError(error_message(error)) from error


class EmailForm(FlaskForm):
    """One email address: to reset a password, or to send the verification link again."""

    email = _email_field()


class CorrectEmailForm(FlaskForm):
    """The right address, for an account whose address is not confirmed yet (a typo).

    Checked as registering checks it (the same field); whether another account has it is
    the service's rule (people/email_change.py)."""

    email = _email_field(_l("The right email address"))


class ChangeEmailForm(FlaskForm):
    """A new address for a confirmed account, and the current password."""

    email = _email_field(_l("New email address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password")),
            Length(max=256, message=_l("A password is at most 256 characters")),
        ],
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ResetPasswordForm(FlaskForm):
    """A new password, chosen through a reset link."""

    password = _new_password_field(_l("New password"))


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password")),
            Length(max=256, message=_l("A password is at most 256 characters")),
        ],
    )
    password = _new_password_field(_l("New password"))
