"""The payout gateway's side of the site: /payouts/webhook, where the gateway tells the
marketplace a payment's final status (succeeded, failed, reversed)."""

from flask import Blueprint

bp = Blueprint("payouts", __name__)

# The route module registers its views on `bp`.
from marketplace.web.payouts import views  # noqa: E402, F401
