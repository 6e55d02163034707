"""Redemption: a training provider takes a participant's voucher or redeem code.

An order carries two codes (orders/checkout.py makes them):

- the voucher code (``VC`` + 10 characters) starts a self-paced course;
- the redeem code (``RD`` + 10 characters) of a webinar or offline order records that the
  participant came to the session. It works only from one hour before the session starts to
  one hour after (`redeem_window`).

`redeem` moves the order paid → redeemed by ONE conditional UPDATE (``WHERE status =
'paid'``), so two providers' desks typing the same code at once redeem it once and the
second is told it was used. The refusals are the real programme's: not found, another
provider's code, already used, cancelled, outside its window.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import Course, CourseSession, Provider, SessionStatus
from marketplace.core import N_, DomainError, audit
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import User

REDEEM_WINDOW = timedelta(hours=1)
# Codes are "VC"/"RD" + 10 characters; anything much longer is not a code.
LONGEST_CODE = 40


@dataclass(frozen=True)
class Window:
    """When a session's redeem code works (UTC)."""

    opens_at: datetime
    closes_at: datetime

    def holds(self, moment: datetime) -> bool:
        return self.opens_at <= moment <= self.closes_at


def redeem_window(session: CourseSession) -> Window:
    """From an hour before the session starts to an hour after it starts."""
    return Window(session.starts_at - REDEEM_WINDOW, session.starts_at + REDEEM_WINDOW)


def normalise(code: str | None) -> str:
    """Upper case, without the spaces and dashes people type into codes."""
    text = (code or "").strip().upper()
    return "".join(ch for ch in text if ch not in " -\t")


def _order_with_code(code: str) -> tuple[Order | None, str]:
    """(the order holding this code, "voucher" or "redeem"), or (None, "")."""
    if not code or len(code) > LONGEST_CODE or not code.isascii() or not code.isalnum():
        return None, ""
    order = db.session.scalar(
        sa.select(Order)
        .where(sa.or_(Order.voucher_code == code, Order.redeem_code == code))
        .options(joinedload(Order.course), joinedload(Order.session))
        .execution_options(populate_existing=True)
    )
    if order is None:
        return None, ""
    return order, "voucher" if order.voucher_code == code else "redeem"


def redeem(provider: Provider, code: str, now: datetime, actor: User | None = None) -> Order:
    """Take `code` at `provider`'s desk at `now`: the order, now redeemed.

    Refused (DomainError on field "code", nothing changed) when the code is not found, is
    another provider's, was used already, belongs to a refunded order or a cancelled
    session, or is a redeem code outside its window. A session's order is redeemed with its
    redeem code; its voucher code is refused with a pointer to the redeem code.
    """
    order, kind = _order_with_code(normalise(code))
    if order is None:
        raise DomainError(N_("Code not found. Check the code and try again."), field="code")
    course: Course = order.course
    if course.provider_id != provider.id:
        raise DomainError(
            N_("This code is for a course of another training provider."), field="code"
        )
    session: CourseSession | None = order.session
    if order.status is OrderStatus.REFUNDED or (
        session is not None and session.status is SessionStatus.CANCELLED
    ):
        raise DomainError(
            N_("This code has been cancelled: the purchase was refunded."), field="code"
        )
    if order.status is not OrderStatus.PAID:
        raise DomainError(
            N_("This code has already been used, on %(when)s."),
            field="code",
            when=order.redeemed_at or order.completed_at,
        )
    if session is not None:
        window = redeem_window(session)
        if kind == "voucher":
            raise DomainError(
                N_(
                    "This course has a session: enter the participant's redeem code, "
                    "valid from %(opens)s to %(closes)s."
                ),
                field="code",
                opens=window.opens_at,
                closes=window.closes_at,
            )
        if not window.holds(now):
            raise DomainError(
                N_("A redeem code works only from %(opens)s to %(closes)s."),
                field="code",
                opens=window.opens_at,
                closes=window.closes_at,
            )
    redeemed = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.status == OrderStatus.PAID)
        .values(status=OrderStatus.REDEEMED, redeemed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(order)
    if not redeemed:
        # Another desk took it, or the order was refunded, between our read and our write.
        if order.status is OrderStatus.REFUNDED:
            raise DomainError(
                N_("This code has been cancelled: the purchase was refunded."), field="code"
            )
        raise DomainError(
            N_("This code has already been used, on %(when)s."),
            field="code",
            when=order.redeemed_at or order.completed_at,
        )
    audit.record(
        "order.redeemed",
        f"order:{order.id}",
        actor=actor,
        provider_id=provider.id,
        code=kind,
        session_id=order.session_id,
    )
    return order
