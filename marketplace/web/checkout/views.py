"""Checkout pages: buy a course with the card's balance, confirmed by a code sent by mail.

Addresses: /checkout/<slug> (GET: check the purchase, choose a session; POST: mail the code
and show the code page), /checkout/confirm (POST: the code; one order per purchase key),
/checkout/resend (POST: a new code for the purchase, replacing the earlier one),
/account/orders/<id> (the receipt: the codes, what to do next and until when). The purchase
key travels only in a hidden form field, never in a URL. An order is shown only to its
owner (404 otherwise).

The code page names the (masked) address the code went to and how long it works, and helps
whoever did not get it: a new code at most once a minute for one purchase
(`checkout.RESEND_AFTER`, told as a 429 with the time it may be asked again), and at most
RESENDS per account (Flask-Limiter, counting the codes actually sent).
"""

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from marketplace.catalogue import listing
from marketplace.catalogue.models import Course, Method
from marketplace.core import N_, DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.core.database import reads_first
from marketplace.core.indonesia import jakarta_date
from marketplace.core.inputs import whole_number
from marketplace.extensions import limiter
from marketplace.money.models import CardStatus
from marketplace.orders import checkout, receipt, redemption
from marketplace.orders.models import PurchaseCode
from marketplace.people.models import Participant
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.auth.links import external
from marketplace.web.auth.session import signed_in_user
from marketplace.web.errors import EXPLANATIONS, TITLES
from marketplace.web.formatting import error_message, indonesian, wib
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.labels import ORDER_STATUSES, ORDER_TAGS
from marketplace.web.security import not_cached

bp = Blueprint("checkout", __name__)


# Purchase pages carry the one-time key and the order's codes.
bp.after_request(not_cached)

NO_CARD = N_("You don't have a Kartu Prakerja yet. You can buy a course once it is issued.")
# New codes per account, counting only those sent (besides one a minute per purchase).
RESENDS = "3 per 10 minutes;10 per day"
TOO_MANY_RESENDS = N_(
    "You have asked for a new code too often. You can ask again at %(time)s. Until then, "
    "use the code in the newest email, or start the purchase again later."
)


@bp.app_template_filter("code_groups")
def code_groups(code: str | None) -> str:
    """A voucher or redeem code in groups of four (`redemption.grouped`), on every page."""
    return redemption.grouped(code)


def masked_address(email: str) -> str:
    """An email address with most of its name hidden: pe•••@example.com."""
    name, at, domain = (email or "").partition("@")
    if not at:
        return "•••"
    shown = name[:2] if len(name) > 3 else name[:1]
    return f"{shown}•••@{domain}"


def _order_link(order_id: int) -> str:
    return external("checkout.order", order_id=order_id)


def _help_link() -> str:
    """Where to ask for help: the contact page when the site has one, else the questions
    and answers on the home page."""
    if "public.contact" in current_app.view_functions:
        return url_for("public.contact")
    return url_for("public.index", _anchor="faq")


def _shown(value):
    """A value of a receipt message as the page shows it (times in WIB, Indonesian data
    marked lang="id")."""
    if isinstance(value, receipt.Clock):
        return wib(value.moment, with_date=False)
    if isinstance(value, datetime):
        return wib(value)
    if isinstance(value, receipt.Indonesian):
        return indonesian(value)
    return value


def _say(message: str, values: dict) -> Markup:
    """A receipt message in the page's language, its values escaped into it."""
    translated = Markup(gettext(message))  # noqa: S704  # nosec B704  # our own message
    return translated % {name: _shown(value) for name, value in values.items()}


class SendCodeForm(FlaskForm):
    """The purchase check: a session's radio (webinar and offline courses) and the button."""

    session = RadioField(_l("Choose a session"), choices=[], validate_choice=False)


class ConfirmCodeForm(FlaskForm):
    """The code from the email; the purchase key rides in a hidden field."""

    purchase_key = HiddenField(validators=[InputRequired(), Length(max=64)])
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter the 6-digit code from the email.")),
            Length(max=20, message=_l("Enter the 6-digit code from the email.")),
        ],
    )


class ResendCodeForm(FlaskForm):
    """'Send me a new code': the purchase key in a hidden field."""

    purchase_key = HiddenField(validators=[InputRequired(), Length(max=64)])


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


