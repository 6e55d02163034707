"""Redemption: a training provider takes a participant's voucher or redeem code.

An order carries two codes (`new_code` makes them, orders/checkout.py asks for them):

- the voucher code (``VC`` + 10 characters) starts a self-paced course on its digital
  platform, and has no end date: it works until it is used (or the order is refunded);
- the redeem code (``RD`` + 10 characters) of a webinar or offline order records that the
  participant came to the session. It works only from one hour before the session starts to
  one hour after (`redeem_window`).

`usable_until` says until when an order's code works, for the order page and its mail.

The codes' form has one home, here:

- made of `CODE_ALPHABET`, which holds no character of a look-alike pair (no 0, O, Q, 1,
  I, L, 2, Z, 5, S, 8 or B), so whoever reads a code aloud or from a small screen never has
  to guess;
- shown in groups of four (`grouped`: ``VCK7-WXM3-PDHJ``);
- read back (`normalise`, `spellings`) in any case, with or without spaces, dashes or dots,
  from full-width characters too, and with look-alikes taken as each other. Codes made
  before this alphabet (``VC``/``RD`` + 10 of A–Z and 2–9 without I and O) still work as
  they were written: a typed 2 may be their Z, 5 their S, 8 their B, 1 or I their L,
  0 or O their Q.

`redeem` moves the order paid → redeemed by ONE conditional UPDATE (``WHERE status =
'paid'``), so two providers' desks typing the same code at once redeem it once and the
second is told it was used. The refusals are the real programme's: not found, another
provider's code, already used, cancelled, outside its window.
"""

import itertools
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import Course, CourseSession, Provider, SessionStatus
from marketplace.core import N_, DomainError, audit
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, User

REDEEM_WINDOW = timedelta(hours=1)

# --- the codes' form -----------------------------------------------------------------------

