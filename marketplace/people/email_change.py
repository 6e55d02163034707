"""Changing an account's email address: a typo corrected before it is confirmed, and a
confirmed address replaced later.

- Before the address is confirmed (`correct_unverified_email`): the account's own session
  (the web layer only calls this for the signed-in account) puts the new address on the
  account at once and the verification link is mailed to it. The links sent to the old
  address stop working, since a verification link carries a digest of the address it was
  sent to (`accounts.verification_token`).
- Once confirmed (`request_change`, then `confirm_change`): the current password is asked,
  the new address waits in `pending_email`, and nothing changes until the link mailed to
  the NEW address is used; the account signs in with its old address until then, and a
  notice goes to the OLD address. The link is a signed token of the same mechanism as the
  other links (`accounts._serializer`: itsdangerous on SECRET_KEY, a salt of its own), valid
  for `CHANGE_MAX_AGE`, holding the account id and digests of the current and the pending
  address (never the address itself: links get logged). It works once: using it, asking
  for another address, cancelling, or a new password (which drops the pending address,
  `accounts._set_password`) all leave it pointing at nothing.

Both refuse an address another account has with the words registration uses
(`accounts.email_taken`), and the unique constraint on the address decides a race.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy.exc import IntegrityError

from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people.accounts import (
    LinkFor,
    _digest,
    _invalid_link,
    _load,
    _password_matches,
    _payload_user,
    _same,
    _send_verification,
    _serializer,
    _subject,
    email_taken,
    find_by_email,
    normalise_email,
)
from marketplace.people.models import User

CHANGE_SALT = "marketplace.email-change"
CHANGE_MAX_AGE = timedelta(hours=24)


class PendingChange(NamedTuple):
    """A change of address waiting for its link: the new address and when the link expires."""

    email: str
    expires_at: datetime


class EmailChange(NamedTuple):
    """What a change link is for: the account and the address it moves to."""

    user: User
    new_email: str


class _Recipient(NamedTuple):
    """Someone to mail in the account's language at another address than the account's."""

    email: str
    locale: str | None


# --- before the address is confirmed: correcting a typo ------------------------------------


def correct_unverified_email(
    user: User, new_email: str, link_for: LinkFor, now: datetime | None = None
) -> User:
    """Put `new_email` on an unconfirmed account and mail the verification link to it.

    Refuses a confirmed account (its address changes through `request_change`), the address
    the account already has, and an address another account has.
    """
    if user.verified_at is not None:
        raise DomainError(
            N_("Your email address is already confirmed. Change it from your account."),
            field="email",
        )
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError(
            N_(
                "We have already sent the link to this address. If it has not arrived, "
                "send the link again."
            ),
            field="email",
        )
    old_email = user.email
    _take_address(user, new_email)
    audit.record(
        "account.email_corrected", _subject(user), actor=user, old=old_email, new=new_email
    )
    _send_verification(user, link_for, now)
    return user


# --- once confirmed: asking for a new address, then following its link ---------------------


def change_token(user: User, now: datetime | None = None) -> str:
    """A signed token that moves the account to its pending address (see the module's text)."""
    return _serializer(CHANGE_SALT, now).dumps(
        {
            "u": user.id,
            "e": _digest(user.email),
            "n": _digest(user.pending_email or ""),
            "t": _asked_at(user),
        }
    )


def request_change(
    user: User,
    current_password: str,
    new_email: str,
    *,
    link_for: LinkFor,
    forgot_link: str,
    now: datetime | None = None,
) -> PendingChange:
    """Ask to move a confirmed account to `new_email`: nothing changes until the link mailed
    there is used. A notice goes to the current address, with what to do if it wasn't them.

    The password is checked first, so nobody without it learns which addresses are taken.
    Asking again replaces the address asked for before (its link stops working).
    """
    now = now or utcnow()
    if user.verified_at is None:
        raise DomainError(
            N_(
                "Your email address is not confirmed yet. Correct it on the page that asks "
                "you to check your email."
            ),
            field="email",
        )
    if not _password_matches(user, current_password):
        raise DomainError(N_("Your current password is not right."), field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError(N_("This is already your email address."), field="email")
    if find_by_email(new_email) is not None:
        raise email_taken()
    user.pending_email = new_email
    user.pending_email_at = now
    db.session.flush()
    audit.record("account.email_change_requested", _subject(user), actor=user, new=new_email)
    hours = int(CHANGE_MAX_AGE.total_seconds() // 3600)
    mail.send_in_language(
        _Recipient(new_email, user.locale),
        N_("Confirm your new email address for Prakerja"),
        [
            N_("Hello %(name)s,"),
            N_(
                "You asked to use this email address for your Kartu Prakerja account. To "
                "confirm it, open this link within %(hours)s hours:"
            ),
            mail.Verbatim(link_for(change_token(user, now))),
            N_(
                "Until then your account keeps its current address. If you did not ask for "
                "this, ignore this email: nothing will change."
            ),
            N_("The Prakerja team"),
        ],
        name=user.name,
        hours=hours,
    )
    mail.send_in_language(
        user,
        N_("A change of your Prakerja email address was requested"),
        [
            N_("Hello %(name)s,"),
            N_(
                "Someone signed in to your Prakerja account asked to change its email address "
                "to %(email)s. The change happens only if the link we sent to that address is "
                "opened within %(hours)s hours. Until then you keep signing in with this "
                "address."
            ),
            N_("If it was you, there is nothing more to do here."),
            N_(
                "If it was not you, someone knows your password. Choose a new password now: "
                "that also cancels the change."
            ),
            mail.Verbatim(forgot_link),
            N_("The Prakerja team"),
        ],
        name=user.name,
        email=new_email,
        hours=hours,
    )
    return PendingChange(new_email, now + CHANGE_MAX_AGE)


def pending_change(user: User, now: datetime | None = None) -> PendingChange | None:
    """The change of address waiting for its link, or None (none asked, or its link expired)."""
    if user.pending_email is None or user.pending_email_at is None:
        return None
    expires_at = user.pending_email_at + CHANGE_MAX_AGE
    if expires_at <= (now or utcnow()):
        return None
    return PendingChange(user.pending_email, expires_at)


def cancel_change(user: User) -> bool:
    """Drop the change of address waiting for its link (its link stops working); False when
    there was none."""
    if user.pending_email is None:
        return False
    user.pending_email = None
    user.pending_email_at = None
    audit.record("account.email_change_cancelled", _subject(user), actor=user)
    db.session.flush()
    return True


def check_change_token(token: str, now: datetime | None = None) -> EmailChange:
    """The account and new address a change link is for, changing nothing; refuses an
    expired, altered, used, cancelled or replaced link with a message saying which."""
    payload = _load(token, CHANGE_SALT, CHANGE_MAX_AGE, now)
    user = _payload_user(payload, "n")
    if user is None or not isinstance(payload.get("e"), str):
        raise _invalid_link()
    if user.pending_email is None and _same(payload["n"], _digest(user.email)):
        raise DomainError(
            N_(
                "This link has already been used: your account's email address has been "
                "changed. Sign in with the new address."
            ),
            field="token",
        )
    if (
        user.pending_email is None
        or not _same(payload["n"], _digest(user.pending_email))
        or not _same(payload["e"], _digest(user.email))
        or not isinstance(payload.get("t"), str)
        or not _same(payload["t"], _asked_at(user))
    ):
        raise DomainError(
            N_(
                "This link no longer works: the change of address was cancelled or asked for "
                "again, or the password was changed. Ask for the change again from your "
                "account."
            ),
            field="token",
        )
    return EmailChange(user, user.pending_email)


def confirm_change(token: str, now: datetime | None = None) -> EmailChange:
    """Move the account to the address its change link was sent to (which is thereby
    confirmed), and tell the old address. Works once."""
    now = now or utcnow()
    found = check_change_token(token, now)
    user, old_email = found.user, found.user.email
    try:
        _take_address(user, found.new_email)
    except DomainError as error:
        raise _taken_since() from error
    user.pending_email = None
    user.pending_email_at = None
    user.verified_at = now
    db.session.flush()
    audit.record(
        "account.email_changed", _subject(user), actor=user, old=old_email, new=found.new_email
    )
    mail.send_in_language(
        _Recipient(old_email, user.locale),
        N_("Your Prakerja email address has been changed"),
        [
            N_("Hello %(name)s,"),
            N_(
                "The email address of your Prakerja account has been changed to %(email)s. "
                "From now on, sign in with the new address; mail from us goes there."
            ),
            N_(
                "If you did not do this, contact the Prakerja helpdesk at once, at %(contact)s "
                "or %(phone)s, and tell them the address of your account."
            ),
            N_("The Prakerja team"),
        ],
        name=user.name,
        email=found.new_email,
        contact=current_app.config["CONTACT_EMAIL"],
        phone=current_app.config["CONTACT_PHONE"],
    )
    return found


# --- helpers -------------------------------------------------------------------------------


def _asked_at(user: User) -> str:
    """When the pending change was asked for, as a change link carries it: a link of a change
    cancelled and asked for again (the same new address) stays dead."""
    return _digest(user.pending_email_at.isoformat() if user.pending_email_at else "")


def _take_address(user: User, email: str) -> None:
    """Set the account's address; another account's address is refused, the unique
    constraint deciding when two requests race for one address."""
    holder = find_by_email(email)
    if holder is not None and holder.id != user.id:
        raise email_taken()
    try:
        with db.session.begin_nested():
            user.email = email
            db.session.flush()
    except IntegrityError as error:
        raise email_taken() from error


def _taken_since() -> DomainError:
    return DomainError(
        N_(
            "Another account has registered this email address since you asked for the "
            "change, so it can't be used for yours."
        ),
        field="token",
    )
