"""The scheme's evaluation surveys: which a participant may answer and when, and their answers.

The surveys are data (`SURVEYS`, per scheme code, never more than the scheme's
`survey_count`). The first opens when the participant's first course is completed and
reviewed (`learning.reviews.completed_and_reviewed`: the first such order's `completed_at`);
each later one a number of calendar months after the first (`schedule.add_months`):

- 2020: after the first training; at the end of the incentive period, 3 months after the first
  (when the 4th monthly incentive falls due); a closing survey, 6 months after the first.
- 2023: after the first training; a closing survey, 3 months after the first.

A survey is open from its date until it is answered, once (the unique (participant, number) of
`SurveyResponse` decides a double submit: the second is refused as answered already). A
blocked participant answers none until the programme office lifts the block. Answering stores
the answers (they feed the public statistics) and adds the survey's payment of the scheme's
`survey_incentive`, due at once, through `schedule.add_payment` (the one place a payment is
created, holding the caps). Every refusal is a DomainError and changes nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.core import N_, DomainError, audit
from marketplace.core.inputs import whole_number
from marketplace.extensions import db
from marketplace.incentives import schedule
from marketplace.incentives.models import (
    Employment,
    IncentivePayment,
    IncomeChange,
    PaymentKind,
    SurveyResponse,
)
from marketplace.learning.reviews import completed_and_reviewed
from marketplace.people.models import Participant


@dataclass(frozen=True)
class Survey:
    """One of a scheme's surveys: its number (from 1), what it is called and asks about, and
    when it opens, in calendar months after the first survey opens."""

    number: int
    title: str  # an English message id (N_), translated where it is shown
    purpose: str
    months_after_first: int


AFTER_TRAINING = Survey(
    1,
    N_("Survey after your first training"),
    N_("How you are doing right after your first course."),
    0,
)


def _end_of_incentives(number: int, months: int) -> Survey:
    return Survey(
        number,
        N_("Survey at the end of the incentive period"),
        N_("What has changed in your work and income in the months since your training."),
        months,
    )


def _closing(number: int, months: int) -> Survey:
    return Survey(
        number,
        N_("Closing survey"),
        N_("A last look at what the programme changed for you."),
        months,
    )


SURVEYS: dict[str, tuple[Survey, ...]] = {
    "2020": (AFTER_TRAINING, _end_of_incentives(2, 3), _closing(3, 6)),
    "2023": (AFTER_TRAINING, _closing(2, 3)),
}
MONTHS_APART = 3  # a scheme not listed above: one survey every three months, the last closing

# The answers, each read from the form's text or given as it is stored.
QUESTIONS = ("employment", "income_change", "usefulness", "would_recommend")
LEAST_USEFUL, MOST_USEFUL = 1, 5
YES, NO = "yes", "no"

# The states of a survey for its participant, and why a locked one is locked.
LOCKED, OPEN, ANSWERED = "locked", "open", "answered"
NO_CARD, TRAINING, NOT_YET, BLOCKED = "no_card", "training", "not_yet", "blocked"

NO_SUCH_SURVEY = N_("There is no such survey in your scheme.")
ALREADY_ANSWERED = N_("You have already answered this survey.")
NOT_A_CARD_HOLDER = N_("Surveys are for Kartu Prakerja holders.")
BEFORE_TRAINING = N_("This survey opens once your first course is completed and you have rated it.")
OPENS_LATER = N_("This survey opens on %(date)s.")
BLOCKED_PARTICIPANT = N_(
    "The programme office has blocked your account, so you can't answer surveys for now. "
    "Contact the programme office to ask why and how to lift the block."
)
LOCKED_BECAUSE = {
    NO_CARD: NOT_A_CARD_HOLDER,
    TRAINING: BEFORE_TRAINING,
    NOT_YET: OPENS_LATER,
    BLOCKED: BLOCKED_PARTICIPANT,
}
CHOOSE_EMPLOYMENT = N_("Choose what you do now.")
CHOOSE_INCOME = N_("Choose how your income has changed.")
CHOOSE_USEFULNESS = N_("Choose how useful the training was, from 1 to 5.")
CHOOSE_RECOMMEND = N_("Choose whether you would recommend Kartu Prakerja.")


@dataclass(frozen=True)
class SurveyView:
    """A survey as its participant sees it now."""

    number: int
    title: str  # message id
    purpose: str  # message id
    opens_at: datetime | None  # UTC; None while the first course is not completed and reviewed
    state: str  # LOCKED, OPEN or ANSWERED
    why: str | None = None  # a locked survey's reason: NO_CARD, TRAINING, NOT_YET, BLOCKED
    answered_at: datetime | None = None
    payment: IncentivePayment | None = None  # the survey's payment, once answered

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    def refusal(self) -> DomainError | None:
        """Why the survey can't be answered now, as a DomainError; None when it is open."""
        if self.state == ANSWERED:
            return DomainError(ALREADY_ANSWERED)
        if self.state == LOCKED:
            return DomainError(LOCKED_BECAUSE[self.why], date=self.opens_at)
        return None


def surveys_of(scheme) -> tuple[Survey, ...]:
    """The scheme's surveys in order, never more than its `survey_count`."""
    count = max(scheme.survey_count or 0, 0)
    defined = SURVEYS.get(scheme.code)
    if defined is None:
        defined = tuple(
            AFTER_TRAINING
            if number == 1
            else (_closing if number == count else _end_of_incentives)(
                number, MONTHS_APART * (number - 1)
            )
            for number in range(1, count + 1)
        )
    return defined[:count]


def first_opens_at(participant: Participant) -> datetime | None:
    """When the first survey opens: the completion of the participant's first course that is
    completed and reviewed; None while there is none."""
    orders = completed_and_reviewed(participant)
    return orders[0].completed_at if orders else None


