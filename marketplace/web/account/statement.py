"""/account/statement: every movement of the participant's card balance, newest first.

Read only. Pages of 50 lines (`?page=2`); a page number that is not a whole number from 1 to
100.000 is a 400, one past the last page a 404, each with a sentence saying why. The
blueprint's `after_request` keeps the page out of every cache (Cache-Control: no-store).
"""

from flask import abort, render_template, request
from flask_login import current_user

from marketplace.money import statements
from marketplace.orders import checkout
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.paging import page_not_found, page_or_400


@bp.route("/account/statement")
@participant_required
def statement():
    """The card's masked number and balance, and its movements with the balance after each."""
    page = page_or_400(request.args.get("page"))
    participant = participant_of(current_user)
    card = checkout.card_of(participant) if participant is not None else None
    lines = None
    if card is not None:
        try:
            lines = statements.card_statement(card, page)
        except statements.PageOutOfRange as error:
            raise page_not_found(error) from None
    elif page != 1:
        abort(404)
    return render_template(
        "account/statement.html",
        card=card,
        balance=card.account.balance if card is not None else None,
        lines=lines,
    )
