"""Extra time on the online test: the programme office finds a participant by email address
or NIK and gives them more than the test's 25 minutes, with a reason (WCAG 2.2.1 Timing
Adjustable). The grant is kept in `extra_test_time` and audit-logged by
`online_test.grant_extra_time`; the participant's next attempt, or the one running, gets it.

The finder is a POST, not a GET search: a NIK must never be put in an address (nor in the
server's access log).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people.models import Participant
from marketplace.programme import online_test
from marketplace.programme.models import TestAttempt
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import WholeNumberField

# The choices of the grant form: a share of the test's time, a number of minutes, or none.
SHARES = (50, 100)
OTHER = "minutes"
NONE = "0"


class FindParticipantForm(FlaskForm):
    """The participant's account email address or NIK."""

    query = StringField(
        _l("Email address or NIK"),
        validators=[
            InputRequired(_l("Enter the participant's email address or their 16-digit NIK.")),
            Length(max=254, message=_l("Enter at most 254 characters")),
        ],
    )


class ExtraTimeForm(FlaskForm):
    """How much extra time (a share of 25 minutes, or minutes), and why."""

    amount = RadioField(
        _l("Extra time"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose how much extra time to give."))],
    )
    minutes = WholeNumberField(
        _l("Number of extra minutes"),
        highest=online_test.MAX_EXTRA_MINUTES,
        message=_l("Enter the extra minutes as a whole number, like 20"),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            InputRequired(_l("Write why the participant gets extra time.")),
            Length(max=200, message=_l("The reason can be at most 200 characters.")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.amount.choices = [
            *(
                (
                    str(share),
                    gettext(
                        "+%(share)s%%: %(minutes)s more minutes",
                        share=share,
                        minutes=online_test.minutes_for_share(share),
                    ),
                )
                for share in SHARES
            ),
            (OTHER, gettext("Another number of minutes")),
            (NONE, gettext("No extra time (withdraw it)")),
        ]

    def validate_amount(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the options."))

    def validate_minutes(self, field) -> None:
        """Needed, from 1 to 100, when "Another number of minutes" is chosen."""
        if self.amount.data != OTHER:
            return
        if field.data is None:
            raise ValidationError(_l("Enter the number of extra minutes."))
        if not 1 <= field.data <= online_test.MAX_EXTRA_MINUTES:
            raise ValidationError(
                gettext(
                    "The extra time must be from 1 to %(most)s minutes.",
                    most=online_test.MAX_EXTRA_MINUTES,
                )
            )

    def extra_minutes(self) -> int:
        """The minutes chosen (after validation)."""
        if self.amount.data == OTHER:
            return self.minutes.data
        if self.amount.data == NONE:
            return 0
        return online_test.minutes_for_share(int(self.amount.data))


def _participant_or_404(participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        abort(404)
    return participant


@bp.route("/test-time", methods=["GET", "POST"])
@admin_required
def test_time():
    """Who has extra time on the test, and the finder (POST) that leads to one participant."""
    form = FindParticipantForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                found = online_test.find_participant(form.query.data)
            except DomainError as error:
                form.query.errors = [*form.query.errors, error_message(error)]
            else:
                if found is not None:
                    return redirect(url_for("admin.test_time_participant", participant_id=found.id))
                form.query.errors = [
                    *form.query.errors,
                    gettext("No participant has this email address or NIK."),
                ]
                status = 404
    return (
        render_template(
            "admin/test_time.html",
            form=form,
            grants=online_test.extra_time_grants(),
            minutes=_minutes(online_test.TIME_LIMIT),
        ),
        status,
    )


def _minutes(time) -> int:
    return round(time.total_seconds() / 60)


def _participant_page(participant: Participant, form: ExtraTimeForm, status: int = 200):
    attempts = sorted(
        participant.test_attempts, key=lambda attempt: attempt.started_at, reverse=True
    )
    latest: TestAttempt | None = attempts[0] if attempts else None
    now = utcnow()
    return (
        render_template(
            "admin/test_time_participant.html",
            participant=participant,
            grant=online_test.extra_time_grant(participant),
            allowed=_minutes(online_test.time_allowed(participant)),
            minutes=_minutes(online_test.TIME_LIMIT),
            most=online_test.MAX_EXTRA_MINUTES,
            latest=latest,
            latest_minutes=_minutes(latest.deadline_at - latest.started_at) if latest else None,
            latest_running=latest is not None and not online_test.is_over(latest, now),
            form=form,
        ),
        status,
    )


@bp.route("/test-time/<id:participant_id>")
@admin_required
def test_time_participant(participant_id: int):
    """One participant: their time on the test, their latest attempt, the grant form."""
    return _participant_page(_participant_or_404(participant_id), ExtraTimeForm())


@bp.route("/test-time/<id:participant_id>/grant", methods=["POST"])
@admin_required
def test_time_grant(participant_id: int):
    """Give (or withdraw) the participant's extra time, with the office's reason."""
    participant = _participant_or_404(participant_id)
    form = ExtraTimeForm()
    if not form.validate_on_submit():
        return _participant_page(participant, form, 400)
    extra = form.extra_minutes()
    try:
        online_test.grant_extra_time(participant, extra, form.reason.data, utcnow(), current_user)
    except DomainError as error:
        field = form.minutes if error.field == "minutes" else form.reason
        field.errors = [*field.errors, error_message(error)]
        return _participant_page(participant, form, 400)
    total = _minutes(online_test.TIME_LIMIT) + extra
    if extra:
        flash(
            gettext(
                "%(name)s now has %(total)s minutes for the online test (%(extra)s extra).",
                name=participant.full_name,
                total=total,
                extra=extra,
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "%(name)s has no extra time now: %(total)s minutes for the online test.",
                name=participant.full_name,
                total=total,
            ),
            "success",
        )
    return redirect(url_for("admin.test_time_participant", participant_id=participant.id))
