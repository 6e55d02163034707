"""/account/email: a confirmed participant changes their email address.

The form asks for the new address and the current password; nothing changes until the
link mailed to the NEW address is followed (/account/email/confirm/<token>), and the account
signs in with its old address until then; a notice goes to the old address. The rules, the
link and the mail are people/email_change.py's. An address not yet confirmed is corrected
on the "check your email" page instead (auth.check_email).

The link's page works without signing in (it may be opened on another device): a GET only
shows a button, the POST makes the change, so a mail scanner opening the link changes
nothing.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.core import DomainError
from marketplace.extensions import limiter
from marketplace.people import email_change
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.auth.forms import ActionForm, ChangeEmailForm
from marketplace.web.auth.limits import (
    MAIL_PER_EMAIL,
    MAIL_SCOPE,
    PER_ADDRESS,
    PER_EMAIL,
    account_key,
    email_key,
    no_email,
    user_key,
)
from marketplace.web.auth.links import external, link_problem, private
from marketplace.web.auth.session import signed_in_user
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext


def _change_link(token: str) -> str:
    return external("account.confirm_email_change", token=token)


def _page(user, form: ChangeEmailForm, status: int = 200):
    return (
        render_template(
            "account/email.html",
            user=user,
            form=form,
            cancel_form=ActionForm(),
            pending=email_change.pending_change(user),
            hours=int(email_change.CHANGE_MAX_AGE.total_seconds() // 3600),
        ),
        status,
    )


@bp.route("/account/email", methods=["GET", "POST"])
@participant_required
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit(PER_EMAIL, key_func=user_key, methods=["POST"])
@limiter.shared_limit(
    MAIL_PER_EMAIL,
    MAIL_SCOPE,
    key_func=email_key,
    methods=["POST"],
    exempt_when=no_email,
    deduct_when=lambda response: response.status_code < 400,  # a link was mailed
)
@limiter.shared_limit(  # and per account: one account can't mail any number of addresses
    MAIL_PER_EMAIL,
    MAIL_SCOPE,
    key_func=account_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code < 400,
)
def email():
    """The current address, a change waiting for its link, and the form to ask for one."""
    user = current_user._get_current_object()
    if user.verified_at is None:
        return redirect(url_for("auth.check_email"))
    if request.method == "GET":
        return _page(user, ChangeEmailForm(formdata=None))
    form = ChangeEmailForm()
    if not form.validate_on_submit():
        return _page(user, form, 400)
    try:
        email_change.request_change(
            user,
            form.current_password.data,
            form.email.data,
            link_for=_change_link,
            forgot_link=external("auth.forgot_password"),
        )
    except DomainError as error:
        field = getattr(form, error.field or "", None)
        if field is None:
            field = form.email
        field.errors = [*field.errors, error_message(error)]
        return _page(user, form, 400)
    flash(
        gettext(
            "We have sent a link to %(email)s. Your address changes when you open it.",
            email=user.pending_email,
        ),
        "success",
    )
    return redirect(url_for("account.email"))


@bp.route("/account/email/cancel", methods=["GET", "POST"])
@participant_required
def cancel_email_change():
    """Drop the change waiting for its link; the link stops working. (A GET, such as the way
    back from signing in, only goes to the page with the button.)"""
    if request.method == "GET":
        return redirect(url_for("account.email"))
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(current_user._get_current_object(), ChangeEmailForm(formdata=None), 400)
    if email_change.cancel_change(current_user._get_current_object()):
        flash(gettext("The change of email address has been cancelled."), "success")
    return redirect(url_for("account.email"))


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
def confirm_email_change(token: str):
    """The link mailed to the new address: a button that makes the change (once)."""
    form = ActionForm()
    try:
        if form.validate_on_submit():
            found = email_change.confirm_change(token)
            flash(
                gettext("Your email address has been changed to %(email)s.", email=found.new_email),
                "success",
            )
            user = signed_in_user()
            if user is not None and user.id == found.user.id:
                return redirect(url_for("account.email"))
            flash(gettext("Sign in with your new email address."), "info")
            return redirect(url_for("auth.login"))
        found = email_change.check_change_token(token)
    except DomainError as error:
        return link_problem(error, next_step="email_change")
    return private(
        render_template("account/email_confirm.html", form=form, token=token, found=found),
        400 if request.method == "POST" else 200,
    )
