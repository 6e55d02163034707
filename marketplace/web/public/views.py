"""Landing page, language switch and the health check."""

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from marketplace.catalogue import listing
from marketplace.extensions import db
from marketplace.web.i18n import LANGUAGE_COOKIE
from marketplace.web.security import safe_next

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    """What the programme is, how it works, and its questions answered."""
    return render_template("public/index.html", options=listing.filter_options())


@bp.route("/language/<code>")
def language(code: str):
    """Switch the page language and go back to the same page."""
    target = safe_next(request.args.get("next"), default="/")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.route("/healthz")
def healthz():
    """Liveness with a database round trip."""
    try:
        db.session.execute(sa.text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
