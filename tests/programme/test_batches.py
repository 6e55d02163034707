"""Batches: schemes, creating batches, joining, selection, and the pages around them."""

import threading
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD
from support.programme_rows import (
    AFTER_CLOSE,
    CLOSES,
    NOW,
    applicant,
    fund,
    make_attempt,
    make_participant,
    make_user,
    open_batch_row,
    province,
)

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.money import cards, ledger
from marketplace.money.models import Card
from marketplace.people.models import Employment, Participant, Role, User
from marketplace.programme import batches
from marketplace.programme.models import Application, Batch, Outcome, Scheme


def mails_to(email: str) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.recipient == email).order_by(OutboxMail.id)
        )
    )


# --- schemes -------------------------------------------------------------------------------


def test_ensure_schemes_inserts_the_two_schemes_once(ctx):
    batches.ensure_schemes()
    schemes = batches.ensure_schemes()
    assert db.session.scalar(sa.select(sa.func.count(Scheme.id))) == 2
    old, new = schemes["2020"], schemes["2023"]
    assert (old.training_balance, old.purchase_deadline_days) == (1_000_000, 30)
    assert (old.incentive_amount, old.incentive_payments) == (600_000, 4)
    assert (old.survey_incentive, old.survey_count, old.one_unfinished_course) == (50_000, 3, True)
    assert (new.training_balance, new.purchase_deadline_days) == (3_500_000, 15)
    assert (new.incentive_amount, new.incentive_payments) == (600_000, 1)
    assert (new.survey_incentive, new.survey_count, new.one_unfinished_course) == (50_000, 2, False)


# --- creating a batch ----------------------------------------------------------------------


def test_create_batch_with_province_quotas_and_audit(ctx):
    west_java = province("32")
    batch = open_batch_row(number=4, quota=100, province_quotas={west_java.id: 150})
    assert batch.number == 4 and batch.quota == 100 and batch.scheme.code == "2020"
    assert [(row.province_id, row.quota) for row in batch.province_quotas] == [(west_java.id, 150)]
    assert batches.open_batch(NOW) is batch
    assert batches.open_batch(CLOSES) is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "batch.created"))
    assert event.subject == f"batch:{batch.id}"


def refused_fields(**changes) -> set[str]:
    values = {
        "number": 9,
        "opens_at": NOW,
        "closes_at": NOW + timedelta(days=7),
        "quota": 10,
        "scheme": "2020",
        "province_quotas": None,
        "actor": None,
    }
    values.update(changes)
    with pytest.raises(DomainError) as refused:
        batches.create_batch(**values)
    return {error.field for error in refused.value.errors}


def test_create_batch_refuses_bad_values_field_by_field(ctx):
    batches.ensure_schemes()
    open_batch_row(number=1, opens=NOW - timedelta(days=30), closes=NOW - timedelta(days=20))
    assert refused_fields(number=0) == {"number"}
    assert refused_fields(number=1) == {"number"}
    assert refused_fields(closes_at=NOW) == {"closes_at"}
    assert refused_fields(closes_at=NOW - timedelta(days=1)) == {"closes_at"}
    assert refused_fields(quota=0) == {"quota"}
    assert refused_fields(scheme="1999") == {"scheme"}
    assert refused_fields(province_quotas={province("32").id: -1}) == {"province_quotas"}
    assert refused_fields(province_quotas={987654: 5}) == {"province_quotas"}
    # Overlapping the first batch's window.
    assert refused_fields(opens_at=NOW - timedelta(days=25)) == {"opens_at"}
    assert refused_fields(number=-1, quota=-1, scheme="x") == {"number", "quota", "scheme"}
    assert db.session.scalar(sa.select(sa.func.count(Batch.id))) == 1


def test_read_province_quotas(ctx):
    jakarta, west_java = province("31"), province("32")
    assert batches.read_province_quotas("31=10\n\n 32 = 0 \n") == {jakarta.id: 10, west_java.id: 0}
    assert batches.read_province_quotas("") == {}
    for text in ("31", "31=ten", "31=-1", "99=5", "31=1\n31=2", "31=1.5"):
        with pytest.raises(DomainError) as refused:
            batches.read_province_quotas(text)
        assert refused.value.field == "province_quotas"


