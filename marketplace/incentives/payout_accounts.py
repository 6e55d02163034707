"""Linking and changing a participant's payout account: the e-wallet or bank account that
incentives and survey payments are sent to.

Two steps, each one request:

1. `request_link(participant, channel, number, gateway, now)` checks the number
   (`channels.check_number`: an e-wallet on the participant's own registered phone, a bank
   account of the bank's count of digits), refuses a number that is another participant's
   current account (and flags it for the office), asks the gateway whose account it is
   (`Gateway.inquire`) and compares that name with the KTP name (`names.same_person`).
   It stores a `PayoutLinkRequest` with the HMAC of a six-digit code (keyed with
   SECRET_KEY; the code itself is never stored) valid for CODE_VALID_FOR, and mails the code
   to the account's email address. Every older request of the participant stops working.
2. `confirm_link(participant, request_id, code, now)` checks the code and links the
   account: the first account is usable at once; a change keeps the old row (`replaced_at`)
   and holds payouts to the new one for CHANGE_HOLD (`usable_from`), and the participant is
   mailed that the account changed. The scheduling of incentives runs after every link
   (`schedule.schedule_for`).

`resend_code` mails a new code for the same account (a new request; the older ones stop
working); `link_directly` links without code nor gateway (the demo's seed), under every
other rule.

Refusals are DomainErrors and change nothing, with two exceptions kept despite the refusal
(`core.database.keep_despite_refusal`): a wrong code is counted (the fifth voids the
request), and a number another participant holds is flagged (`PayoutAccountFlag`) for the
office. One current account per participant and per (channel, number) is held by the two
partial unique indexes; a race lost to either is caught in a SAVEPOINT and told like the
check before it.

The operations read nothing of the request; the web layer checks the fresh sign-in.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.database import keep_despite_refusal, lock_for_writing
from marketplace.extensions import db
from marketplace.incentives import channels, names, schedule
from marketplace.incentives.channels import Channel
from marketplace.incentives.gateway import GatewayRefused, GatewayUnavailable
from marketplace.incentives.models import PayoutAccount, PayoutAccountFlag, PayoutLinkRequest
from marketplace.people.models import Participant

log = logging.getLogger(__name__)

CODE_DIGITS = 6
# Long enough to open the mail on a slow connection and come back; an old mail is worthless.
CODE_VALID_FOR = timedelta(minutes=10)
MAX_WRONG_CODES = 5
# A new code for the same account is sent without asking the bank again within this time;
# after it, the participant starts again (and the bank is asked again).
RESEND_WITHIN = timedelta(hours=1)
# Payouts to a changed account wait this long: time for the participant to notice the
# mail and stop a change they did not make.
CHANGE_HOLD = timedelta(hours=24)


# --- refusals the web layer tells apart --------------------------------------------------


class AccountTaken(DomainError):
    """The number is another participant's current payout account: refused, flagged."""

    def __init__(self):
        super().__init__(
            N_(
                "This account is already linked to another participant, so it can't be "
                "linked to yours. The programme office has been told. If the account is "
                "yours, write to the office."
            ),
            field="number",
        )


class NameMismatch(DomainError):
    """The account holder's name at the bank or e-wallet is not the KTP name."""

    def __init__(self, channel: Channel, holder_name: str, ktp_name: str):
        super().__init__(
            N_(
                "The name on this %(channel)s account is %(holder)s, but the name on your "
                "KTP is %(ktp)s. Payouts go only to an account in your own name, as on "
                "your KTP."
            ),
            field="number",
            channel=channel.name,
            holder=holder_name,
            ktp=ktp_name,
        )
        self.holder_name = holder_name
        self.ktp_name = ktp_name
        self.channel = channel


class BankUnreachable(DomainError):
    """The gateway could not be asked (no answer, a 5xx, not configured): nothing changed,
    try again later (the view answers 503)."""

    def __init__(self):
        super().__init__(
            N_(
                "The bank or e-wallet could not be reached. Nothing was changed. Please try "
                "again in a few minutes."
            )
        )


class RequestNotFound(DomainError):
    """No link request with this id for this participant (the view answers 404)."""

    def __init__(self):
        super().__init__(N_("This code request was not found. Start again."))


class CodeExpired(DomainError):
    """The request's code has expired: a new one may be asked for (`resend_code`)."""


class WrongCode(DomainError):
    """A wrong code, counted (and the request voided at the fifth); the transaction is
    marked `keep_despite_refusal` so the count stays although the request is refused."""


# --- reading -------------------------------------------------------------------------------


