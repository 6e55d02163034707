"""/account/orders/<id>/demonstration: the participant's skill demonstration ("unjuk
keterampilan") for a course that asks for one: a text answer and optionally one file (PDF,
JPEG or PNG, at most 5 MB; learning/demonstrations.py holds every rule). The page shows the
latest submission's state and the provider's feedback, and the form while one may be sent.

/files/demonstrations/<id>: a submission's file, only for the order's participant, the
course's provider and the programme office (anyone else: 404), always as an attachment with
the type read from its content and nosniff.

This is the one form that takes files (`@takes_uploads`) and the one request whose body may
exceed the site's MAX_CONTENT_LENGTH, up to UPLOAD_MAX_CONTENT_LENGTH: a larger body is the
413 page in the page's language.
"""

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.learning import demonstrations
from marketplace.orders import checkout
from marketplace.orders.models import Order
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import takes_uploads

ENDPOINT = "account.demonstration"


class DemonstrationForm(FlaskForm):
    """The answer; the file is read from request.files by the view."""

    answer = TextAreaField(_l("Your answer"))


@bp.url_value_preprocessor
def allow_an_upload(endpoint, values):
    """Let the demonstration form's body be larger than the site's limit. URL value
    preprocessors run before every before_request function, so this is set before the
    input check reads the body."""
    if endpoint == ENDPOINT:
        request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]


def _upload_dir() -> str:
    return current_app.config["UPLOAD_DIR"]


def _own_order(order_id: int) -> Order:
    participant = participant_of(current_user)
    found = checkout.order_for(participant, order_id) if participant is not None else None
    if found is None or not found.course.needs_demonstration:
        abort(404)
    return found


def _page(order: Order, form: DemonstrationForm, status: int = 200, problem=None, file_error=None):
    latest = demonstrations.current(order)
    refused = demonstrations.why_not_submittable(order)
    return (
        render_template(
            "account/demonstration.html",
            order=order,
            course=order.course,
            form=form,
            latest=latest,
            can_submit=refused is None,
            why_not=error_message(refused) if refused is not None and latest is None else None,
            problem=problem,
            file_error=file_error,
            longest=demonstrations.LONGEST_ANSWER,
        ),
        status,
    )


@bp.route("/account/orders/<id:order_id>/demonstration", methods=["GET", "POST"])
@participant_required
@takes_uploads
def demonstration(order_id: int):
    """The demonstration's state and, while one may be sent, the form."""
    order = _own_order(order_id)
    form = DemonstrationForm()
    if not form.validate_on_submit():
        return _page(order, form, 400 if form.is_submitted() else 200)
    upload = request.files.get("file")
    chosen = upload is not None and (upload.filename or "") != ""
    try:
        demonstrations.submit(
            order,
            participant_of(current_user),
            form.answer.data,
            upload.stream if chosen else None,
            upload.filename if chosen else None,
            _upload_dir(),
            utcnow(),
        )
    except DomainError as error:
        message = error_message(error)
        if error.field == "answer":
            form.answer.errors = [*form.answer.errors, message]
            return _page(_own_order(order_id), form, 400)
        if error.field == "file":
            return _page(_own_order(order_id), form, 400, file_error=message)
        return _page(_own_order(order_id), form, 409, problem=message)
    flash(gettext("Your demonstration has been sent to the provider."), "success")
    return redirect(url_for(ENDPOINT, order_id=order_id))


@bp.route("/files/demonstrations/<id:demonstration_id>")
@login_required
def demonstration_file(demonstration_id: int):
    """A submission's file as an attachment, for those who may see it; else 404."""
    found = demonstrations.by_id(demonstration_id)
    if found is None or not demonstrations.may_see(found, current_user):
        abort(404)
    path = demonstrations.file_path(found, _upload_dir())
    if path is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.file_name or "file",
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
