"""/account/batches: the open batch, what joining needs, and the participant's results."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange

from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.programme import batches as batch_service
from marketplace.programme.standing import participant_standing
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.inputs import WholeNumberField
from marketplace.web.labels import NOT_SELECTED


class JoinForm(FlaskForm):
    """The "Join batch N" button."""

    batch_id = WholeNumberField(
        highest=LARGEST_ID, validators=[InputRequired(), NumberRange(min=1, max=LARGEST_ID)]
    )


def _page(form: JoinForm, problem: str | None = None, status: int = 200):
    now = utcnow()
    standing = participant_standing(current_user, now)
    return (
        render_template(
            "account/batches.html",
            s=standing,
            form=form,
            problem=problem,
            reasons=NOT_SELECTED,
            max_rejections=batch_service.MAX_REJECTIONS,
        ),
        status,
    )


@bp.route("/account/batches")
@participant_required
def batches():
    """The open batch with its closing time and quota, the checklist, and past results."""
    return _page(JoinForm())


@bp.route("/account/batches/join", methods=["POST"])
@participant_required
def join_batch():
    """Join the open batch (a double submit joins once)."""
    form = JoinForm()
    if not form.validate_on_submit():
        return _page(form, gettext("Choose the batch to join."), 400)
    batch = batch_service.get_batch(form.batch_id.data)
    if batch is None:
        return _page(form, gettext("That batch does not exist."), 400)
    try:
        batch_service.join(current_user.participant, batch, utcnow(), actor=current_user)
    except DomainError as error:
        return _page(form, error_message(error), 400)
    flash(
        gettext(
            "You have joined batch %(number)s. We will email you the result after it closes.",
            number=batch.number,
        ),
        "success",
    )
    return redirect(url_for("account.batches"))
