"""The participant's account: /account, the profile with NIK, the online test, batches."""

from flask import Blueprint

bp = Blueprint("account", __name__)


@bp.after_request
def _not_cached(response):
    """A signed-in participant's pages stay out of shared and back-button caches (the
    profile form and its check step hold the full NIK and KK before they are saved)."""
    response.headers["Cache-Control"] = "no-store"
    return response


# The route modules register their views on `bp`.
from marketplace.web.account import (  # noqa: E402, F401
    batches,
    online_test,
    profile,
    statement,
    views,
)
