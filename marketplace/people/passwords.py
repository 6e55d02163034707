"""The rules a new password must meet (NIST SP 800-63B, without composition rules).

At least 8 and at most 128 characters, not one of the 20,000 most common passwords, and
not the account's own email address or name. Nothing else: no "one digit and one capital"
rules, which make passwords harder to remember and no harder to guess.
"""

import gzip
from functools import lru_cache
from pathlib import Path

from marketplace.core import N_, DomainError

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "seed_data" / "common-passwords.txt.gz"
# Words of this site that the public list cannot know about.
CONTEXT_WORDS = frozenset({"prakerja", "kartuprakerja", "kartu prakerja", "prakerja.go.id"})


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list, lower case, loaded once per process."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _folded(text: str) -> str:
    return text.strip().casefold()


def is_common(password: str) -> bool:
    """True when the password is on the common list (compared case-insensitively)."""
    folded = _folded(password)
    return folded in CONTEXT_WORDS or password.strip().lower() in common_passwords()


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password that breaks a rule, with a DomainError about the field "password"."""
    if len(password) < MIN_LENGTH:
        raise DomainError(
            N_("Your password must be at least %(min)s characters long."),
            field="password",
            min=MIN_LENGTH,
        )
    if len(password) > MAX_LENGTH:
        raise DomainError(
            N_("Your password must be %(max)s characters or fewer."),
            field="password",
            max=MAX_LENGTH,
        )
    folded = _folded(password)
    personal = {_folded(email), _folded(email).partition("@")[0], _folded(name)} - {""}
    if folded in personal:
        raise DomainError(
            N_("Your password must not be your email address or your name."), field="password"
        )
    if is_common(password):
        raise DomainError(
            N_("This password is too common and easy to guess. Choose another one."),
            field="password",
        )