# --- joining -------------------------------------------------------------------------------


def test_join_makes_an_application_with_the_test_attempt(ctx):
    batch = open_batch_row()
    participant = make_participant(locale="en")
    attempt = make_attempt(participant, batch, score=15)

    application = batches.join(participant, batch, NOW, actor=participant.user)

    assert application.outcome is Outcome.JOINED
    assert application.test_attempt_id == attempt.id and application.joined_at == NOW
    (message,) = mails_to(participant.user.email)
    assert "You have joined batch 1" in message.subject
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "batch.joined"))


def refusal(participant, batch, now=NOW, actor=None) -> str:
    with pytest.raises(DomainError) as refused:
        batches.join(participant, batch, now, actor=actor or participant.user)
    return refused.value.message % refused.value.params


def test_join_needs_the_batch_open(ctx):
    batch = open_batch_row()
    participant = make_participant()
    make_attempt(participant, batch)
    assert "not open" in refusal(participant, batch, now=NOW - timedelta(days=4))
    assert "not open" in refusal(participant, batch, now=CLOSES)
    batch.selected_at = NOW
    assert "not open" in refusal(participant, batch)


def test_join_needs_a_verified_email(ctx):
    batch = open_batch_row()
    participant = make_participant(user=make_user(verified=False))
    make_attempt(participant, batch)
    assert "Verify your email address" in refusal(participant, batch)


def test_join_needs_a_profile(ctx):
    batch = open_batch_row()
    user = make_user()
    assert "Fill in your profile" in refusal(None, batch, actor=user)


def test_join_needs_the_test_for_this_batch_submitted(ctx):
    earlier = open_batch_row(
        number=1, opens=NOW - timedelta(days=30), closes=NOW - timedelta(days=20)
    )
    batch = open_batch_row(number=2)
    participant = make_participant()
    assert "Take the online test for batch 2" in refusal(participant, batch)
    make_attempt(participant, earlier, score=18)  # another batch's test does not count
    assert "Take the online test for batch 2" in refusal(participant, batch)
    make_attempt(participant, batch, score=None)  # started, not submitted
    assert "Take the online test for batch 2" in refusal(participant, batch)


def test_join_refuses_a_blocked_participant(ctx):
    batch = open_batch_row()
    participant = make_participant(blocked=True)
    make_attempt(participant, batch)
    assert "blocked" in refusal(participant, batch)


def test_join_refuses_a_card_holder(ctx):
    fund()
    batch = open_batch_row()
    participant = make_participant()
    make_attempt(participant, batch)
    cards.issue(participant, batch, NOW)
    assert "already have a Kartu Prakerja" in refusal(participant, batch)


def test_join_twice_is_refused(ctx):
    batch = open_batch_row()
    application = applicant(batch)
    participant = application.participant
    assert "already joined batch 1" in refusal(participant, batch)
    count = db.session.scalar(sa.select(sa.func.count(Application.id)))
    assert count == 1


def test_join_refused_while_waiting_for_another_batchs_results(ctx):
    first = open_batch_row(
        number=1, opens=NOW - timedelta(days=30), closes=NOW - timedelta(days=20)
    )
    second = open_batch_row(number=2)
    application = applicant(first, joined_at=NOW - timedelta(days=25))
    participant = application.participant
    make_attempt(participant, second)
    assert "waiting for the results of batch 1" in refusal(participant, second)


