"""Who may open the programme office's portal: signed-in admins only."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.people.models import Role


def admin_required(view):
    """Sign-in first (a redirect to the sign-in page), then 403 for any role but admin."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if current_user.role is not Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return guarded
