"""/account: the participant's home.

Before the card it is a checklist of the steps to one (email, profile, test, batch,
selection). Once the participant holds a card it leads with what matters then: the one next
step, the training balance with the first-purchase deadline (or the card's state), and the
courses bought with their sessions.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from marketplace.catalogue.models import Method, SessionStatus
from marketplace.core.base import utcnow
from marketplace.money.models import CardStatus
from marketplace.orders import checkout
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Role
from marketplace.programme.standing import Standing, participant_standing
from marketplace.web.account import bp
from marketplace.web.account.online_test import office_email
from marketplace.web.labels import (
    CARD_STATUSES,
    CARD_TAGS,
    NOT_SELECTED,
    ORDER_STATUSES,
    ORDER_TAGS,
)

ACTIVE_ORDERS = (OrderStatus.PAID, OrderStatus.REDEEMED)


@dataclass(frozen=True)
class NextStep:
    """What a card holder should do next: `kind` picks the sentence the page shows."""

    kind: str  # revoked, frozen, first_course, session, voucher, follow, next_course, spent
    order: Order | None = None


def _upcoming(order: Order, now: datetime) -> bool:
    """Whether the order's session is still to come (or under way)."""
    session = order.session
    return (
        session is not None and session.status is SessionStatus.SCHEDULED and session.ends_at > now
    )


def next_step(standing: Standing, orders: list[Order], now: datetime) -> NextStep:
    """The one step the page puts first for a card holder."""
    card = standing.card
    if card.status is CardStatus.REVOKED:
        return NextStep("revoked")
    if card.status is CardStatus.FROZEN:
        return NextStep("frozen")
    if standing.awaiting_first_purchase:
        return NextStep("first_course")
    active = [order for order in orders if order.status in ACTIVE_ORDERS]
    sessions = sorted(
        (order for order in active if _upcoming(order, now)),
        key=lambda order: order.session.starts_at,
    )
    if sessions:
        return NextStep("session", sessions[0])
    self_paced = [order for order in active if order.session_id is None]
    to_start = [order for order in self_paced if order.status is OrderStatus.PAID]
    if to_start:
        return NextStep("voucher", to_start[-1])  # the oldest voucher still to use
    if self_paced:
        return NextStep("follow", self_paced[-1])
    if (standing.balance or 0) > 0:
        return NextStep("next_course")
    return NextStep("spent")


@bp.route("/account")
@login_required
def index():
    """A card holder's balance, deadline, courses and next step; else the checklist."""
    if current_user.role is Role.ADMIN:
        return redirect(url_for("admin.batches"))
    if current_user.role is not Role.PARTICIPANT:
        abort(403)
    now = utcnow()
    standing = participant_standing(current_user, now)
    participant = standing.participant
    orders = checkout.orders_of(participant) if participant is not None else []
    return render_template(
        "account/index.html",
        standing=standing,
        orders=orders,
        step=next_step(standing, orders, now) if standing.card is not None else None,
        order_statuses=ORDER_STATUSES,
        order_tags=ORDER_TAGS,
        now=now,
        card_statuses=CARD_STATUSES,
        card_tags=CARD_TAGS,
        reasons=NOT_SELECTED,
        webinar=Method.WEBINAR,
        office_email=office_email(),
        # Another page, being built, changes the email address: linked once it exists.
    )