def test_after_three_rejections_join_is_refused_plainly(ctx):
    participant = make_participant()
    for number in (1, 2, 3):
        past = NOW - timedelta(days=40 * (4 - number))
        batch = open_batch_row(number=number, opens=past, closes=past + timedelta(days=7))
        make_attempt(participant, batch)
        application = batches.join(participant, batch, past, actor=participant.user)
        application.outcome, application.reason = Outcome.REJECTED, "quota"
        assert batches.can_join_again(participant) is (number < 3)
    assert batches.rejection_count(participant) == 3
    fourth = open_batch_row(number=4)
    make_attempt(participant, fourth)
    assert refusal(participant, fourth) == (
        "You were not selected in 3 batches. That is the most the programme allows, "
        "so you cannot join another batch."
    )


# --- selection -----------------------------------------------------------------------------


def test_selection_only_after_the_batch_closes_and_only_once(ctx):
    fund()
    batch = open_batch_row()
    application = applicant(batch)
    with pytest.raises(DomainError) as early:
        batches.select(batch, CLOSES - timedelta(seconds=1))
    assert "Selection can run only after it closes" in early.value.message
    assert batch.selected_at is None and application.outcome is Outcome.JOINED

    report = batches.select(batch, CLOSES)
    assert report.accepted == 1 and batch.selected_at == CLOSES

    with pytest.raises(batches.SelectionAlreadyRun):
        batches.select(batch, AFTER_CLOSE)
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 1


def test_selection_fills_the_quota_in_rank_order(ctx):
    fund(10_000_000)
    batch = open_batch_row(quota=3)
    worker = applicant(batch, score=18, employment=Employment.WORKER)
    owner = applicant(batch, score=18, employment=Employment.BUSINESS_OWNER)
    seeker_late = applicant(batch, score=10, joined_at=NOW + timedelta(hours=2))
    seeker_early = applicant(batch, score=10, joined_at=NOW + timedelta(hours=1))
    seeker_high = applicant(batch, score=11, joined_at=NOW + timedelta(hours=3))
    laid_off = applicant(batch, score=2, employment=Employment.LAID_OFF)
    same_time_a = applicant(batch, score=9, joined_at=NOW + timedelta(hours=4))
    same_time_b = applicant(batch, score=9, joined_at=NOW + timedelta(hours=4))

    report = batches.select(batch, AFTER_CLOSE)

    expected = [
        laid_off,
        seeker_high,
        seeker_early,
        seeker_late,
        same_time_a,
        same_time_b,
        owner,
        worker,
    ]
    assert [application.rank for application in expected] == list(range(1, 9))
    assert [application.outcome for application in expected] == [Outcome.ACCEPTED] * 3 + [
        Outcome.REJECTED
    ] * 5
    assert {application.reason for application in expected[3:]} == {"quota"}
    assert all(application.decided_at == AFTER_CLOSE for application in expected)
    assert (report.joined, report.accepted, dict(report.rejected)) == (8, 3, {"quota": 5})
    # Cards with the scheme's balance, from the fund.
    for application in expected[:3]:
        card = application.participant.card
        assert card.balance == 1_000_000 and card.batch_id == batch.id
    assert ledger.balance_of("programme_fund") == 7_000_000
    assert ledger.verify() == []
    # Every applicant is told; the accepted also get their card's mail.
    for application in expected:
        email = application.participant.user.email
        messages = mails_to(email)
        subjects = [message.subject for message in messages]
        if application.outcome is Outcome.ACCEPTED:
            assert len(messages) == 3  # joined, card issued, selected
            assert "You have been selected in batch 1" in subjects[-1]
        else:
            assert len(messages) == 2
            assert subjects[-1] == "Batch 1 results"
            assert "more applicants than places" in messages[-1].body
            assert "You can join the next batch" in messages[-1].body
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "batch.selected"))
    assert event.detail["accepted"] == 3


SELECTION_DAY = datetime(2026, 3, 17, 17, 30)  # UTC: 18 March 2026, 00.30 in Jakarta


