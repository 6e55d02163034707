"""Starting a self-paced course (orders/redemption.start_self_paced): the participant types the
order's voucher code, read as forgivingly as at the provider's desk; every refusal changes
nothing; nothing of the course opens before it is started, and a refund closes it all again.
Runs on SQLite and PostgreSQL (scripts/with-postgres.sh)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_holders
from support.learning_rows import events, learn_modules, refund, take, write_bank

from marketplace.catalogue.models import Provider
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.learning import assessments, journey, lessons
from marketplace.learning.journey import CourseState, StepState
from marketplace.learning.models import Assessment, AssessmentKind, ModuleProgress
from marketplace.orders import redemption
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant

NOT_THIS_CODE = "This is not the voucher code of this course. It is on your order page."


@pytest.fixture
def order(app, shop):
    """The shop's buyer's paid order of the self-paced course, its bank written; its id."""
    with app.app_context():
        write_bank(shop.self_paced)
        row = buy(shop, shop.self_paced)
        db.session.commit()
        return row.id


def _order(order_id) -> Order:
    return db.session.get(Order, order_id)


def _start(order_id, code, now, who=None):
    row = _order(order_id)
    participant = db.session.get(Participant, who or row.participant_id)
    return redemption.start_self_paced(row, participant, code, now)


def _unchanged(order_id):
    """The order is as bought: paid, not redeemed, no redemption audited."""
    db.session.expire_all()
    row = _order(order_id)
    assert row.status is OrderStatus.PAID
    assert row.redeemed_at is None
    assert events("order.redeemed") == []


def _refused(order_id, code, now, who=None) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _start(order_id, code, now, who)
    assert refused.value.field == "code"
    return refused.value


# --- the right code --------------------------------------------------------------------------


def test_the_voucher_code_starts_the_course_and_is_audited(app, shop, order):
    with app.app_context():
        row = _order(order)
        started_at = shop.now + timedelta(hours=2)
        assert _start(order, row.voucher_code, started_at) is row
        assert row.status is OrderStatus.REDEEMED and row.redeemed_at == started_at
        (event,) = events("order.redeemed", f"order:{order}")
        assert event.actor_id == row.participant.user_id
        assert event.detail == {"code": "voucher", "by": "participant"}
        assert journey.journey(row, started_at).state is CourseState.IN_PROGRESS


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code.lower(),
        lambda code: redemption.grouped(code),  # VCxx-xxxx-xxxx, as the order page shows it
        lambda code: " ".join(redemption.grouped(code).lower().split("-")),
        lambda code: f"  {code[:6]} . {code[6:]}\n",
    ],
)
def test_any_case_spaces_dashes_and_dots_are_read(app, shop, order, spelling):
    with app.app_context():
        row = _order(order)
        _start(order, spelling(row.voucher_code), shop.now)
        assert row.status is OrderStatus.REDEEMED


def test_look_alikes_are_read_as_at_the_desk(app, shop, order):
    """An old code (made before the alphabet without look-alikes) typed with 0 for Q, I for L,
    2 for Z, 5 for S and B for 8 starts the course, as it would be taken at the desk."""
    with app.app_context():
        row = _order(order)
        row.voucher_code = "VCQLZS8BACDE"
        db.session.flush()
        typed = "vc-0i25-b8ac-de"
        assert row.voucher_code in redemption.spellings(typed)  # as the desk reads it
        _start(order, typed, shop.now)
        assert row.status is OrderStatus.REDEEMED


# --- refused, nothing changed ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "VC",
        "kode voucher saya",
        "VCAAAAAAAAAA",
        "VC" + "A" * 200,
    ],
)
def test_a_wrong_code_is_refused(app, shop, order, typed):
    with app.app_context():
        assert _refused(order, typed, shop.now).message == NOT_THIS_CODE
        _unchanged(order)


def test_the_code_of_another_order_is_refused(app, shop, order):
    (someone,) = card_holders(app, 1, shop.now)
    with app.app_context():
        other = buy(shop, shop.other, who=someone)
        db.session.commit()
        assert _refused(order, other.voucher_code, shop.now).message == NOT_THIS_CODE
        _unchanged(order)
        assert other.status is OrderStatus.PAID


def test_a_code_one_character_off_is_refused(app, shop, order):
    with app.app_context():
        code = _order(order).voucher_code
        last = redemption.CODE_ALPHABET[
            (redemption.CODE_ALPHABET.index(code[-1]) + 1) % len(redemption.CODE_ALPHABET)
        ]
        assert _refused(order, code[:-1] + last, shop.now).message == NOT_THIS_CODE
        _unchanged(order)


def test_another_participants_order_is_refused_even_with_its_code(app, shop, order):
    (stranger,) = card_holders(app, 1, shop.now)
    with app.app_context():
        code = _order(order).voucher_code
        refused = _refused(order, code, shop.now, who=stranger)
        assert refused.message == "This is not your order."
        _unchanged(order)


def test_a_course_with_a_session_is_started_at_the_desk_not_here(app, shop):
    with app.app_context():
        row = buy(shop, shop.webinar, shop.webinar_session)
        db.session.commit()
        for code in (row.voucher_code, row.redeem_code):
            refused = _refused(row.id, code, shop.now)
            assert refused.message == (
                "This course has a session: it starts when the provider takes your redeem code."
            )
        _unchanged(row.id)


def test_a_refunded_order_can_not_be_started(app, shop, order):
    with app.app_context():
        refund(_order(order), shop.now)
        db.session.commit()
        refused = _refused(order, _order(order).voucher_code, shop.now)
        assert refused.message == "This code has been cancelled: the purchase was refunded."
        row = _order(order)
        assert row.status is OrderStatus.REFUNDED and row.redeemed_at is None
        assert events("order.redeemed") == []


def test_a_started_course_is_not_started_again(app, shop, order):
    with app.app_context():
        row = _order(order)
        _start(order, row.voucher_code, shop.now)
        db.session.commit()
        refused = _refused(order, row.voucher_code, shop.now + timedelta(days=1))
        assert refused.message == "This code has already been used, on %(when)s."
        assert refused.params == {"when": shop.now}
        db.session.expire_all()
        assert _order(order).redeemed_at == shop.now
        assert len(events("order.redeemed")) == 1


def test_a_course_started_at_the_desk_is_not_started_again(app, shop, order):
    with app.app_context():
        row = _order(order)
        desk_taken = redemption.redeem(
            db.session.get(Provider, shop.provider_id), row.voucher_code, shop.now
        )
        assert desk_taken is row
        refused = _refused(order, row.voucher_code, shop.now + timedelta(hours=1))
        assert refused.params == {"when": shop.now}
        assert len(events("order.redeemed")) == 1


# --- nothing opens before the start; a refund closes everything --------------------------------


def _try_everything(row: Order, now) -> list[DomainError]:
    """Open the first module and start each test; the refusals, one per attempt."""
    who = row.participant
    module = row.course.modules[0]
    refusals = []
    attempts = [
        lambda: lessons.open_module(row, who, module, now),
        lambda: assessments.start(row, who, AssessmentKind.PRE_TEST, now),
        lambda: assessments.start(row, who, AssessmentKind.QUIZ, now, module=module),
        lambda: assessments.start(row, who, AssessmentKind.POST_TEST, now),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as refused:
            attempt()
        refusals.append(refused.value)
    return refusals


def _learning_rows(order_id) -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).where(ModuleProgress.order_id == order_id)),
        db.session.scalar(sa.select(sa.func.count()).where(Assessment.order_id == order_id)),
    )


def test_nothing_opens_before_the_course_is_started(app, shop, order):
    with app.app_context():
        row = _order(order)
        refusals = _try_everything(row, shop.now)
        assert {refused.message for refused in refusals} == {lessons.NOT_STARTED}
        assert _learning_rows(order) == (0, 0)
        where = journey.journey(row, shop.now)
        assert where.state is CourseState.NOT_STARTED
        assert {step.state for step in where.steps} == {StepState.LOCKED}


def test_a_refund_closes_a_started_course_and_its_open_try(app, shop, order):
    with app.app_context():
        row = _order(order)
        _start(order, row.voucher_code, shop.now)
        take(row, AssessmentKind.PRE_TEST, shop.now)
        later = learn_modules(row, shop.now)
        open_try = assessments.start(row, row.participant, AssessmentKind.POST_TEST, later)
        before = _learning_rows(order)
        refund(row, later)
        db.session.commit()

        row = _order(order)
        refusals = _try_everything(row, later)
        assert {refused.message for refused in refusals} == {lessons.REFUNDED}
        with pytest.raises(DomainError) as refused:
            assessments.submit(open_try, row.participant, {}, later)
        assert refused.value.message == lessons.REFUNDED
        assert _learning_rows(order) == before
        assert db.session.get(Assessment, open_try.id).submitted_at is None
        where = journey.journey(row, later)
        assert where.state is CourseState.REFUNDED
        assert {step.state for step in where.steps if step.state is not StepState.DONE} == {
            StepState.LOCKED
        }
