"""Loading the signed-in user from the session id `<user id>:<session version>`."""

from flask import Flask, Request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user

from marketplace.core.base import LARGEST_ID
from marketplace.core.inputs import whole_number
from marketplace.extensions import db
from marketplace.people.models import User


def load_user(session_id: str) -> User | None:
    """The user for a session id, or None when it is malformed or from an older session."""
    user_part, _, version_part = session_id.partition(":")
    user_id = whole_number(user_part, lowest=1, highest=LARGEST_ID)
    version = whole_number(version_part, lowest=1, highest=LARGEST_ID)
    if user_id is None or version is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version:
        return None
    return user


def signed_in_user() -> User | None:
    """The signed-in user, or None; an anonymous visit never touches Flask-Login's loader."""
    if "_user_id" not in session:
        return None
    return current_user if current_user.is_authenticated else None


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed session cookie, opened only when the request carries one.

    Most requests come from visitors without a session (the catalogue, certificates checked
    by employers): for those the empty session is made at once, without building the
    cookie's signing serializer (a key derivation) on every request. A request with the
    cookie is read exactly as Flask reads it.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
