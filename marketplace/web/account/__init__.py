"""The participant's account: /account, the profile with NIK, the online test, batches."""

from flask import Blueprint

from marketplace.web.security import not_cached

bp = Blueprint("account", __name__)


# The profile form and its check step hold the full NIK and KK before they are saved.
bp.after_request(not_cached)


# The route modules register their views on `bp`.
from marketplace.web.account import (  # noqa: E402, F401
    batches,
    demonstration,
    email,
    incentives,
    online_test,
    payout,
    profile,
    reviews,
    statement,
    views,
)
