"""Shared column helpers for the mapped classes."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa

# The largest id an INTEGER primary key holds: a larger id in a URL or form is simply not
# found (SQLite's driver would otherwise raise on converting it).
LARGEST_ID = 2**31 - 1


def utcnow() -> datetime:
    """The current time in UTC, evaluated at each call (never once at import)."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing the enum's values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        name=enum_cls.__name__.lower(),
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )
