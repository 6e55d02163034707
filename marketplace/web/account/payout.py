"""/account/payout: the participant's payout account (the e-wallet or bank account that
incentives are paid to), linked or changed in two steps (incentives/payout_accounts.py).

- GET shows the current account (held while a change waits CHANGE_HOLD), the code step
  when a code was sent and still waits, and the form to link or change the account.
- POST /account/payout (step 1): the channel and the number; checked, the bank asked whose
  account it is, the name compared with the KTP name, and a code mailed; then back to the
  page (PRG), which shows the code step.
- POST /account/payout/confirm (step 2): the code; the account is linked.
- POST /account/payout/resend: a new code for the same account (older codes stop working).

Step 1 and a new code need a fresh sign-in: signed in (with the password) within
FRESH_SIGN_IN, as `session["signed_in_at"]` says (web/auth/views.py writes it); otherwise
the participant is sent to sign in again (/login?next=/account/payout&again=1) and told why.
The code itself is the proof at step 2.

Every refusal is a 4xx saying what to do, with nothing changed, except two kept on purpose:
a wrong code is counted and a number another participant holds is flagged for the office
(`keep_despite_refusal` in the operations). A bank that can't be reached is a 503 saying
nothing changed.
"""

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.core.database import reads_first
from marketplace.core.inputs import whole_number
from marketplace.extensions import limiter
from marketplace.incentives import channels, payout_accounts
from marketplace.incentives.gateway import Gateway
from marketplace.people.models import Participant
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.auth.limits import MAIL_PER_EMAIL, user_key
from marketplace.web.formatting import error_message, wib
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l

FRESH_SIGN_IN = 15 * 60  # seconds since the password was typed
# The codes mailed (step 1 and "send a new code"), per account; only codes sent count.
CODE_MAIL_SCOPE = "payout-code-mail"
STALE_SIGN_IN = _l(
    "For your safety, sign in again to link or change your payout account: your last sign-in "
    "was more than 15 minutes ago."
)


class PayoutAccountForm(FlaskForm):
    """Step 1: the channel (a radio of channels.all_channels()) and the number, as typed;
    every rule is the operation's."""

    channel = StringField(_l("Where should we send your payouts?"))
    number = StringField(
        _l("Phone number or account number"),
        validators=[Length(max=40, message=_l("That number is too long."))],
    )


class CodeForm(FlaskForm):
    """Step 2: the code from the email; the request's id rides in a hidden field."""

    request_id = HiddenField()
    code = StringField(
        _l("Code"),
        validators=[Length(max=20, message=_l("Enter the 6-digit code from the email."))],
    )


class ResendForm(FlaskForm):
    """'Send me a new code': the request's id in a hidden field."""

    request_id = HiddenField()


class _ConfiguredGateway:
    """The gateway the app's settings name, made when it is first asked: a missing setting
    is then told as a gateway that can't be reached, after the number's own checks."""

    def inquire(self, channel: str, account_number: str) -> str:
        return Gateway.of(current_app.config).inquire(channel, account_number)


def signed_in_recently() -> bool:
    """Whether this session's password sign-in was within FRESH_SIGN_IN."""
    at = session.get("signed_in_at")
    if not isinstance(at, int) or isinstance(at, bool):
        return False
    age = time.time() - at
    return -60 <= age <= FRESH_SIGN_IN  # a minute of clock difference between servers


def _sign_in_again():
    flash(str(STALE_SIGN_IN), "info")
    return redirect(url_for("auth.login", next=url_for("account.payout"), again=1))


def _participant() -> Participant | None:
    return participant_of(current_user)


def _request_id(value) -> int | None:
    return whole_number(value, lowest=1, highest=LARGEST_ID)


def _help_link() -> str:
    if "public.contact" in current_app.view_functions:
        return url_for("public.contact")
    return url_for("public.index")


