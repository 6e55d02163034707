"""Accounts: registering, verifying the email address, passwords and sessions.

Passwords are hashed with argon2id at OWASP parameters. Links sent by mail carry a token
signed with the app's SECRET_KEY (itsdangerous), each kind with its own salt and lifetime:

- email verification (48 hours): the user id and a digest of the email address. Using it
  twice finds the account already verified; it is refused once the account's email has
  changed. (A digest, so the address is not readable in the link, which proxies may log.)
- password reset (1 hour): the user id and a fingerprint of the current password hash, so
  the link dies as soon as the password changes, by this link or any other way.
- email change (24 hours, people/email_change.py): the user id and digests of the current
  and the new address; it works once.

A service that sends a link takes `link_for(token) -> absolute URL`, given by the view,
so the services never build URLs. Mail is written in the recipient's language.
"""

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from marketplace.catalogue.models import Provider
from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people import passwords
from marketplace.people.models import Role, User

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
    locale: str | None = None,
) -> User:
    """Create an account; refuses an email that is already registered.

    The password is hashed before the first query: the hash is most of a sign-up's time, and
    a write request's transaction holds SQLite's write lock from its first statement, so
    hashing inside it would let only one sign-up hash at a time. (It also makes a taken
    address cost the same time as a free one.)

    The unique constraint on the address decides, inside a savepoint, so two registrations
    racing for one address make one account and one clear refusal.
    """
    password_hash = hash_password(password)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=password_hash,
        locale=locale,
        role=role,
        verified_at=utcnow() if verified else None,
    )
    try:
        with db.session.begin_nested():  # two registrations racing for one address
            db.session.add(user)
            user.provider = provider
    except IntegrityError as error:
        raise email_taken() from error
    return user


def email_taken() -> DomainError:
    """The refusal of an address another account has: registering or changing an address.

    It says no more than registering does (that the address is registered).
    """
    return DomainError(N_("This email address is already registered."), field="email")


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


# --- registration -------------------------------------------------------------------------

NAME_MAX_LENGTH = 120
LinkFor = Callable[[str], str]


