"""The demo's curation: working copies for the seeded courses that are not listed.

The catalogue writer seeds courses in every status (draft, submitted, rejected, archived
beside the approved ones; the demo provider has one of each). A course that is not listed
lives in its working copy (curation/drafts.py), so each seeded draft, submitted or rejected
course gets one, made from its rows: a submitted one waits in the office's queue
(/admin/curation) with its checks worked out as at a real submission, a rejected one holds
the curator's note. The demo provider (lembaga@example.com) has one of each: its submitted
course waits in the queue.
"""

from datetime import timedelta

import sqlalchemy as sa

from marketplace.catalogue.models import Course, CourseStatus
from marketplace.curation import checks, drafts, standard
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db

STATES = {
    CourseStatus.DRAFT: DraftState.EDITING,
    CourseStatus.SUBMITTED: DraftState.SUBMITTED,
    CourseStatus.REJECTED: DraftState.REJECTED,
}


def seed_curation() -> int:
    """Working copies for the seeded courses not listed; how many courses wait in the
    curation queue. Flushes."""
    rules, scheme = standard.in_force()
    unlisted = db.session.scalars(
        sa.select(Course)
        .where(Course.status.in_(list(STATES)))
        .order_by(Course.category_id, Course.id)
    ).all()
    # A large catalogue has many submitted courses: each category's listed courses are read
    # and cut into shingles once for all of them.
    neighbourhoods = checks.Neighbourhoods()
    for course in unlisted:
        content = drafts.content_of(course)
        state = STATES[course.status]
        submitted = state is DraftState.SUBMITTED
        db.session.add(
            CourseDraft(
                course_id=course.id,
                content=content,
                state=state,
                note=course.curator_note if state is DraftState.REJECTED else None,
                submitted_at=course.created_at + timedelta(days=1) if submitted else None,
                checks=(
                    checks.work_out(
                        course,
                        content,
                        rules,
                        scheme,
                        neighbourhoods.of(course, content.get("category_id")),
                    )
                    if submitted
                    else None
                ),
                updated_at=course.created_at,
            )
        )
    db.session.flush()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CourseDraft)
        .where(CourseDraft.state == DraftState.SUBMITTED)
    )
