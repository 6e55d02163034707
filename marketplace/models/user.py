"""Accounts of participants, providers' staff and the programme office."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import enum_column, utcnow


class Role(enum.Enum):
    PARTICIPANT = "participant"
    PROVIDER = "provider"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    """A person who can sign in. Email is stored lower case and is unique."""

    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"), index=True)
    verified_at: Mapped[datetime | None]
    # Bumped on logout-everywhere and password change; part of the session id.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    provider = relationship("Provider", back_populates="users")

    def get_id(self) -> str:
        """Session identity: the id plus the session version, so old sessions die on a bump."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"