def current_account(participant: Participant) -> PayoutAccount | None:
    """The participant's current payout account (the one not replaced), or None."""
    return db.session.scalar(
        sa.select(PayoutAccount).where(
            PayoutAccount.participant_id == participant.id,
            PayoutAccount.replaced_at.is_(None),
        )
    )


def usable_account(participant: Participant, now: datetime) -> PayoutAccount | None:
    """The current account when payouts may go to it at `now` (its `usable_from` has come:
    a changed account is held for CHANGE_HOLD), else None."""
    account = current_account(participant)
    if account is None or account.usable_from > now:
        return None
    return account


def latest_request(participant: Participant) -> PayoutLinkRequest | None:
    """The participant's newest link request (the only one whose code may work)."""
    return db.session.scalar(
        sa.select(PayoutLinkRequest)
        .where(PayoutLinkRequest.participant_id == participant.id)
        .order_by(PayoutLinkRequest.id.desc())
        .limit(1)
    )


def open_request(participant: Participant, now: datetime) -> PayoutLinkRequest | None:
    """The newest request when it still waits for its code: not used, not voided by wrong
    codes, and either still valid or expired less than RESEND_WITHIN ago (a new code may
    be asked for). None otherwise."""
    row = latest_request(participant)
    if row is None or row.used_at is not None or row.attempts >= MAX_WRONG_CODES:
        return None
    if row.created_at + RESEND_WITHIN <= now:
        return None
    return row


def account_label(channel_code: str, number: str) -> str:
    """An account as pages and mail name it: "BCA ••••••7890", "OVO 0812•••••890"."""
    channel = channels.find(channel_code)
    if channel is None:
        return f"{channel_code} {channels.mask(number)}"
    return f"{channel.name} {channel.masked(number)}"


