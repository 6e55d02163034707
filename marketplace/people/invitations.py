"""Staff accounts of training providers: the programme office invites a person by email, and
the person chooses a password through the link mailed to them. A provider can have several
staff accounts; each acts for it.

- `invite(provider, email, invited_by, now)` refuses an address that already has an account
  (saying whose: this provider's, another provider's, a participant's or the office's), voids
  the same provider's open invitation to the same address (its link stops working), makes
  the invitation, audits it and mails the link. The mail is in Indonesian, the programme's
  language (the invitee has no account, so no language of theirs is known): who invited, for
  which provider, until when, and what to do.
- `check(token, now)` is the open invitation a link is for, changing nothing, or a refusal
  saying what happened (not a link of ours, used, withdrawn or replaced, expired, an account
  made meanwhile) and what to do next: ask the office for a new invitation.
- `accept(token, name, password, now)` makes the provider account, once. A conditional
  UPDATE claims the invitation (`accepted_at IS NULL AND voided_at IS NULL AND expires_at >
  now`, checked by its row count), so two submissions of one link racing make one account
  and one refusal. The name and password follow registration's rules. The web side signs the
  new account in.
- `void(invitation, by, now)` withdraws an open invitation, by the same kind of UPDATE.

The link is a token signed like the site's other links (`accounts._serializer`: itsdangerous
on SECRET_KEY, a salt of its own), holding the invitation's id and a random secret of 256
bits; the row keeps only the secret's SHA-256. Neither the table nor a copy of it gives a
working link, and a link not made here fails its signature before any query. Unlike the
other links an invitation is a row, because it must be listed for the office with its state,
withdrawn, replaced and used once; its expiry is the row's `expires_at` (seven days), not the
signature's age.
"""

import enum
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalogue.models import Provider
from marketplace.core import N_, DomainError, audit, mail
from marketplace.extensions import db
from marketplace.people import accounts, passwords
from marketplace.people.models import ProviderInvitation, Role, User

INVITATION_SALT = "marketplace.provider-invitation"
INVITATION_MAX_AGE = timedelta(days=7)
# Where the link opens: PUBLIC_URL + INVITATION_PATH + token (the web's /invitations/<token>).
INVITATION_PATH = "/invitations/"
SECRET_BYTES = 32
# A link longer than this is not one of ours (ours are about 120 characters).
LONGEST_TOKEN = 400
# The invitations a provider's office page lists, newest first.
LISTED_INVITATIONS = 100


class InvitationState(enum.Enum):
    """Where an invitation stands; only an open one can be accepted or withdrawn."""

    OPEN = "open"
    ACCEPTED = "accepted"
    VOIDED = "voided"  # withdrawn by the office, or replaced by a newer invitation
    EXPIRED = "expired"


class LinkRefused(DomainError):
    """A link that can't be used (field "token"), and what kind of problem it is: "unknown"
    (it names no invitation), "ended" (used, withdrawn, replaced or expired) or "account"
    (an account has the address)."""

    def __init__(self, message: str, kind: str, **params):
        super().__init__(message, field="token", **params)
        self.kind = kind


class Invited(NamedTuple):
    """A new invitation and the token of its link (mailed; kept nowhere)."""

    invitation: ProviderInvitation
    token: str


class _Invitee(NamedTuple):
    """Someone without an account, mailed in the programme's language."""

    email: str
    locale: str | None = None


def _unanswered():
    """Neither accepted nor withdrawn (nor replaced): the SQL condition."""
    return sa.and_(ProviderInvitation.accepted_at.is_(None), ProviderInvitation.voided_at.is_(None))


def _open_at(now: datetime):
    """Unanswered and not expired at `now`: the SQL condition of a link that still works."""
    return sa.and_(_unanswered(), ProviderInvitation.expires_at > now)


def state_of(invitation: ProviderInvitation, now: datetime) -> InvitationState:
    """Open, accepted, withdrawn (or replaced) or expired, as of `now`."""
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.voided_at is not None:
        return InvitationState.VOIDED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


# --- inviting --------------------------------------------------------------------------------