def _page(
    participant: Participant | None,
    form: PayoutAccountForm | None = None,
    code_form: CodeForm | None = None,
    status: int = 200,
    problem: str | None = None,
    mismatch: payout_accounts.NameMismatch | None = None,
    phone_mismatch: bool = False,
):
    """The page: the current account, the code step when a code waits, the form."""
    now = utcnow()
    current = payout_accounts.current_account(participant) if participant else None
    waiting = payout_accounts.open_request(participant, now) if participant else None
    if code_form is not None and waiting is None:
        # No code waits any more (used, voided, too old): the refusal is told on its own.
        errors = [error for field in code_form for error in field.errors]
        problem = problem or " ".join(str(error) for error in errors) or None
        code_form = None
    if code_form is None and waiting is not None:
        code_form = CodeForm(formdata=None, request_id=str(waiting.id))
    elif code_form is not None:
        code_form.request_id.data = str(waiting.id)  # the code step is the newest request's
    return (
        render_template(
            "account/payout.html",
            participant=participant,
            current=current,
            current_channel=channels.find(current.channel) if current else None,
            held=current is not None and current.usable_from > now,
            waiting=waiting,
            waiting_label=(
                payout_accounts.account_label(waiting.channel, waiting.number) if waiting else None
            ),
            expired=waiting is not None and waiting.expires_at <= now,
            minutes=int(payout_accounts.CODE_VALID_FOR.total_seconds() // 60),
            hold_hours=int(payout_accounts.CHANGE_HOLD.total_seconds() // 3600),
            form=form or PayoutAccountForm(formdata=None),
            code_form=code_form,
            resend_form=ResendForm(formdata=None, request_id=str(waiting.id) if waiting else ""),
            channels=channels.all_channels(),
            registered_phone=channels.masked_phone(participant.phone) if participant else None,
            fresh=signed_in_recently(),
            again_link=url_for("auth.login", next=url_for("account.payout"), again=1),
            help_link=_help_link(),
            problem=problem,
            mismatch=mismatch,
            phone_mismatch=phone_mismatch,
            email=current_user.email,
        ),
        status,
    )


def _no_profile():
    flash(gettext("Fill in your profile first: payouts go to an account in your name."), "error")
    return _page(None, status=400)


def _not_found(participant: Participant):
    """A form without a request id of ours (a page kept from before, a hand-made POST)."""
    return _page(participant, status=400, problem=error_message(payout_accounts.RequestNotFound()))


def _code_was_sent(response) -> bool:
    """A code was mailed: the redirect after step 1 or after 'send me a new code'."""
    return response.status_code == 302 and "/login" not in response.headers.get("Location", "")


# Step 1 asks the bank whose name an account is in: tries per account are few, so that
# the form can't be used to look up the holders of other people's accounts.
ACCOUNT_INQUIRIES = "10 per hour;20 per day"


@bp.route("/account/payout", methods=["GET", "POST"])
@reads_first  # step 1 asks the bank over the network before it writes anything
@participant_required
@limiter.limit(ACCOUNT_INQUIRIES, key_func=user_key, methods=["POST"])
@limiter.shared_limit(
    MAIL_PER_EMAIL,
    CODE_MAIL_SCOPE,
    key_func=user_key,
    methods=["POST"],
    deduct_when=_code_was_sent,
)
def payout():
    """The payout account; POST is step 1 (the account, checked, and a code mailed)."""
    participant = _participant()
    if request.method == "GET":
        return _page(participant)
    if participant is None:
        return _no_profile()
    if not signed_in_recently():
        return _sign_in_again()
    form = PayoutAccountForm()
    if not form.validate_on_submit():
        return _page(participant, form, status=400)
    try:
        payout_accounts.request_link(
            participant, form.channel.data, form.number.data, _ConfiguredGateway(), utcnow()
        )
    except payout_accounts.BankUnreachable as error:
        return _page(participant, form, status=503, problem=error_message(error))
    except payout_accounts.NameMismatch as error:
        form.number.errors = [error_message(error)]
        return _page(participant, form, status=400, mismatch=error)
    except payout_accounts.AccountTaken as error:
        # Refused, yet the flag for the office stays (kept by the operation).
        form.number.errors = [error_message(error)]
        return _page(participant, form, status=409)
    except DomainError as error:
        field = form.channel if error.field == "channel" else form.number
        field.errors = [error_message(error)]
        phone_mismatch = isinstance(error, channels.PhoneMismatch)
        return _page(participant, form, status=400, phone_mismatch=phone_mismatch)
    flash(
        gettext(
            "We sent a code to %(email)s. Enter it below to link the account.",
            email=current_user.email,
        ),
        "success",
    )
    return redirect(url_for("account.payout", _anchor="code-step"))


@bp.route("/account/payout/confirm", methods=["POST"])
@participant_required
def payout_confirm():
    """Step 2: the code; the account is linked (or the change made, held for a day)."""
    participant = _participant()
    if participant is None:
        return _no_profile()
    form = CodeForm()
    request_id = _request_id(form.request_id.data)
    if request_id is None:
        return _not_found(participant)
    if not form.validate_on_submit():
        return _page(participant, code_form=form, status=400)
    now = utcnow()
    try:
        account = payout_accounts.confirm_link(participant, request_id, form.code.data, now)
    except payout_accounts.RequestNotFound:
        abort(404)
    except payout_accounts.AccountTaken as error:
        return _page(participant, code_form=form, status=409, problem=error_message(error))
    except DomainError as error:
        # A wrong code stays counted (the operation kept it); the rest changed nothing.
        if error.field == "code":
            form.code.errors = [error_message(error)]
            return _page(participant, code_form=form, status=400)
        return _page(participant, code_form=form, status=400, problem=error_message(error))
    label = payout_accounts.account_label(account.channel, account.number)
    if account.usable_from > now:
        flash(
            gettext(
                "Your payout account is now %(account)s. For your safety, payouts go to it "
                "from %(time)s.",
                account=label,
                time=wib(account.usable_from),
            ),
            "success",
        )
    else:
        flash(gettext("Your payout account %(account)s is linked.", account=label), "success")
    return redirect(url_for("account.payout"))


@bp.route("/account/payout/resend", methods=["POST"])
@participant_required
@limiter.shared_limit(
    MAIL_PER_EMAIL,
    CODE_MAIL_SCOPE,
    key_func=user_key,
    methods=["POST"],
    deduct_when=_code_was_sent,
)
def payout_resend():
    """A new code for the same account; the codes sent before stop working."""
    participant = _participant()
    if participant is None:
        return _no_profile()
    if not signed_in_recently():
        return _sign_in_again()
    form = ResendForm()
    request_id = _request_id(form.request_id.data)
    if request_id is None:
        return _not_found(participant)
    if not form.validate_on_submit():
        return _page(participant, status=400)
    try:
        payout_accounts.resend_code(participant, request_id, utcnow())
    except payout_accounts.RequestNotFound:
        abort(404)
    except DomainError as error:
        return _page(participant, status=400, problem=error_message(error))
    flash(
        gettext(
            "We sent a new code to %(email)s. The code in any earlier email no longer works.",
            email=current_user.email,
        ),
        "success",
    )
    return redirect(url_for("account.payout", _anchor="code-step"))
