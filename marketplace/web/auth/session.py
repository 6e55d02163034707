"""Loading the signed-in user from the session id `<user id>:<session version>`."""

from flask import session
from flask_login import current_user

from marketplace.extensions import db
from marketplace.people.models import User


def load_user(session_id: str) -> User | None:
    """The user for a session id, or None when it is malformed or from an older session."""
    user_part, _, version_part = session_id.partition(":")
    if not (user_part.isdigit() and version_part.isdigit()):
        return None
    user = db.session.get(User, int(user_part))
    if user is None or user.session_version != int(version_part):
        return None
    return user


def signed_in_user() -> User | None:
    """The signed-in user, or None; an anonymous visit never touches Flask-Login's loader."""
    if "_user_id" not in session:
        return None
    return current_user if current_user.is_authenticated else None