def _holder_of(channel: str, number: str) -> PayoutAccount | None:
    """The current account with this channel and number, whoever's it is."""
    return db.session.scalar(
        sa.select(PayoutAccount)
        .where(
            PayoutAccount.channel == channel,
            PayoutAccount.number == number,
            PayoutAccount.replaced_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )


# --- the checks both ways of linking share -------------------------------------------------


def _refuse_taken(participant: Participant, channel: Channel, number: str, holder_id: int):
    """Flag the number another participant holds (once while the office has not resolved
    it), keep the flag although the request is refused, and refuse."""
    lock_for_writing()
    already = db.session.scalar(
        sa.select(PayoutAccountFlag.id).where(
            PayoutAccountFlag.participant_id == participant.id,
            PayoutAccountFlag.channel == channel.code,
            PayoutAccountFlag.number == number,
            PayoutAccountFlag.resolved_at.is_(None),
        )
    )
    if already is None:
        flag = PayoutAccountFlag(
            participant_id=participant.id,
            holder_participant_id=holder_id,
            channel=channel.code,
            number=number,
        )
        db.session.add(flag)
        db.session.flush()
        audit.record(
            "payout_account.flagged",
            f"payout_account_flag:{flag.id}",
            actor=participant.user,
            participant_id=participant.id,
            holder_participant_id=holder_id,
            account=account_label(channel.code, number),
        )
    keep_despite_refusal()  # the office must see the attempt: see core/database.py
    raise AccountTaken()


def _check_not_taken(participant: Participant, channel: Channel, number: str) -> None:
    holder = _holder_of(channel.code, number)
    if holder is not None and holder.participant_id != participant.id:
        _refuse_taken(participant, channel, number, holder.participant_id)


def _check_not_current(participant: Participant, channel: Channel, number: str) -> None:
    current = current_account(participant)
    if current is not None and (current.channel, current.number) == (channel.code, number):
        raise DomainError(
            N_("This is already your payout account: there is nothing to change."),
            field="number",
        )


def _check_name(participant: Participant, channel: Channel, holder_name: str) -> None:
    if not names.same_person(holder_name, participant.full_name):
        raise NameMismatch(channel, holder_name, participant.full_name)


def _inquire(gateway, channel: Channel, number: str) -> str:
    """The holder's name as the gateway says it; the gateway's refusals as DomainErrors."""
    try:
        holder_name = gateway.inquire(channel.code, number)
    except GatewayUnavailable as error:
        log.warning("payout account inquiry at %s: %s", channel.code, error)
        raise BankUnreachable() from None
    except GatewayRefused as error:
        if error.code == "ACCOUNT_NOT_FOUND":
            raise DomainError(
                N_(
                    "There is no such account at %(channel)s. Check the number against "
                    "your %(channel)s app or bank book."
                ),
                field="number",
                channel=channel.name,
            ) from None
        if error.code == "ACCOUNT_REJECTED":
            raise DomainError(
                N_(
                    "%(channel)s refused this account: it can't receive payouts (it may be "
                    "closed, blocked or not fully registered). Ask %(channel)s why, or link "
                    "another account in your own name."
                ),
                field="number",
                channel=channel.name,
            ) from None
        log.warning("payout account inquiry at %s refused: %s", channel.code, error)
        raise BankUnreachable() from None
    return holder_name[:120]


# --- step 1: the code ----------------------------------------------------------------------


def _digest(participant_id: int, channel: str, number: str, code: str) -> str:
    """HMAC-SHA256 of the code and what it is for, keyed with SECRET_KEY."""
    message = f"payout-link:{participant_id}:{channel}:{number}:{code}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _void_open_requests(participant: Participant, now: datetime) -> None:
    """Every request of the participant still waiting stops working now."""
    db.session.execute(
        sa.update(PayoutLinkRequest)
        .where(
            PayoutLinkRequest.participant_id == participant.id,
            PayoutLinkRequest.used_at.is_(None),
            PayoutLinkRequest.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def _new_request(
    participant: Participant,
    channel: Channel,
    number: str,
    holder_name: str,
    now: datetime,
    rng,
) -> tuple[PayoutLinkRequest, str]:
    _void_open_requests(participant, now)
    code = f"{rng.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = PayoutLinkRequest(
        participant_id=participant.id,
        kind=channel.kind,
        channel=channel.code,
        number=number,
        holder_name=holder_name,
        code_digest=_digest(participant.id, channel.code, number, code),
        attempts=0,
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
    )
    db.session.add(row)
    db.session.flush()
    return row, code


def request_link(
    participant: Participant, channel: str, number: str, gateway, now: datetime, rng=secrets
) -> tuple[PayoutLinkRequest, str]:
    """Step 1: check the account and mail a code to confirm linking it; (the request, the
    code). The code is returned for tests only: never show or log it.

    `gateway` is asked whose account it is (`inquire(channel, number)`). Refused
    (DomainError): an unknown channel, a number breaking the channel's rule
    (`channels.check_number`), the participant's current account again, a number another
    participant holds (AccountTaken: flagged and kept), an account the bank does not know
    or refuses, a holder name that is not the KTP name (NameMismatch), a gateway that can't
    be reached (BankUnreachable).
    """
    found = channels.get(channel)
    account_number = channels.check_number(found, number, participant.phone)
    _check_not_current(participant, found, account_number)
    _check_not_taken(participant, found, account_number)
    holder_name = _inquire(gateway, found, account_number)
    _check_name(participant, found, holder_name)
    lock_for_writing()  # the bank was asked without holding SQLite's write lock
    row, code = _new_request(participant, found, account_number, holder_name, now, rng)
    _mail_code(participant, row, code)
    audit.record(
        "payout_link.requested",
        f"payout_link_request:{row.id}",
        actor=participant.user,
        participant_id=participant.id,
        account=account_label(row.channel, row.number),
        name_check=names.same_person(holder_name, participant.full_name).reason,
    )
    return row, code


def resend_code(
    participant: Participant, request_id: int, now: datetime, rng=secrets
) -> tuple[PayoutLinkRequest, str]:
    """Mail a new code for the account of request `request_id`: a new request, and every
    older one stops working. (the new request, the code); the code for tests only.

    Refused when the request is not this participant's (RequestNotFound), was used, was
    voided by wrong codes, is not the newest (a newer code was sent), or was made more than
    RESEND_WITHIN ago (start again: the bank is asked again).
    """
    row = _request_of(participant, request_id)
    _check_still_open(participant, row, now, for_resend=True)
    if row.created_at + RESEND_WITHIN <= now:
        raise DomainError(
            N_("This request is too old for a new code. Enter the account again."),
        )
    found = channels.get(row.channel)
    new, code = _new_request(participant, found, row.number, row.holder_name, now, rng)
    _mail_code(participant, new, code, again=True)
    audit.record(
        "payout_link.code_resent",
        f"payout_link_request:{new.id}",
        actor=participant.user,
        participant_id=participant.id,
        replaces=row.id,
    )
    return new, code


def _mail_code(participant: Participant, row: PayoutLinkRequest, code: str, again=False) -> None:
    paragraphs = [
        N_("Hello %(name)s,"),
        N_("Your code to link %(account)s (%(holder)s) as your payout account is %(code)s."),
    ]
    if again:
        paragraphs.append(
            N_("This code replaces the one we sent before: only the newest code works.")
        )
    paragraphs += [
        N_(
            "The code works for %(minutes)s minutes, until %(time)s. Enter it on the payout "
            "account page. Never tell it to anyone: the programme will never ask you for it."
        ),
        N_(
            "If you did not ask to link this account, someone may be using your account: "
            "change your password now and write to the programme office (Manajemen "
            "Pelaksana): %(contact)s"
        ),
    ]
    mail.send_in_language(
        participant.user,
        (
            N_("Your new code to link a payout account")
            if again
            else N_("Your code to link a payout account")
        ),
        paragraphs,
        name=participant.full_name,
        account=account_label(row.channel, row.number),
        holder=row.holder_name,
        code=code,
        minutes=int(CODE_VALID_FOR.total_seconds() // 60),
        time=lambda: mail.wib(row.expires_at, with_date=False),
        contact=mail.public_link("/contact"),
    )


# --- step 2: the link ----------------------------------------------------------------------


def _request_of(participant: Participant, request_id: int) -> PayoutLinkRequest:
    row = db.session.scalar(
        sa.select(PayoutLinkRequest)
        .where(
            PayoutLinkRequest.id == request_id,
            PayoutLinkRequest.participant_id == participant.id,
        )
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise RequestNotFound()
    return row


def _check_still_open(
    participant: Participant, row: PayoutLinkRequest, now: datetime, for_resend=False
) -> None:
    """Refuse a request that can't take a code (or, `for_resend`, a new code) any more."""
    if row.used_at is not None:
        raise DomainError(
            N_("This code has been used already: the account is linked."), field="code"
        )
    if row.attempts >= MAX_WRONG_CODES:
        raise DomainError(
            N_("Too many wrong codes: this code no longer works. Enter the account again."),
            field="code",
        )
    newest = latest_request(participant)
    if newest is not None and newest.id != row.id:
        raise DomainError(
            N_("We have sent a newer code: use the code in the newest email."), field="code"
        )
    if not for_resend and now >= row.expires_at:
        raise CodeExpired(
            N_("This code expired at %(time)s. Ask for a new code below."),
            field="code",
            time=row.expires_at,
        )


def _count_wrong_code(participant: Participant, row: PayoutLinkRequest) -> None:
    """One more wrong code by ONE conditional UPDATE (the fifth voids the request), kept
    although the request is refused; then the refusal."""
    db.session.execute(
        sa.update(PayoutLinkRequest)
        .where(
            PayoutLinkRequest.id == row.id,
            PayoutLinkRequest.used_at.is_(None),
            PayoutLinkRequest.attempts < MAX_WRONG_CODES,
        )
        .values(attempts=PayoutLinkRequest.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    audit.record(
        "payout_link.wrong_code",
        f"payout_link_request:{row.id}",
        actor=participant.user,
        attempts=row.attempts,
        voided=row.attempts >= MAX_WRONG_CODES,
    )
    keep_despite_refusal()  # the count is the point of the refusal: see core/database.py
    if row.attempts >= MAX_WRONG_CODES:
        raise WrongCode(
            N_("Too many wrong codes: this code no longer works. Enter the account again."),
            field="code",
        )
    raise WrongCode(
        N_("That code is not right. You have %(left)s more tries."),
        field="code",
        left=MAX_WRONG_CODES - row.attempts,
    )


def confirm_link(
    participant: Participant, request_id: int, code: str, now: datetime
) -> PayoutAccount:
    """Step 2: link the account of request `request_id` when `code` is its code.

    A double submit (the request used already for the account that is now current) returns
    that account. Refused: RequestNotFound; a used, voided or superseded request; an expired
    code (CodeExpired: ask for a new one); a code that is not six digits (not counted); a
    wrong code (WrongCode, counted and kept; the fifth voids the request); the account
    linked meanwhile by another participant (AccountTaken, flagged and kept).
    """
    row = _request_of(participant, request_id)
    if row.used_at is not None:
        current = current_account(participant)
        if current is not None and (current.channel, current.number) == (row.channel, row.number):
            return current
    _check_still_open(participant, row, now)
    code = (code or "").strip()
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        raise DomainError(N_("Enter the 6-digit code from the email."), field="code")
    expected = _digest(participant.id, row.channel, row.number, code)
    if not hmac.compare_digest(expected, row.code_digest):
        _count_wrong_code(participant, row)
    found = channels.get(row.channel)
    return _link(participant, found, row.number, row.holder_name, now, request=row)


def link_directly(
    participant: Participant, channel: str, number: str, holder_name: str, now: datetime
) -> PayoutAccount:
    """Link an account without a code and without asking the gateway (the demo's seed),
    under every other rule: the channel's number rule, the holder's name against the KTP
    name, not the current account again, not another participant's account."""
    found = channels.get(channel)
    account_number = channels.check_number(found, number, participant.phone)
    holder_name = " ".join((holder_name or "").split())[:120]
    _check_name(participant, found, holder_name)
    _check_not_current(participant, found, account_number)
    return _link(participant, found, account_number, holder_name, now)


def _link(
    participant: Participant,
    channel: Channel,
    number: str,
    holder_name: str,
    now: datetime,
    request: PayoutLinkRequest | None = None,
) -> PayoutAccount:
    """The account becomes the participant's current one (in a SAVEPOINT, so a lost race
    leaves nothing); the change mailed, audited, and the incentives scheduled."""
    _check_not_taken(participant, channel, number)
    try:
        with db.session.begin_nested():
            if request is not None:
                used = db.session.execute(
                    sa.update(PayoutLinkRequest)
                    .where(
                        PayoutLinkRequest.id == request.id,
                        PayoutLinkRequest.used_at.is_(None),
                        PayoutLinkRequest.attempts < MAX_WRONG_CODES,
                    )
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not used:
                    raise _UsedMeanwhile()
            previous = current_account(participant)
            if previous is not None:
                replaced = db.session.execute(
                    sa.update(PayoutAccount)
                    .where(PayoutAccount.id == previous.id, PayoutAccount.replaced_at.is_(None))
                    .values(replaced_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not replaced:
                    raise _UsedMeanwhile()
            account = PayoutAccount(
                participant_id=participant.id,
                kind=channel.kind,
                channel=channel.code,
                number=number,
                holder_name=holder_name,
                linked_at=now,
                usable_from=now if previous is None else now + CHANGE_HOLD,
            )
            db.session.add(account)
            db.session.flush()
    except (_UsedMeanwhile, IntegrityError):
        # One of the partial unique indexes, or a conditional UPDATE, lost a race.
        return _after_a_lost_race(participant, channel, number)
    if request is not None:
        db.session.expire(request, ["used_at"])
    if previous is not None:
        db.session.expire(previous, ["replaced_at"])
        _mail_change(participant, account)
    audit.record(
        "payout_account.changed" if previous is not None else "payout_account.linked",
        f"payout_account:{account.id}",
        actor=participant.user,
        participant_id=participant.id,
        account=account_label(account.channel, account.number),
        replaces=previous.id if previous is not None else None,
        usable_from=account.usable_from.isoformat(),
        with_code=request is not None,
    )
    schedule.schedule_for(participant, now)
    return account


class _UsedMeanwhile(Exception):
    """Another request used the code or changed the account between the checks and the
    writes (inside the SAVEPOINT, which is rolled back)."""


def _after_a_lost_race(participant: Participant, channel: Channel, number: str) -> PayoutAccount:
    """Told after a lost race, from the rows as they are now: another participant took the
    number (flagged, refused), or this participant's own other request linked it (returned),
    or changed the account meanwhile (refused: look again)."""
    holder = _holder_of(channel.code, number)
    if holder is not None and holder.participant_id != participant.id:
        _refuse_taken(participant, channel, number, holder.participant_id)
    if holder is not None:
        return holder
    raise DomainError(
        N_(
            "Your payout account was changed at the same moment by another request. Look at "
            "it again before you change it."
        )
    )


def _mail_change(participant: Participant, account: PayoutAccount) -> None:
    """Tell the participant (at the account's email address) that the account changed."""
    mail.send_in_language(
        participant.user,
        N_("Your payout account has been changed"),
        [
            N_("Hello %(name)s,"),
            N_("Your payout account was changed to %(account)s (%(holder)s) at %(changed)s."),
            N_(
                "For your safety, payouts go to the new account from %(usable)s. A payment "
                "due before then waits and is sent to it afterwards."
            ),
            N_(
                "If you did not make this change, change your password now and write to the "
                "programme office (Manajemen Pelaksana) at once, before %(usable)s: %(contact)s"
            ),
            N_("Your payout account: %(link)s"),
        ],
        name=participant.full_name,
        account=account_label(account.channel, account.number),
        holder=account.holder_name,
        changed=lambda: mail.wib(account.linked_at),
        usable=lambda: mail.wib(account.usable_from),
        contact=mail.public_link("/contact"),
        link=mail.public_link("/account/payout"),
    )