def register_participant(
    *,
    email: str,
    name: str,
    password: str,
    link_for: LinkFor,
    locale: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create an unverified participant account and mail it an email-verification link.

    Refuses a blank or over-long name, a password that breaks the rules
    (services.passwords) and an email address that is already registered.
    """
    name = check_name(name)
    passwords.check_new_password(password, email=email, name=name)
    user = create_user(
        email=email,
        name=name,
        password=password,
        role=Role.PARTICIPANT,
        locale=mail.language_for(locale) if locale else None,
    )
    audit.record("account.registered", _subject(user), actor=user, role=user.role.value)
    _send_verification(user, link_for, now)
    return user


def check_name(name: str) -> str:
    """The person's full name, stripped; refuses a blank or over-long name or one with
    control characters (registering, and accepting a provider's invitation)."""
    name = name.strip()
    if not name:
        raise DomainError(N_("Enter your full name"), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            N_("Your name must be %(max)s characters or fewer."),
            field="name",
            max=NAME_MAX_LENGTH,
        )
    if any(ord(character) < 32 or ord(character) == 127 for character in name):
        raise DomainError(N_("Enter your name without special characters."), field="name")
    return name


# --- email verification -------------------------------------------------------------------

VERIFICATION_SALT = "marketplace.email-verification"
VERIFICATION_MAX_AGE = timedelta(hours=48)


class EmailVerification(NamedTuple):
    """What a verification link did: the account, and whether it was verified already."""

    user: User
    already_verified: bool


def verification_token(user: User, now: datetime | None = None) -> str:
    """A signed token for verifying the user's current email address."""
    return _serializer(VERIFICATION_SALT, now).dumps({"u": user.id, "e": _digest(user.email)})


def check_verification_token(token: str, now: datetime | None = None) -> EmailVerification:
    """The account a verification link is for, changing nothing; refuses a bad link."""
    payload = _load(token, VERIFICATION_SALT, VERIFICATION_MAX_AGE, now)
    user = _payload_user(payload, "e")
    if user is None:
        raise _invalid_link()
    if not _same(payload["e"], _digest(user.email)):
        raise DomainError(
            N_(
                "This link was sent to an email address that is no longer on the account. "
                "Ask for a new link."
            ),
            field="token",
        )
    return EmailVerification(user, user.verified_at is not None)


def verify_email(token: str, now: datetime | None = None) -> EmailVerification:
    """Mark the account's email address as verified, once; a second use changes nothing."""
    found = check_verification_token(token, now)
    if found.already_verified:
        return found
    found.user.verified_at = now or utcnow()
    audit.record("account.email_verified", _subject(found.user), actor=found.user)
    db.session.flush()
    return found


def resend_verification(user: User, link_for: LinkFor, now: datetime | None = None) -> bool:
    """Mail a new verification link to an unverified account; False when it is verified."""
    if user.verified_at is not None:
        return False
    audit.record("account.verification_sent", _subject(user), actor=user)
    _send_verification(user, link_for, now)
    return True


def resend_verification_to(email: str, link_for: LinkFor, now: datetime | None = None) -> None:
    """Mail a new verification link if `email` is an unverified account; silent otherwise.

    The caller answers the same either way, so nobody learns which addresses have accounts.
    """
    user = find_by_email(email)
    if user is not None:
        resend_verification(user, link_for, now)


def _send_verification(user: User, link_for: LinkFor, now: datetime | None) -> None:
    mail.send_in_language(
        user,
        N_("Confirm your email address for Prakerja"),
        [
            N_("Hello %(name)s,"),
            N_(
                "You have created a Kartu Prakerja account with this email address. "
                "To confirm that it is yours, open this link within %(hours)s hours:"
            ),
            mail.Verbatim(link_for(verification_token(user, now))),
            N_("If you did not create an account, ignore this email."),
            N_("The Prakerja team"),
        ],
        name=user.name,
        hours=int(VERIFICATION_MAX_AGE.total_seconds() // 3600),
    )


# --- password reset -----------------------------------------------------------------------

RESET_SALT = "marketplace.password-reset"
RESET_MAX_AGE = timedelta(hours=1)


def reset_token(user: User, now: datetime | None = None) -> str:
    """A signed token to reset the user's password, valid while the password and the
    account's address are unchanged (a link mailed to an address the account has left is
    dead)."""
    return _serializer(RESET_SALT, now).dumps(
        {"u": user.id, "p": _fingerprint(user), "e": _digest(user.email)}
    )


def request_password_reset(email: str, link_for: LinkFor, now: datetime | None = None) -> None:
    """Mail a password-reset link if `email` has an account; do nothing otherwise.

    The caller answers the same either way, so nobody learns which addresses have accounts.
    """
    user = find_by_email(email)
    if user is None:
        return
    audit.record("account.password_reset_requested", _subject(user))
    mail.send_in_language(
        user,
        N_("Reset your Prakerja password"),
        [
            N_("Hello %(name)s,"),
            N_(
                "Someone asked to reset the password of your Prakerja account. If it was "
                "you, open this link within %(minutes)s minutes to choose a new password:"
            ),
            mail.Verbatim(link_for(reset_token(user, now))),
            N_(
                "The link works only once. If you did not ask for this, ignore this email: "
                "your password stays the same."
            ),
            N_("The Prakerja team"),
        ],
        name=user.name,
        minutes=int(RESET_MAX_AGE.total_seconds() // 60),
    )


def check_reset_token(token: str, now: datetime | None = None) -> User:
    """The account a password-reset link is for, changing nothing; refuses a bad link."""
    payload = _load(token, RESET_SALT, RESET_MAX_AGE, now)
    user = _payload_user(payload, "p")
    if user is None:
        raise _invalid_link()
    if not _same(payload["p"], _fingerprint(user)):
        raise DomainError(
            N_("This link has already been used. Ask for a new one if you need it."),
            field="token",
        )
    if not isinstance(payload.get("e"), str) or not _same(payload["e"], _digest(user.email)):
        raise DomainError(
            N_(
                "This link no longer works: the email address of the account has changed "
                "since it was sent. Ask for a new one at the account's address."
            ),
            field="token",
        )
    return user


def reset_password(
    token: str, password: str, *, forgot_link: str, now: datetime | None = None
) -> User:
    """Set a new password through a reset link; ends every session of the account.

    The link went to the account's address, so following it also verifies that address.
    """
    user = check_reset_token(token, now)
    passwords.check_new_password(password, email=user.email, name=user.name)
    _set_password(user, password)
    if user.verified_at is None:
        user.verified_at = now or utcnow()
    audit.record("account.password_reset", _subject(user), actor=user)
    _send_password_changed(user, forgot_link)
    db.session.flush()
    return user


# --- password change and sessions ---------------------------------------------------------


def change_password(
    user: User, current_password: str, new_password: str, *, forgot_link: str
) -> User:
    """Change a signed-in user's password; ends every session of the account.

    The caller signs the current session in again with the new session version.
    """
    if not _password_matches(user, current_password):
        raise DomainError(N_("Your current password is not right."), field="current_password")
    passwords.check_new_password(new_password, email=user.email, name=user.name)
    if new_password == current_password:
        raise DomainError(
            N_("Your new password must be different from your current password."),
            field="password",
        )
    _set_password(user, new_password)
    audit.record("account.password_changed", _subject(user), actor=user)
    _send_password_changed(user, forgot_link)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Sign the account out everywhere: every session id `<id>:<version>` stops working.

    Sessions live in signed cookies, so signing out must change the version, or a copy of
    the cookie would still be good.
    """
    user.session_version += 1
    audit.record("account.signed_out", _subject(user), actor=user)
    db.session.flush()


def find_by_email(email: str) -> User | None:
    """The account with this email address (any case), or None."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _set_password(user: User, password: str) -> None:
    """A new password; every session ends, and a change of address waiting for its link is
    dropped (someone who knew the old password may have asked for it)."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.pending_email = None
    user.pending_email_at = None


def _password_matches(user: User, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _send_password_changed(user: User, forgot_link: str) -> None:
    mail.send_in_language(
        user,
        N_("Your Prakerja password has been changed"),
        [
            N_("Hello %(name)s,"),
            N_(
                "The password of your Prakerja account has just been changed, and every "
                "device that was signed in to it has been signed out."
            ),
            N_("If you did not do this, choose a new password now:"),
            mail.Verbatim(forgot_link),
            N_("The Prakerja team"),
        ],
        name=user.name,
    )


# --- tokens and mail helpers --------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """A timestamp signer whose clock can be set, so services can take a `now`."""

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        if self.now is None:
            return super().get_timestamp()
        return int(self.now.replace(tzinfo=UTC).timestamp())


def _serializer(salt: str, now: datetime | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=salt,
        signer=_ClockSigner,
        signer_kwargs={"now": now},
    )


def _load(token: str, salt: str, max_age: timedelta, now: datetime | None) -> dict:
    """The payload of a signed token; refuses an expired, altered or foreign one."""
    try:
        payload = _serializer(salt, now).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise DomainError(N_("This link has expired. Ask for a new one."), field="token") from error
    except (BadData, UnicodeError, ValueError) as error:
        raise _invalid_link() from error
    if not isinstance(payload, dict):
        raise _invalid_link()
    return payload


def _payload_user(payload: dict, key: str) -> User | None:
    user_id, value = payload.get("u"), payload.get(key)
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(value, str):
        return None
    return db.session.get(User, user_id)


def _invalid_link() -> DomainError:
    return DomainError(
        N_("This link is not valid. Check that you copied all of it, or ask for a new one."),
        field="token",
    )


def _digest(text: str) -> str:
    """A short digest, so a link names what it is for without showing it (links get logged)."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _fingerprint(user: User) -> str:
    """A digest of the password hash: it changes whenever the password does."""
    return _digest(user.password_hash)


def _same(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def _subject(user: User) -> str:
    return f"user:{user.id}"
