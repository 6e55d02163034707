"""Checkout pages: buy a course with the card's balance, confirmed by a code sent by mail.

Addresses: /checkout/<slug> (GET: check the purchase, choose a session; POST: mail the code
and show the code page), /checkout/confirm (POST: the code; one order per purchase key),
/account/orders/<id> (the receipt: voucher and redeem codes). The purchase key travels only
in a hidden form field, never in a URL. An order is shown only to its owner (404 otherwise).
"""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from marketplace.catalogue import listing
from marketplace.catalogue.models import Course, Method
from marketplace.core import N_, DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.core.database import reads_first
from marketplace.core.inputs import whole_number
from marketplace.money.models import CardStatus
from marketplace.orders import checkout, redemption
from marketplace.people.models import Participant
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.labels import ORDER_STATUSES, ORDER_TAGS
from marketplace.web.security import not_cached

bp = Blueprint("checkout", __name__)


# Purchase pages carry the one-time key and the order's codes.
bp.after_request(not_cached)

NO_CARD = N_("You don't have a Kartu Prakerja yet. You can buy a course once it is issued.")



class SendCodeForm(FlaskForm):
    """The purchase check: a session's radio (webinar and offline courses) and the button."""

    session = RadioField(_l("Choose a session"), choices=[], validate_choice=False)


class ConfirmCodeForm(FlaskForm):
    """The code from the email; the purchase key rides in a hidden field."""

    purchase_key = HiddenField(validators=[InputRequired(), Length(max=64)])
    course = HiddenField(validators=[Length(max=200)])
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter the 6-digit code from the email.")),
            Length(max=20, message=_l("Enter the 6-digit code from the email.")),
        ],
    )


def _participant() -> Participant | None:
    """The signed-in participant's profile (None if not filled in)."""
    return participant_of(current_user)


def _listed_course(slug: str) -> Course:
    if len(slug) > 200:
        abort(404)
    course = listing.get_listed_course(slug)
    if course is None:
        abort(404)
    return course


def _open_sessions(course: Course) -> list:
    """Upcoming sessions with a free seat (none for a self-paced course)."""
    if course.method is Method.SELF_PACED:
        return []
    return [row for row in listing.upcoming_sessions(course) if row.seats_left > 0]


def _chosen_session(course: Course, form: SendCodeForm):
    """The session picked by the radio, when it is one of the course's upcoming sessions."""
    wanted = whole_number(form.session.data, lowest=1, highest=LARGEST_ID)
    if course.method is Method.SELF_PACED or wanted is None:
        return None
    for row in listing.upcoming_sessions(course):
        if row.id == wanted:
            return row
    return None


def _check_page(course: Course, participant: Participant | None, form: SendCodeForm, status=200):
    card = checkout.card_of(participant) if participant is not None else None
    sessions = _open_sessions(course)
    form.session.choices = [(str(row.id), row.place) for row in sessions]
    balance = card.account.balance if card is not None else None
    awaiting_first = (
        card is not None and card.first_purchase_at is None and card.status is CardStatus.ACTIVE
    )
    refused = checkout.refusal(participant, course, utcnow()) if card is not None else None
    return (
        render_template(
            "checkout/confirm.html",
            form=form,
            course=course,
            sessions=sessions,
            card=card,
            balance=balance,
            balance_after=balance - course.price if balance is not None else None,
            scheme=card.scheme if card is not None else None,
            awaiting_first=awaiting_first,
            no_card=gettext(NO_CARD),
            refusal=error_message(refused) if refused is not None else None,
        ),
        status,
    )


def _code_page(form: ConfirmCodeForm, course: Course | None, expires_at=None, status=200):
    return (
        render_template(
            "checkout/code.html",
            form=form,
            course=course,
            expires_at=expires_at,
            minutes=int(checkout.CODE_VALID_FOR.total_seconds() // 60),
        ),
        status,
    )


@bp.route("/checkout/<slug>", methods=["GET", "POST"])
@participant_required
def course(slug: str):
    """Check the purchase (price, balance before and after, rules); POST mails the code."""
    participant = _participant()
    course = _listed_course(slug)
    form = SendCodeForm()
    if request.method == "GET":
        return _check_page(course, participant, form)
    if not form.validate_on_submit():
        return _check_page(course, participant, form, 400)
    if participant is None:
        flash(gettext(NO_CARD), "error")
        return _check_page(course, participant, form, 400)
    try:
        row, _code = checkout.begin(participant, course, _chosen_session(course, form), utcnow())
    except DomainError as error:
        if error.field == "session":
            form.session.errors = [error_message(error)]
        else:
            flash(error_message(error), "error")
        return _check_page(course, participant, form, 400)
    code_form = ConfirmCodeForm(formdata=None, purchase_key=row.purchase_key, course=course.slug)
    return _code_page(code_form, course, row.expires_at)


@bp.route("/checkout/confirm", methods=["POST"])
@reads_first
@participant_required
def confirm():
    """The code from the email: one order for the purchase key, then its receipt."""
    participant = _participant()
    form = ConfirmCodeForm()
    key = form.purchase_key.data or ""
    if participant is None or not key or len(key) > 64:
        abort(404)
    if not form.validate_on_submit():
        return _code_page(form, _course_named(form), status=400)
    try:
        order = checkout.confirm(participant, key, form.code.data, utcnow())
    except checkout.PurchaseNotFound:
        abort(404)
    except checkout.WrongCode as error:
        # Refused, yet the wrong code stays counted (the fifth voids the purchase): the
        # service marked its transaction `keep_despite_refusal`.
        form.code.errors = [error_message(error)]
        return _code_page(form, _course_named(form), status=400)
    except DomainError as error:
        if error.field == "code":
            form.code.errors = [error_message(error)]
        else:
            flash(error_message(error), "error")
        return _code_page(form, _course_named(form), status=400)
    flash(gettext("Your purchase is complete."), "success")
    return redirect(url_for("checkout.order", order_id=order.id))


def _course_named(form: ConfirmCodeForm) -> Course | None:
    """The course the code page is about (its hidden field), for showing the page again."""
    slug = form.course.data or ""
    return listing.get_listed_course(slug) if 0 < len(slug) <= 200 else None


@bp.route("/account/orders/<id:order_id>")
@participant_required
def order(order_id: int):
    """The receipt: the course, its session, the price, the voucher and redeem codes."""
    participant = _participant()
    if participant is None:
        abort(404)
    found = checkout.order_for(participant, order_id)
    if found is None:
        abort(404)
    card = checkout.card_of(participant)
    session = found.session
    return render_template(
        "checkout/order.html",
        order=found,
        course=found.course,
        session=session,
        window=redemption.redeem_window(session) if session is not None else None,
        balance=card.account.balance if card is not None else None,
        statuses=ORDER_STATUSES,
        tags=ORDER_TAGS,
    )
