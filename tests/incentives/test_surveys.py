"""The evaluation surveys (incentives/surveys.py): locked until the first course is completed
and reviewed, opening on the scheme's dates (2020: 0, 3 and 6 months; 2023: 0 and 3), answered
once with valid answers, and each answer adding one payment of the scheme's Rp50.000. Runs on
SQLite and PostgreSQL (scripts/with-postgres.sh)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_holders, race
from support.learning_rows import complete, events

from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.incentives import schedule, surveys
from marketplace.incentives.models import (
    Employment,
    IncentivePayment,
    IncomeChange,
    PaymentKind,
    PaymentState,
    SurveyResponse,
)
from marketplace.learning import reviews
from marketplace.people.models import Participant

REVIEW = "Materinya jelas dan langsung bisa dipraktikkan di tempat kerja."
ANSWERS = {
    "employment": "self_employed",
    "income_change": "up",
    "usefulness": "4",
    "would_recommend": "yes",
}


def _participant(participant_id) -> Participant:
    return db.session.get(Participant, participant_id)


def _trained(app, shop, scheme="2020", completed=True, reviewed=True) -> int:
    """A card holder of `scheme` who bought the shop's self-paced course and (unless told
    otherwise) completed it at shop.now and rated it; their id, committed."""
    (person,) = card_holders(app, 1, shop.now, scheme)
    with app.app_context():
        order = buy(shop, shop.self_paced, who=person)
        if completed:
            complete(order.id, shop.now)
            if reviewed:
                reviews.write_review(order, _participant(person), 5, REVIEW, shop.now)
        db.session.commit()
    return person


def _counts(participant_id) -> tuple[int, int]:
    """(survey responses, survey payments) of the participant."""
    responses = db.session.scalar(
        sa.select(sa.func.count(SurveyResponse.id)).where(
            SurveyResponse.participant_id == participant_id
        )
    )
    payments = db.session.scalar(
        sa.select(sa.func.count(IncentivePayment.id)).where(
            IncentivePayment.participant_id == participant_id,
            IncentivePayment.kind == PaymentKind.SURVEY,
        )
    )
    return responses, payments


def _states(participant_id, now) -> list[tuple[int, str, str | None]]:
    return [
        (view.number, view.state, view.why)
        for view in surveys.for_participant(_participant(participant_id), now)
    ]


# --- when a survey opens ---------------------------------------------------------------------


def test_surveys_are_locked_until_the_first_course_is_completed_and_reviewed(app, shop):
    bought = _trained(app, shop, completed=False)
    unrated = _trained(app, shop, reviewed=False)
    later = shop.now + timedelta(days=400)
    with app.app_context():
        for person in (bought, unrated):
            assert _states(person, later) == [
                (1, surveys.LOCKED, surveys.TRAINING),
                (2, surveys.LOCKED, surveys.TRAINING),
                (3, surveys.LOCKED, surveys.TRAINING),
            ]
            assert all(
                view.opens_at is None
                for view in surveys.for_participant(_participant(person), later)
            )
            with pytest.raises(DomainError) as refused:
                surveys.submit(_participant(person), 1, ANSWERS, later)
            assert refused.value.message == surveys.BEFORE_TRAINING
        db.session.rollback()
        assert _counts(bought) == _counts(unrated) == (0, 0)


def test_a_participant_without_a_card_has_no_survey(app, shop):
    with app.app_context():
        no_card = _participant(shop.no_card)
        assert surveys.for_participant(no_card, shop.now) == []
        assert surveys.for_participant(None, shop.now) == []
        with pytest.raises(DomainError) as refused:
            surveys.submit(no_card, 1, ANSWERS, shop.now)
        assert refused.value.message == surveys.NO_SUCH_SURVEY


def test_the_2020_surveys_open_after_training_then_three_and_six_months_later(app, shop):
    person = _trained(app, shop, scheme="2020")
    first = shop.now
    second, third = schedule.add_months(first, 3), schedule.add_months(first, 6)
    second_second = timedelta(seconds=1)
    with app.app_context():
        views = surveys.for_participant(_participant(person), first)
        assert [view.opens_at for view in views] == [first, second, third]
        assert [view.title for view in views] == [
            "Survey after your first training",
            "Survey at the end of the incentive period",
            "Closing survey",
        ]
        assert _states(person, first - second_second) == [
            (1, surveys.LOCKED, surveys.NOT_YET),
            (2, surveys.LOCKED, surveys.NOT_YET),
            (3, surveys.LOCKED, surveys.NOT_YET),
        ]
        assert _states(person, first) == [
            (1, surveys.OPEN, None),
            (2, surveys.LOCKED, surveys.NOT_YET),
            (3, surveys.LOCKED, surveys.NOT_YET),
        ]
        assert _states(person, second - second_second)[1] == (2, surveys.LOCKED, surveys.NOT_YET)
        with pytest.raises(DomainError) as refused:
            surveys.submit(_participant(person), 2, ANSWERS, second - second_second)
        assert refused.value.message == surveys.OPENS_LATER
        assert refused.value.params == {"date": second}
        assert _states(person, second)[1] == (2, surveys.OPEN, None)
        assert _states(person, third - second_second)[2] == (3, surveys.LOCKED, surveys.NOT_YET)
        assert _states(person, third) == [
            (1, surveys.OPEN, None),
            (2, surveys.OPEN, None),
            (3, surveys.OPEN, None),
        ]
        # The scheme has three: a fourth is no survey of it.
        assert surveys.survey_for(_participant(person), 4, third) is None
        with pytest.raises(DomainError) as refused:
            surveys.submit(_participant(person), 4, ANSWERS, third)
        assert refused.value.message == surveys.NO_SUCH_SURVEY


def test_the_2023_surveys_are_two_after_training_and_closing_three_months_later(app, shop):
    person = _trained(app, shop, scheme="2023")
    first = shop.now
    closing = schedule.add_months(first, 3)
    with app.app_context():
        views = surveys.for_participant(_participant(person), closing)
        assert [(view.number, view.opens_at, view.title) for view in views] == [
            (1, first, "Survey after your first training"),
            (2, closing, "Closing survey"),
        ]
        assert _states(person, closing - timedelta(seconds=1)) == [
            (1, surveys.OPEN, None),
            (2, surveys.LOCKED, surveys.NOT_YET),
        ]
        assert _states(person, closing) == [(1, surveys.OPEN, None), (2, surveys.OPEN, None)]
        with pytest.raises(DomainError) as refused:
            surveys.submit(_participant(person), 3, ANSWERS, closing)
        assert refused.value.message == surveys.NO_SUCH_SURVEY


def test_the_first_survey_opens_at_the_first_completion_that_is_reviewed(app, shop):
    """A course completed earlier but never rated does not open the surveys; the first one
    rated does, from its completion."""
    person = _trained(app, shop, reviewed=False)
    later = shop.now + timedelta(days=20)
    with app.app_context():
        order = buy(shop, shop.other, who=person)
        complete(order.id, later)
        reviews.write_review(order, _participant(person), 4, REVIEW, later)
        db.session.commit()
        views = surveys.for_participant(_participant(person), later)
        assert views[0].opens_at == later and views[0].state == surveys.OPEN


# --- answering ---------------------------------------------------------------------------------


def test_answering_stores_the_answers_and_one_payment_of_the_survey_incentive(app, shop):
    person = _trained(app, shop, scheme="2023")
    now = shop.now + timedelta(hours=2)
    with app.app_context():
        response = surveys.submit(_participant(person), 1, ANSWERS, now)
        db.session.commit()
        row = db.session.get(SurveyResponse, response.id)
        assert (
            row.participant_id,
            row.number,
            row.employment,
            row.income_change,
            row.usefulness,
            row.would_recommend,
            row.submitted_at,
        ) == (person, 1, Employment.SELF_EMPLOYED, IncomeChange.UP, 4, True, now)
        (payment,) = db.session.scalars(
            sa.select(IncentivePayment).where(IncentivePayment.participant_id == person)
        ).all()
        assert (payment.kind, payment.number, payment.amount) == (PaymentKind.SURVEY, 1, 50_000)
        assert (payment.state, payment.due_at) == (PaymentState.DUE, now)
        assert payment.idempotency_key and payment.payout_account_id is None
        (event,) = events("survey.answered")
        assert event.subject == f"survey_response:{row.id}"
        assert event.detail == {"number": 1, "incentive_payment_id": payment.id}
        assert event.actor_id == _participant(person).user_id
        view = surveys.survey_for(_participant(person), 1, now)
        assert (view.state, view.answered_at, view.payment.id) == (
            surveys.ANSWERED,
            now,
            payment.id,
        )
        # Stored types are read as well as the form's text.
        surveys.submit(
            _participant(person),
            2,
            {
                "employment": Employment.SEEKING,
                "income_change": IncomeChange.NO_INCOME,
                "usefulness": 1,
                "would_recommend": False,
            },
            schedule.add_months(shop.now, 3),
        )
        db.session.commit()
        assert _counts(person) == (2, 2)


def test_a_survey_is_answered_once(app, shop):
    person = _trained(app, shop)
    with app.app_context():
        surveys.submit(_participant(person), 1, ANSWERS, shop.now)
        db.session.commit()
        with pytest.raises(DomainError) as refused:
            surveys.submit(_participant(person), 1, {**ANSWERS, "usefulness": "1"}, shop.now)
        assert refused.value.message == surveys.ALREADY_ANSWERED
        db.session.rollback()
        assert _counts(person) == (1, 1)
        assert (
            db.session.scalar(
                sa.select(SurveyResponse.usefulness).where(SurveyResponse.participant_id == person)
            )
            == 4
        )


def test_two_answers_sent_at_once_store_one_and_pay_once(app, shop):
    person = _trained(app, shop)

    def answer(usefulness):
        return lambda: surveys.submit(
            _participant(person), 1, {**ANSWERS, "usefulness": usefulness}, shop.now
        )

    outcomes = race(app, [answer("5"), answer("2")])
    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(refused) == 1, outcomes
    assert refused[0].message == surveys.ALREADY_ANSWERED
    with app.app_context():
        assert _counts(person) == (1, 1)


def test_a_blocked_participant_answers_no_survey(app, shop):
    person = _trained(app, shop)
    with app.app_context():
        participant = _participant(person)
        participant.blocked_at = shop.now
        participant.blocked_reason = "Identitas ganda"
        db.session.commit()
        assert _states(person, shop.now)[0] == (1, surveys.LOCKED, surveys.BLOCKED)
        with pytest.raises(DomainError) as refused:
            surveys.submit(_participant(person), 1, ANSWERS, shop.now)
        assert refused.value.message == surveys.BLOCKED_PARTICIPANT
        db.session.rollback()
        assert _counts(person) == (0, 0)


@pytest.mark.parametrize(
    "answers, fields",
    [
        ({}, ["employment", "income_change", "usefulness", "would_recommend"]),
        (None, ["employment", "income_change", "usefulness", "would_recommend"]),
        ({**ANSWERS, "employment": "astronaut"}, ["employment"]),
        ({**ANSWERS, "income_change": "UP"}, ["income_change"]),
        ({**ANSWERS, "usefulness": "6"}, ["usefulness"]),
        ({**ANSWERS, "usefulness": "0"}, ["usefulness"]),
        ({**ANSWERS, "usefulness": "²"}, ["usefulness"]),
        ({**ANSWERS, "usefulness": True}, ["usefulness"]),
        ({**ANSWERS, "would_recommend": "maybe"}, ["would_recommend"]),
        ({**ANSWERS, "would_recommend": ["yes"]}, ["would_recommend"]),
    ],
)
def test_bad_answers_are_refused_each_by_its_question_and_nothing_is_stored(
    app, shop, answers, fields
):
    person = _trained(app, shop)
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            surveys.submit(_participant(person), 1, answers, shop.now)
        assert [error.field for error in refused.value.errors] == fields
        db.session.rollback()
        assert _counts(person) == (0, 0)
        assert _states(person, shop.now)[0] == (1, surveys.OPEN, None)
