"""The payout channels a participant may link, and the rules of their account numbers.

The channels are data (`seed_data/payout_channels.csv`, read once): a code (what the
gateway calls the channel and what `PayoutAccount.channel` holds), a kind (an e-wallet or a
bank), the name shown, and the number rule: ``phone`` for an e-wallet, whose account is a
mobile phone number, or a bank's exact count of digits.

An e-wallet must be registered to the participant's own phone number (`Participant.phone`,
E.164): what they type (0812…, 62812…, +62 812…, with spaces or dashes) is normalised and
compared, and stored in the national form 0812… (digits only). A bank account number is
stored as its digits; spaces, dashes and dots typed between them are ignored.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from marketplace.core import N_, DomainError
from marketplace.incentives.models import PayoutKind
from marketplace.people.participants import normalise_phone

CHANNELS_CSV = Path(__file__).resolve().parent.parent / "seed_data" / "payout_channels.csv"
PHONE = "phone"
# What people type between digits when copying a number from a bank book or an app.
_SEPARATORS = re.compile(r"[\s.\-]+")
_MAX_TYPED = 40  # longer than any number typed with separators: refused unread


@dataclass(frozen=True)
class Channel:
    """One e-wallet or bank the gateway pays to."""

    code: str  # "ovo", "bca", …: the gateway's name and PayoutAccount.channel
    kind: PayoutKind
    name: str  # "OVO", "BCA", …: shown as it is in every language
    digits: int | None  # a bank account number's exact length; None for an e-wallet (a phone)

    @property
    def is_ewallet(self) -> bool:
        return self.kind is PayoutKind.EWALLET

    def masked(self, number: str) -> str:
        """The number as pages and mail show it: a phone's first four and last three
        digits (0812•••••890), a bank account's last four (••••••7890)."""
        return mask(number, phone=self.is_ewallet)


def mask(number: str, *, phone: bool = False) -> str:
    """A number with its middle hidden: 0812•••••890 (phone), ••••••7890 (bank)."""
    number = number or ""
    if phone and len(number) > 7:
        return number[:4] + "•" * (len(number) - 7) + number[-3:]
    if len(number) > 4:
        return "•" * (len(number) - 4) + number[-4:]
    return "•" * len(number)


def national_phone(e164: str) -> str:
    """+6281234567890 → 081234567890 (the form e-wallet numbers are stored and shown in)."""
    if e164.startswith("+62"):
        return "0" + e164[3:]
    return e164.lstrip("+")


def masked_phone(e164: str) -> str:
    """A participant's registered phone as the page may show it: 0812•••••890."""
    return mask(national_phone(e164 or ""), phone=True)


@cache
def all_channels() -> tuple[Channel, ...]:
    """The channels in the file's order (e-wallets first). Read once per process."""
    found = []
    with CHANNELS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kind = PayoutKind(row["kind"].strip())
            rule = row["number_rule"].strip()
            if kind is PayoutKind.EWALLET and rule != PHONE:
                raise ValueError(f"the e-wallet {row['code']} must have the number rule 'phone'")
            if kind is PayoutKind.BANK and not (rule.isascii() and rule.isdigit()):
                raise ValueError(f"the bank {row['code']} needs its count of digits")
            found.append(
                Channel(
                    code=row["code"].strip(),
                    kind=kind,
                    name=row["name"].strip(),
                    digits=None if rule == PHONE else int(rule),
                )
            )
    return tuple(found)


def find(code: str | None) -> Channel | None:
    """The channel with this code, or None."""
    for channel in all_channels():
        if channel.code == code:
            return channel
    return None


def named(code: str) -> str:
    """The name of a channel code (the code itself for one no longer offered)."""
    channel = find(code)
    return channel.name if channel is not None else code


def get(code: str | None) -> Channel:
    """The channel with this code; DomainError (field "channel") when there is none."""
    channel = find(code)
    if channel is None:
        raise DomainError(N_("Choose an e-wallet or a bank from the list."), field="channel")
    return channel


class PhoneMismatch(DomainError):
    """An e-wallet number that is not the participant's registered phone. `registered` is
    that phone, masked (the page adds where to change it)."""

    def __init__(self, channel: Channel, registered: str):
        super().__init__(
            N_(
                "This is not the phone number registered in your profile (%(registered)s). "
                "Payouts go only to a %(channel)s account on your own registered phone number: "
                "enter that number, or first change the phone number in your profile."
            ),
            field="number",
            channel=channel.name,
            registered=registered,
        )
        self.registered = registered


def check_number(channel: Channel, typed: str | None, registered_phone: str) -> str:
    """The account number as it is stored, from what the participant typed; DomainError
    (field "number") saying what is wrong.

    An e-wallet's number must be `registered_phone` (E.164) typed in any usual way; a
    bank's must have exactly the channel's count of digits.
    """
    text = (typed or "").strip()
    if not text:
        if channel.is_ewallet:
            raise DomainError(
                N_("Enter the phone number of your %(channel)s account."),
                field="number",
                channel=channel.name,
            )
        raise DomainError(
            N_("Enter your %(channel)s account number."), field="number", channel=channel.name
        )
    if channel.is_ewallet:
        return _check_phone(channel, text, registered_phone)
    digits = _SEPARATORS.sub("", text) if len(text) <= _MAX_TYPED else text
    if len(text) > _MAX_TYPED or not (digits.isascii() and digits.isdigit()):
        raise DomainError(
            N_("Enter the account number in digits only, as on your bank book or banking app."),
            field="number",
        )
    if len(digits) != channel.digits:
        raise DomainError(
            N_(
                "A %(channel)s account number has %(digits)s digits; the number you entered "
                "has %(count)s. Check it against your bank book or banking app."
            ),
            field="number",
            channel=channel.name,
            digits=channel.digits,
            count=len(digits),
        )
    return digits


def _check_phone(channel: Channel, text: str, registered_phone: str) -> str:
    try:
        typed = normalise_phone(text)
    except DomainError:
        raise DomainError(
            N_(
                "Enter the phone number of your %(channel)s account, like 0812 3456 7890 "
                "or +62 812 3456 7890."
            ),
            field="number",
            channel=channel.name,
        ) from None
    if typed != registered_phone:
        raise PhoneMismatch(channel, masked_phone(registered_phone))
    return national_phone(typed)
