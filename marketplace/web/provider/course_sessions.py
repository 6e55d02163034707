"""The sessions of a webinar or offline course, in the provider's course editor:
/provider/courses/<id>/sessions/new and /sessions/<session id>/edit.

Sessions are live rows, not part of the course's working copy (curation/sessions.py holds
their rules: the training standard's, and those of seats already bought). A session's day
and time are typed the Indonesian way in WIB (web/dates.py). A session of another course, or
of another provider's, is not found (404); one that can't change any more (cancelled,
started, its course archived) is a 409 that says why.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.catalogue.models import Course, CourseSession, Method
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.curation import drafts, standard
from marketplace.curation import sessions as session_rules
from marketplace.extensions import db
from marketplace.web.access import provider_required
from marketplace.web.i18n import gettext
from marketplace.web.provider import bp
from marketplace.web.provider.course_forms import SessionForm
from marketplace.web.provider.courses import (
    attempt,
    course_or_404,
    overview,
    refusal_status,
    standard_for_page,
)


def _session_or_404(course: Course, session_id: int) -> CourseSession:
    found = db.session.scalar(
        sa.select(CourseSession).where(
            CourseSession.id == session_id, CourseSession.course_id == course.id
        )
    )
    if found is None:
        abort(404)
    return found


def _page(course: Course, session, form: SessionForm, method: Method, status=200, problems=None):
    rules, _scheme = standard_for_page()
    return (
        render_template(
            "provider/courses/session.html",
            course=course,
            title=drafts.working_copy(course)["title"],
            session=session,
            form=form,
            offline=method is Method.OFFLINE,
            ratio=standard.trainees_per_trainer(rules, method) if rules is not None else None,
            problem=problems,
        ),
        status,
    )


def _refused_course(course: Course) -> str | None:
    """Why the course takes no new session, in the page's language (None when it does)."""
    try:
        session_rules.refuse_new_session(course)
    except DomainError as error:
        return gettext(error.message)
    return None


@bp.route("/courses/<id:course_id>/sessions/new", methods=["GET", "POST"])
@provider_required
def course_session_new(course_id: int):
    """Schedule a session of a webinar or offline course."""
    course = course_or_404(course_id)
    refusal = _refused_course(course)
    if refusal:
        return overview(course, 409, [refusal])
    method = session_rules.method_of(course)
    if request.method == "GET":
        city = drafts.working_copy(course)["city"] if method is Method.OFFLINE else ""
        return _page(course, None, SessionForm(formdata=None, data={"city": city}), method)
    form = SessionForm()
    form.validate()  # reads the dates, the times and the capacity; the rest is the domain's
    try:
        attempt(session_rules.schedule, course, current_user, form.values(), utcnow())
    except DomainError as error:
        loose = form.show(error)
        return _page(course, None, form, method, refusal_status(loose), loose)
    flash(gettext("The session has been scheduled."), "success")
    return redirect(url_for("provider.course", course_id=course.id, _anchor="sessions"))


@bp.route("/courses/<id:course_id>/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@provider_required
def course_session_edit(course_id: int, session_id: int):
    """Change a session that has not started: its times while no seat is taken, its place,
    trainers and capacity (never below the seats taken)."""
    course = course_or_404(course_id)
    found = _session_or_404(course, session_id)
    refusal = session_rules.why_not_changeable(found, utcnow())
    if refusal:
        return overview(course, 409, [gettext(refusal)])
    method = session_rules.method_of(course)
    if request.method == "GET":
        return _page(course, found, SessionForm.of(found), method)
    form = SessionForm()
    form.validate()
    try:
        attempt(session_rules.change, found, current_user, form.values(), utcnow())
    except DomainError as error:
        loose = form.show(error)
        return _page(course, found, form, method, refusal_status(loose), loose)
    flash(gettext("The session has been saved."), "success")
    return redirect(url_for("provider.course", course_id=course.id, _anchor="sessions"))
