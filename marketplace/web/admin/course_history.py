"""/admin/courses/<id>/history: every change of a course's status, from the audit log, with
who made it, when (WIB) and the note they wrote: created, submitted for curation, withdrawn,
approved, sent back, text fixed, archived, deleted. The curation page of a submitted course
shows the same list (web/admin/curation.py). A deleted course keeps its history: the page
reads the audit log, not the course's row, and names the course by the title it was created
with."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, render_template, request

from marketplace.catalogue.models import Course
from marketplace.core.models import AuditEvent
from marketplace.curation import drafts
from marketplace.curation.models import DraftState
from marketplace.extensions import db
from marketplace.people.models import User
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.labels import LISTING_STATUSES, LISTING_TAGS
from marketplace.web.paging import page_or_400, within_pages

HISTORY_PER_PAGE = 50
# The changes of status a course goes through, and what the office's pages call them.
ACTIONS = {
    "course.created": _l("Created"),
    "course.submitted": _l("Submitted for curation"),
    "course.withdrawn": _l("Withdrawn from curation"),
    "course.approved": _l("Approved"),
    "course.rejected": _l("Sent back"),
    "course.text_fixed": _l("Text fixes put live"),
    "course.archived": _l("Archived"),
    "course.deleted": _l("Deleted"),
}
ACTION_TAGS = {
    "course.approved": "tag--green",
    "course.rejected": "tag--red",
    "course.submitted": "tag--yellow",
}
# The details of a course, in the order the office's pages show them (a copy's details, what
# a change changes, what a text fix fixed).
DETAILS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "outcomes": _l("What participants will be able to do"),
    "audience": _l("Who it is for"),
    "category_id": _l("Category"),
    "method": _l("Training method"),
    "level": _l("Level"),
    "price": _l("Price"),
    "province_id": _l("Province"),
    "city": _l("City"),
    "needs_demonstration": _l("Skill demonstration"),
    "demonstration_brief": _l("What the skill demonstration asks"),
    "pass_mark": _l("Pass mark"),
    "test_tries": _l("Tries at the post-test"),
}
# A course's status as the office's pages name it.
COURSE_STATUSES = LISTING_STATUSES
COURSE_TAGS = LISTING_TAGS


@dataclass(frozen=True)
class Event:
    """One change of a course's status as the history shows it."""

    action: str
    at: datetime
    actor: User | None  # None: the system (a command)
    note: str
    detail: dict

    @property
    def label(self):
        return ACTIONS[self.action]

    @property
    def tag(self) -> str:
        return ACTION_TAGS.get(self.action, "tag--grey")

    @property
    def of_a_change(self) -> bool:
        """A decision on a change to a course listed already (not its first listing)."""
        return self.detail.get("first_listing") is False

    @property
    def keys(self) -> list[str]:
        """The details a text fix changed."""
        keys = self.detail.get("keys")
        return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


def _about(course_id: int):
    return sa.select(AuditEvent).where(
        AuditEvent.subject == f"course:{course_id}", AuditEvent.action.in_(tuple(ACTIONS))
    )


def _events(rows: list[AuditEvent]) -> list[Event]:
    """The audit rows as events, each with its actor (read in one query)."""
    actor_ids = {row.actor_id for row in rows if row.actor_id is not None}
    actors = (
        {
            user.id: user
            for user in db.session.scalars(sa.select(User).where(User.id.in_(actor_ids)))
        }
        if actor_ids
        else {}
    )
    events = []
    for row in rows:
        detail = row.detail if isinstance(row.detail, dict) else {}
        note = detail.get("note")
        events.append(
            Event(
                action=row.action,
                at=row.created_at,
                actor=actors.get(row.actor_id),
                note=note if isinstance(note, str) else "",
                detail=detail,
            )
        )
    return events


def latest_events(course_id: int, most: int) -> tuple[list[Event], bool]:
    """The course's latest `most` changes of status, oldest first, and whether there are
    older ones (the history page lists them all)."""
    rows = db.session.scalars(
        _about(course_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(most + 1)
    ).all()
    return _events(list(reversed(rows[:most]))), len(rows) > most


def _created_title(course_id: int) -> str | None:
    """The title a deleted course was created with (kept in its "created" event)."""
    detail = db.session.scalar(
        sa.select(AuditEvent.detail)
        .where(AuditEvent.subject == f"course:{course_id}", AuditEvent.action == "course.created")
        .limit(1)
    )
    title = detail.get("title") if isinstance(detail, dict) else None
    return title if isinstance(title, str) else None


@bp.route("/courses/<id:course_id>/history")
@admin_required
def course_history(course_id: int):
    """Every change of the course's status, oldest first, 50 a page."""
    page = page_or_400(request.args.get("page"))
    course = db.session.get(Course, course_id)
    results = db.paginate(
        _about(course_id).order_by(AuditEvent.created_at, AuditEvent.id),
        page=page,
        per_page=HISTORY_PER_PAGE,
        error_out=False,
        count=True,
    )
    if course is None and not results.total:
        abort(404)
    within_pages(results)
    draft = drafts.draft_of(course) if course is not None else None
    return render_template(
        "admin/course_history.html",
        course=course,
        course_id=course_id,
        title=course.title if course is not None else _created_title(course_id),
        results=results,
        events=_events(list(results.items)),
        waiting=draft if draft is not None and draft.state is DraftState.SUBMITTED else None,
        statuses=COURSE_STATUSES,
        tags=COURSE_TAGS,
        details_labels=DETAILS,
    )
