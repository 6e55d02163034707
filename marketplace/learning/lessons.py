"""A self-paced course's lessons: reading a module's lesson text, and opening a module.

A lesson is plain text in a small form a provider can type without learning markup, read
here into blocks a template draws (escaped like any other text, so a lesson can never carry
HTML or script):

- a line starting with "## " is a heading;
- lines starting with "- " are the items of a list;
- other lines are paragraphs; a blank line ends one.

A module is opened by the participant (a form, never a GET): the server records when, once.
From then on its minimum time runs (`journey.minimum_time`); the module is done when its
quiz is passed and that time has gone by, and only then does the next one open.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from marketplace.catalogue.models import Module
from marketplace.core import N_, DomainError, audit
from marketplace.extensions import db
from marketplace.learning import journey as journeys
from marketplace.learning.journey import StepKind, StepState
from marketplace.learning.models import ModuleProgress
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant

NOT_STARTED = N_("Start the course first: type its voucher code on the course's page.")
COMPLETED = N_("You have completed this course.")
REFUNDED = N_("This order was refunded: its course is closed.")


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "list"
    text: str = ""
    items: tuple[str, ...] = ()


def blocks(lesson: str) -> list[Block]:
    """The lesson's headings, paragraphs and lists, in order."""
    found: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def close() -> None:
        if paragraph:
            found.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if items:
            found.append(Block("list", items=tuple(items)))
            items.clear()

    for raw in (lesson or "").splitlines():
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("## "):
            close()
            found.append(Block("heading", line[3:].strip()))
        elif line.startswith("- "):
            if paragraph:
                close()
            items.append(line[2:].strip())
        else:
            if items:
                close()
            paragraph.append(line)
    close()
    return found


def why_closed(order: Order) -> DomainError | None:
    """Why nothing of the order's course can be opened or answered now, or None."""
    if order.status is OrderStatus.REFUNDED:
        return DomainError(REFUNDED)
    if order.status is OrderStatus.PAID:
        return DomainError(NOT_STARTED)
    if order.status is OrderStatus.COMPLETED:
        return DomainError(COMPLETED)
    return None


def module_of(order: Order, position: int) -> Module | None:
    """The order's course's module at `position` (1, 2, ...), or None."""
    return next((module for module in order.course.modules if module.position == position), None)


def open_module(
    order: Order, participant: Participant, module: Module, now: datetime
) -> ModuleProgress:
    """Open `module` for the order's participant at `now`; opening it again changes nothing.

    Refused (DomainError, nothing written) for another participant's order, a course not
    started, completed or refunded, a module of another course, and a module still locked
    (the pre-test or the module before is not done; the message says which, and when the
    module before will be done if only its time is left).
    """
    if order.participant_id != participant.id or module.course_id != order.course_id:
        raise DomainError(N_("This module is not part of your course."))
    closed = why_closed(order)  # before the existing row too: a refund closes everything
    if closed is not None:
        raise closed
    existing = db.session.get(ModuleProgress, (order.id, module.id))
    if existing is not None:
        return existing
    where = journeys.journey(order, now)
    step = where.step(StepKind.MODULE, module.id)
    if step is None:  # a webinar's or an offline course's module: no lesson to open
        raise DomainError(N_("This module is not part of your course."))
    if step.state is StepState.LOCKED:
        raise why_locked(where, module)
    progress = ModuleProgress(order_id=order.id, module_id=module.id, opened_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(progress)
    except IntegrityError:  # opened twice at once: the first open counts
        existing = db.session.get(ModuleProgress, (order.id, module.id))
        if existing is None:
            raise
        return existing
    audit.record(
        "module.opened",
        f"order:{order.id}",
        actor=participant.user,
        module_id=module.id,
        position=module.position,
    )
    return progress


def why_locked(where: journeys.Journey, module: Module) -> DomainError:
    """What must be done before `module` opens."""
    for step in where.steps:
        if step.kind is StepKind.MODULE and step.module.id == module.id:
            break
        if step.state is StepState.DONE:
            continue
        if step.kind is StepKind.PRE_TEST:
            return DomainError(N_("Take the pre-test first: the modules open after it."))
        if step.state is StepState.WAITING and step.until is not None:  # on the clock alone
            return DomainError(
                N_(
                    "You can continue at %(when)s: each module stays open for at least its "
                    "minimum learning time, counted from when you opened it."
                ),
                when=step.until,
            )
        if step.has_quiz and step.state is not StepState.WAITING:
            return DomainError(
                N_("Pass the quiz of module %(number)s first."), number=step.module.position
            )
        return DomainError(N_("Finish module %(number)s first."), number=step.module.position)
    return DomainError(N_("This module is not open yet."))
