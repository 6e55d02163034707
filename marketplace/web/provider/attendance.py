"""A session's attendance sheet: /provider/sessions/<id>/attendance, the roster with present or
absent per day, saved in one form (learning/attendance.py holds the rules)."""

import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from marketplace.catalogue.models import CourseSession
from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.core.inputs import whole_number
from marketplace.learning import attendance
from marketplace.orders import provider_sessions
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, ngettext
from marketplace.web.provider import bp

# One radio group per participant and day: mark-<order id>-<YYYY-MM-DD>.
FIELD_PREFIX = "mark-"
_FIELD = re.compile(r"mark-([0-9]{1,10})-([0-9]{4}-[0-9]{2}-[0-9]{2})")
CHOICES = {"present": True, "absent": False}


class AttendanceForm(FlaskForm):
    """The sheet's CSRF token; its radio groups are named per cell and read by `_read_marks`."""


class BadSheet(Exception):
    """A field of the form that no rendered sheet holds: its message, for a 400."""


def _session_or_404(session_id: int) -> CourseSession:
    """This provider's session, or 404 (another provider's session is simply not found)."""
    found = provider_sessions.session_of(current_user.provider, session_id)
    if found is None:
        abort(404)
    return found


def field_name(order_id: int, day: date) -> str:
    return f"{FIELD_PREFIX}{order_id}-{day.isoformat()}"


def _read_marks(form) -> dict[tuple[int, date], bool]:
    """{(order id, day): present} from the radio groups chosen; a field that is no cell of a
    sheet, or a value that is neither present nor absent, is a BadSheet."""
    marks = {}
    for name in form:
        if not name.startswith(FIELD_PREFIX):
            continue  # the CSRF token, the button
        found = _FIELD.fullmatch(name)
        order_id = whole_number(found.group(1), highest=LARGEST_ID, lowest=1) if found else None
        try:
            day = date.fromisoformat(found.group(2)) if found else None
        except ValueError:
            day = None
        if order_id is None or day is None:
            raise BadSheet(gettext("The form held a field the attendance sheet does not have."))
        values = form.getlist(name)
        if len(values) != 1 or values[0] not in CHOICES:
            raise BadSheet(gettext("Choose present or absent for each participant and day."))
        marks[(order_id, day)] = CHOICES[values[0]]
    return marks


def _page(course_session: CourseSession, form, problem=None, status: int = 200):
    now = utcnow()
    blocked = attendance.why_not_markable(course_session, now)
    return (
        render_template(
            "provider/attendance.html",
            form=form,
            session=course_session,
            course=course_session.course,
            sheet=attendance.attendance_sheet(course_session),
            window=attendance.marking_window(course_session),
            markable=blocked is None,
            not_markable=error_message(blocked) if blocked else None,
            problem=problem,
            field_name=field_name,
            now=now,
        ),
        status,
    )


@bp.route("/sessions/<id:session_id>/attendance", methods=["GET", "POST"])
@provider_required
def attendance_sheet(session_id: int):
    """The roster with present or absent per day of the session, saved in one form, from the
    session's start to 23.59 WIB seven days after its end; read-only outside that time."""
    course_session = _session_or_404(session_id)
    form = AttendanceForm()
    if request.method == "GET":
        return _page(course_session, form)
    if not form.validate_on_submit():
        problem = gettext("The form has expired. Open the attendance sheet again and save it.")
        return _page(course_session, form, problem=problem, status=400)
    try:
        marks = _read_marks(request.form)
    except BadSheet as refused:
        return _page(course_session, form, problem=str(refused), status=400)
    try:
        changed = attendance.mark(course_session, current_user, marks, utcnow())
    except DomainError as error:
        # Outside the window or cancelled: the session's state, not what was sent.
        status = 400 if error.message == attendance.NOT_ON_SHEET else 409
        return _page(course_session, form, problem=error_message(error), status=status)
    if changed:
        message = ngettext("%(num)s change saved.", "%(num)s changes saved.", changed)
    else:
        message = gettext("Nothing changed: the sheet already said that.")
    flash(message, "success")
    return redirect(url_for("provider.attendance_sheet", session_id=course_session.id))
