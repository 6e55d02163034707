"""The way in: registering, confirming the email address, signing in and out, passwords.

Throttling (Flask-Limiter; memory by default, Redis when RATELIMIT_STORAGE_URI says so):
every form that checks a password or sends mail is limited per address (the remote
address) and per account (the email address submitted, or the signed-in user), so neither
one machine trying many accounts nor many machines trying one account get far. The
per-email keys are a digest of the normalised address, so the limiter's store never holds
email addresses.
"""

import hashlib

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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.core import DomainError
from marketplace.extensions import limiter
from marketplace.people import accounts
from marketplace.people.models import Role
from marketplace.web.auth.forms import (
    ActionForm,
    ChangePasswordForm,
    EmailForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from marketplace.web.auth.session import signed_in_user
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, page_locale
from marketplace.web.security import not_cached, safe_next

bp = Blueprint("auth", __name__)

# Per account: a person mistyping their password a few times is never stopped; a guesser
# gets 20 tries an hour whatever number of addresses they use.
PER_EMAIL = "5 per minute;20 per hour"
PER_ADDRESS = "10 per minute"
MAIL_PER_EMAIL = "3 per minute;10 per hour"  # forms that send mail


# --- throttling keys ----------------------------------------------------------------------


def _email_key() -> str:
    """The limiter's key for the email address submitted (a digest, lower case)."""
    email = accounts.normalise_email(request.form.get("email", ""))
    return "email:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


def _no_email() -> bool:
    return not request.form.get("email", "").strip()


def _account_key() -> str:
    """The signed-in user, else the email address submitted."""
    user = signed_in_user()
    return f"user:{user.id}" if user is not None else _email_key()


def _no_account() -> bool:
    return signed_in_user() is None and _no_email()


def _user_key() -> str:
    user = signed_in_user()
    return f"user:{user.id}" if user is not None else get_remote_address()


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


def _external(endpoint: str, **values) -> str:
    """An absolute link for mail: always on PUBLIC_URL, never on the request's Host header.

    create_app sees that PUBLIC_URL is set; a link is never built without it.
    """
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise RuntimeError("PUBLIC_URL is not set: links in mail are built only on it")
    return base.rstrip("/") + url_for(endpoint, **values)


def _verification_link(token: str) -> str:
    return _external("auth.verify_email", token=token)


def _reset_link(token: str) -> str:
    return _external("auth.reset_password", token=token)


def _show_error(form, error: DomainError) -> None:
    """A service's refusal, on the form field it is about (else as a flash message)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error_message(error)]
    else:
        flash(error_message(error), "error")


def _private(response, status: int = 200):
    """A page reached through a secret link: not cached, and no Referer carrying the link."""
    response = current_app.make_response((response, status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _link_problem(error: DomainError, next_step: str):
    """The page for a link that can't be used: why, and how to get a new one."""
    return _private(
        render_template(
            "auth/link_problem.html", message=error_message(error), next_step=next_step
        ),
        400,
    )


# --- signing in and out -------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit(PER_EMAIL, key_func=_email_key, methods=["POST"], exempt_when=_no_email)
def login():
    """Sign in with email and password; go back to a safe `next` page afterwards."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), default="")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, default=_home_for(current_user)))
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a new session on every sign-in
            login_user(user)
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
            return redirect(url_for("auth.check_email"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/register/check-email")
def check_email():
    """After registering: look for the link in your mailbox (or have it sent again)."""
    user = signed_in_user()
    if user is not None and user.verified_at is not None:
        return redirect(_account_home())
    return render_template("auth/check_email.html", user=user, form=ActionForm())


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
        return _link_problem(error, next_step="verification")
    return _private(
        render_template(
            "auth/verify_email.html", form=form, token=token,
            already_verified=found.already_verified,
        )
    )


@bp.route("/verify-email/resend", methods=["GET", "POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit(MAIL_PER_EMAIL, key_func=_account_key, methods=["POST"], exempt_when=_no_account)
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
@limiter.limit(MAIL_PER_EMAIL, key_func=_email_key, methods=["POST"], exempt_when=_no_email)
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
        return _link_problem(error, next_step="reset")
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.reset_password(
                token, form.password.data, forgot_link=_external("auth.forgot_password")
            )
        except DomainError as error:
            if error.field == "token":
                return _link_problem(error, next_step="reset")
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
    return _private(render_template("auth/reset.html", form=form, token=token), status)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(PER_EMAIL, key_func=_user_key, methods=["POST"])
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
                forgot_link=_external("auth.forgot_password"),
            )
        except DomainError as error:
            _show_error(form, error)
            status = 400
        else:
            login_user(user)  # this browser goes on with the new session version
            flash(gettext("Your password has been changed."), "success")
            return redirect(_account_home())
    elif request.method == "POST":
        status = 400
    return render_template("auth/password_change.html", form=form), status
