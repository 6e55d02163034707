"""The learner's pages (issue 12): "Pelatihan Saya" (/account/courses) and each bought
course's learning pages under /learn/<order id> (views.py)."""

from flask import Blueprint

from marketplace.web.security import not_cached

bp = Blueprint("learning", __name__)

# The pages show a person's courses, scores and (before starting) where the voucher code goes.
bp.after_request(not_cached)

# The route module registers its views on `bp`.
from marketplace.web.learning import views  # noqa: E402, F401
