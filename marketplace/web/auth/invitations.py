"""/invitations/<token>: a training provider's staff member accepts the office's invitation.

The page names the provider and the address invited, and asks the person's full name and a
password, typed twice (registration's rules, people/passwords.py). Accepting makes the
account (people/invitations.py, once), signs it in and goes to the provider's portal. A link
that can't be used is a 4xx page in the page's language saying what happened and what to do:
not a link of ours (404), used, withdrawn, replaced or expired (410), an account made with
the address meanwhile (409).

Like the site's other secret links, the page is never cached and sends no Referer. Wrong
links are limited per visitor (`WRONG_LINKS`, only answers that found no invitation count),
as the certificate lookups are; the form's POST also has the way in's limit per address.
"""

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.extensions import limiter
from marketplace.people import invitations, passwords
from marketplace.web.auth.forms import _new_password_field, _strip
from marketplace.web.auth.limits import PER_ADDRESS
from marketplace.web.auth.links import private
from marketplace.web.auth.session import signed_in_user
from marketplace.web.auth.views import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, page_locale
from marketplace.web.i18n import lazy_gettext as _l

# Links that name no invitation, per visitor: plenty for someone mistyping, nothing for a
# guesser (a link carries a 256-bit secret and a signature: the limit keeps the site from
# being used to try).
WRONG_LINKS = "20 per minute;200 per day"
WRONG_LINKS_SCOPE = "invitation-links"
# What a link that can't be used answers (see the module's text).
STATUSES = {"unknown": 404, "ended": 410, "account": 409}


class AcceptInvitationForm(FlaskForm):
    """The invitee's full name and a password, typed twice."""

    name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your full name")),
            Length(max=120, message=_l("Your name must be %(max)s characters or fewer.")),
        ],
    )
    password = _new_password_field(_l("Create a password"))
    password_again = PasswordField(
        _l("Type the password again"),
        validators=[
            DataRequired(_l("Type the password again")),
            EqualTo("password", message=_l("The two passwords are not the same. Type them again.")),
        ],
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.invited_email = email

    def validate_password(self, field) -> None:
        """The password rules, here too, so every problem on the page shows at once."""
        try:
            passwords.check_new_password(
                field.data or "", email=self.invited_email, name=self.name.data or ""
            )
        except DomainError as error:
            raise ValidationError(error_message(error)) from error


def _not_found(response) -> bool:
    return response.status_code == STATUSES["unknown"]


def _refused(error: invitations.LinkRefused):
    """The page of a link that can't be used: why, and what to do next."""
    config = current_app.config
    return private(
        render_template(
            "auth/invitation_problem.html",
            message=error_message(error),
            contact_email=config["CONTACT_EMAIL"],
            contact_phone=config["CONTACT_PHONE"],
        ),
        STATUSES[error.kind],
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.shared_limit(WRONG_LINKS, WRONG_LINKS_SCOPE, deduct_when=_not_found)
@limiter.limit(PER_ADDRESS, methods=["POST"])
def invitation(token: str):
    """The invitation: who for, the form; accepting signs the new account in."""
    now = utcnow()
    try:
        found = invitations.check(token, now)
    except invitations.LinkRefused as error:
        return _refused(error)
    form = AcceptInvitationForm(email=found.email)
    status = 200
    if form.validate_on_submit():
        try:
            user = invitations.accept(
                token, form.name.data, form.password.data, now, locale=page_locale()
            )
        except invitations.LinkRefused as error:
            return _refused(error)
        except DomainError as error:
            field = getattr(form, error.field or "", None)
            if field is None:
                field = form.name
            field.errors = [*field.errors, error_message(error)]
            status = 400
        else:
            session.clear()  # a new session for the new account
            login_user(user)
            session["signed_in_at"] = int(time.time())
            flash(
                gettext(
                    "Welcome, %(name)s. Your account acts for %(provider)s.",
                    name=user.name,
                    provider=found.provider.name,
                ),
                "success",
            )
            return redirect(url_for("provider.index"))
    elif request.method == "POST":
        status = 400
    return private(
        render_template(
            "auth/invitation.html",
            form=form,
            token=token,
            invitation=found,
            signed_in=signed_in_user(),
        ),
        status,
    )
