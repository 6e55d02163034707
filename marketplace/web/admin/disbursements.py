"""/admin/disbursements: the programme office's view of the incentive and survey payments.

/admin/disbursements                               the number and total of the payments in
                                                   each state, the failed ones left for the
                                                   office, the account numbers flagged (each
                                                   with a form to resolve it), the latest
                                                   disbursement runs, and the payments found
                                                   by `state`, `kind`, `run` and `q` (a name
                                                   or email), 50 a page (`page`)
/admin/disbursements/payments/<id>                 one payment: where it goes, what the
                                                   gateway said, its webhook events and
                                                   ledger transactions; send it again (a
                                                   failed one) or cancel it with a reason
/admin/disbursements/payments/<id>/retry    POST   disbursement.retry
/admin/disbursements/payments/<id>/cancel   POST   disbursement.cancel
/admin/disbursements/flags/<id>/resolve     POST   office.resolve_flag

A run's payments are the list filtered by `run` (the runs' numbers link there). A filter or
page number that can't be read is a 400 saying why beside its field; an unknown payment or
flag is a 404; a refusal of the rules (a payment that is not failed sent again, a paid one
cancelled) is a 409 on the payment's page with the reason, nothing changed. Account numbers
are shown masked, NIKs masked. The queries are incentives/office.py's.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, NumberRange, Optional, ValidationError

from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.incentives import disbursement, office
from marketplace.incentives.models import PaymentKind, PaymentState
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.admin.forms import ConfirmForm
from marketplace.web.formatting import error_message
from marketplace.web.i18n import current_catalogue, gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import WholeNumberField
from marketplace.web.labels import PAYMENT_KINDS, PAYMENT_STATES, PAYMENT_TAGS
from marketplace.web.paging import page_or_400, within_pages

# What came of a webhook event (PayoutEvent.outcome; web/payouts and disbursement.apply).
EVENT_OUTCOMES = {
    "received": _l("Received, not applied yet"),
    "applied": _l("Applied"),
    "stale": _l("Known already: nothing changed"),
    "mismatch": _l("Another amount than the payment's: not applied"),
    "unknown": _l("No such payment"),
}
LEFT = "office"  # the state filter's value for the failed payments left for the office
STUCK = "stuck"  # and for the payments being paid for more than a day
STATE_CHOICES = (
    ("", _l("Every state")),
    *PAYMENT_STATES.items(),
    (LEFT, _l("Failed, left for the office")),
    (STUCK, _l("Being paid for more than a day")),
)
KIND_CHOICES = (("", _l("Both kinds")), *PAYMENT_KINDS.items())
RUN_UNREADABLE = _l("Enter the run's number as a whole number, like 12")


class PaymentFilter(Form):
    """The payments list's query string: a GET form that changes nothing (so no CSRF)."""

    state = SelectField(
        _l("State"),
        choices=list(STATE_CHOICES),
        default="",
        validate_choice=False,
        validators=[
            AnyOf(
                [value for value, _label in STATE_CHOICES],
                message=_l("Choose a state from the list"),
            )
        ],
    )
    kind = SelectField(
        _l("Kind of payment"),
        choices=list(KIND_CHOICES),
        default="",
        validate_choice=False,
        validators=[
            AnyOf(
                [value for value, _label in KIND_CHOICES],
                message=_l("Choose a kind of payment from the list"),
            )
        ],
    )
    run = WholeNumberField(
        _l("Disbursement run number"),
        highest=LARGEST_ID,
        message=RUN_UNREADABLE,
        validators=[Optional(), NumberRange(min=1, max=LARGEST_ID, message=RUN_UNREADABLE)],
    )
    q = StringField(
        _l("Participant's name or email"),
        validators=[
            Length(
                max=office.LONGEST_QUERY,
                message=_l("Enter at most %(longest)s characters", longest=office.LONGEST_QUERY),
            )
        ],
    )

    def validate_run(self, field) -> None:
        if field.data is not None and office.run_by_id(field.data) is None:
            raise ValidationError(
                gettext("There is no disbursement run %(number)s.", number=field.data)
            )

    def filters(self) -> office.Filters:
        state = self.state.data or ""
        return office.Filters(
            state=PaymentState(state) if state in PAYMENT_STATES else None,
            only_left_for_office=state == LEFT,
            only_stuck=state == STUCK,
            kind=PaymentKind(self.kind.data) if self.kind.data in PAYMENT_KINDS else None,
            run_id=self.run.data,
            query=office.cleaned_query(self.q.data),
        )

    def query(self) -> dict:
        """The filter as query values for the page links (empty ones left out)."""
        return {
            "state": self.state.data or None,
            "kind": self.kind.data or None,
            "run": self.run.data,
            "q": office.cleaned_query(self.q.data) or None,
        }

    @property
    def narrowed(self) -> bool:
        return any(value is not None for value in self.query().values())


class CancelForm(FlaskForm):
    """Cancel a payment: the reason is mailed to the participant (disbursement.cancel reads
    and refuses it)."""

    reason = TextAreaField(_l("Reason for cancelling"))


class ResolveForm(FlaskForm):
    """The office's note on a flagged account number (office.resolve_flag reads it)."""

    note = TextAreaField(_l("What you found and did"))


# --- what the pages show ----------------------------------------------------------------------


def said(text: str | None) -> str:
    """A payment's last message in the page's language: the marketplace's own messages are
    translated, the gateway's words shown as they came (never formatted)."""
    if not text:
        return ""
    return current_catalogue().ugettext(text)


def payment_name(payment) -> str:
    """A payment as the office names it, "Training incentive 2" or "Survey payment 1"."""
    if payment.kind is PaymentKind.INCENTIVE:
        return gettext("Training incentive %(number)s", number=payment.number)
    return gettext("Survey payment %(number)s", number=payment.number)


