"""/account/incentives and /account/surveys/<n>: what the programme pays the participant, and
the evaluation surveys.

The incentives page lists every payment (the training incentives and the surveys' payments)
with its state in plain words, where it goes (the current payout account, or a link to link
one), why due payments are held (an account changed less than 24 hours ago, a block by the
programme office, a frozen card), the surveys, and, while no training incentive is
scheduled, what is missing in order: complete a course, rate it, link a payout account.

A survey's page shows its questions while it is open (radio buttons; the rules are
incentives/surveys.py's), or why it is locked, or when it was answered. A refused answer is a
400 with a message per question, a survey not open a 409 with the reason; nothing is
written. Both pages are read only on GET; the blueprint keeps them out of every cache.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import StringField

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.indonesia import rupiah
from marketplace.extensions import db
from marketplace.incentives import payout_accounts, surveys
from marketplace.incentives.models import (
    IncentivePayment,
    PaymentKind,
    PayoutAccount,
)
from marketplace.learning import reviews
from marketplace.money.models import CardStatus
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l

# The survey's answers, in the order the page asks them (values are the stored enums').
EMPLOYMENT_CHOICES = (
    ("employed", _l("Working for an employer")),
    ("self_employed", _l("Working for myself or running a business")),
    ("seeking", _l("Looking for work")),
    ("studying", _l("Studying or in training")),
    ("not_working", _l("Not working and not looking for work")),
)
INCOME_CHOICES = (
    ("up", _l("It went up")),
    ("same", _l("It stayed about the same")),
    ("down", _l("It went down")),
    ("no_income", _l("I have no income")),
)
USEFULNESS_CHOICES = (
    ("5", _l("5: very useful")),
    ("4", _l("4: useful")),
    ("3", _l("3: somewhat useful")),
    ("2", _l("2: a little useful")),
    ("1", _l("1: not useful")),
)
RECOMMEND_CHOICES = (
    (surveys.YES, _l("Yes, I would recommend it")),
    (surveys.NO, _l("No, I would not")),
)

# Why the gateway failed a payment, in plain words, and whether the participant's account is
# the problem (then linking another account in their own name fixes it). The gateway's
# `failure_code`s; any other is shown with the gateway's own message.
FAILURES = {
    "NAME_MISMATCH": (
        _l("The name on the receiving account is not the name on your KTP."),
        True,
    ),
    "ACCOUNT_NOT_FOUND": (
        _l("The bank or e-wallet has no account with this number."),
        True,
    ),
    "ACCOUNT_REJECTED": (
        _l("The bank or e-wallet refused payments to the account: it is closed or blocked."),
        True,
    ),
    "BANK_UNAVAILABLE": (
        _l("The receiving bank did not answer in time, so nothing was sent."),
        False,
    ),
}


class SurveyForm(FlaskForm):
    """The four questions; each answer is read (and refused) by incentives.surveys."""

    employment = StringField(_l("What do you do now?"))
    income_change = StringField(
        _l("How has your income changed since before you joined Kartu Prakerja?")
    )
    usefulness = StringField(_l("How useful was the training for your work?"))
    would_recommend = StringField(_l("Would you recommend Kartu Prakerja to a friend?"))

    def answers(self) -> dict:
        return {name: getattr(self, name).data for name in surveys.QUESTIONS}


@dataclass(frozen=True)
class Holds:
    """Why payments that are due are not sent now (each None/False when it does not hold)."""

    account_from: datetime | None  # a changed account takes payouts from then
    blocked_reason: str | None  # the office's reason ("" when it gave none)
    card_frozen: bool
    no_account: bool

    @property
    def any(self) -> bool:
        return bool(
            self.account_from
            or self.blocked_reason is not None
            or self.card_frozen
            or self.no_account
        )


@dataclass(frozen=True)
class Missing:
    """The conditions of the training incentives, in order, and the links to meet them."""

    completed: bool
    reviewed: bool
    account: bool
    review_order_id: int | None  # a completed course waiting for its rating


def _payments(participant: Participant) -> list[IncentivePayment]:
    kind_order = sa.case((IncentivePayment.kind == PaymentKind.INCENTIVE, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(IncentivePayment)
            .where(IncentivePayment.participant_id == participant.id)
            .options(joinedload(IncentivePayment.payout_account))
            .order_by(IncentivePayment.due_at, kind_order, IncentivePayment.number)
        )
    )


def _holds(participant: Participant, account: PayoutAccount | None, now: datetime) -> Holds:
    card = participant.card
    return Holds(
        account_from=account.usable_from
        if account is not None and account.usable_from > now
        else None,
        blocked_reason=(participant.blocked_reason or "")
        if participant.blocked_at is not None
        else None,
        card_frozen=card is not None and card.status is CardStatus.FROZEN,
        no_account=account is None,
    )


def _missing(participant: Participant, account: PayoutAccount | None) -> Missing:
    completed = list(
        db.session.scalars(
            sa.select(Order)
            .where(Order.participant_id == participant.id, Order.status == OrderStatus.COMPLETED)
            .order_by(Order.completed_at, Order.id)
        )
    )
    waiting = next((order for order in completed if reviews.awaiting_review(order)), None)
    return Missing(
        completed=bool(completed),
        reviewed=bool(reviews.completed_and_reviewed(participant)),
        account=account is not None,
        review_order_id=waiting.id if waiting is not None else None,
    )


def account_name(account: PayoutAccount) -> str:
    """A payout account as the pages show it: "BCA ••••••7890", "OVO 0812•••••890"."""
    return payout_accounts.account_label(account.channel, account.number)


def failure_of(payment: IncentivePayment) -> tuple[str, bool]:
    """(why a failed payment failed, in the page's language, and whether the participant's
    account is the problem)."""
    known = FAILURES.get(payment.failure_code or "")
    if known is not None:
        return str(known[0]), known[1]
    if payment.last_message:
        return payment.last_message, False
    return gettext("The bank or e-wallet did not say why."), False


def _helpers() -> dict:
    return {
        "account_name": account_name,
        "failure_of": failure_of,
    }


@bp.route("/account/incentives")
@participant_required
def incentives():
    """Every payment with its state, where it goes, what holds it, the surveys, and what is
    missing before the training incentives are scheduled."""
    now = utcnow()
    participant = participant_of(current_user)
    card = participant.card if participant is not None else None
    if card is None:
        return render_template("account/incentives.html", card=None, **_helpers())
    account = payout_accounts.current_account(participant)
    payments = _payments(participant)
    return render_template(
        "account/incentives.html",
        card=card,
        scheme=card.scheme,
        participant=participant,
        account=account,
        payments=payments,
        holds=_holds(participant, account, now),
        surveys=surveys.for_participant(participant, now),
        missing=None
        if any(payment.kind is PaymentKind.INCENTIVE for payment in payments)
        else _missing(participant, account),
        **_helpers(),
    )


def _survey_page(participant, view, form, status: int = 200, problem: str | None = None):
    card = participant.card
    account = payout_accounts.current_account(participant)
    return (
        render_template(
            "account/survey.html",
            survey=view,
            form=form,
            problem=problem,
            amount=card.scheme.survey_incentive,
            account=account,
            holds=_holds(participant, account, utcnow()),
            employment_choices=EMPLOYMENT_CHOICES,
            income_choices=INCOME_CHOICES,
            usefulness_choices=USEFULNESS_CHOICES,
            recommend_choices=RECOMMEND_CHOICES,
            **_helpers(),
        ),
        status,
    )


@bp.route("/account/surveys/<id:number>", methods=["GET", "POST"])
@participant_required
def survey(number: int):
    """Survey `number` of the participant's scheme: its questions while it is open; why it
    is locked, or when it was answered, otherwise. A survey the scheme has not is a 404."""
    participant = participant_of(current_user)
    view = surveys.survey_for(participant, number, utcnow())
    if view is None:
        abort(404)
    form = SurveyForm()
    if not form.validate_on_submit():
        return _survey_page(participant, view, form, 400 if form.is_submitted() else 200)
    try:
        surveys.submit(participant, number, form.answers(), utcnow())
    except DomainError as error:
        problems = []
        for refused in error.errors:
            field = getattr(form, refused.field, None) if refused.field else None
            if field is None:
                problems.append(error_message(refused))
            else:
                field.errors = [*field.errors, error_message(refused)]
        view = surveys.survey_for(participant, number, utcnow())
        if problems:
            return _survey_page(participant, view, form, 409, problem=" ".join(problems))
        return _survey_page(participant, view, form, 400)
    amount = rupiah(participant.card.scheme.survey_incentive)
    if payout_accounts.current_account(participant) is None:
        flash(
            gettext(
                "Thank you: your answers are saved. %(amount)s will be paid once you link a "
                "payout account.",
                amount=amount,
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "Thank you: your answers are saved. %(amount)s will be paid to your payout "
                "account.",
                amount=amount,
            ),
            "success",
        )
    return redirect(url_for("account.incentives"))