def _code_page(
    form: ConfirmCodeForm,
    participant: Participant | None,
    status: int = 200,
    problem: str | None = None,
):
    """The code page of the purchase in `form`'s key: where the code went, until when it
    works, the form, 'send me a new code' and help for whoever did not get it."""
    key = form.purchase_key.data or ""
    row: PurchaseCode | None = (
        checkout.pending_purchase(participant, key) if participant is not None else None
    )
    now = utcnow()
    resend_at = row.created_at + checkout.RESEND_AFTER if row is not None else None
    return (
        render_template(
            "checkout/code.html",
            form=form,
            resend_form=ResendCodeForm(formdata=None, purchase_key=key),
            course=row.course if row is not None else None,
            expires_at=row.expires_at if row is not None else None,
            expired=row is not None and row.expires_at <= now,
            resend_at=resend_at if resend_at is not None and resend_at > now else None,
            address=masked_address(current_user.email),
            minutes=int(checkout.CODE_VALID_FOR.total_seconds() // 60),
            help_link=_help_link(),
            problem=problem,
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
    code_form = ConfirmCodeForm(formdata=None, purchase_key=row.purchase_key)
    return _code_page(code_form, participant)


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
        return _code_page(form, participant, status=400)
    try:
        order = checkout.confirm(participant, key, form.code.data, utcnow(), order_link=_order_link)
    except checkout.PurchaseNotFound:
        abort(404)
    except checkout.WrongCode as error:
        # Refused, yet the wrong code stays counted (the fifth voids the purchase): the
        # service marked its transaction `keep_despite_refusal`.
        form.code.errors = [error_message(error)]
        return _code_page(form, participant, status=400)
    except DomainError as error:
        if error.field == "code":
            form.code.errors = [error_message(error)]
        else:
            flash(error_message(error), "error")
        return _code_page(form, participant, status=400)
    flash(gettext("Your purchase is complete."), "success")
    return redirect(url_for("checkout.order", order_id=order.id))


def _resend_key() -> str:
    """The limiter's key: the signed-in account (its id)."""
    user = signed_in_user()
    return f"resend:user:{user.id}" if user is not None else f"resend:{get_remote_address()}"


def _code_was_sent(response) -> bool:
    """Only a code actually sent counts against RESENDS (the page is shown again, 200)."""
    return response.status_code == 200


@bp.route("/checkout/resend", methods=["POST"])
@limiter.limit(RESENDS, key_func=_resend_key, methods=["POST"], deduct_when=_code_was_sent)
@participant_required
def resend():
    """Mail a new code for the purchase; the earlier code stops working (see
    `checkout.resend_code`). Too soon after the last one: 429 and when it may be asked."""
    participant = _participant()
    form = ResendCodeForm()
    key = form.purchase_key.data or ""
    if participant is None or not key or len(key) > 64:
        abort(404)
    code_form = ConfirmCodeForm(formdata=None, purchase_key=key)
    if not form.validate_on_submit():
        return _code_page(code_form, participant, status=400)
    try:
        checkout.resend_code(participant, key, utcnow())
    except checkout.PurchaseNotFound:
        abort(404)
    except checkout.PurchaseComplete as done:
        flash(gettext("Your purchase is complete."), "success")
        return redirect(url_for("checkout.order", order_id=done.order.id))
    except checkout.TooSoon as error:
        problem = gettext(error.message, time=wib(error.again_at, with_date=False))
        return _code_page(code_form, participant, status=429, problem=problem)
    except DomainError as error:
        return _code_page(code_form, participant, status=400, problem=error_message(error))
    flash(
        gettext(
            "We sent a new code to %(address)s. The code in any earlier email no longer works.",
            address=masked_address(current_user.email),
        ),
        "success",
    )
    return _code_page(code_form, participant)


@bp.errorhandler(429)
def too_many_codes(error):
    """The limit of new codes per account (the blueprint's only limit): the code page again,
    saying when a new code may be asked for."""
    limit = limiter.current_limit
    again = (
        datetime.fromtimestamp(limit.reset_at, UTC).replace(tzinfo=None)
        if limit is not None
        else None
    )
    when = ""
    if again is not None:
        same_day = jakarta_date(again) == jakarta_date(utcnow())
        when = wib(again, with_date=not same_day)
    problem = gettext(TOO_MANY_RESENDS, time=when)
    participant = _participant() if signed_in_user() is not None else None
    key = request.form.get("purchase_key", "")
    if participant is None or not key or len(key) > 64:
        return (
            render_template(
                "errors/error.html",
                code=429,
                title=TITLES[429],
                explanation=EXPLANATIONS[429],
                description=problem,
            ),
            429,
        )
    return _code_page(ConfirmCodeForm(formdata=None, purchase_key=key), participant, 429, problem)


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
    steps = [
        {"text": _say(step.message, step.values), "link": step.link}
        for step in receipt.next_steps(found, current_user.email)
    ]
    return render_template(
        "checkout/order.html",
        order=found,
        course=found.course,
        session=session,
        window=redemption.redeem_window(session) if session is not None else None,
        balance=card.account.balance if card is not None else None,
        platform=found.course.platform,
        platform_link=receipt.platform_link(found),
        steps=steps,
        until=_say(*receipt.until_when(found)),
        statuses=ORDER_STATUSES,
        tags=ORDER_TAGS,
    )
