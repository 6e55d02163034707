"""Signing in and out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.extensions import db, limiter
from marketplace.services import accounts
from marketplace.web.auth.forms import LoginForm
from marketplace.web.security import safe_next

bp = Blueprint("auth", __name__)


def _home_for(user) -> str:
    return url_for("public.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
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
            db.session.commit()
            session.clear()  # a new session on every sign-in
            login_user(user)
            flash(_("You are signed in."), "success")
            return redirect(safe_next(form.next.data, default=_home_for(user)))
        form.password.errors.append(_("The email address or password is not right."))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST with a CSRF token, so a link elsewhere can't sign anyone out)."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.index"))
