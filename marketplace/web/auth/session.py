"""Loading the signed-in user from the session id `<user id>:<session version>`."""

from marketplace.extensions import db
from marketplace.models import User


def load_user(session_id: str) -> User | None:
    """The user for a session id, or None when it is malformed or from an older session."""
    user_part, _, version_part = session_id.partition(":")
    if not (user_part.isdigit() and version_part.isdigit()):
        return None
    user = db.session.get(User, int(user_part))
    if user is None or user.session_version != int(version_part):
        return None
    return user
