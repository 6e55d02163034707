"""The seeded demo's curation (issue 14): lembaga@example.com's provider has courses in every
status, each unlisted one with its working copy; the office's queue holds submitted courses
with their checks, the demo provider's among them."""

import sqlalchemy as sa
from support.demo_world import DEMO_ACCOUNTS

from marketplace.catalogue.models import Course, CourseStatus
from marketplace.curation import drafts, standard
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db
from marketplace.people.models import User


def _demo_provider_id() -> int:
    return db.session.scalar(
        sa.select(User.provider_id).where(User.email == DEMO_ACCOUNTS["provider"])
    )


def test_the_demo_provider_has_courses_in_every_status(demo):
    with demo.app_context():
        statuses = set(
            db.session.scalars(
                sa.select(Course.status).where(Course.provider_id == _demo_provider_id())
            )
        )
        assert statuses == set(CourseStatus)


def test_every_unlisted_course_has_its_working_copy_in_the_matching_state(demo):
    with demo.app_context():
        rows = db.session.execute(
            sa.select(Course.status, CourseDraft.state)
            .outerjoin(CourseDraft, CourseDraft.course_id == Course.id)
            .where(Course.published_at.is_(None))
        ).all()
        expected = {
            CourseStatus.DRAFT: DraftState.EDITING,
            CourseStatus.SUBMITTED: DraftState.SUBMITTED,
            CourseStatus.REJECTED: DraftState.REJECTED,
        }
        assert rows and all(expected[status] is state for status, state in rows)


def test_the_demo_providers_submitted_course_waits_in_the_queue_with_its_checks(demo):
    with demo.app_context():
        course = db.session.scalar(
            sa.select(Course).where(
                Course.provider_id == _demo_provider_id(),
                Course.status == CourseStatus.SUBMITTED,
            )
        )
        draft = drafts.draft_of(course)
        assert draft.state is DraftState.SUBMITTED and draft.submitted_at is not None
        assert draft.content == drafts.content_of(course)
        rules, _scheme = standard.in_force()
        assert draft.checks["modules"] == len(course.modules)
        assert draft.checks["least_hours"] == standard.least_hours(rules, course.method)
