"""Who may open which pages: one decorator per role, each signing in first.

Every decorator sends an anonymous visitor to the sign-in page (Flask-Login's
`login_required`) and answers 403 to a signed-in account that may not open the page.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.people.models import Role


def _guard(view, allowed):
    """`view` behind sign-in, then a 403 unless `allowed(current_user)` holds."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not allowed(current_user):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def admin_required(view):
    """The programme office's pages: signed-in admins only."""
    return _guard(view, lambda user: user.role is Role.ADMIN)


def provider_required(view):
    """The training provider's portal: signed-in staff of a provider only (a provider account
    that belongs to no provider is refused too)."""
    return _guard(view, lambda user: user.role is Role.PROVIDER and user.provider_id is not None)


def participant_required(view):
    """A participant's own pages (account, test, batches, card, checkout): participants only."""
    return _guard(view, lambda user: user.role is Role.PARTICIPANT)
