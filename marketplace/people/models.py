"""People: accounts (of participants, providers' staff and the programme office) and
participants, the person behind an account, identified by their NIK.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.extensions import db


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
    # A change of address asked for and waiting for the link mailed to the new address
    # (people/email_change.py); the account keeps signing in with `email` until then.
    pending_email: Mapped[str | None] = mapped_column(sa.String(254))
    pending_email_at: Mapped[datetime | None]
    # Bumped on logout-everywhere and password change; part of the session id.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    provider = relationship("Provider", back_populates="users")

    def get_id(self) -> str:
        """Session identity: the id plus the session version, so old sessions die on a bump."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class Sex(enum.Enum):
    MALE = "male"
    FEMALE = "female"


class Education(enum.Enum):
    """Last education completed."""

    NONE = "none"
    SD = "sd"  # primary school
    SMP = "smp"  # junior high school
    SMA = "sma"  # senior high / vocational school (SMA/SMK)
    DIPLOMA = "diploma"  # D1–D4
    BACHELOR = "bachelor"  # S1
    POSTGRADUATE = "postgraduate"  # S2/S3


class Employment(enum.Enum):
    """Why the person joins the programme; laid-off workers are selected first."""

    JOB_SEEKER = "job_seeker"
    LAID_OFF = "laid_off"
    WORKER = "worker"  # a worker who needs new skills
    BUSINESS_OWNER = "business_owner"  # micro or small business owner


class Participant(db.Model):
    """The profile of a participant account. One per NIK, ever: the row is never deleted.

    The NIK is shown masked everywhere (`3201********0004`) and never put in a URL or a log.
    """

    __tablename__ = "participant"
    __table_args__ = (
        sa.CheckConstraint("length(nik) = 16", name="nik_length"),
        sa.CheckConstraint("length(kk) = 16", name="kk_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    nik: Mapped[str] = mapped_column(sa.String(16), unique=True)
    kk: Mapped[str] = mapped_column(sa.String(16), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(enum_column(Sex))
    phone: Mapped[str] = mapped_column(sa.String(20))  # E.164: +62…
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("province.id"))
    city: Mapped[str] = mapped_column(sa.String(80))
    education: Mapped[Education] = mapped_column(enum_column(Education))
    employment: Mapped[Employment] = mapped_column(enum_column(Employment))
    # Set by the programme office (fraud, duplicate identity); a blocked participant is
    # never selected.
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User", backref=sa.orm.backref("participant", uselist=False))
    province = relationship("Province")

    @property
    def masked_nik(self) -> str:
        """The NIK as it may be shown: the first four and last four digits."""
        return mask_number(self.nik)

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.masked_nik}>"


def mask_number(number: str) -> str:
    """A 16-digit number with its middle eight digits hidden: 3201********0004."""
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


class ProviderInvitation(db.Model):
    """The office's invitation to a person to act for a training provider (people/invitations.py).

    The link mailed carries a secret; only its SHA-256 is kept (`token_hash`), so the table
    gives nobody a working link. An invitation is open until it is accepted (`accepted_at`,
    and `user_id` the account it made), withdrawn or replaced by a newer one (`voided_at`),
    or `expires_at` has passed; each of those ends it for good.
    """

    __tablename__ = "provider_invitation"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), unique=True)
    voided_at: Mapped[datetime | None]

    provider = relationship("Provider")
    invited_by = relationship("User", foreign_keys=[invited_by_id])
    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<ProviderInvitation {self.id} provider {self.provider_id}>"
