"""/account/batches: the open batch, what joining needs, and the participant's results."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange

from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.extensions import db
from marketplace.people.models import Role
from marketplace.programme import batches as batch_service
from marketplace.programme.standing import participant_standing
from marketplace.web.account import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import WholeNumberField

# Why an application was not selected, in the participant's words.
REASONS = {
    "quota": _l("There were more applicants than places."),
    "province_quota": _l("There were more applicants from your province than places."),
    "age": _l("Participants must be 18 to 64 years old on the day of selection."),
    "kk_limit": _l("Two members of your family card (KK) have already been accepted."),
    "has_card": _l("You already have a card."),
    "blocked": _l("Your account is blocked by the programme office."),
}


class JoinForm(FlaskForm):
    """The "Join batch N" button."""

    batch_id = WholeNumberField(
        highest=LARGEST_ID, validators=[InputRequired(), NumberRange(min=1, max=LARGEST_ID)]
    )


def _participant_only() -> None:
    if current_user.role is not Role.PARTICIPANT:
        abort(403)


def _page(form: JoinForm, problem: str | None = None, status: int = 200):
    now = utcnow()
    standing = participant_standing(current_user, now)
    return (
        render_template(
            "account/batches.html",
            s=standing,
            form=form,
            problem=problem,
            reasons=REASONS,
            max_rejections=batch_service.MAX_REJECTIONS,
        ),
        status,
    )


@bp.route("/account/batches")
@login_required
def batches():
    """The open batch with its closing time and quota, the checklist, and past results."""
    _participant_only()
    return _page(JoinForm())


@bp.route("/account/batches/join", methods=["POST"])
@login_required
def join_batch():
    """Join the open batch (a double submit joins once)."""
    _participant_only()
    form = JoinForm()
    if not form.validate_on_submit():
        return _page(form, gettext("Choose the batch to join."), 400)
    batch = batch_service.get_batch(form.batch_id.data)
    if batch is None:
        return _page(form, gettext("That batch does not exist."), 400)
    try:
        batch_service.join(current_user.participant, batch, utcnow(), actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _page(form, error_message(error), 400)
    flash(
        gettext(
            "You have joined batch %(number)s. We will email you the result after it closes.",
            number=batch.number,
        ),
        "success",
    )
    return redirect(url_for("account.batches"))