@pytest.mark.parametrize(
    ("birth_date", "accepted"),
    [
        (date(2008, 3, 19), False),  # 17 years and 364 days on 18 March 2026
        (date(2008, 3, 18), True),  # 18 that day (in Jakarta; in UTC it's still the 17th)
        (date(1961, 3, 19), True),  # 64, the day before turning 65
        (date(1961, 3, 18), False),  # 65
    ],
)
def test_age_18_to_64_on_the_jakarta_selection_day(ctx, birth_date, accepted):
    fund()
    batch = open_batch_row()
    application = applicant(batch, birth_date=birth_date)
    batches.select(batch, SELECTION_DAY)
    assert application.outcome is (Outcome.ACCEPTED if accepted else Outcome.REJECTED)
    assert application.reason == (None if accepted else "age")


def test_at_most_two_accepted_per_family_card_across_batches(ctx):
    fund()
    family = "3201020304050607"
    first = open_batch_row(
        number=1, opens=NOW - timedelta(days=30), closes=NOW - timedelta(days=20)
    )
    older_sister = applicant(first, joined_at=NOW - timedelta(days=25), kk=family)
    batches.select(first, NOW - timedelta(days=19))
    assert older_sister.outcome is Outcome.ACCEPTED

    second = open_batch_row(number=2)
    brother = applicant(second, score=15, kk=family)
    cousin = applicant(second, score=14, kk=family)
    stranger = applicant(second, score=1)
    batches.select(second, AFTER_CLOSE)

    assert brother.outcome is Outcome.ACCEPTED
    assert (cousin.outcome, cousin.reason) == (Outcome.REJECTED, "kk_limit")
    assert stranger.outcome is Outcome.ACCEPTED


def test_a_card_holder_or_blocked_participant_is_not_selected(ctx):
    fund()
    batch = open_batch_row()
    holder = applicant(batch, score=18)
    blocked = applicant(batch, score=18)
    cards.issue(holder.participant, batch, NOW)  # e.g. issued by hand meanwhile
    blocked.participant.blocked_at = NOW
    report = batches.select(batch, AFTER_CLOSE)
    assert (holder.outcome, holder.reason) == (Outcome.REJECTED, "has_card")
    assert (blocked.outcome, blocked.reason) == (Outcome.REJECTED, "blocked")
    assert dict(report.rejected) == {"has_card": 1, "blocked": 1}
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 1
    body = mails_to(blocked.participant.user.email)[-1].body
    assert "blocked" in body and "join the next batch" not in body


def test_province_quota_skips_to_the_next_province(ctx):
    fund()
    west_java = province("32")
    batch = open_batch_row(quota=3, province_quotas={west_java.id: 1})
    bandung = applicant(batch, score=18, province_code="32")
    bogor = applicant(batch, score=17, province_code="32")
    jakarta = applicant(batch, score=5, province_code="31")
    report = batches.select(batch, AFTER_CLOSE)
    assert bandung.outcome is Outcome.ACCEPTED
    assert (bogor.outcome, bogor.reason) == (Outcome.REJECTED, "province_quota")
    assert jakarta.outcome is Outcome.ACCEPTED
    assert report.accepted == 2


def test_selection_changes_nothing_when_the_fund_is_short(ctx):
    fund(1_500_000)
    batch = open_batch_row()
    first, second = applicant(batch), applicant(batch)
    with pytest.raises(DomainError) as refused:
        batches.select(batch, AFTER_CLOSE)
    assert "Allocate budget" in refused.value.message
    assert refused.value.params["needed"] == "Rp2.000.000"
    db.session.refresh(batch)
    assert batch.selected_at is None
    assert {first.outcome, second.outcome} == {Outcome.JOINED}
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 0


def test_the_third_rejection_mail_says_no_more_batches(ctx):
    fund()
    participant = make_participant(employment=Employment.WORKER)
    for number in (1, 2, 3):
        past = NOW - timedelta(days=40 * (4 - number))
        batch = open_batch_row(number=number, quota=1, opens=past, closes=past + timedelta(days=7))
        make_attempt(participant, batch, score=0)
        batches.join(participant, batch, past, actor=participant.user)
        applicant(batch, joined_at=past, score=18)  # takes the one place
        batches.select(batch, past + timedelta(days=8))
    assert batches.rejection_count(participant) == 3
    body = mails_to(participant.user.email)[-1].body
    assert "not selected in 3 batches" in body


