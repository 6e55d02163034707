"""The programme office's portal under /admin."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The route modules register their views on `bp`.
from marketplace.web.admin import batches, ledger, orders  # noqa: E402, F401
