"""Extra time on the online test (WCAG 2.2.1 Timing Adjustable): the office's grant, the time
each attempt allows, the timer and the timeout scoring that honour it, and the test page that
says how to ask for it before starting."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD
from support.programme_rows import make_participant, make_user

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.people.accounts import hash_password
from marketplace.people.models import Participant, Role, User
from marketplace.programme import batches, online_test
from marketplace.programme.models import Batch, ExtraTestTime
from marketplace.programme.models import TestAnswer as Answer
from marketplace.programme.models import TestAttempt as Attempt


@pytest.fixture
def world(app):
    """The question bank, a batch open now, an office user and two participants who can
    sign in; ids and emails, committed."""
    with app.app_context():
        online_test.seed_questions()
        batches.ensure_schemes()
        now = utcnow()
        batch = batches.create_batch(
            1, now - timedelta(days=1), now + timedelta(days=7), 10, "2020", None, None
        )
        office = make_user(role=Role.ADMIN)
        people = [make_participant(), make_participant()]
        for participant in people:
            participant.user.password_hash = hash_password(PASSWORD)
        db.session.commit()
        return {
            "batch": batch.id,
            "office": office.id,
            "ids": [participant.id for participant in people],
            "emails": [participant.user.email for participant in people],
        }


def _client(app, email, lang="en"):
    client = app.test_client()
    client.set_cookie("lang", lang)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _grant(app, participant_id, minutes, office_id, reason="Low vision: reads with a magnifier"):
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        office = db.session.get(User, office_id)
        online_test.grant_extra_time(participant, minutes, reason, utcnow(), office)
        db.session.commit()


def _start(app, participant_id, batch_id, ago: timedelta) -> int:
    """Start the participant's attempt `ago` before now; its id."""
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        attempt = online_test.start(participant, db.session.get(Batch, batch_id), utcnow() - ago)
        db.session.commit()
        return attempt.id


# ---- the test page, before starting ---------------------------------------------------


def test_the_test_page_says_how_to_ask_for_extra_time_before_starting(app, world):
    client = _client(app, world["emails"][0])
    html = client.get("/account/test").get_data(as_text=True)
    address = app.config["CONTACT_EMAIL"]
    section = html.split('id="extra-time"', 1)[1].split("</section>", 1)[0]
    assert "Need more time?" in html
    assert "the programme office can give you extra time" in section
    assert "half as long again or twice as long" in section
    assert f'<a href="mailto:{address}">{address}</a>' in section  # whom to write to
    assert "Ask before you start" in section
    # Said before the button that starts the 25 minutes.
    assert html.index('id="extra-time"') < html.index("Start the test")
    assert "25 minutes from the moment you start" in html
    indonesian = _client(app, world["emails"][1], lang="id").get("/account/test")
    text = indonesian.get_data(as_text=True)
    assert "Butuh waktu lebih lama?" in text and f"mailto:{address}" in text


def test_the_test_page_shows_the_time_allowed_with_the_extra_time(app, world):
    _grant(app, world["ids"][0], 25, world["office"])
    client = _client(app, world["emails"][0])
    html = client.get("/account/test").get_data(as_text=True)
    assert "50 minutes from the moment you start" in html
    assert "This includes 25 minutes of extra time that the programme office gave you." in html
    assert "The 50 minutes start as soon as you press the button." in html
    assert "you have 50 minutes for the test" in html
    response = client.post("/account/test")
    assert response.status_code == 302
    attempt_id = int(re.search(r"/account/test/(\d+)/1", response.headers["Location"]).group(1))
    question = client.get(f"/account/test/{attempt_id}/1").get_data(as_text=True)
    assert re.search(r"Time left: (50|49) minutes", question)
    assert "Need more time? Write to the programme office" in question
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.deadline_at - attempt.started_at == timedelta(minutes=50)
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "test.started"))
        assert event.detail["extra_minutes"] == 25


# ---- the timer and the timeout scoring ------------------------------------------------


def test_thirty_minutes_in_only_the_participant_without_extra_time_is_timed_out(app, world):
    """+100% (50 minutes): not timed out at 30 minutes, answers still count. Without: the
    result page scores the attempt at its 25-minute deadline (the `writes_on_get` GET)."""
    with_extra, without = world["ids"]
    _grant(app, with_extra, online_test.minutes_for_share(100), world["office"])
    extra_attempt = _start(app, with_extra, world["batch"], timedelta(minutes=30))
    plain_attempt = _start(app, without, world["batch"], timedelta(minutes=30))

    extra_client = _client(app, world["emails"][0])
    response = extra_client.get(f"/account/test/{extra_attempt}/result")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/account/test/{extra_attempt}/submit"
    page = extra_client.get(f"/account/test/{extra_attempt}/1")
    assert page.status_code == 200
    assert re.search(r"Time left: (20|19) minutes", page.get_data(as_text=True))
    answered = extra_client.post(f"/account/test/{extra_attempt}/1", data={"choice": "0"})
    assert answered.headers["Location"] == f"/account/test/{extra_attempt}/2"

    plain_client = _client(app, world["emails"][1])
    assert plain_client.get(f"/account/test/{plain_attempt}/1").headers["Location"] == (
        f"/account/test/{plain_attempt}/result"
    )
    result = plain_client.get(f"/account/test/{plain_attempt}/result")
    assert result.status_code == 200 and "0 of 18 correct" in result.get_data(as_text=True)

    with app.app_context():
        extra = db.session.get(Attempt, extra_attempt)
        assert extra.submitted_at is None
        assert extra.deadline_at - extra.started_at == timedelta(minutes=50)
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Answer).where(Answer.attempt_id == extra.id)
            )
            == 1
        )
        plain = db.session.get(Attempt, plain_attempt)
        assert plain.submitted_at == plain.deadline_at == plain.started_at + timedelta(minutes=25)
        assert plain.score == 0


