"""The start page, language switch and the health check (help pages: help.py)."""

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from marketplace.catalogue import listing
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people import participants
from marketplace.programme import batches, online_test
from marketplace.programme.outlook import outlook
from marketplace.web.i18n import LANGUAGE_COOKIE
from marketplace.web.labels import EMPLOYMENT_LABELS
from marketplace.web.security import safe_next

bp = Blueprint("public", __name__)

# Who can apply, as the code decides it (people/participants.py, programme/batches.py).
RULES = {
    "min_age": participants.MIN_AGE,
    "max_age": participants.MAX_AGE,
    "kk_limit": batches.KK_LIMIT,
    "max_rejections": batches.MAX_REJECTIONS,
    "questions": online_test.QUESTION_COUNT,
    "test_minutes": int(online_test.TIME_LIMIT.total_seconds() // 60),
}
# Who goes first when a batch has more applicants than places, as selection ranks them.
PRIORITY = tuple(EMPLOYMENT_LABELS[employment] for employment in batches.EMPLOYMENT_PRIORITY)


@bp.route("/")
def index():
    """The way in: who can apply, what they get, the batch open now, how it works."""
    return render_template(
        "public/index.html",
        options=listing.filter_options(),
        outlook=outlook(utcnow()),
        rules=RULES,
        priority=PRIORITY,
    )


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


# The help pages register their views on `bp`.
from marketplace.web.public import help  # noqa: E402, F401
