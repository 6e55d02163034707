"""How many took part in each course: `Course.enrolment_count`, shown as "1.234 peserta" on
course pages and the order of "most popular".

A purchase adds +1 and a refund -1 as a row of `EnrolmentChange`, in the transaction that
makes the order or refunds it. `fold` counts those rows into the courses every ten minutes (a
periodic job of the worker, `flask catalogue count-enrolments` by hand). Writing the course row
on every purchase would raise the catalogue's revision each time (its triggers watch courses),
emptying every kept result page in every process on every purchase of a self-paced course
(a seat of a session is another watched row: those purchases raise it anyway), and make
purchases of one course queue on its row; a fold writes each changed course once.

The count lags purchases by up to one period; nothing else depends on it.
"""

from collections import Counter

import sqlalchemy as sa

from marketplace.catalogue.models import Course, EnrolmentChange
from marketplace.extensions import db


def count_purchase(course_id: int) -> None:
    """One more participant of the course, counted at the next fold."""
    db.session.add(EnrolmentChange(course_id=course_id, change=1))


def count_refund(course_id: int) -> None:
    """One participant fewer (their purchase refunded), counted at the next fold."""
    db.session.add(EnrolmentChange(course_id=course_id, change=-1))


def fold() -> int:
    """Count every change not counted yet into its course (never below zero), in the
    caller's transaction; how many courses changed.

    The rows are taken by one DELETE ... RETURNING, so each is counted once and a purchase
    committed meanwhile stays for the next fold, on PostgreSQL as on SQLite. The courses are
    written through Core: a `Course` already loaded in the session keeps its old count."""
    taken = db.session.execute(
        sa.delete(EnrolmentChange).returning(EnrolmentChange.course_id, EnrolmentChange.change)
    ).all()
    changes: Counter = Counter()
    for course_id, change in taken:
        changes[course_id] += change
    changed = [
        {"course": course_id, "change": change}
        for course_id, change in sorted(changes.items())
        if change
    ]
    if changed:
        counted = Course.__table__.c.enrolment_count + sa.bindparam("change")
        db.session.connection().execute(
            sa.update(Course.__table__)
            .where(Course.__table__.c.id == sa.bindparam("course"))
            .values(enrolment_count=sa.case((counted < 0, 0), else_=counted)),
            changed,
        )
    return len(changed)
