"""The way in: registering, confirming (or correcting) the email address, signing in and
out, passwords. The rate limits and their keys: web/auth/limits.py.
"""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.core import DomainError
from marketplace.extensions import limiter
from marketplace.people import accounts, email_change
from marketplace.people.models import Role
from marketplace.web.auth.forms import (
    ActionForm,
    ChangePasswordForm,
    CorrectEmailForm,
    EmailForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from marketplace.web.auth.limits import (
    MAIL_PER_EMAIL,
    MAIL_SCOPE,
    PER_ADDRESS,
    PER_EMAIL,
    account_key,
    email_key,
    no_account,
    no_email,
    user_key,
)
from marketplace.web.auth.links import external, link_problem, private
from marketplace.web.auth.session import signed_in_user
from marketplace.web.errors import EXPLANATIONS, TITLES
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, page_locale
from marketplace.web.security import not_cached, safe_next

bp = Blueprint("auth", __name__)

# The pages that mail a link to confirm an address: a refusal for too many tries there
# says so, and what to do meanwhile (mail_limited.html).
MAILING_ENDPOINTS = frozenset({"auth.resend_verification", "auth.correct_email"})


# --- helpers ------------------------------------------------------------------------------


def _home_for(user) -> str:
    """Where a person lands after signing in: their account, or the office's batches."""
    if user.role is Role.PARTICIPANT:
        return url_for("account.index")
    if user.role is Role.ADMIN:
        return url_for("admin.batches")
    return url_for("public.index")


def _account_home() -> str:
    """Where a signed-in person goes after a change to their account."""
    user = signed_in_user()
    if (
        user is not None
        and user.role is Role.PARTICIPANT
        and "account.index" in current_app.view_functions
    ):
        return url_for("account.index")
    return url_for("public.index")


def _verification_link(token: str) -> str:
    return external("auth.verify_email", token=token)


def _reset_link(token: str) -> str:
    return external("auth.reset_password", token=token)


def _show_error(form, error: DomainError) -> None:
    """A service's refusal, on the form field it is about (else as a flash message)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error_message(error)]
    else:
        flash(error_message(error), "error")


def _contact_link() -> str | None:
    """The contact page's path, where the site has one."""
    return url_for("public.contact") if "public.contact" in current_app.view_functions else None


def _verification_hours() -> int:
    return int(accounts.VERIFICATION_MAX_AGE.total_seconds() // 3600)


@bp.errorhandler(429)
def too_many(error):
    """Too many tries: on the pages that mail a link, say that the mail already sent still
    works and how long to wait; elsewhere the site's usual page."""
    if request.endpoint in MAILING_ENDPOINTS:
        page = render_template(
            "auth/mail_limited.html",
            user=signed_in_user(),
            hours=_verification_hours(),
            contact=_contact_link(),
        )
    else:
        page = render_template(
            "errors/error.html", code=429, title=TITLES[429], explanation=EXPLANATIONS[429]
        )
    return not_cached(current_app.make_response((page, 429)))


# --- signing in and out -------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit(PER_EMAIL, key_func=email_key, methods=["POST"], exempt_when=no_email)
def login():
    """Sign in with email and password; go back to a safe `next` page afterwards."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), default="")
    # A signed-in account is sent on, unless a page asked it to sign in again ("again":
    # a change that needs a fresh sign-in, such as the payout account).
    if current_user.is_authenticated and request.method == "GET" and not request.args.get("again"):
        return redirect(safe_next(form.next.data, default=_home_for(current_user)))
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a new session on every sign-in
            login_user(user)
            session["signed_in_at"] = int(time.time())  # pages that need a fresh sign-in
            flash(gettext("You are signed in."), "success")
            if user.verified_at is None:
                flash(
                    gettext(
                        "Confirm your email address: open the link we sent to %(email)s.",
                        email=user.email,
                    ),
                    "info",
                )
            return redirect(safe_next(form.next.data, default=_home_for(user)))
        form.password.errors.append(gettext("The email address or password is not right."))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.get("/logout")
def logout_page():
    """The sign-out page: a button that POSTs to /logout (a GET itself signs no one out).

    Someone already signed out is told so. Not cached: it names who is signed in.
    """
    user = signed_in_user()
    form = ActionForm() if user is not None else None
    return not_cached(
        current_app.make_response(render_template("auth/logout.html", form=form, user=user))
    )


@bp.post("/logout")
def logout():
    """Sign out (a POST with a CSRF token, so a link elsewhere can't sign anyone out).

    The session lives in a signed cookie, so the account's session version changes too:
    a copy of the old cookie no longer signs anyone in (this signs out the account's other
    browsers as well). Someone already signed out is shown the page that says so.
    """
    if signed_in_user() is None:
        return redirect(url_for("auth.logout_page"))
    accounts.end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(gettext("You are signed out."), "success")
    return redirect(url_for("public.index"))


# --- registering and confirming the email address -----------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
def register():
    """Create a participant account, then ask the person to confirm their email address."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_account_home())
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.register_participant(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                link_for=_verification_link,
                locale=page_locale(),
            )
        except DomainError as error:
            _show_error(form, error)
            status = 400
        else:
            session.clear()
            login_user(user)
            session["signed_in_at"] = int(time.time())
            return redirect(url_for("auth.check_email"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/register/check-email")
def check_email():
    """After registering: look for the link in your mailbox, have it sent again, or correct
    the address. Only the signed-in account (the session registering made, or a sign-in
    with its password) sees its address and may correct it; nobody else is told anything."""
    user = signed_in_user()
    if user is not None and user.verified_at is not None:
        return redirect(_account_home())
    return _check_email_page(user, CorrectEmailForm(formdata=None))


def _check_email_page(user, email_form: CorrectEmailForm, status: int = 200):
    return not_cached(
        current_app.make_response(
            (
                render_template(
                    "auth/check_email.html",
                    user=user,
                    form=ActionForm(),
                    email_form=email_form,
                    hours=_verification_hours(),
                    contact=_contact_link(),
                ),
                status,
            )
        )
    )


@bp.post("/register/check-email/address")
@limiter.limit(PER_ADDRESS)
@limiter.shared_limit(MAIL_PER_EMAIL, MAIL_SCOPE, key_func=account_key, exempt_when=no_account)
@limiter.shared_limit(MAIL_PER_EMAIL, MAIL_SCOPE, key_func=email_key, exempt_when=no_email)
def correct_email():
    """Correct a mistyped address before it is confirmed: the link goes to the new address
    and the one sent to the old address stops working. Only the signed-in account's own
    address, never one named in the request; anyone else is asked to sign in (and comes
    back to the page, not to this POST-only address)."""
    user = signed_in_user()
    if user is None:
        return redirect(url_for("auth.login", next=url_for("auth.check_email")))
    user = user._get_current_object()
    if user.verified_at is not None:
        flash(gettext("Your email address was already confirmed."), "info")
        return redirect(_account_home())
    form = CorrectEmailForm()
    if form.validate_on_submit():
        try:
            email_change.correct_unverified_email(user, form.email.data, _verification_link)
        except DomainError as error:
            _show_error(form, error)
        else:
            flash(gettext("We have sent a new link to %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.check_email"))
    return _check_email_page(user, form, 400)


# GET only shows the page; the button on it POSTs, and that verifies. Mail scanners and
# link previews open the links in a message by GET before (or without) the person seeing
# it, and a GET must not change anything: a GET that verified would confirm an address
# its owner never looked at. One click is the price.
@bp.route("/verify-email/<token>", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
def verify_email(token: str):
    """Confirm the email address with the link from the verification mail."""
    form = ActionForm()
    try:
        if form.validate_on_submit():
            found = accounts.verify_email(token)
            if found.already_verified:
                flash(gettext("Your email address was already confirmed."), "info")
            else:
                flash(gettext("Your email address is confirmed. Thank you."), "success")
            user = signed_in_user()
            if user is not None and user.id == found.user.id:
                return redirect(_account_home())
            return redirect(url_for("auth.login"))
        found = accounts.check_verification_token(token)
    except DomainError as error:
        return link_problem(error, next_step="verification")
    return private(
        render_template(
            "auth/verify_email.html",
            form=form,
            token=token,
            already_verified=found.already_verified,
        )
    )


@bp.route("/verify-email/resend", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.shared_limit(
    MAIL_PER_EMAIL, MAIL_SCOPE, key_func=account_key, methods=["POST"], exempt_when=no_account
)
def resend_verification():
    """Send the verification link again: to the signed-in account, or to an address typed in.

    For an address typed in, the answer is the same whether it has an account or not.
    """
    user = signed_in_user()
    if user is not None and user.verified_at is not None:
        flash(gettext("Your email address was already confirmed."), "info")
        return redirect(_account_home())
    form = ActionForm() if user is not None else EmailForm()
    if form.validate_on_submit():
        if user is not None:
            accounts.resend_verification(user, _verification_link)
        else:
            accounts.resend_verification_to(form.email.data, _verification_link)
        if user is not None:
            flash(gettext("We have sent a new link to %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.check_email"))
        return render_template("auth/resend.html", form=form, sent_to=form.email.data)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/resend.html", form=form, user=user, sent_to=None), status


# --- forgotten and changed passwords ------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit(MAIL_PER_EMAIL, key_func=email_key, methods=["POST"], exempt_when=no_email)
def forgot_password():
    """Ask for a password-reset link; the answer is the same whether the account exists."""
    form = EmailForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, _reset_link)
        return render_template("auth/forgot_sent.html", email=form.email.data)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
def reset_password(token: str):
    """Choose a new password with the link from the reset mail; signs out everywhere."""
    try:
        accounts.check_reset_token(token)
    except DomainError as error:
        return link_problem(error, next_step="reset")
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.reset_password(
                token, form.password.data, forgot_link=external("auth.forgot_password")
            )
        except DomainError as error:
            if error.field == "token":
                return link_problem(error, next_step="reset")
            _show_error(form, error)
            status = 400
        else:
            logout_user()
            session.clear()
            flash(
                gettext("Your password has been changed. Sign in with your new password."),
                "success",
            )
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        status = 400
    return private(render_template("auth/reset.html", form=form, token=token), status)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_EMAIL, key_func=user_key, methods=["POST"])
def change_password():
    """Change the password: the current one, then a new one. Other sessions end."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                user,
                form.current_password.data,
                form.password.data,
                forgot_link=external("auth.forgot_password"),
            )
        except DomainError as error:
            _show_error(form, error)
            status = 400
        else:
            login_user(user)  # this browser goes on with the new session version
            session["signed_in_at"] = int(time.time())  # the password was just typed
            flash(gettext("Your password has been changed."), "success")
            return redirect(_account_home())
    elif request.method == "POST":
        status = 400
    return render_template("auth/password_change.html", form=form), status


# The page where a provider's staff member accepts the office's invitation registers on `bp`.
from marketplace.web.auth import invitations  # noqa: E402, F401
