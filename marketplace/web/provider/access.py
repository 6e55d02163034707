"""Who may open the training provider's portal: signed-in staff of a provider only."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.people.models import Role


def provider_required(view):
    """Sign-in first (a redirect to the sign-in page), then 403 for any role but provider,
    and for a provider account that belongs to no provider."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if current_user.role is not Role.PROVIDER or current_user.provider_id is None:
            abort(403)
        return view(*args, **kwargs)

    return guarded