def test_two_selection_runs_at_once_issue_one_set_of_cards(app):
    with app.app_context():
        db.session().expire_on_commit = False  # the threads are handed the loaded batch
        fund()
        batch = open_batch_row(quota=4)
        for _ in range(6):
            applicant(batch)
        db.session.commit()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                report = batches.select(batch, AFTER_CLOSE)
                db.session.commit()
                results.append(f"accepted {report.accepted}")
            except batches.SelectionAlreadyRun:
                db.session.rollback()
                results.append("already run")
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                results.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["accepted 4", "already run"], results
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 4
        assert ledger.verify() == []


def test_cli_batches_select_prints_the_report(app, runner):
    opens = utcnow() - timedelta(days=10)
    with app.app_context():
        fund()
        batch = open_batch_row(number=7, quota=1, opens=opens, closes=opens + timedelta(days=5))
        applicant(batch, joined_at=opens + timedelta(days=1), score=18)
        applicant(batch, joined_at=opens + timedelta(days=1), score=3)
        db.session.commit()
    result = runner.invoke(args=["batches", "select", "7"])
    assert result.exit_code == 0, result.output
    assert "Batch 7: 2 joined, quota 1." in result.output
    assert "Accepted: 1" in result.output and "quota: 1" in result.output
    again = runner.invoke(args=["batches", "select", "7"])
    assert again.exit_code == 1
    assert "Selection for batch 7 has already run." in again.output
    missing = runner.invoke(args=["batches", "select", "70"])
    assert missing.exit_code == 1 and "There is no batch 70." in missing.output


