"""The rate limits of the way in, and the keys they count by (Flask-Limiter; memory by
default, Redis when RATELIMIT_STORAGE_URI says so).

Every form that checks a password or sends mail is limited per address (the remote
address) and per account (the email address submitted, or the signed-in user), so neither
one machine trying many accounts nor many machines trying one account get far. The
per-email keys are a digest of the normalised address, so the limiter's store never holds
email addresses.

The forms that mail a link to confirm an address (sending the verification link again,
correcting the address before it is confirmed, changing it from the account) share one
count, `MAIL_SCOPE`: per account and per address mailed to, whichever form is used.
"""

import hashlib

from flask import request
from flask_limiter.util import get_remote_address

from marketplace.people import accounts
from marketplace.web.auth.session import signed_in_user

# Per account: a person mistyping their password a few times is never stopped; a guesser
# gets 20 tries an hour whatever number of addresses they use.
PER_EMAIL = "5 per minute;20 per hour"
PER_ADDRESS = "10 per minute"
MAIL_PER_EMAIL = "3 per minute;10 per hour"  # forms that send mail
MAIL_SCOPE = "address-mail"  # the shared count of the forms that mail a confirmation link


def email_key() -> str:
    """The limiter's key for the email address submitted (a digest, lower case)."""
    email = accounts.normalise_email(request.form.get("email", ""))
    return "email:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


def no_email() -> bool:
    return not request.form.get("email", "").strip()


def account_key() -> str:
    """The signed-in user, else the email address submitted."""
    user = signed_in_user()
    return f"user:{user.id}" if user is not None else email_key()


def no_account() -> bool:
    return signed_in_user() is None and no_email()


def user_key() -> str:
    """The signed-in user, else the remote address."""
    user = signed_in_user()
    return f"user:{user.id}" if user is not None else get_remote_address()
