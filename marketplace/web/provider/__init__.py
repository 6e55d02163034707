"""The training provider's portal under /provider: its sessions, redeeming codes, cancelling."""

from flask import Blueprint

bp = Blueprint("provider", __name__, url_prefix="/provider")


@bp.after_request
def _not_cached(response):
    """The portal shows participants' names and orders: kept out of shared caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


# The route modules register their views on `bp`.
from marketplace.web.provider import redeem, sessions  # noqa: E402, F401