def invite(provider: Provider, email: str, invited_by: User, now: datetime) -> Invited:
    """Invite `email` to act for `provider`, mail the link, audit it; the earlier open
    invitation of the same address to the same provider is voided (replaced)."""
    email = _checked_address(email)
    _refuse_existing_account(email, provider)
    table = ProviderInvitation
    replaced = list(
        db.session.scalars(
            sa.select(table.id).where(
                table.provider_id == provider.id,
                table.email == email,
                _unanswered(),
            )
        )
    )
    if replaced:
        db.session.execute(
            sa.update(table)
            .where(table.id.in_(replaced), _unanswered())
            .values(voided_at=now)
            .execution_options(synchronize_session="fetch")
        )
    secret = secrets.token_urlsafe(SECRET_BYTES)
    invitation = ProviderInvitation(
        provider_id=provider.id,
        email=email,
        token_hash=_hashed(secret),
        invited_by_id=invited_by.id,
        created_at=now,
        expires_at=now + INVITATION_MAX_AGE,
    )
    db.session.add(invitation)
    db.session.flush()
    token = accounts._serializer(INVITATION_SALT, now).dumps({"i": invitation.id, "s": secret})
    audit.record(
        "provider.staff_invited",
        _subject(invitation),
        actor=invited_by,
        provider_id=provider.id,
        email=email,
        replaced=replaced,
    )
    _mail_invitation(invitation, provider, invited_by, token)
    return Invited(invitation, token)


def link_for(token: str) -> str:
    """The link an invitation's mail carries, on PUBLIC_URL."""
    return mail.public_link(INVITATION_PATH + token)


def _mail_invitation(
    invitation: ProviderInvitation, provider: Provider, invited_by: User, token: str
) -> None:
    config = current_app.config
    mail.send_in_language(
        _Invitee(invitation.email),
        N_("You are invited to act for %(provider)s on Prakerja"),
        [
            N_("Hello,"),
            N_(
                "%(inviter)s, of the Kartu Prakerja programme office (Manajemen Pelaksana), "
                "invites you to have a staff account of %(provider)s, a training provider on "
                "the %(platform)s platform. With it you act for %(provider)s on Prakerja: "
                "taking participants' codes, marking attendance, looking after its courses."
            ),
            N_(
                "To accept, open this link by %(until)s, enter your full name and choose a "
                "password. You then sign in with this email address."
            ),
            mail.Verbatim(link_for(token)),
            N_(
                "The link works once. If it has expired or does not work, ask the programme "
                "office for a new invitation at %(contact)s or %(phone)s."
            ),
            N_("If you did not expect this invitation, ignore this email: no account is made."),
            N_("The Prakerja team"),
        ],
        inviter=invited_by.name,
        provider=provider.name,
        platform=provider.platform.name,
        until=lambda: mail.wib(invitation.expires_at),
        contact=config["CONTACT_EMAIL"],
        phone=config["CONTACT_PHONE"],
    )


def _checked_address(email: str) -> str:
    """The address normalised; refuses what can't be an email address."""
    email = accounts.normalise_email(email or "")
    local, at, domain = email.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or len(email) > 254
        or any(character.isspace() or ord(character) < 32 for character in email)
    ):
        raise DomainError(
            N_("Enter an email address in the correct format, like nama@contoh.com"),
            field="email",
        )
    return email


def _refuse_existing_account(email: str, provider: Provider) -> None:
    """An address with an account is never invited: say whose account it is."""
    holder = accounts.find_by_email(email)
    if holder is None:
        return
    if holder.role is Role.PROVIDER and holder.provider_id == provider.id:
        raise DomainError(
            N_(
                "%(email)s already has a staff account of %(provider)s: they can sign in "
                "with it, nothing more is needed. If they forgot the password, they can "
                "choose a new one from the sign-in page."
            ),
            field="email",
            email=email,
            provider=provider.name,
        )
    if holder.role is Role.PROVIDER:
        raise DomainError(
            N_(
                "%(email)s already has a staff account of another training provider, "
                "%(other)s. One account acts for one provider: invite another email address."
            ),
            field="email",
            email=email,
            other=holder.provider.name if holder.provider else "",
        )
    if holder.role is Role.PARTICIPANT:
        raise DomainError(
            N_(
                "%(email)s already has a participant's account, which can't act for a "
                "training provider: invite another email address."
            ),
            field="email",
            email=email,
        )
    raise DomainError(
        N_("%(email)s is an account of the programme office: invite another email address."),
        field="email",
        email=email,
    )


