"""Submitting a course for curation, and the programme office's decision on it.

- `submit`: the provider sends the working copy to the queue; refused with every finding of
  the training standard (curation/standard.py), or when nothing needs curation (a listed
  course whose copy only fixes text: `drafts.publish_text_fixes`). The standard's checks and
  the similarity findings are worked out now and kept beside it (curation/checks.py).
- `withdraw`: back from the queue to editing, before a curator decides.
- `decide`: approve or reject, with a note (required to reject). ONE conditional UPDATE of
  the draft (`WHERE state = 'submitted' AND version = <the version the curator read>`):
  of two curators deciding at once, or a curator deciding a copy the provider has since
  withdrawn and changed, the second is refused and told what happened. Approval writes the
  copy onto the course's rows (`drafts.publish`), lists the course and indexes it for search
  in the same transaction; a listed course stays listed unchanged until then.
- `archive`: the course leaves the catalogue; participants who bought it keep learning it.
  `delete`: only a course nobody ever bought.
Every change is audited with who and the note, and the provider's staff are mailed what
happened, why, and what to do next.
"""

from datetime import datetime

import sqlalchemy as sa

from marketplace.catalogue import search
from marketplace.catalogue.models import Course, CourseStatus
from marketplace.core import N_, DomainError, audit, mail
from marketplace.curation import checks, drafts, standard
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.orders.models import Order
from marketplace.people.models import Role, User

LONGEST_NOTE = 2000
DECIDED_ALREADY = N_(
    "This course was decided already, or changed by its provider since you opened it: "
    "nothing was changed. Open the queue again to see where it stands."
)


def submit(course: Course, actor: User, now: datetime) -> CourseDraft:
    """Send the course's working copy to the curation queue."""
    draft = drafts.draft_of(course, lock=True)
    if draft is None or not drafts.needs_curation(course, draft.content):
        if drafts.ever_approved(course):
            raise DomainError(
                N_(
                    "Nothing here needs curation: the course is listed as it is, and text "
                    "fixes go live at once."
                )
            )
        raise DomainError(N_("Fill in the course before submitting it."))
    if draft.state is DraftState.SUBMITTED:
        raise DomainError(N_("This course is waiting for curation already."))
    rules, scheme = standard.in_force()
    found = standard.findings(draft.content, rules, scheme)
    if found:
        raise DomainError.several(found)
    draft.state = DraftState.SUBMITTED
    draft.submitted_at = now
    draft.checks = checks.work_out(course, draft.content, rules, scheme)
    if not drafts.ever_approved(course):
        course.status = CourseStatus.SUBMITTED
    db.session.flush()
    audit.record("course.submitted", f"course:{course.id}", actor, version=draft.version)
    return draft


def withdraw(course: Course, actor: User, now: datetime) -> CourseDraft:
    """Take the working copy back from the queue to edit it."""
    draft = drafts.draft_of(course, lock=True)
    if draft is None or draft.state is not DraftState.SUBMITTED:
        raise DomainError(N_("This course is not waiting for curation."))
    draft.state = DraftState.EDITING
    draft.version += 1
    draft.updated_at = now
    draft.updated_by_id = actor.id
    if not drafts.ever_approved(course):
        course.status = CourseStatus.DRAFT
    db.session.flush()
    audit.record("course.withdrawn", f"course:{course.id}", actor)
    return draft


def _note(note: str | None, required: bool) -> str:
    text = (note or "").strip()
    if required and len(text) < 10:
        raise DomainError(
            N_("Write the provider what to change (at least 10 characters)."), field="note"
        )
    if len(text) > LONGEST_NOTE:
        raise DomainError(
            N_("Write at most %(longest)s characters."), field="note", longest=LONGEST_NOTE
        )
    return text


