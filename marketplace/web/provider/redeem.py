"""Redeeming a participant's code at the provider's desk: /provider/redeem.

A POST redeems one code and redirects to /provider/redeem?done=<order id>, which shows who
was redeemed above the form for the next code (so a reload never posts the code again).
"""

from flask import redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.core.inputs import whole_number
from marketplace.extensions import limiter
from marketplace.orders import provider_sessions, redemption
from marketplace.web.access import provider_required
from marketplace.web.auth.session import signed_in_user
from marketplace.web.formatting import error_message
from marketplace.web.provider import bp
from marketplace.web.provider.forms import RedeemForm

# A desk types a code a participant shows; guessing codes by the thousand is not allowed.
REDEEMS = "30 per minute"


def _desk_key() -> str:
    """The limiter's key: the signed-in account (its id, not its session version)."""
    user = signed_in_user()
    return f"redeem:user:{user.id}" if user is not None else f"redeem:{get_remote_address()}"


def _done_order():
    """The order named by ?done=, when it is this provider's and redeemed; else None."""
    order_id = whole_number(request.args.get("done"), lowest=1, highest=LARGEST_ID)
    if order_id is None:
        return None
    return provider_sessions.redeemed_order(current_user.provider, order_id)


def _page(form: RedeemForm, done=None, status: int = 200):
    return (
        render_template(
            "provider/redeem.html",
            form=form,
            done=done,
            provider=current_user.provider,
        ),
        status,
    )


@bp.route("/redeem", methods=["GET", "POST"])
@limiter.limit(REDEEMS, key_func=_desk_key, methods=["POST"])
@provider_required
def redeem():
    """The code form; a POST redeems the code (the order moves paid → redeemed)."""
    form = RedeemForm()
    if request.method == "GET":
        return _page(RedeemForm(formdata=None), _done_order())
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        order = redemption.redeem(
            current_user.provider, form.code.data, utcnow(), actor=current_user
        )
    except DomainError as error:
        form.code.errors = [error_message(error)]
        return _page(form, status=400)
    return redirect(url_for("provider.redeem", done=order.id))
