"""The public side of certificates (issue 13): /certificates/<code>, the page anyone holding a
link, a printed certificate or its QR code opens to see whether it is genuine and still valid,
and /verify, where a code is typed or an address pasted. No account is needed (views.py)."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

# The route module registers its views on `bp`.
from marketplace.web.certificates import views  # noqa: E402, F401
