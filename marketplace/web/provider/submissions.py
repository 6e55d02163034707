"""/provider/submissions: the skill demonstrations of this provider's courses (each order's
latest submission, waiting ones first), and one submission's page where the provider passes
it or returns it with feedback (learning.demonstrations.decide holds the rules). A
submission of another provider's course is not found (404)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from marketplace.core import N_, DomainError
from marketplace.core.base import utcnow
from marketplace.learning import demonstrations
from marketplace.learning.models import Demonstration
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.provider import bp

DECISION_MISSING = N_("Choose whether the demonstration passes or is returned.")


class DecisionForm(FlaskForm):
    """Pass or return (radio buttons), and the feedback (required to return)."""

    decision = StringField(_l("Your decision"))
    feedback = TextAreaField(_l("Feedback to the participant"))


def _own(demonstration_id: int) -> Demonstration:
    found = demonstrations.by_id(demonstration_id)
    if found is None or found.order.course.provider_id != current_user.provider_id:
        abort(404)
    return found


@bp.route("/submissions")
@provider_required
def submissions():
    """Each order's latest demonstration of the provider's courses."""
    return render_template(
        "provider/submissions.html",
        rows=demonstrations.provider_submissions(current_user.provider_id),
    )


def _page(found: Demonstration, form: DecisionForm, status: int = 200, problem=None):
    return (
        render_template(
            "provider/submission.html",
            found=found,
            form=form,
            problem=problem,
            longest=demonstrations.LONGEST_FEEDBACK,
        ),
        status,
    )


@bp.route("/submissions/<id:demonstration_id>", methods=["GET", "POST"])
@provider_required
def submission(demonstration_id: int):
    """One submission, with the decision form while it waits."""
    found = _own(demonstration_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _page(found, form, 400 if form.is_submitted() else 200)
    try:
        if form.decision.data not in ("pass", "return"):
            raise DomainError(DECISION_MISSING, field="decision")
        demonstrations.decide(
            found, current_user, form.decision.data == "pass", form.feedback.data, utcnow()
        )
    except DomainError as error:
        field = getattr(form, error.field, None) if error.field else None
        if field is None:
            return _page(_own(demonstration_id), form, 409, problem=error_message(error))
        field.errors = [*field.errors, error_message(error)]
        return _page(_own(demonstration_id), form, 400)
    if form.decision.data == "pass":
        flash(gettext("The demonstration has been passed."), "success")
    else:
        flash(gettext("The demonstration has been returned with your feedback."), "success")
    return redirect(url_for("provider.submissions"))
