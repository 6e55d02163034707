"""A course's length: its hours are its modules' minutes added up, always.

A course page says "Duration 5 hours" above its modules' minutes; the two must agree, so
`Course.hours` is not set on its own: `set_modules`, the one operation that writes a course's
modules, sets it from them, and refuses modules that don't add up to whole hours (pages and
course cards show whole hours). The demo seed writes its modules
in bulk with `spread_minutes`, which shares a course's hours out among its modules, and
`hours_disagreements` finds any course whose hours and modules disagree (a test runs it over
the seeded demo).

Not a database constraint: a sum over another table's rows can't be a CHECK, and a trigger
would see a course before its modules are written (the bulk seed inserts them in chunks).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from marketplace.catalogue.models import Course, Module
from marketplace.core import N_, DomainError
from marketplace.extensions import db

MINUTES_PER_HOUR = 60
# Module lengths are whole steps of 5 minutes; the shortest module is 15 minutes.
MINUTE_STEP = 5
SHORTEST_MODULE = 15
LONGEST_TITLE = 200


def hours_of(minutes: Sequence[int]) -> int:
    """The hours that modules of these lengths (in minutes) add up to.

    Refused (DomainError on "modules") without modules, for a module shorter than 15 minutes
    or not in steps of 5, and when the lengths don't add up to whole hours.
    """
    if not minutes:
        raise DomainError(N_("A course needs at least one module."), field="modules")
    for length in minutes:
        if length < SHORTEST_MODULE or length % MINUTE_STEP:
            raise DomainError(
                N_("A module lasts at least %(shortest)s minutes, in steps of %(step)s minutes."),
                field="modules",
                shortest=SHORTEST_MODULE,
                step=MINUTE_STEP,
            )
    total = sum(minutes)
    if total % MINUTES_PER_HOUR:
        raise DomainError(
            N_(
                "The modules add up to %(minutes)s minutes: make them add up to whole hours, "
                "which is the course's duration."
            ),
            field="modules",
            minutes=total,
        )
    return total // MINUTES_PER_HOUR


def set_modules(course: Course, modules: Sequence[tuple[str, int]]) -> None:
    """Give `course` these modules, in order, as (title, minutes); its hours become their sum.

    Refused as `hours_of` refuses, and for an empty title or one over 200 characters;
    nothing is changed then. Flushes.
    """
    lengths = [minutes for _title, minutes in modules]
    hours = hours_of(lengths)
    titles = [" ".join((title or "").split()) for title, _minutes in modules]
    if any(not title or len(title) > LONGEST_TITLE for title in titles):
        raise DomainError(
            N_("Give every module a title of at most %(limit)s characters."),
            field="modules",
            limit=LONGEST_TITLE,
        )
    course.modules.clear()
    db.session.flush()  # the old positions go before the new ones take them
    course.modules.extend(
        Module(position=position, title=title, minutes=minutes)
        for position, (title, minutes) in enumerate(zip(titles, lengths, strict=True), start=1)
    )
    course.hours = hours
    db.session.flush()


def spread_minutes(hours: int, shares: Sequence[float]) -> list[int]:
    """`hours` shared out among modules in proportion to `shares`: minutes per module, in
    steps of 5, each at least 15, adding up to exactly `hours` × 60.

    ValueError when the hours are too few for that many modules of 15 minutes.
    """
    steps = hours * MINUTES_PER_HOUR // MINUTE_STEP
    least = SHORTEST_MODULE // MINUTE_STEP
    count = len(shares)
    if count == 0 or hours <= 0 or steps < least * count:
        raise ValueError(f"{hours} hours can't make {count} modules of {SHORTEST_MODULE} minutes")
    total_share = sum(shares)
    exact = [steps * share / total_share for share in shares]
    given = [max(least, int(value)) for value in exact]
    # A module raised to the shortest length takes its steps from the others, most rounded first.
    while sum(given) > steps:
        index = max(
            (index for index in range(count) if given[index] > least),
            key=lambda index: given[index] - exact[index],
        )
        given[index] -= 1
    # The steps lost to rounding down (fewer than one a module) go to those that lost most.
    by_loss = sorted(range(count), key=lambda index: given[index] - exact[index])
    for index in by_loss[: steps - sum(given)]:
        given[index] += 1
    return [step * MINUTE_STEP for step in given]


def hours_disagreements(course_ids: Sequence[int] | None = None) -> list[tuple[int, int, int]]:
    """(course id, hours, minutes of its modules) of every course ever listed whose hours are
    not its modules' minutes added up (a course without modules counts 0 minutes); of
    `course_ids` only, when given. Empty when the catalogue agrees with itself. A course never
    listed lives in its provider's working copy (curation/drafts.py), which sets its rows'
    hours from its modules when it is approved."""
    minutes = (
        sa.select(Module.course_id, sa.func.sum(Module.minutes).label("minutes"))
        .group_by(Module.course_id)
        .subquery()
    )
    total = sa.func.coalesce(minutes.c.minutes, 0)
    query = (
        sa.select(Course.id, Course.hours, total)
        .outerjoin(minutes, minutes.c.course_id == Course.id)
        .where(Course.hours * MINUTES_PER_HOUR != total, Course.published_at.is_not(None))
        .order_by(Course.id)
    )
    if course_ids is not None:
        query = query.where(Course.id.in_(list(course_ids)))
    return [(row[0], row[1], int(row[2])) for row in db.session.execute(query)]
