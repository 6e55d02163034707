"""/account/profile: the participant's profile with NIK, checked, confirmed, then saved.

The form posts to /account/profile, which checks the answers and shows "check your
answers" beside what the NIK says. That page carries the answers in hidden fields of a
POST form to /account/profile/confirm (never in a URL), which checks them all again and
saves. Its "Change" button posts them back to the form. A NIK or KK number never goes
into a URL, a redirect, a flash message or a log line; once saved, pages show it masked.
"""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID
from marketplace.core.indonesia import jakarta_today
from marketplace.core.inputs import read_number, whole_number
from marketplace.extensions import limiter
from marketplace.people import participants
from marketplace.people.models import Education, Employment, Participant, Sex, mask_number
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.labels import EDUCATION_LABELS, EMPLOYMENT_LABELS, SEX_LABELS

# What to say when some of the three date boxes are empty, by the boxes left empty.
MISSING_DATE_PARTS = {
    (True, False, False): _l("Your date of birth must include a day"),
    (False, True, False): _l("Your date of birth must include a month"),
    (False, False, True): _l("Your date of birth must include a year"),
}
MISSING_DATE = _l("Your date of birth must include a day, a month and a year")
# The service's field names that the form names differently.
FORM_FIELD = {"birth_date": "birth_day"}


class ProfileForm(FlaskForm):
    """The profile's answers as typed; every rule is checked by people.participants.

    The radios and selects are plain strings too: their choices are rendered from
    `_options()` and an unknown value is simply "not chosen" for the service.
    """

    nik = StringField(_l("NIK (Nomor Induk Kependudukan)"))
    kk = StringField(_l("Family card (KK) number"))
    full_name = StringField(_l("Full name"))
    birth_day = StringField(_l("Day"))
    birth_month = StringField(_l("Month"))
    birth_year = StringField(_l("Year"))
    sex = StringField(_l("Sex"))
    phone = StringField(_l("Phone number"))
    province_id = StringField(_l("Province where you live now"))
    city = StringField(_l("City or regency where you live now"))
    education = StringField(_l("Last education completed"))
    employment = StringField(_l("Which describes you best?"))


def _options() -> dict:
    """The choices of the radios and selects, as (value, label) pairs, by field."""
    return {
        "sex": [(sex.value, label) for sex, label in SEX_LABELS.items()],
        "province_id": [("", gettext("Select your province"))]
        + [(str(province.id), province.name) for province in participants.provinces()],
        "education": [("", gettext("Select your last education"))]
        + [(item.value, label) for item, label in EDUCATION_LABELS.items()],
        "employment": [(item.value, label) for item, label in EMPLOYMENT_LABELS.items()],
    }


def _participant_user():
    """The signed-in participant account (the views are `participant_required`)."""
    return current_user._get_current_object()


def _form(participant: Participant | None) -> ProfileForm:
    """The form; on GET, prefilled from the saved profile."""
    form = ProfileForm()
    if request.method == "GET" and participant is not None:
        form.full_name.data = participant.full_name
        form.birth_day.data = str(participant.birth_date.day)
        form.birth_month.data = str(participant.birth_date.month)
        form.birth_year.data = str(participant.birth_date.year)
        form.sex.data = participant.sex.value
        form.phone.data = participant.phone
        form.province_id.data = str(participant.province_id)
        form.city.data = participant.city
        form.education.data = participant.education.value
        form.employment.data = participant.employment.value
    return form


def _choice(enum_cls, value):
    """The enum member a submitted value names, else None (the service asks for one)."""
    try:
        return enum_cls(value)
    except ValueError:
        return None


def _birth_date(form: ProfileForm) -> tuple[date | None, str | None]:
    """The date of birth typed in three boxes, and a message when it is not a date.

    (None, None) when the boxes were not sent at all: the saved date is kept.
    """
    names = ("birth_day", "birth_month", "birth_year")
    if not any(name in request.form for name in names):
        return None, None
    day, month, year = (form[name].data.strip() if form[name].data else "" for name in names)
    if not (day or month or year):
        return None, gettext("Enter your date of birth")
    if not (day and month and year):
        empty = (not day, not month, not year)
        return None, str(MISSING_DATE_PARTS.get(empty, MISSING_DATE))
    not_a_date = gettext("Your date of birth must be a real date, like 17 8 1995")
    parts = (
        read_number(day, max_digits=2),
        read_number(month, max_digits=2),
        read_number(year, max_digits=4) if len(year) == 4 else None,
    )
    if None in parts:
        return None, not_a_date
    try:
        return date(parts[2], parts[1], parts[0]), None
    except ValueError:
        return None, not_a_date


def _answers(form: ProfileForm) -> tuple[dict, dict]:
    """The service's arguments from the form, and the form's own errors by field.

    For a saved profile an empty NIK or KK box keeps the saved number, and identity
    answers that were not sent at all (they are not asked once it is fixed) keep theirs.
    """
    birth_date, date_error = _birth_date(form)
    errors = {"birth_day": date_error} if date_error else {}
    province = form.province_id.data or ""
    answers = {
        "nik": form.nik.data,
        "kk": form.kk.data,
        "full_name": form.full_name.data if "full_name" in request.form else None,
        "birth_date": birth_date,
        "sex": _choice(Sex, form.sex.data) if "sex" in request.form else None,
        "phone": form.phone.data,
        "province_id": whole_number(province, lowest=1, highest=LARGEST_ID),
        "city": form.city.data,
        "education": _choice(Education, form.education.data),
        "employment": _choice(Employment, form.employment.data),
        "today": jakarta_today(),
    }
    return answers, errors


