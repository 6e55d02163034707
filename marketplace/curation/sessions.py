"""A webinar's or an offline course's sessions ("jadwal"), scheduled and changed by its
provider.

Sessions are live rows (catalogue.models.CourseSession), not part of the course's working
copy (curation/drafts.py): a session can be booked as soon as its course is listed, and the
curation queue shows a submitted course's upcoming sessions beside it (curation/checks.py).

A session is held to the training standard (`standard.session_findings`): it starts in the
future and ends after it starts, names its trainers, and its capacity per trainer is within
the standard's ratio for the method. What was typed is checked as well: the place (or the
webinar's link), the city of an offline session, the capacity. Every refusal names its field
and all of them are reported at once (DomainError.several); nothing is changed then.

Participants who bought a seat hold it (orders/seats.py): a session's capacity can't go
below its seats taken, and once a seat is taken its start and end can't move (participants
bought that time; the provider cancels the session instead, which refunds them,
orders/refunds.py). A cancelled session, or one that has started, is not changed. The row is
locked for the change, so a purchase taking a seat at that moment is counted before the
capacity is checked (the purchase's conditional UPDATE and this lock take turns).
"""

from datetime import datetime

import sqlalchemy as sa

from marketplace.catalogue.models import Course, CourseSession, CourseStatus, Method, SessionStatus
from marketplace.core import N_, DomainError, audit
from marketplace.core.inputs import control_character
from marketplace.curation import drafts, standard
from marketplace.extensions import db
from marketplace.people.models import User

LONGEST_PLACE = 200
LONGEST_CITY = 80
LONGEST_TRAINERS = 300
MOST_SEATS = 10_000

NO_SESSIONS = N_("A self-paced course has no sessions: participants learn at their own pace.")
ARCHIVED = N_("An archived course can't be changed.")
CANCELLED = N_("This session was cancelled, so it can't be changed.")
STARTED = N_("This session has started, so it can't be changed any more.")
BOOKED_TIME = N_(
    "Participants have bought seats at this time, so it can't move: cancel the session (they "
    "get their money back) and schedule a new one."
)


def method_of(course: Course) -> Method:
    """How the course is taught as its provider edits it: a course never listed may still
    change its method in its working copy; a listed one can't (drafts.METHOD_FIXED)."""
    draft = drafts.draft_of(course)
    return Method(draft.content["method"]) if draft is not None else course.method


def refuse_new_session(course: Course) -> None:
    """DomainError when the course takes no session: self-paced, or archived."""
    if method_of(course) is Method.SELF_PACED:
        raise DomainError(NO_SESSIONS)
    if course.status is CourseStatus.ARCHIVED:
        raise DomainError(ARCHIVED)


def why_not_changeable(session: CourseSession, now: datetime) -> str | None:
    """Why the session can't be changed now (a message id), or None when it can."""
    if session.course.status is CourseStatus.ARCHIVED:
        return ARCHIVED
    if session.status is SessionStatus.CANCELLED:
        return CANCELLED
    if session.starts_at <= now:
        return STARTED
    return None


def _line(values: dict, name: str) -> str:
    return " ".join(str(values.get(name) or "").split())


