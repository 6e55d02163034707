"""/account: the participant's home, a checklist of where they stand."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from marketplace.core.base import utcnow
from marketplace.orders import checkout
from marketplace.people.models import Role
from marketplace.programme.standing import participant_standing
from marketplace.web.account import bp
from marketplace.web.labels import (
    CARD_STATUSES,
    CARD_TAGS,
    NOT_SELECTED,
    ORDER_STATUSES,
    ORDER_TAGS,
)


@bp.route("/account")
@login_required
def index():
    """The checklist: email, profile, test, batch, selection, card and its deadline."""
    if current_user.role is Role.ADMIN:
        return redirect(url_for("admin.batches"))
    if current_user.role is not Role.PARTICIPANT:
        abort(403)
    now = utcnow()
    standing = participant_standing(current_user, now)
    participant = standing.participant
    return render_template(
        "account/index.html",
        standing=standing,
        orders=checkout.orders_of(participant) if participant is not None else [],
        order_statuses=ORDER_STATUSES,
        order_tags=ORDER_TAGS,
        now=now,
        card_statuses=CARD_STATUSES,
        card_tags=CARD_TAGS,
        reasons=NOT_SELECTED,
    )
