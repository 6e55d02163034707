"""/account/statement: every movement of the participant's card balance, newest first.

Read only. Pages of 50 lines (`?page=2`); a page number that is not a whole number from 1 to
100.000 is a 400, one past the last page a 404, each with a sentence saying why. The
blueprint's `after_request` keeps the page out of every cache (Cache-Control: no-store).
"""

from flask import abort, render_template, request
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest, NotFound

from marketplace.models import Role
from marketplace.services import checkout, statements
from marketplace.services.participants import participant_of
from marketplace.web.account import bp
from marketplace.web.formatting import error_message, number
from marketplace.web.i18n import gettext

MAX_PAGE_DIGITS = len(str(statements.MAX_PAGE))


def read_page(raw: str | None) -> tuple[int | None, str | None]:
    """The `page` query value: (page, None), or (None, why it was refused) in the page's
    language. Absent or empty means page 1."""
    if raw is None or raw == "":
        return 1, None
    value = raw.strip()
    if not (value.isascii() and value.isdigit()):
        return None, gettext("The page number must be a whole number, like 2")
    if len(value) > MAX_PAGE_DIGITS or int(value) > statements.MAX_PAGE:
        return None, gettext(
            "The page number can be at most %(most)s", most=number(statements.MAX_PAGE)
        )
    if int(value) < 1:
        return None, gettext("The page number must be 1 or more")
    return int(value), None


def page_or_400(raw: str | None) -> int:
    """The page number, or a 400 page saying what is wrong with it."""
    page, problem = read_page(raw)
    if problem is not None:
        refused = BadRequest()
        refused.user_message = problem
        raise refused
    return page


def page_not_found(error: statements.PageOutOfRange) -> NotFound:
    """A 404 that says how many pages there are."""
    missing = NotFound()
    missing.user_message = error_message(error)
    return missing


@bp.route("/account/statement")
@login_required
def statement():
    """The card's masked number and balance, and its movements with the balance after each."""
    if current_user.role is not Role.PARTICIPANT:
        abort(403)
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