def _show_errors(form: ProfileForm, errors: dict, refused: DomainError | None) -> None:
    """Attach the form's and the service's messages to their fields (one per field)."""
    for name, message in errors.items():
        form[name].errors = [message]
    if refused is None:
        return
    for error in refused.errors:
        name = FORM_FIELD.get(error.field, error.field)
        if name in form and name != "csrf_token":
            if not form[name].errors:
                form[name].errors = [error_message(error)]
        else:
            flash(error_message(error), "error")


def _render_form(form: ProfileForm, participant: Participant | None, status: int = 200):
    """The form page (the identity shown, not asked, once it is fixed)."""
    return (
        render_template(
            "account/profile.html",
            form=form,
            participant=participant,
            masked_kk=mask_number(participant.kk) if participant is not None else None,
            locked=participants.identity_locked(participant),
            options=_options(),
            sex_labels=SEX_LABELS,
        ),
        status,
    )


def _status(refused: DomainError | None) -> int:
    """409 when another account holds the NIK, else 400."""
    errors = getattr(refused, "errors", [refused]) if refused else []
    return 409 if any(error.message == participants.NIK_TAKEN for error in errors) else 400


def _user_key() -> str:
    """The limiter's key: the signed-in account (the check says whether a NIK is taken)."""
    return f"profile:{current_user.get_id()}" if current_user.is_authenticated else "profile:-"


# "This NIK is already registered" answers whether a NIK is in use: checking many is capped.
NIK_CHECKS = "20 per minute;200 per day"


@bp.route("/account/profile", methods=["GET", "POST"])
@limiter.limit(NIK_CHECKS, key_func=_user_key, methods=["POST"])
@participant_required
def profile():
    """The profile form; a POST checks the answers and shows them for confirmation."""
    user = _participant_user()
    participant = participants.participant_of(user)
    form = _form(participant)
    if request.method == "GET" or "change" in request.form:
        return _render_form(form, participant)
    if not form.validate_on_submit():
        return _render_form(form, participant, 400)
    answers, errors = _answers(form)
    refused = None
    try:
        checked = participants.check_profile(user, **answers)
    except DomainError as error:
        refused = error
    if errors or refused is not None:
        _show_errors(form, errors, refused)
        return _render_form(form, participant, _status(refused))
    locked = participants.identity_locked(participant)
    return render_template(
        "account/profile_confirm.html",
        checked=checked,
        participant=participant,
        masked_nik=mask_number(checked.nik),
        masked_kk=mask_number(checked.kk),
        locked=locked,
        hidden=_hidden_answers(checked, participant, locked),
        form=form,
        sex_labels=SEX_LABELS,
        education_labels=EDUCATION_LABELS,
        employment_labels=EMPLOYMENT_LABELS,
        min_age=participants.MIN_AGE,
        max_age=participants.MAX_AGE,
    )


def _hidden_answers(
    checked: participants.CheckedProfile, participant: Participant | None, locked: bool
) -> dict:
    """The checked answers for the confirmation form's hidden fields.

    A NIK or KK number that is already saved is not repeated (empty keeps it), and the
    identity is left out altogether once it is fixed.
    """
    answers = {
        "phone": checked.phone,
        "province_id": str(checked.province.id),
        "city": checked.city,
        "education": checked.education.value,
        "employment": checked.employment.value,
    }
    if locked:
        return answers
    keep_nik = participant is not None and participant.nik == checked.nik
    keep_kk = participant is not None and participant.kk == checked.kk
    answers.update(
        nik="" if keep_nik else checked.nik,
        kk="" if keep_kk else checked.kk,
        full_name=checked.full_name,
        birth_day=str(checked.birth_date.day),
        birth_month=str(checked.birth_date.month),
        birth_year=str(checked.birth_date.year),
        sex=checked.sex.value,
    )
    return answers


@bp.route("/account/profile/confirm", methods=["POST"])
@limiter.limit(NIK_CHECKS, key_func=_user_key, methods=["POST"])
@participant_required
def profile_confirm():
    """Save the confirmed answers, checked again (they came back from the page)."""
    user = _participant_user()
    participant = participants.participant_of(user)
    form = _form(participant)
    if not form.validate_on_submit():
        return _render_form(form, participant, 400)
    answers, errors = _answers(form)
    if errors:
        _show_errors(form, errors, None)
        return _render_form(form, participant, 400)
    try:
        participants.save_profile(user, **answers)
    except DomainError as error:
        participant = participants.participant_of(user)
        _show_errors(form, {}, error)
        return _render_form(form, participant, _status(error))
    flash(gettext("Your profile is saved."), "success")
    return redirect(url_for("account.index"))