def test_extra_time_runs_out_too(app, world):
    _grant(app, world["ids"][0], 25, world["office"])
    attempt_id = _start(app, world["ids"][0], world["batch"], timedelta(minutes=51))
    client = _client(app, world["emails"][0])
    assert client.get(f"/account/test/{attempt_id}/result").status_code == 200
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at == attempt.started_at + timedelta(minutes=50)


def test_a_grant_during_the_test_extends_the_running_attempt(app, world):
    attempt_id = _start(app, world["ids"][0], world["batch"], timedelta(minutes=20))
    _grant(app, world["ids"][0], 13, world["office"])
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.deadline_at == attempt.started_at + timedelta(minutes=38)
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "test.extra_time")
        )
        assert event.detail["extended"] == [
            {"attempt": attempt_id, "deadline_at": attempt.deadline_at.isoformat()}
        ]
    # A smaller grant never takes time away from a test under way.
    _grant(app, world["ids"][0], 0, world["office"], reason="Withdrawn")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.deadline_at == attempt.started_at + timedelta(minutes=38)


def test_a_grant_after_the_time_ran_out_does_not_reopen_the_attempt(app, world):
    attempt_id = _start(app, world["ids"][0], world["batch"], timedelta(minutes=26))
    _grant(app, world["ids"][0], 25, world["office"])
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.deadline_at == attempt.started_at + timedelta(minutes=25)


# ---- the grant itself -----------------------------------------------------------------


def test_grant_is_stored_replaced_withdrawn_and_audit_logged(app, world):
    participant_id, office_id = world["ids"][0], world["office"]
    _grant(app, participant_id, 13, office_id)
    _grant(app, participant_id, 25, office_id, reason="Asked again: screen reader user")
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        grant = db.session.get(ExtraTestTime, participant_id)
        assert (grant.extra_minutes, grant.reason, grant.granted_by_id) == (
            25,
            "Asked again: screen reader user",
            office_id,
        )
        assert online_test.time_allowed(participant) == timedelta(minutes=50)
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "test.extra_time")
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.subject, e.actor_id) for e in events] == [
            (f"participant:{participant_id}", office_id)
        ] * 2
        assert [(e.detail["before"], e.detail["extra_minutes"]) for e in events] == [
            (0, 13),
            (13, 25),
        ]
        assert participant.nik not in str([e.detail for e in events])
        assert [g.participant_id for g in online_test.extra_time_grants()] == [participant_id]
    _grant(app, participant_id, 0, office_id, reason="No longer needed")
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        assert online_test.time_allowed(participant) == online_test.TIME_LIMIT
        assert online_test.extra_time_grants() == []


@pytest.mark.parametrize(
    ("minutes", "reason", "field"),
    [
        (-1, "Reason", "minutes"),
        (101, "Reason", "minutes"),
        ("25", "Reason", "minutes"),
        (True, "Reason", "minutes"),
        (25, "   ", "reason"),
        (25, "x" * 201, "reason"),
    ],
)
def test_a_bad_grant_is_refused(app, world, minutes, reason, field):
    with app.app_context():
        participant = db.session.get(Participant, world["ids"][0])
        with pytest.raises(DomainError) as refused:
            online_test.grant_extra_time(participant, minutes, reason, utcnow(), None)
        assert refused.value.field == field
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExtraTestTime)) == 0


def test_shares_of_the_test_time_in_whole_minutes():
    assert online_test.minutes_for_share(50) == 13  # 12.5 rounded up
    assert online_test.minutes_for_share(100) == 25


def test_the_office_finds_a_participant_by_email_or_nik(app, world):
    with app.app_context():
        participant = db.session.get(Participant, world["ids"][0])
        nik = participant.nik
        spaced = f"{nik[:4]} {nik[4:8]}.{nik[8:12]}-{nik[12:]}"
        assert online_test.find_participant(world["emails"][0].upper()) is participant
        assert online_test.find_participant(f"  {spaced} ") is participant
        assert online_test.find_participant("nobody@example.com") is None
        assert online_test.find_participant("9" * 16) is None
        for malformed in ("", "12345", "peserta", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "a@" + "b" * 260):
            with pytest.raises(DomainError):
                online_test.find_participant(malformed)