def test_cli_batches_create(app, runner):
    args = ["batches", "create", "--number", "12", "--opens", "2026-04-01 08:00"]
    result = runner.invoke(args=[*args, "--closes", "2026-04-14 23:59", "--quota", "500"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        batch = batches.by_number(12)
        assert batch.opens_at == datetime(2026, 4, 1, 1, 0)  # 08.00 WIB is 01.00 UTC
        assert batch.quota == 500 and batch.scheme.code == "2020"
    clash = runner.invoke(args=[*args, "--closes", "2026-03-01 00:00", "--quota", "5"])
    assert clash.exit_code == 1
    assert "Batch 12 already exists." in clash.output
    assert "The batch must close after it opens." in clash.output


# --- the participant's page ----------------------------------------------------------------


def english(client):
    """Pages in English, so the tests read the message ids (Indonesian is the default)."""
    client.set_cookie("lang", "en")
    return client


def signed_in(app, participant_email: str):
    client = english(app.test_client())
    response = client.post("/login", data={"email": participant_email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def open_now(app):
    """A batch open now (real time), with the programme fund allocated."""
    with app.app_context():
        db.session().expire_on_commit = False
        fund()
        batch = open_batch_row(
            number=5,
            quota=250,
            opens=utcnow() - timedelta(days=1),
            closes=utcnow() + timedelta(days=6),
        )
        db.session.commit()
        return batch


def participant_with_profile(app, factory, batch=None, score=12):
    user = factory.user()
    with app.app_context():
        participant = make_participant(user=db.session.get(type(user), user.id))
        if batch is not None:
            make_attempt(participant, batch, score)
        db.session.commit()
    return user


def test_the_batches_page_shows_the_open_batch_and_what_joining_needs(app, factory, open_now):
    user = factory.user()
    client = signed_in(app, user.email)
    html = client.get("/account/batches").get_data(as_text=True)
    assert "Batch 5 is open" in html and "250" in html and "WIB" in html
    assert "/account/test" in html
    assert "Join batch 5</button>" not in html  # no profile, no test yet


def test_joining_from_the_page(app, factory, open_now):
    user = participant_with_profile(app, factory, open_now)
    client = signed_in(app, user.email)
    html = client.get("/account/batches").get_data(as_text=True)
    assert "Join batch 5</button>" in html
    response = client.post("/account/batches/join", data={"batch_id": open_now.id})
    assert response.status_code == 302
    assert "You have joined batch 5" in client.get("/account/batches").get_data(as_text=True)
    again = client.post("/account/batches/join", data={"batch_id": open_now.id})
    assert again.status_code == 400
    assert "You have already joined batch 5." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1


def test_joining_without_the_test_or_with_a_bad_batch_is_a_400(app, factory, open_now):
    user = participant_with_profile(app, factory)
    client = signed_in(app, user.email)
    response = client.post("/account/batches/join", data={"batch_id": open_now.id})
    assert response.status_code == 400
    assert "Take the online test for batch 5 before you join it." in response.get_data(True)
    assert client.post("/account/batches/join", data={"batch_id": "x"}).status_code == 400
    assert client.post("/account/batches/join", data={"batch_id": "999"}).status_code == 400


def test_after_three_rejections_the_page_says_so_plainly(app, factory, open_now):
    user = participant_with_profile(app, factory, open_now)
    with app.app_context():
        participant = db.session.scalar(
            sa.select(Participant).where(Participant.user_id == user.id)
        )
        for number in (1, 2, 3):
            past = NOW - timedelta(days=40 * (4 - number))
            batch = open_batch_row(number=number, opens=past, closes=past + timedelta(days=7))
            make_attempt(participant, batch)
            application = batches.join(participant, batch, past, actor=participant.user)
            application.outcome, application.reason = Outcome.REJECTED, "quota"
        db.session.commit()
    client = signed_in(app, user.email)
    html = client.get("/account/batches").get_data(as_text=True)
    assert "You were not selected in 3 batches" in html
    assert "Join batch 5</button>" not in html
    response = client.post("/account/batches/join", data={"batch_id": open_now.id})
    assert response.status_code == 400
    assert "so you cannot join another batch" in response.get_data(as_text=True)


def test_the_batches_page_is_for_participants(admin_client, provider_client, client):
    assert admin_client.get("/account/batches").status_code == 403
    assert provider_client.get("/account/batches").status_code == 403
    assert client.get("/account/batches").status_code == 302  # to sign in


# --- the programme office's pages ----------------------------------------------------------


def test_admin_pages_are_for_admins_only(app, participant_client, provider_client, client):
    with app.app_context():
        batch = open_batch_row()
        db.session.commit()
        batch_id = batch.id
    for path in (
        "/admin/batches",
        f"/admin/batches/{batch_id}",
        f"/admin/batches/{batch_id}/select",
    ):
        assert participant_client.get(path).status_code == 403
        assert provider_client.get(path).status_code == 403
        assert client.get(path).status_code == 302
    assert participant_client.post("/admin/batches", data={"number": "3"}).status_code == 403
    assert participant_client.post(f"/admin/batches/{batch_id}/select").status_code == 403
    with app.app_context():
        assert db.session.get(Batch, batch_id).selected_at is None


def test_admin_creates_a_batch_in_wib(app, admin_client):
    english(admin_client)
    with app.app_context():
        batches.ensure_schemes()
        province("32")
        db.session.commit()
    form = {
        "number": "3",
        "opens_date": "01/04/2026",
        "opens_time": "08.00",
        "closes_date": "14/04/2026",
        "closes_time": "23.59",
        "quota": "1000",
        "scheme": "2023",
        "province_quotas": "32=100",
    }
    response = admin_client.post("/admin/batches", data=form)
    assert response.status_code == 302
    with app.app_context():
        batch = batches.by_number(3)
        assert batch.opens_at == datetime(2026, 4, 1, 1, 0)
        assert batch.closes_at == datetime(2026, 4, 14, 16, 59)
        assert batch.scheme.code == "2023" and batch.quota == 1000
        assert [row.quota for row in batch.province_quotas] == [100]
    html = admin_client.get("/admin/batches").get_data(as_text=True)
    assert "Batch 3" in html and "April 1, 2026" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number": ""}, "Enter the batch number"),
        ({"number": "abc"}, "Enter the batch number as a whole number, like 3"),
        ({"number": "²"}, "Enter the batch number as a whole number, like 3"),
        ({"number": "100001"}, "The batch number must be from 1 to 100.000"),
        ({"quota": "9" * 400}, "Enter the quota as a whole number, like 1000"),
        ({"quota": "0"}, "The quota must be from 1 to 10.000.000"),
        ({"closes_date": "01/03/2026"}, "The batch must close after it opens."),
        ({"opens_date": "45/13/2026"}, "The date the batch opens must be a real date"),
        ({"opens_date": "2026-04-01"}, "as day/month/year, for example 01/04/2026"),
        ({"opens_time": "25.00"}, "on the 24-hour clock as hours.minutes"),
        ({"scheme": "1999"}, "Not a valid choice."),
        ({"province_quotas": "32=banyak"}, "Line 1: write a province code"),
        ({"province_quotas": "99=1"}, "Line 1: 99 is not a province code."),
    ],
)
def test_admin_create_with_bad_input_is_a_400_and_creates_nothing(
    app, admin_client, changes, message
):
    english(admin_client)
    with app.app_context():
        batches.ensure_schemes()
        province("32")
        db.session.commit()
    form = {
        "number": "3",
        "opens_date": "01/04/2026",
        "opens_time": "08.00",
        "closes_date": "14/04/2026",
        "closes_time": "23.59",
        "quota": "1000",
        "scheme": "2020",
        "province_quotas": "",
    }
    form.update(changes)
    response = admin_client.post("/admin/batches", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "error-summary" in html and message in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Batch.id))) == 0