def _read(course: Course, values: dict, errors: list) -> dict:
    """The session's fields as typed, checked (refusals appended to `errors`)."""
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts_at, datetime):
        errors.append(DomainError(N_("Give the day and time the session starts."), "starts_at"))
        starts_at = None
    if not isinstance(ends_at, datetime):
        errors.append(DomainError(N_("Give the day and time the session ends."), "ends_at"))
        ends_at = None
    place = _line(values, "place")
    if not place or len(place) > LONGEST_PLACE or control_character(place):
        errors.append(
            DomainError(
                N_("Write the place or the link, at most %(longest)s characters."),
                field="place",
                longest=LONGEST_PLACE,
            )
        )
    city = None
    if method_of(course) is Method.OFFLINE:
        city = _line(values, "city")
        if not city or len(city) > LONGEST_CITY or control_character(city):
            errors.append(
                DomainError(
                    N_("Write the city of the session, at most %(longest)s characters."),
                    field="city",
                    longest=LONGEST_CITY,
                )
            )
    capacity = values.get("capacity")
    if (
        not isinstance(capacity, int)
        or isinstance(capacity, bool)
        or not 1 <= capacity <= MOST_SEATS
    ):
        errors.append(
            DomainError(
                N_("The capacity is a whole number of seats from 1 to %(most)s."),
                field="capacity",
                most=MOST_SEATS,
            )
        )
        capacity = None
    names = [" ".join(name.split()) for name in str(values.get("trainer_names") or "").split(",")]
    trainer_names = ", ".join(name for name in names if name)
    if len(trainer_names) > LONGEST_TRAINERS or control_character(trainer_names):
        errors.append(
            DomainError(
                N_("Write the trainers' names in at most %(longest)s characters."),
                field="trainer_names",
                longest=LONGEST_TRAINERS,
            )
        )
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "city": city,
        "capacity": capacity,
        "trainer_names": trainer_names,
    }


def _checked(course: Course, values: dict, now: datetime, errors: list) -> dict:
    """What was typed, then the standard's findings on it; refused with every problem."""
    refuse_new_session(course)
    method = method_of(course)
    typed = _read(course, values, errors)
    complete = all(typed[name] is not None for name in ("starts_at", "ends_at", "capacity"))
    if complete:
        rules, _scheme = standard.in_force()
        found = standard.session_findings(
            method,
            typed["starts_at"],
            typed["ends_at"],
            typed["capacity"],
            typed["trainer_names"],
            now,
            rules,
        )
        errors.extend(error for error in found if error.field not in _fields(errors))
    elif not typed["trainer_names"]:
        errors.append(
            DomainError(N_("Name the session's trainer, or trainers."), field="trainer_names")
        )
    if errors:
        raise DomainError.several(errors)
    return typed


def _fields(errors: list) -> set:
    return {error.field for error in errors}


def schedule(course: Course, actor: User, values: dict, now: datetime) -> CourseSession:
    """A new session of `course` from `values` (starts_at and ends_at as naive UTC datetimes,
    place, city, capacity as an int, trainer_names comma-separated)."""
    typed = _checked(course, values, now, [])
    session = CourseSession(course_id=course.id, seats_taken=0, **typed)
    db.session.add(session)
    db.session.flush()
    audit.record(
        "session.scheduled",
        f"session:{session.id}",
        actor,
        course_id=course.id,
        starts_at=session.starts_at.isoformat(),
        capacity=session.capacity,
    )
    return session


def change(session: CourseSession, actor: User, values: dict, now: datetime) -> CourseSession:
    """Change a scheduled session that has not started (see the module's docstring)."""
    locked = db.session.scalar(
        sa.select(CourseSession)
        .where(CourseSession.id == session.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    refusal = why_not_changeable(locked, now)
    if refusal:
        raise DomainError(refusal)
    values = dict(values)
    for name in ("starts_at", "ends_at"):
        # A form shows times to the minute: the same minute is the time as it is stored.
        stored = getattr(locked, name)
        if values.get(name) == stored.replace(second=0, microsecond=0):
            values[name] = stored
    errors: list[DomainError] = []
    typed = _read(locked.course, values, [])  # read once more below, with every refusal
    if locked.seats_taken:
        for name in ("starts_at", "ends_at"):
            if typed[name] is not None and typed[name] != getattr(locked, name):
                errors.append(DomainError(BOOKED_TIME, field=name))
        if typed["capacity"] is not None and typed["capacity"] < locked.seats_taken:
            errors.append(
                DomainError(
                    N_("%(taken)s seats are taken already: the capacity can't be less than that."),
                    field="capacity",
                    taken=locked.seats_taken,
                )
            )
    typed = _checked(locked.course, values, now, errors)
    before = {name: getattr(locked, name) for name in typed}
    for name, value in typed.items():
        setattr(locked, name, value)
    db.session.flush()
    changed = sorted(name for name in typed if before[name] != typed[name])
    audit.record(
        "session.changed", f"session:{locked.id}", actor, course_id=locked.course_id, keys=changed
    )
    return locked
