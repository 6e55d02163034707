"""incentives/office.py: the office's reads of the payments (counts and totals by state, the
failed ones left for the office, filters, where each payment goes) and the one change it
makes, resolving a flagged account number with a note."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.incentive_rows import (
    completed_and_reviewed,
    follow_in_books,
    link_account,
    payments_of,
)

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.incentives import office
from marketplace.incentives.models import (
    IncentivePayment,
    PaymentKind,
    PaymentState,
    PayoutAccount,
    PayoutAccountFlag,
)
from marketplace.people.models import Participant, Role


def _set(payment_id: int, **values) -> None:
    db.session.execute(
        sa.update(IncentivePayment).where(IncentivePayment.id == payment_id).values(**values)
    )
    if "state" in values:
        follow_in_books(payment_id, values["state"])


@pytest.fixture
def two(app, shop):
    """Two participants with four scheduled incentives each; the first one's payments: one
    failed and left for the office, one failed and retried later, one cancelled."""
    people = completed_and_reviewed(app, shop, 2)
    with app.app_context():
        db.session.get(Participant, people[0]).full_name = "Dewi 100% Lestari"
        first = [payment.id for payment in payments_of(people[0])]
        _set(first[0], state=PaymentState.FAILED, next_attempt_at=None)
        _set(first[1], state=PaymentState.FAILED, next_attempt_at=shop.now + timedelta(hours=1))
        _set(first[2], state=PaymentState.CANCELLED, cancel_reason="Mengundurkan diri.")
        db.session.commit()
    return people, first


def test_counts_and_totals_by_state_with_every_state_named(app, two):
    with app.app_context():
        found = office.overview()

    assert list(found.states) == list(PaymentState)
    assert found.states[PaymentState.FAILED] == office.Tally(2, 1_200_000)
    assert found.states[PaymentState.CANCELLED] == office.Tally(1, 600_000)
    assert found.states[PaymentState.SCHEDULED].count + found.states[PaymentState.DUE].count == 5
    assert found.states[PaymentState.PAID] == office.Tally(0, 0)
    assert found.left_for_office == office.Tally(1, 600_000)
    assert found.total == office.Tally(8, 4_800_000)
    assert found.open_flags == 0


def test_filters_narrow_the_payments(app, two):
    people, first = two
    with app.app_context():

        def ids(**filters):
            return {p.id for p in office.payments(office.Filters(**filters)).items}

        assert ids(state=PaymentState.FAILED) == {first[0], first[1]}
        assert ids(only_left_for_office=True) == {first[0]}
        assert ids(kind=PaymentKind.SURVEY) == set()
        assert ids(query="100%") == set(first)  # "%" is the character, not a wildcard
        assert ids(query="10_%") == set()
        assert len(ids(query="@EXAMPLE.COM")) == 8  # part of an email, any case
        assert office.payments(office.Filters(), per_page=3).pages == 3


def test_a_payment_waiting_goes_to_the_current_account_one_sent_to_its_own(app, two, shop):
    people, first = two
    with app.app_context():
        old = db.session.scalar(
            sa.select(PayoutAccount).where(PayoutAccount.participant_id == people[0])
        )
        _set(first[0], payout_account_id=old.id)
        old.replaced_at = shop.now
        db.session.flush()
        new = link_account(people[0], shop.now, channel="bni", number="1234567890")
        payments = [db.session.get(IncentivePayment, payment_id) for payment_id in first]
        db.session.refresh(payments[0])

        goes = office.destinations(payments)

        assert goes[first[0]].id == old.id  # sent once: a retry goes where the first went
        assert goes[first[1]] is None  # failed, never sent to an account
        assert goes[first[2]] is None  # cancelled before it was sent
        assert goes[first[3]].id == new.id  # scheduled: the current account
        assert office.account_shown(new) == "BNI ••••••7890"
        db.session.rollback()


def test_resolving_a_flag_needs_a_note_and_happens_once(app, two, factory):
    people, _first = two
    admin = factory.user(role=Role.ADMIN)
    with app.app_context():
        flag = PayoutAccountFlag(
            participant_id=people[1],
            holder_participant_id=people[0],
            channel="ovo",
            number="081234567890",
        )
        db.session.add(flag)
        db.session.commit()
        assert office.overview().open_flags == 1
        assert office.open_flags().shown == [flag]

        with pytest.raises(DomainError) as refused:
            office.resolve_flag(flag, admin, "  singkat  ", utcnow())
        assert refused.value.field == "note"
        db.session.rollback()
        assert db.session.get(PayoutAccountFlag, flag.id).resolved_at is None

        office.resolve_flag(flag, admin, "Nomor  dipakai  bersama keluarga.", utcnow())
        db.session.commit()
        resolved = db.session.get(PayoutAccountFlag, flag.id)
        assert resolved.resolved_at is not None
        assert resolved.resolution == "Nomor dipakai bersama keluarga."
        assert office.open_flags() == office.OpenFlags([], 0)
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "payout_flag.resolved")
        )
        assert event.actor_id == admin.id and "081234567890" not in str(event.detail)

        with pytest.raises(DomainError) as again:
            office.resolve_flag(resolved, admin, "Sekali lagi, dua kali.", utcnow())
        assert again.value.message == office.FLAG_RESOLVED_ALREADY
        db.session.rollback()
        assert db.session.get(PayoutAccountFlag, flag.id).resolution == (
            "Nomor dipakai bersama keluarga."
        )
