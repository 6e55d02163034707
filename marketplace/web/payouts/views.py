"""POST /payouts/webhook: the payout gateway's signed events.

The body is JSON, signed with the secret shared with the gateway and a timestamp
(`incentives.gateway.read_webhook`). A missing or wrong signature, a stale or future
timestamp, or a body that is not an event is a 401/400 and changes nothing. A good event is
kept once by its id (a duplicate answers 200 "duplicate"), then applied by
`disbursement.apply`, which ignores an older version than the one applied (events out of
order). An event for a payment the marketplace does not know is answered 200 "unknown" and
changes nothing, so the gateway stops resending it. The answer is small and fast: one
transaction, no call out.
"""

import logging

from flask import current_app, jsonify, request

from marketplace.core.base import utcnow
from marketplace.extensions import csrf
from marketplace.incentives import disbursement
from marketplace.incentives.gateway import WebhookRefused, read_webhook
from marketplace.web.inputs import takes_json
from marketplace.web.payouts import bp

log = logging.getLogger(__name__)


@bp.route("/payouts/webhook", methods=["POST"])
@takes_json
@csrf.exempt
def webhook():
    """Apply one signed event of the payout gateway."""
    body = request.get_data(cache=False)
    try:
        event = read_webhook(
            current_app.config.get("PAYOUT_GATEWAY_SECRET") or "",
            request.headers.get("X-Payout-Timestamp"),
            request.headers.get("X-Payout-Signature"),
            body,
            tolerance=current_app.config.get("PAYOUT_WEBHOOK_TOLERANCE", 300),
        )
    except WebhookRefused as refusal:
        log.warning("payout webhook refused: %s", refusal)
        return jsonify(error="refused", message=str(refusal)), 401
    outcome = disbursement.receive(event, utcnow(), disbursement.Settings.of(current_app.config))
    log.info("payout webhook %s (%s): %s", event.id, event.disbursement.idempotency_key, outcome)
    return jsonify(outcome=outcome), 200
