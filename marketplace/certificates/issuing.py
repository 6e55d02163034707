"""Issuing certificates, and finding one by its public code.

A certificate is issued by `issue(order)`, which completion calls in its own transaction,
once: the order's unique key makes a second issue find the first. Its public code is
`CODE_LENGTH` characters drawn by the operating system's secure source from the codes'
alphabet of orders/redemption.py (no look-alike pairs: no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B):
24 characters carry 4.58 bits each, so 28 of them carry more than 128 bits. It is shown in
groups of four (`grouped`) and read back (`read_code`) in any case, with or without spaces,
dashes or dots, from full-width characters too.
"""

import secrets
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.certificates.models import Certificate
from marketplace.core import audit
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.redemption import CODE_ALPHABET, grouped

CODE_LENGTH = 28  # 28 × log2(24) = 128.4 bits
LONGEST_TYPED = 200  # anything longer is not read at all


def new_code(rng=secrets) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """The code as people read it: seven groups of four."""
    return grouped(code)


def read_code(typed: str | None) -> str | None:
    """A typed (or pasted) code in its stored form, or None when it can't be one: upper
    case, separators and spaces dropped, full-width characters read as plain ones. A pasted
    address is read by its last part."""
    text = (typed or "")[:LONGEST_TYPED]
    text = unicodedata.normalize("NFKC", text).strip().rstrip("/")
    text = text.rsplit("/", 1)[-1]
    for suffix in (".pdf", ".json"):
        text = text.removesuffix(suffix)
    kept = "".join(
        ch
        for ch in text.upper()
        if not (ch.isspace() or ch in "-_." or unicodedata.category(ch) == "Pd")
    )
    if len(kept) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in kept):
        return None
    return kept


def by_code(typed: str | None) -> Certificate | None:
    """The certificate a typed code names, or None."""
    code = read_code(typed)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


# Built once: the statement is the same for every code (its compiled form is cached too).
_REVOKED_AT = sa.select(Certificate.__table__.c.revoked_at).where(
    Certificate.__table__.c.code == sa.bindparam("code")
)


def revoked_at_of(connection: sa.Connection, code: str) -> tuple[bool, datetime | None]:
    """(whether a certificate has this stored code, when it was revoked or None), in one
    indexed read on `connection`: what a page kept since it was drawn checks before it is
    sent again (web/certificates/kept.py), without a session's unit of work."""
    row = connection.execute(_REVOKED_AT, {"code": code}).first()
    return (False, None) if row is None else (True, row.revoked_at)


def of_order(order: Order) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.order_id == order.id))


def issue(order: Order) -> Certificate:
    """The order's certificate, issued now if it has none; only for a completed order."""
    if order.status is not OrderStatus.COMPLETED or order.completed_at is None:
        raise ValueError("a certificate is issued for a completed order only")
    existing = of_order(order)
    if existing is not None:
        return existing
    course = order.course
    certificate = Certificate(
        code=new_code(),
        order_id=order.id,
        participant_id=order.participant_id,
        course_id=course.id,
        holder_name=order.participant.full_name,
        course_title=course.title,
        provider_name=course.provider.name,
        platform_name=course.platform.name,
        hours=course.hours,
        score=order.score,
        completed_at=order.completed_at,
        issued_at=order.completed_at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # issued by a completion at the same moment: that one stands
        existing = of_order(order)
        if existing is None:
            raise
        return existing
    audit.record(
        "certificate.issued",
        f"certificate:{certificate.id}",
        actor=order.participant.user,
        order_id=order.id,
    )
    return certificate
