"""Accounts: creating users and checking passwords (argon2id, OWASP parameters)."""

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from marketplace.extensions import db
from marketplace.models import Provider, Role, User
from marketplace.models.base import utcnow
from marketplace.services import N_, DomainError

# OWASP minimum for argon2id: m=19 MiB, t=2, p=1.
PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the email is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = PASSWORD_HASHER.hash("not-a-real-password")


def normalise_email(email: str) -> str:
    """Emails are stored and compared lower case, without surrounding blanks."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return PASSWORD_HASHER.hash(password)


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    provider: Provider | None = None,
    verified: bool = False,
) -> User:
    """Create an account; refuses an email that is already registered."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise DomainError(N_("This email address is already registered."), field="email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        provider=provider,
        verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, else None (constant work either way)."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    try:
        PASSWORD_HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user