def decide(
    draft_id: int, version: int, actor: User, approve: bool, note: str | None, now: datetime
) -> Course:
    """Approve or reject the copy `draft_id` as it was at `version` (what the curator read)."""
    text = _note(note, required=not approve)
    decided = db.session.execute(
        sa.update(CourseDraft)
        .where(
            CourseDraft.id == draft_id,
            CourseDraft.state == DraftState.SUBMITTED,
            CourseDraft.version == version,
        )
        .values(
            state=DraftState.EDITING if approve else DraftState.REJECTED,
            version=CourseDraft.version + 1,
            note=text or None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise DomainError(DECIDED_ALREADY)
    draft = db.session.get(CourseDraft, draft_id)
    db.session.refresh(draft)
    course = db.session.get(Course, draft.course_id)
    first_listing = not drafts.ever_approved(course)
    if approve:
        price_before = course.price
        drafts.publish(course, draft.content)
        if course.price != price_before:
            checkout.void_open_purchases(course.id, now)
        course.status = CourseStatus.APPROVED
        if course.published_at is None:
            course.published_at = now
        db.session.delete(draft)
    elif first_listing:
        course.status = CourseStatus.REJECTED
    course.curator_note = text or None
    db.session.flush()
    if approve:
        search.index_courses([course.id])
    audit.record(
        "course.approved" if approve else "course.rejected",
        f"course:{course.id}",
        actor,
        note=text,
        first_listing=first_listing,
    )
    _mail_decision(course, approve, text, first_listing)
    return course


def _mail_decision(course: Course, approved: bool, note: str, first_listing: bool) -> None:
    """Tell the provider's staff what was decided, why, and what to do next."""
    staff = db.session.scalars(
        sa.select(User).where(User.provider_id == course.provider_id, User.role == Role.PROVIDER)
    ).all()
    if approved:
        subject = N_("Course approved: %(title)s")
        paragraphs = [
            N_(
                "The programme office approved \u201c%(title)s\u201d. It is in the catalogue "
                "now, where participants can find and buy it."
            )
            if first_listing
            else N_(
                "The programme office approved the changes to \u201c%(title)s\u201d. "
                "Participants see the new version now."
            ),
        ]
    else:
        subject = N_("Course sent back: %(title)s")
        paragraphs = [
            N_(
                "The programme office sent \u201c%(title)s\u201d back without approving it. "
                "What to change: %(note)s"
            ),
            N_(
                "Edit the course and submit it again. A listed course stays in the "
                "catalogue as it was approved until then."
            ),
        ]
    if note and approved:
        paragraphs.append(N_("The office's note: %(note)s"))
    paragraphs.append(N_("Your courses: %(link)s"))
    link = mail.public_link("/provider/courses")
    for person in staff:
        mail.send_in_language(person, subject, paragraphs, title=course.title, note=note, link=link)


def archive(course: Course, actor: User, now: datetime) -> None:
    """Take a listed (or never-listed) course out of the catalogue for good; participants who
    bought it keep it in "Pelatihan Saya" and finish it."""
    if course.status is CourseStatus.ARCHIVED:
        raise DomainError(N_("This course is archived already."))
    course.status = CourseStatus.ARCHIVED
    draft = drafts.draft_of(course, lock=True)
    if draft is not None:
        db.session.delete(draft)
    db.session.flush()
    search.index_courses([course.id])
    audit.record("course.archived", f"course:{course.id}", actor)


def has_orders(course: Course) -> bool:
    return (
        db.session.scalar(sa.select(sa.literal(1)).where(Order.course_id == course.id).limit(1))
        is not None
    )


def may_delete(course: Course) -> bool:
    """Whether `delete` would take the course (never listed, never bought)."""
    return not drafts.ever_approved(course) and not has_orders(course)


def delete(course: Course, actor: User) -> None:
    """Delete a course never listed (nobody could buy it, nor start to); a listed one can
    only be archived."""
    if not may_delete(course):
        raise DomainError(
            N_(
                "This course has been in the catalogue, so it can't be deleted: archive it "
                "instead. It leaves the catalogue and its learners keep it."
            )
        )
    course_id = course.id
    db.session.delete(course)
    db.session.flush()
    search.index_courses([course_id])
    audit.record("course.deleted", f"course:{course_id}", actor)