VOUCHER_PREFIX = "VC"
REDEEM_PREFIX = "RD"
CODE_BODY = 10  # characters after the prefix
CODE_LENGTH = len(VOUCHER_PREFIX) + CODE_BODY
GROUP = 4
# 24 characters, none of which looks like another: no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPRTUVWXY34679"
# The alphabet of the codes made before CODE_ALPHABET; the database still holds them.
OLD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Each look-alike, read as the one character that stands for its pair.
LOOK_ALIKES = {"O": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"}
# What each standing-for character may be in a stored code: old codes only, since the new
# alphabet holds none of them (and no code ever held 0, O, 1 or I).
_STORED_AS = {"0": "Q", "1": "L", "2": "2Z", "5": "5S", "8": "8B"}
# Anything much longer than a code is not one (and is not read further).
LONGEST_CODE = 40


def new_code(prefix: str, rng=secrets) -> str:
    """A new code: `prefix` and CODE_BODY characters of CODE_ALPHABET."""
    return prefix + "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_BODY))


def grouped(code: str | None) -> str:
    """A code as people read it, in groups of four: VCK7-WXM3-PDHJ."""
    text = code or ""
    return "-".join(text[start : start + GROUP] for start in range(0, len(text), GROUP))


def normalise(code: str | None) -> str:
    """A typed code in one spelling: upper case, no separators, look-alikes as one.

    Full-width characters become plain ones (NFKC), every space, dash, dot and underscore
    goes, and each look-alike becomes the character that stands for its pair (O and Q → 0,
    I and L → 1, Z → 2, S → 5, B → 8). Longer than LONGEST_CODE: not read (empty).
    """
    text = code or ""
    if len(text) > LONGEST_CODE * 4:
        return ""
    text = unicodedata.normalize("NFKC", text).upper()
    kept = "".join(
        ch for ch in text if not (ch.isspace() or ch in "-_." or unicodedata.category(ch) == "Pd")
    )
    if len(kept) > LONGEST_CODE:
        return ""
    return "".join(LOOK_ALIKES.get(ch, ch) for ch in kept)


def spellings(code: str | None) -> list[str]:
    """Every stored code a typed one may be: at most 2**10 for an old code full of
    look-alikes, one for a new code; none for anything that can't be a code."""
    text = normalise(code)
    if len(text) != CODE_LENGTH or not text.isascii() or not text.isalnum():
        return []
    prefix, body = text[:2], text[2:]
    if prefix not in (VOUCHER_PREFIX, REDEEM_PREFIX):
        return []
    choices = [_STORED_AS.get(ch, ch) for ch in body]
    return [prefix + "".join(letters) for letters in itertools.product(*choices)]


def typed_as_stored(code: str | None) -> str:
    """The typed code without separators, in upper case, look-alikes left as they are."""
    text = unicodedata.normalize("NFKC", (code or "")[: LONGEST_CODE * 4]).upper()
    return "".join(ch for ch in text if ch.isalnum())


# --- until when ----------------------------------------------------------------------------


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


def usable_until(order: Order) -> datetime | None:
    """Until when the order's code works (UTC): a session's redeem code until its window
    closes; a self-paced course's voucher code has no end date (None): it works until it
    is used, or the order is refunded."""
    if order.session is not None:
        return redeem_window(order.session).closes_at
    return None


def _order_with_code(code: str) -> tuple[Order | None, str]:
    """(the order holding this code, "voucher" or "redeem"), or (None, "").

    A typed code with look-alikes may be several old codes; the one written exactly as
    typed wins, and when none is, the code is not found rather than guessed.
    """
    candidates = spellings(code)
    if not candidates:
        return None, ""
    orders = list(
        db.session.scalars(
            sa.select(Order)
            .where(sa.or_(Order.voucher_code.in_(candidates), Order.redeem_code.in_(candidates)))
            .options(joinedload(Order.course), joinedload(Order.session))
            .execution_options(populate_existing=True)
        ).unique()
    )
    if len(orders) > 1:
        exact = typed_as_stored(code)
        orders = [row for row in orders if exact in (row.voucher_code, row.redeem_code)]
    if len(orders) != 1:
        return None, ""
    (order,) = orders
    return order, "voucher" if order.voucher_code in candidates else "redeem"


def _mark_redeemed(order: Order, now: datetime) -> None:
    """paid → redeemed by ONE conditional UPDATE; refused when another desk (or the
    participant) took the code, or the order was refunded, between our read and our write."""
    redeemed = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.status == OrderStatus.PAID)
        .values(status=OrderStatus.REDEEMED, redeemed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(order)
    if not redeemed:
        if order.status is OrderStatus.REFUNDED:
            raise DomainError(
                N_("This code has been cancelled: the purchase was refunded."), field="code"
            )
        raise DomainError(
            N_("This code has already been used, on %(when)s."),
            field="code",
            when=order.redeemed_at or order.completed_at,
        )


def start_self_paced(order: Order, participant: Participant, code: str, now: datetime) -> Order:
    """The participant starts their self-paced course by typing its voucher code on the
    course's learning page, as the real programme's platforms ask: the order, now redeemed.

    Refused (DomainError on field "code", nothing changed) for another participant's order,
    a course with a session (its redeem code is taken at the provider's desk), a refunded
    order, one already started, and a code that is not this order's voucher code (read as
    forgivingly as at the desk: any case, spaces, dashes, look-alikes).
    """
    if order.participant_id != participant.id:
        raise DomainError(N_("This is not your order."), field="code")
    if order.session_id is not None:
        raise DomainError(
            N_("This course has a session: it starts when the provider takes your redeem code."),
            field="code",
        )
    if order.status is OrderStatus.REFUNDED:
        raise DomainError(
            N_("This code has been cancelled: the purchase was refunded."), field="code"
        )
    if order.status is not OrderStatus.PAID:
        raise DomainError(
            N_("This code has already been used, on %(when)s."),
            field="code",
            when=order.redeemed_at or order.completed_at,
        )
    if order.voucher_code not in spellings(code):
        raise DomainError(
            N_("This is not the voucher code of this course. It is on your order page."),
            field="code",
        )
    _mark_redeemed(order, now)
    audit.record(
        "order.redeemed",
        f"order:{order.id}",
        actor=participant.user,
        code="voucher",
        by="participant",
    )
    return order


def redeem(provider: Provider, code: str, now: datetime, actor: User | None = None) -> Order:
    """Take `code` at `provider`'s desk at `now`: the order, now redeemed.

    Refused (DomainError on field "code", nothing changed) when the code is not found, is
    another provider's, was used already, belongs to a refunded order or a cancelled
    session, or is a redeem code outside its window. A session's order is redeemed with its
    redeem code; its voucher code is refused with a pointer to the redeem code.
    """
    order, kind = _order_with_code(code)
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
    _mark_redeemed(order, now)
    audit.record(
        "order.redeemed",
        f"order:{order.id}",
        actor=actor,
        provider_id=provider.id,
        code=kind,
        session_id=order.session_id,
    )
    return order