def test_admin_batch_page_masks_niks_and_states_the_ranking(app, admin_client):
    english(admin_client)
    with app.app_context():
        batch = open_batch_row()
        application = applicant(batch)
        nik = application.participant.nik
        masked = application.participant.masked_nik
        db.session.commit()
        batch_id = batch.id
    html = admin_client.get(f"/admin/batches/{batch_id}").get_data(as_text=True)
    assert masked in html and nik not in html
    assert "laid off first" in html
    assert admin_client.get("/admin/batches/99999").status_code == 404
    assert admin_client.get(f"/admin/batches/{batch_id}?page=abc").status_code == 400


def test_admin_runs_selection_after_checking_the_answers(app, admin_client):
    english(admin_client)
    opens = utcnow() - timedelta(days=10)
    with app.app_context():
        fund()
        closed = open_batch_row(number=1, quota=1, opens=opens, closes=opens + timedelta(days=5))
        winner = applicant(closed, joined_at=opens + timedelta(days=1), score=17)
        applicant(closed, joined_at=opens + timedelta(days=1), score=3)
        still_open = open_batch_row(
            number=2, opens=utcnow() - timedelta(days=1), closes=utcnow() + timedelta(days=6)
        )
        db.session.commit()
        closed_id, still_open_id, winner_id = closed.id, still_open.id, winner.participant_id

    early = admin_client.get(f"/admin/batches/{still_open_id}/select")
    assert "Selection can run only after it closes" in early.get_data(as_text=True)
    refused = admin_client.post(f"/admin/batches/{still_open_id}/select")
    assert refused.status_code == 400
    assert "Selection can run only after it closes" in refused.get_data(as_text=True)

    check = admin_client.get(f"/admin/batches/{closed_id}/select").get_data(as_text=True)
    assert "Check before you run it" in check and "Rp1.000.000" in check
    assert "can&#39;t be undone" in check or "can't be undone" in check

    response = admin_client.post(f"/admin/batches/{closed_id}/select")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Selection has run: 1 accepted" in page

    again = admin_client.post(f"/admin/batches/{closed_id}/select")
    assert again.status_code == 409
    assert "has already run" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 1
        assert db.session.scalar(sa.select(Card.participant_id)) == winner_id
        assert db.session.get(Batch, still_open_id).selected_at is None
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "batch.selected")
        )
        assert db.session.get(User, event.actor_id).role is Role.ADMIN
