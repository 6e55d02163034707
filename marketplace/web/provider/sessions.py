"""The provider's sessions: /provider (the list), /provider/sessions/<id> (one session and its
roster), /provider/sessions/<id>/cancel (check, then cancel and refund every participant)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.catalogue.models import CourseSession
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.orders import provider_sessions, redemption, refunds
from marketplace.people import invitations
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, ngettext
from marketplace.web.labels import ORDER_STATUSES, ORDER_TAGS
from marketplace.web.paging import page_or_400, within_pages
from marketplace.web.provider import bp
from marketplace.web.provider.forms import CancelSessionForm


def _session_or_404(session_id: int) -> CourseSession:
    """This provider's session, or 404 (another provider's session is simply not found)."""
    found = provider_sessions.session_of(current_user.provider, session_id)
    if found is None:
        abort(404)
    return found


@bp.route("/")
@bp.route("")
@provider_required
def index():
    """The provider's sessions: upcoming ones first, then those of the last 30 days; and the
    staff accounts that act for the provider."""
    now = utcnow()
    page = page_or_400(request.args.get("page"))
    results = within_pages(provider_sessions.sessions_of(current_user.provider, now, page))
    return render_template(
        "provider/index.html",
        provider=current_user.provider,
        results=results,
        upcoming=[row for row in results.items if row.ends_at > now],
        past=[row for row in results.items if row.ends_at <= now],
        now=now,
        past_days=provider_sessions.PAST_DAYS,
        staff=invitations.staff_of(current_user.provider_id),
    )


@bp.route("/sessions/<id:session_id>")
@provider_required
def session(session_id: int):
    """One session: when and where, its seats, and who bought a seat (names, never NIKs)."""
    course_session = _session_or_404(session_id)
    now = utcnow()
    blocked = refunds.why_not_cancellable(course_session, now)
    return render_template(
        "provider/session.html",
        session=course_session,
        course=course_session.course,
        roster=provider_sessions.roster(course_session),
        window=redemption.redeem_window(course_session),
        not_cancellable=gettext(blocked) if blocked else None,
        now=now,
        statuses=ORDER_STATUSES,
        tags=ORDER_TAGS,
    )


def _cancel_page(course_session: CourseSession, form, problem=None, status: int = 200):
    return (
        render_template(
            "provider/cancel.html",
            form=form,
            session=course_session,
            course=course_session.course,
            preview=provider_sessions.refund_preview(course_session),
            cancellable=refunds.why_not_cancellable(course_session, utcnow()) is None,
            limit=refunds.LONGEST_REASON,
            problem=problem,
        ),
        status,
    )


@bp.route("/sessions/<id:session_id>/cancel", methods=["GET", "POST"])
@provider_required
def cancel_session(session_id: int):
    """Check, then cancel the session: every participant's price goes back to their card."""
    course_session = _session_or_404(session_id)
    form = CancelSessionForm()
    if request.method == "GET":
        if refunds.why_not_cancellable(course_session, utcnow()):
            return redirect(url_for("provider.session", session_id=course_session.id))
        return _cancel_page(course_session, form)
    if not form.validate_on_submit():
        return _cancel_page(course_session, form, status=400)
    try:
        orders = refunds.cancel_session(
            course_session, form.reason.data, utcnow(), actor=current_user
        )
    except DomainError as error:
        if error.field == "reason":
            form.reason.errors = [error_message(error)]
            return _cancel_page(course_session, form, status=400)
        # Cancelled already, or started: the state of the session, not what was typed.
        return _cancel_page(course_session, form, problem=error_message(error), status=409)
    if orders:
        message = ngettext(
            "The session has been cancelled. %(num)s participant has been refunded and told "
            "by email.",
            "The session has been cancelled. %(num)s participants have been refunded and told "
            "by email.",
            len(orders),
        )
    else:
        message = gettext("The session has been cancelled.")
    flash(message, "success")
    return redirect(url_for("provider.session", session_id=course_session.id))