def opens_at(survey: Survey, first: datetime | None) -> datetime | None:
    """When `survey` opens, given when the first one does."""
    return None if first is None else schedule.add_months(first, survey.months_after_first)


def _responses(participant: Participant) -> dict[int, SurveyResponse]:
    rows = db.session.scalars(
        sa.select(SurveyResponse).where(SurveyResponse.participant_id == participant.id)
    )
    return {row.number: row for row in rows}


def _payments(participant: Participant) -> dict[int, IncentivePayment]:
    rows = db.session.scalars(
        sa.select(IncentivePayment).where(
            IncentivePayment.participant_id == participant.id,
            IncentivePayment.kind == PaymentKind.SURVEY,
        )
    )
    return {row.number: row for row in rows}


def for_participant(participant: Participant | None, now: datetime) -> list[SurveyView]:
    """The participant's surveys in order, each locked (with why), open or answered (with
    when and its payment); an empty list for a participant without a card (no scheme, no
    survey). Reads only."""
    scheme = schedule.scheme_of(participant) if participant is not None else None
    if scheme is None:
        return []
    first = first_opens_at(participant)
    answered = _responses(participant)
    payments = _payments(participant)
    views = []
    for survey in surveys_of(scheme):
        when = opens_at(survey, first)
        response = answered.get(survey.number)
        common = dict(
            number=survey.number,
            title=survey.title,
            purpose=survey.purpose,
            opens_at=when,
            payment=payments.get(survey.number),
        )
        if response is not None:
            views.append(SurveyView(state=ANSWERED, answered_at=response.submitted_at, **common))
        elif participant.blocked_at is not None:
            views.append(SurveyView(state=LOCKED, why=BLOCKED, **common))
        elif when is None:
            views.append(SurveyView(state=LOCKED, why=TRAINING, **common))
        elif when > now:
            views.append(SurveyView(state=LOCKED, why=NOT_YET, **common))
        else:
            views.append(SurveyView(state=OPEN, **common))
    return views


def survey_for(participant: Participant | None, number: int, now: datetime) -> SurveyView | None:
    """The participant's survey `number` as they see it now; None when the scheme has none."""
    for view in for_participant(participant, now):
        if view.number == number:
            return view
    return None


# --- reading the answers ---------------------------------------------------------------------


def _choice(value, kind, message: str, field: str):
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        for member in kind:
            if member.value == value:
                return member
    raise DomainError(message, field=field)


def _usefulness(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value if LEAST_USEFUL <= value <= MOST_USEFUL else None
    elif isinstance(value, str):
        number = whole_number(value, lowest=LEAST_USEFUL, highest=MOST_USEFUL)
    else:
        number = None
    if number is None:
        raise DomainError(CHOOSE_USEFULNESS, field="usefulness")
    return number


def _recommend(value) -> bool:
    if isinstance(value, bool):
        return value
    if value == YES:
        return True
    if value == NO:
        return False
    raise DomainError(CHOOSE_RECOMMEND, field="would_recommend")


def read_answers(answers) -> tuple[Employment, IncomeChange, int, bool]:
    """(employment, income change, usefulness 1-5, would recommend) from `answers`, a mapping
    of QUESTIONS to the form's values ("employed", "3", "yes") or the stored types; every
    answer missing or out of its choices refused at once (DomainError.several)."""
    answers = answers if isinstance(answers, Mapping) else {}
    readers = (
        lambda: _choice(answers.get("employment"), Employment, CHOOSE_EMPLOYMENT, "employment"),
        lambda: _choice(answers.get("income_change"), IncomeChange, CHOOSE_INCOME, "income_change"),
        lambda: _usefulness(answers.get("usefulness")),
        lambda: _recommend(answers.get("would_recommend")),
    )
    read, errors = [], []
    for reader in readers:
        try:
            read.append(reader())
        except DomainError as error:
            errors.append(error)
    if errors:
        raise DomainError.several(errors)
    return tuple(read)


# --- answering -------------------------------------------------------------------------------


def submit(participant: Participant | None, number: int, answers, now: datetime) -> SurveyResponse:
    """Store the participant's answers to survey `number` and add its payment (the scheme's
    `survey_incentive`, due now). Refused (DomainError, nothing written) for a survey the
    scheme does not have, one not open (before its date, before the first course is
    completed and reviewed, a blocked participant), one answered already, or answers missing
    or out of their choices."""
    view = survey_for(participant, number, now)
    if view is None:
        raise DomainError(NOT_A_CARD_HOLDER if participant is None else NO_SUCH_SURVEY)
    refused = view.refusal()
    if refused is not None:
        raise refused
    employment, income_change, usefulness, would_recommend = read_answers(answers)
    response = SurveyResponse(
        participant_id=participant.id,
        number=number,
        employment=employment,
        income_change=income_change,
        usefulness=usefulness,
        would_recommend=would_recommend,
        submitted_at=now,
    )
    attempt = db.session.begin_nested()
    try:
        db.session.add(response)
        db.session.flush()
    except IntegrityError:
        # A double submit racing this one stored its answers first (PostgreSQL: the unique
        # index waited for it to commit).
        attempt.rollback()
        raise DomainError(ALREADY_ANSWERED) from None
    attempt.commit()
    scheme = schedule.scheme_of(participant)
    payment = schedule.add_payment(
        participant, PaymentKind.SURVEY, number, scheme.survey_incentive, now, now
    )
    audit.record(
        "survey.answered",
        f"survey_response:{response.id}",
        actor=participant.user,
        number=number,
        incentive_payment_id=payment.id,
    )
    return response
