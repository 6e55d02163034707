"""/account/orders/<id>/review: the participant rates a course they completed, once.

Only the order's own participant reaches it (another's order, or an unknown one, is a 404).
The page shows the form while the order is completed and not reviewed yet; before completion
it says when a review can be written, and afterwards it shows the review as written. The
rules (stars 1 to 5, 20 to 2.000 characters, once per order) are learning/reviews.py's; a
refusal is a 400 (what was typed) or a 409 (the order's state) with the reason, nothing
written.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from marketplace.core import N_, DomainError
from marketplace.core.base import utcnow
from marketplace.core.inputs import whole_number
from marketplace.learning import reviews
from marketplace.orders import checkout
from marketplace.orders.models import Order
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l

STARS_REFUSED = N_("Choose from 1 to 5 stars.")


class ReviewForm(FlaskForm):
    """Stars (radio buttons 1 to 5) and the written review; read by learning.reviews."""

    stars = StringField(_l("Your rating"))
    text = TextAreaField(_l("What you think of the course"))


@bp.app_template_global("awaiting_review")
def awaiting_review(order: Order) -> bool:
    """Whether the order page asks its participant to rate the course (completed, no review)."""
    return reviews.awaiting_review(order)


def _own_order(order_id: int) -> Order:
    participant = participant_of(current_user)
    found = checkout.order_for(participant, order_id) if participant is not None else None
    if found is None:
        abort(404)
    return found


def _page(order: Order, form: ReviewForm, status: int = 200, problem: str | None = None):
    return (
        render_template(
            "account/review.html",
            order=order,
            course=order.course,
            form=form,
            review=reviews.review_of(order),
            can_review=reviews.awaiting_review(order),
            problem=problem,
            shortest=reviews.SHORTEST_TEXT,
            longest=reviews.LONGEST_TEXT,
        ),
        status,
    )


@bp.route("/account/orders/<id:order_id>/review", methods=["GET", "POST"])
@participant_required
def review(order_id: int):
    """The review form of one completed order, or the review written."""
    order = _own_order(order_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _page(order, form, 400 if form.is_submitted() else 200)
    stars = whole_number(form.stars.data, lowest=1, highest=5)
    try:
        if stars is None:
            raise DomainError(STARS_REFUSED, field="stars")
        reviews.write_review(order, participant_of(current_user), stars, form.text.data, utcnow())
    except DomainError as error:
        field = getattr(form, error.field, None) if error.field else None
        if field is None:
            return _page(_own_order(order_id), form, 409, problem=error_message(error))
        field.errors = [*field.errors, error_message(error)]
        return _page(_own_order(order_id), form, 400)
    flash(gettext("Thank you: your review of the course has been published."), "success")
    return redirect(url_for("checkout.order", order_id=order_id))
