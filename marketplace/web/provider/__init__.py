"""The training provider's portal under /provider: its sessions, redeeming codes, cancelling,
marking attendance."""

from flask import Blueprint

from marketplace.web.security import not_cached

bp = Blueprint("provider", __name__, url_prefix="/provider")


# The portal shows participants' names and orders.
bp.after_request(not_cached)


# The route modules register their views on `bp`.
from marketplace.web.provider import (  # noqa: E402, F401
    attendance,
    certificates,
    course_content,
    course_import,
    course_sessions,
    courses,
    redeem,
    reviews,
    sessions,
    settlement,
    submissions,
)
