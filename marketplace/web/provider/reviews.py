"""/provider/reviews: participants' reviews of this provider's courses, newest first, each
with a reply form until the provider has replied once (learning.reviews.reply holds the
rules). A review of another provider's course, or a hidden one, is not found (404)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.learning import reviews
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.paging import page_or_400, within_pages
from marketplace.web.provider import bp


class ReplyForm(FlaskForm):
    """The provider's one reply to a review."""

    reply = TextAreaField(_l("Your reply"))


def _page(form: ReplyForm | None = None, replying_to: int | None = None, status: int = 200):
    page = page_or_400(request.args.get("page"))
    results = within_pages(reviews.provider_reviews(current_user.provider_id, page))
    return (
        render_template(
            "provider/reviews.html",
            results=results,
            form=form or ReplyForm(formdata=None),
            replying_to=replying_to,
            longest=reviews.LONGEST_REPLY,
        ),
        status,
    )


@bp.route("/reviews")
@provider_required
def reviews_list():
    """Every shown review of the provider's courses, newest first, 20 a page."""
    return _page()


@bp.route("/reviews/<id:review_id>/reply", methods=["POST"])
@provider_required
def reply_to_review(review_id: int):
    """Publish the provider's one reply under a review of its course."""
    found = reviews.review_by_id(review_id)
    if (
        found is None
        or found.hidden_at is not None
        or found.course.provider_id != current_user.provider_id
    ):
        abort(404)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _page(form, review_id, 400)
    try:
        reviews.reply(found, current_user, form.reply.data, utcnow())
    except DomainError as error:
        form.reply.errors = [*form.reply.errors, error_message(error)]
        return _page(form, review_id, 400 if error.field else 409)
    flash(gettext("Your reply has been published under the review."), "success")
    return redirect(url_for("provider.reviews_list", _anchor=f"review-{review_id}"))
