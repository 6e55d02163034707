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
from sqlalchemy.exc import IntegrityError

from marketplace.core.base import utcnow
from marketplace.core.database import lock_for_writing
from marketplace.extensions import csrf, db
from marketplace.incentives import disbursement
from marketplace.incentives.gateway import WebhookRefused, read_webhook
from marketplace.incentives.models import PayoutEvent
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
    lock_for_writing()
    payment = disbursement.payment_of(event.disbursement)
    if payment is None:
        log.warning(
            "payout webhook %s: no payment has key %s", event.id, event.disbursement.idempotency_key
        )
        return jsonify(outcome="unknown"), 200
    kept = PayoutEvent(
        event_id=event.id,
        event_type=event.type,
        payment_id=payment.id,
        version=event.disbursement.version,
        outcome="received",
        received_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(kept)
    except IntegrityError:
        return jsonify(outcome="duplicate"), 200
    settings = disbursement.Settings.of(current_app.config)
    kept.outcome = disbursement.apply(event.disbursement, utcnow(), settings)
    log.info("payout webhook %s for payment %s: %s", event.id, payment.id, kept.outcome)
    return jsonify(outcome=kept.outcome), 200
