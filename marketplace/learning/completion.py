"""Completing a course: one call that checks every rule again and moves the order to completed.

`complete(order, now)` reads where the order stands (`journey.journey`, the one home of the
rules: pre-test taken, every module's quiz passed and minimum time gone by, the attendance
the course requires, the post-test passed, the skill demonstration passed when the course
asks for one) under the order's row lock, and refuses with every step still missing. When
all hold it moves the order redeemed → completed by ONE conditional UPDATE, recording when
and the post-test's best score, issues the certificate (certificates/issuing.py), writes
the audit row and mails the participant the certificate's address and what comes next
(rate the course). It is idempotent: a completed order is returned as it is, and two
completions at once complete it once (the second finds the UPDATE already made).

`complete_if_ready` is what the steps that can finish a course call after they change
something (a passed post-test, a demonstration passed): under the order's lock it completes
when nothing is missing and does nothing otherwise. Attendance comes before the post-test,
so marking it never finishes a course; should a provider correct a day after the post-test
was passed, the course page offers the participant to complete it (`complete`), which checks
everything again.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from marketplace.certificates import issuing
from marketplace.core import N_, DomainError, audit, mail
from marketplace.extensions import db
from marketplace.learning import journey as journeys
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import User

# "Pelatihan Saya", a public address (DESIGN.md) the completion mail links to; a test holds
# the learner's blueprint to it.
COURSES_PATH = "/account/courses"
CERTIFICATE_PATH = "/certificates/"  # + the certificate's code: its public page (DESIGN.md)

# What each step still missing says, by its kind (journey.StepKind's values: journey is
# read through its module, since demonstrations, which journey reads, completes courses).
MISSING = {
    "pre_test": N_("Take the pre-test."),
    "module": N_("Finish module %(number)s: its lesson, its quiz and its minimum time."),
    "attendance": N_("Attend the days the course requires (the provider marks them)."),
    "post_test": N_("Pass the post-test."),
    "demonstration": N_("Have your skill demonstration passed by the provider."),
}


def missing(order: Order, now: datetime) -> list[DomainError]:
    """Every step of the order's course not done at `now`, as refusals (empty: nothing)."""
    refusals = []
    for step in journeys.journey(order, now).steps:
        if step.state is journeys.StepState.DONE:
            continue
        params = {"number": step.module.position} if step.module is not None else {}
        refusals.append(DomainError(MISSING[step.kind.value], **params))
    return refusals


def _lock(order: Order) -> None:
    """Take the order's row lock (PostgreSQL) and read it again. Every path that may complete
    the order checks what is missing only under it, so of two steps finished at once (the
    provider passing the demonstration while the participant passes the post-test) the
    second to check sees the first's, committed, and completes the course."""
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
    db.session.refresh(order)


def complete(order: Order, now: datetime, actor: User | None = None) -> Order:
    """Complete the order's course at `now` (see the module's comment); the order. `actor` is
    whose action finished it (the provider passing a demonstration), by default the
    participant."""
    _lock(order)
    if order.status is OrderStatus.COMPLETED:
        return order
    if order.status is OrderStatus.REFUNDED:
        raise DomainError(N_("This order was refunded: its course is closed."))
    if order.status is OrderStatus.PAID:
        raise DomainError(N_("Start the course first: type its voucher code on the course's page."))
    refusals = missing(order, now)
    if refusals:
        raise DomainError.several(refusals)
    score = journeys.journey(order, now).step(journeys.StepKind.POST_TEST).score
    done = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.status == OrderStatus.REDEEMED)
        .values(status=OrderStatus.COMPLETED, completed_at=now, score=score)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(order)
    if not done:
        if order.status is OrderStatus.COMPLETED:
            return order  # completed by the other call
        raise DomainError(N_("This order was refunded: its course is closed."))
    audit.record(
        "order.completed",
        f"order:{order.id}",
        actor=actor or order.participant.user,
        participant_id=order.participant_id,
        course_id=order.course_id,
        score=score,
    )
    certificate = issuing.issue(order)
    _mail_completed(order, certificate.code)
    return order


def complete_if_ready(order: Order, now: datetime, actor: User | None = None) -> bool:
    """Complete the order when every step is done; whether it is completed now. Checked
    under the order's lock (see `_lock`)."""
    _lock(order)
    if order.status is OrderStatus.COMPLETED:
        return True
    if order.status is not OrderStatus.REDEEMED or missing(order, now):
        return False
    complete(order, now, actor)
    return True


def _mail_completed(order: Order, code: str) -> None:
    """Tell the participant the course is completed, where the certificate is, and what comes
    next: rating it."""
    user = order.participant.user
    # A Verbatim paragraph is put in as it is, never filled: the link itself, not a %(link)s.
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    link = base + COURSES_PATH
    mail.send_in_language(
        user,
        N_("Course completed: %(course)s"),
        [
            N_("Hello %(name)s,"),
            N_("You completed %(course)s on %(when)s with a post-test score of %(score)s of 100."),
            N_(
                "Your certificate is issued. Anyone you show it to (an employer, for example) "
                "can check it at this address, without an account:"
            ),
            mail.Verbatim(base + CERTIFICATE_PATH + code),
            N_(
                "Next: rate the course. The programme asks every participant to rate a "
                "completed course before incentives are paid. It takes a minute:"
            ),
            mail.Verbatim(link),
        ],
        course=order.course.title,
        name=order.participant.full_name,
        when=lambda: mail.wib(order.completed_at),
        score=str(order.score if order.score is not None else "-"),
    )
