"""The participant's account: /account, the profile with NIK, the online test, batches."""

from flask import Blueprint

bp = Blueprint("account", __name__)

# The route modules register their views on `bp`.
from marketplace.web.account import batches, online_test, profile, views  # noqa: E402, F401