def _helpers() -> dict:
    return {
        "states": PAYMENT_STATES,
        "tags": PAYMENT_TAGS,
        "kinds": PAYMENT_KINDS,
        "said": said,
        "payment_name": payment_name,
        "account_shown": office.account_shown,
        "left_value": LEFT,
        "stuck_value": STUCK,
        "outcomes": EVENT_OUTCOMES,
    }


def _overview_page(
    form: PaymentFilter,
    results=None,
    status: int = 200,
    resolving: tuple[int, ResolveForm] | None = None,
    problem: str | None = None,
    problem_field: str | None = None,
):
    """The overview: counts, flags, runs and (when the filters could be read) the payments."""
    return (
        render_template(
            "admin/disbursements.html",
            form=form,
            overview=office.overview(),
            runs=office.recent_runs(),
            flags=office.open_flags(),
            results=results,
            destinations=office.destinations(results.items) if results is not None else {},
            resolving=resolving,
            problem=problem,
            problem_field=problem_field,
            **_helpers(),
        ),
        status,
    )


@bp.route("/disbursements")
@admin_required
def disbursements():
    """The payments by state, the flags, the runs, and the payments found by the filters."""
    form = PaymentFilter(request.args)
    page = page_or_400(request.args.get("page"))
    if not form.validate():
        return _overview_page(form, status=400)
    results = within_pages(office.payments(form.filters(), page))
    return _overview_page(form, results)


# --- one payment --------------------------------------------------------------------------


def _payment_or_404(payment_id: int):
    found = office.payment_by_id(payment_id)
    if found is None:
        abort(404)
    return found


def _payment_to_change_or_404(payment_id: int):
    found = office.payment_to_change(payment_id)
    if found is None:
        abort(404)
    return found


def _payment_page(payment, form: CancelForm, status: int = 200, problem: str | None = None):
    return (
        render_template(
            "admin/disbursements_payment.html",
            payment=payment,
            participant=payment.participant,
            account=office.destination_of(payment),
            run=office.run_by_id(payment.run_id) if payment.run_id is not None else None,
            events=office.events_of(payment.id),
            transactions=office.transactions_of(payment.id),
            can_retry=payment.state in disbursement.OPEN_TO_RETRY,
            can_cancel=payment.state in disbursement.OPEN_TO_CANCEL,
            left_for_office=payment.state is PaymentState.FAILED
            and payment.next_attempt_at is None,
            form=form,
            retry_form=ConfirmForm(formdata=None),
            problem=problem,
            **_helpers(),
        ),
        status,
    )


@bp.route("/disbursements/payments/<id:payment_id>")
@admin_required
def disbursement_payment(payment_id: int):
    """One payment, its events and transactions, and what the office may do with it."""
    return _payment_page(_payment_or_404(payment_id), CancelForm(formdata=None))


@bp.route("/disbursements/payments/<id:payment_id>/retry", methods=["POST"])
@admin_required
def disbursement_retry(payment_id: int):
    """Send a failed payment again at the next run."""
    payment = _payment_to_change_or_404(payment_id)
    before = payment.payout_account_id
    try:
        disbursement.retry(payment, current_user, utcnow())
    except DomainError as error:
        return _payment_page(
            _payment_or_404(payment_id), CancelForm(formdata=None), 409, error_message(error)
        )
    payment = _payment_or_404(payment_id)
    if payment.payout_account_id != before and payment.payout_account is not None:
        flash(
            gettext(
                "Payment %(number)s will be sent again in the next payout run, to the "
                "participant's new account %(account)s.",
                number=payment_id,
                account=office.account_shown(payment.payout_account),
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "Payment %(number)s will be sent again in the next payout run.",
                number=payment_id,
            ),
            "success",
        )
    return redirect(url_for("admin.disbursement_payment", payment_id=payment_id))


@bp.route("/disbursements/payments/<id:payment_id>/cancel", methods=["POST"])
@admin_required
def disbursement_cancel(payment_id: int):
    """Cancel a payment not being paid nor paid, with the reason the participant reads."""
    payment = _payment_to_change_or_404(payment_id)
    form = CancelForm()
    try:
        disbursement.cancel(payment, current_user, form.reason.data, utcnow())
    except DomainError as error:
        payment = _payment_or_404(payment_id)
        if error.field == "reason":
            form.reason.errors = [error_message(error)]
            return _payment_page(payment, form, 400)
        return _payment_page(payment, form, 409, error_message(error))
    flash(
        gettext(
            "Payment %(number)s is cancelled. The participant was sent an email with your reason.",
            number=payment_id,
        ),
        "success",
    )
    return redirect(url_for("admin.disbursement_payment", payment_id=payment_id))


# --- the flags ------------------------------------------------------------------------------


@bp.route("/disbursements/flags/<id:flag_id>/resolve", methods=["POST"])
@admin_required
def disbursement_flag_resolve(flag_id: int):
    """Close a flagged account number with the office's note."""
    flag = office.flag_by_id(flag_id)
    if flag is None:
        abort(404)
    form = ResolveForm()
    try:
        office.resolve_flag(flag, current_user, form.note.data, utcnow())
    except DomainError as error:
        listing = PaymentFilter()
        results = within_pages(office.payments(listing.filters(), 1))
        if error.field == "note":
            form.note.errors = [error_message(error)]
            return _overview_page(
                listing,
                results,
                400,
                resolving=(flag_id, form),
                problem=form.note.errors[0],
                problem_field=f"note-{flag_id}",
            )
        return _overview_page(listing, results, 409, problem=error_message(error))
    flash(gettext("The flag is resolved, with your note."), "success")
    return redirect(url_for("admin.disbursements", _anchor="flags"))