# --- following the link ----------------------------------------------------------------------


def check(token: str, now: datetime) -> ProviderInvitation:
    """The open invitation a link is for (its provider loaded), changing nothing; a refusal
    (field "token") saying what happened and what to do otherwise."""
    invitation = _by_token(token)
    if invitation is None:
        raise _unknown_link()
    _refuse_unless_open(invitation, now)
    if accounts.find_by_email(invitation.email) is not None:
        raise _account_exists(invitation.email)
    return invitation


def accept(token: str, name: str, password: str, now: datetime, locale: str | None = None) -> User:
    """Make the provider account the invitation is for, its address confirmed (the link was
    mailed there); works once. Refuses a bad link (field "token"), a name or a password that
    breaks registration's rules (fields "name" and "password")."""
    invitation = check(token, now)
    name = accounts.check_name(name)
    passwords.check_new_password(password, email=invitation.email, name=name)
    table = ProviderInvitation
    with db.session.begin_nested():
        claimed = db.session.execute(
            sa.update(table)
            .where(table.id == invitation.id, _open_at(now))
            .values(accepted_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(invitation)
        if claimed != 1:  # used, withdrawn or expired since it was read
            _refuse_unless_open(invitation, now)
            raise _unknown_link()
        try:
            user = accounts.create_user(
                email=invitation.email,
                name=name,
                password=password,
                role=Role.PROVIDER,
                provider=invitation.provider,
                verified=True,
                locale=mail.language_for(locale) if locale else None,
            )
        except DomainError as error:  # an account took the address meanwhile
            raise _account_exists(invitation.email) from error
        user.verified_at = now
        invitation.user_id = user.id
        db.session.flush()
    audit.record("account.registered", f"user:{user.id}", actor=user, role=user.role.value)
    audit.record(
        "provider.invitation_accepted",
        _subject(invitation),
        actor=user,
        provider_id=invitation.provider_id,
        user_id=user.id,
    )
    return user


def _by_token(token: str) -> ProviderInvitation | None:
    """The invitation whose link this is (signature and secret both right), else None."""
    if not isinstance(token, str) or not token or len(token) > LONGEST_TOKEN:
        return None
    try:
        payload = accounts._serializer(INVITATION_SALT, None).loads(token)
    except (BadData, UnicodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    invitation_id, secret = payload.get("i"), payload.get("s")
    if (
        not isinstance(invitation_id, int)
        or isinstance(invitation_id, bool)
        or not 1 <= invitation_id <= 2**31 - 1
        or not isinstance(secret, str)
    ):
        return None
    invitation = db.session.scalar(
        sa.select(ProviderInvitation)
        .where(ProviderInvitation.id == invitation_id)
        .options(joinedload(ProviderInvitation.provider))
    )
    if invitation is None or not hmac.compare_digest(_hashed(secret), invitation.token_hash):
        return None
    return invitation


def _refuse_unless_open(invitation: ProviderInvitation, now: datetime) -> None:
    state = state_of(invitation, now)
    if state is InvitationState.ACCEPTED:
        raise LinkRefused(
            N_(
                "This invitation has already been used: the account was made with it. Sign in "
                "with %(email)s. If you did not make that account, ask the programme office "
                "for a new invitation."
            ),
            "ended",
            email=invitation.email,
        )
    if state is InvitationState.VOIDED:
        raise LinkRefused(
            N_(
                "This invitation has been withdrawn or replaced by a newer one. Use the link "
                "in the latest invitation email, or ask the programme office for a new "
                "invitation."
            ),
            "ended",
        )
    if state is InvitationState.EXPIRED:
        raise LinkRefused(
            N_(
                "This invitation expired on %(when)s. Ask the programme office for a new "
                "invitation."
            ),
            "ended",
            when=invitation.expires_at,
        )


def _unknown_link() -> LinkRefused:
    return LinkRefused(
        N_(
            "This invitation link is not valid. Check that you copied all of it from the "
            "email, or ask the programme office for a new invitation."
        ),
        "unknown",
    )


def _account_exists(email: str) -> LinkRefused:
    return LinkRefused(
        N_(
            "An account with the address %(email)s exists already, so this invitation can't "
            "make another one. Sign in with it, or ask the programme office for help."
        ),
        "account",
        email=email,
    )


# --- withdrawing -----------------------------------------------------------------------------


def void(invitation: ProviderInvitation, by: User, now: datetime) -> ProviderInvitation:
    """Withdraw an open invitation: its link stops working. Refuses one that is not open."""
    table = ProviderInvitation
    done = db.session.execute(
        sa.update(table)
        .where(table.id == invitation.id, _open_at(now))
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(invitation)
    if not done:
        state = state_of(invitation, now)
        if state is InvitationState.ACCEPTED:
            message = N_("This invitation was accepted already: there is nothing to withdraw.")
        elif state is InvitationState.EXPIRED:
            message = N_("This invitation has expired already: its link no longer works.")
        else:
            message = N_("This invitation was withdrawn already.")
        raise DomainError(message, field="invitation")
    audit.record(
        "provider.invitation_voided",
        _subject(invitation),
        actor=by,
        provider_id=invitation.provider_id,
        email=invitation.email,
    )
    return invitation


# --- what the pages show ---------------------------------------------------------------------


class ProviderPeople(NamedTuple):
    """A provider's staff accounts and its open invitations."""

    staff: list[User]
    open_invitations: list[ProviderInvitation]


def find_providers(query: str, page: int = 1, per_page: int = 50):
    """Providers by name (a part of it, any case), one page of them (`db.paginate`)."""
    statement = sa.select(Provider).options(joinedload(Provider.platform))
    text = (query or "").strip().lower()
    if text:
        statement = statement.where(sa.func.lower(Provider.name).contains(text, autoescape=True))
    statement = statement.order_by(Provider.name, Provider.id)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def people_of(provider_ids: list[int], now: datetime) -> dict[int, ProviderPeople]:
    """Each provider's staff (by name) and open invitations (newest first)."""
    found = {provider_id: ProviderPeople([], []) for provider_id in provider_ids}
    if not provider_ids:
        return found
    for user in db.session.scalars(
        sa.select(User)
        .where(User.role == Role.PROVIDER, User.provider_id.in_(provider_ids))
        .order_by(User.name, User.id)
    ):
        found[user.provider_id].staff.append(user)
    table = ProviderInvitation
    for invitation in db.session.scalars(
        sa.select(table)
        .where(table.provider_id.in_(provider_ids), _open_at(now))
        .order_by(table.created_at.desc(), table.id.desc())
    ):
        found[invitation.provider_id].open_invitations.append(invitation)
    return found


def staff_of(provider_id: int) -> list[User]:
    """The provider's staff accounts, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.PROVIDER, User.provider_id == provider_id)
            .order_by(User.name, User.id)
        )
    )


def invitations_of(provider_id: int) -> list[ProviderInvitation]:
    """The provider's latest invitations in every state, newest first, with who invited and
    the account each made."""
    return list(
        db.session.scalars(
            sa.select(ProviderInvitation)
            .where(ProviderInvitation.provider_id == provider_id)
            .options(
                selectinload(ProviderInvitation.invited_by), selectinload(ProviderInvitation.user)
            )
            .order_by(ProviderInvitation.created_at.desc(), ProviderInvitation.id.desc())
            .limit(LISTED_INVITATIONS)
        )
    )


def invitation_by_id(invitation_id: int) -> ProviderInvitation | None:
    """The invitation with this id, its provider loaded; None when there is none."""
    return db.session.scalar(
        sa.select(ProviderInvitation)
        .where(ProviderInvitation.id == invitation_id)
        .options(joinedload(ProviderInvitation.provider))
    )


# --- helpers ---------------------------------------------------------------------------------


def _hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _subject(invitation: ProviderInvitation) -> str:
    return f"provider_invitation:{invitation.id}"
