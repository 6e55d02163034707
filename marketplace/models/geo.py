"""Provinces of Indonesia with the Kemendagri codes that NIKs carry."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db


class Province(db.Model):
    """One of the 38 provinces; `code` is the two-digit Kemendagri code (11 Aceh … 96)."""

    __tablename__ = "province"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)

    def __repr__(self) -> str:
        return f"<Province {self.code} {self.name}>"
