"""The programme office's portal under /admin."""

from flask import Blueprint

from marketplace.web.security import not_cached

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The office's pages show applicants, participants, orders, codes and the books.
bp.after_request(not_cached)

# The route modules register their views on `bp`.
from marketplace.web.admin import (  # noqa: E402, F401
    batches,
    certificates,
    course_history,
    curation,
    disbursements,
    ledger,
    orders,
    providers,
    reviews,
    search_synonyms,
    settlement,
    submissions,
    test_time,
)
