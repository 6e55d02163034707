"""/admin/reviews: the programme office reads reviews (all, shown or hidden), hides an abusive
one with a reason (it leaves the course's average) and shows a hidden one again. The rules
and the audit log are learning/reviews.py's."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms import TextAreaField

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.learning import reviews
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.admin.forms import ConfirmForm
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.paging import page_or_400, within_pages

STATES = ("", reviews.SHOWN, reviews.HIDDEN)


class HideReviewForm(FlaskForm):
    """Why the review is hidden: kept with it and in the audit log."""

    reason = TextAreaField(_l("Why is the review hidden?"))


def _state() -> str:
    state = request.args.get("state", "")
    if state not in STATES:
        refused = BadRequest()
        refused.user_message = gettext("Choose all, shown or hidden reviews.")
        raise refused
    return state


@bp.route("/reviews")
@admin_required
def reviews_list():
    """Every review, newest first, 20 a page; `?state=shown` or `?state=hidden` narrows it."""
    state = _state()
    page = page_or_400(request.args.get("page"))
    results = within_pages(reviews.office_reviews(state or None, page))
    return render_template("admin/reviews.html", results=results, state=state)


def _review_or_404(review_id: int):
    found = reviews.review_by_id(review_id)
    if found is None:
        abort(404)
    return found


def _review_page(review, form: HideReviewForm, status: int = 200, problem: str | None = None):
    return (
        render_template(
            "admin/review.html",
            review=review,
            form=form,
            unhide_form=ConfirmForm(formdata=None),
            problem=problem,
            longest=reviews.LONGEST_REASON,
        ),
        status,
    )


@bp.route("/reviews/<id:review_id>")
@admin_required
def review(review_id: int):
    """One review: who wrote it on which course, its words, and hide or show it again."""
    return _review_page(_review_or_404(review_id), HideReviewForm(formdata=None))


@bp.route("/reviews/<id:review_id>/hide", methods=["POST"])
@admin_required
def hide_review(review_id: int):
    """Hide the review from the course page, with the office's reason."""
    found = _review_or_404(review_id)
    form = HideReviewForm()
    if not form.validate_on_submit():
        return _review_page(found, form, 400)
    try:
        reviews.hide(found, current_user, form.reason.data, utcnow())
    except DomainError as error:
        if error.field:
            form.reason.errors = [*form.reason.errors, error_message(error)]
            return _review_page(_review_or_404(review_id), form, 400)
        return _review_page(_review_or_404(review_id), form, 409, error_message(error))
    flash(gettext("The review is hidden: it no longer counts in the course's rating."), "success")
    return redirect(url_for("admin.review", review_id=review_id))


@bp.route("/reviews/<id:review_id>/unhide", methods=["POST"])
@admin_required
def unhide_review(review_id: int):
    """Show a hidden review again: it counts in the course's rating again."""
    found = _review_or_404(review_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _review_page(found, HideReviewForm(formdata=None), 400)
    try:
        reviews.unhide(found, current_user)
    except DomainError as error:
        return _review_page(
            _review_or_404(review_id), HideReviewForm(formdata=None), 409, error_message(error)
        )
    flash(gettext("The review is shown again and counts in the course's rating."), "success")
    return redirect(url_for("admin.review", review_id=review_id))
