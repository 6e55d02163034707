"""The online test: the question bank, drawing, answering, deadlines, scoring and its pages."""

import itertools
import random
import re
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent, Province
from marketplace.extensions import db
from marketplace.people.models import Education, Employment, Participant, Role, Sex
from marketplace.programme import online_test
from marketplace.programme.models import Batch, QuestionKind, Scheme
from marketplace.programme.models import TestAnswer as Answer
from marketplace.programme.models import TestAttempt as Attempt
from marketplace.programme.models import TestQuestion as Question
from marketplace.seed_data.test_questions import QUESTIONS

_nik = itertools.count(1)

ORDERINGS = {", ".join(order) for order in itertools.permutations("ABCD")}


# ---- rows built for this module -------------------------------------------------------


def make_batch(number=1, opens_at=None, closes_at=None, selected_at=None) -> Batch:
    """A batch of the 2020 scheme, open from a day ago for a week unless told otherwise."""
    scheme = db.session.scalar(sa.select(Scheme).where(Scheme.code == "2020"))
    if scheme is None:
        scheme = Scheme(
            code="2020",
            name="Skema 2020",
            training_balance=1_000_000,
            purchase_deadline_days=30,
            incentive_amount=600_000,
            incentive_payments=4,
            survey_incentive=50_000,
            survey_count=3,
        )
        db.session.add(scheme)
    now = utcnow()
    batch = Batch(
        number=number,
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=7),
        quota=1000,
        scheme=scheme,
        selected_at=selected_at,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def make_participant(user) -> Participant:
    """A complete profile for `user` (a new NIK each time)."""
    province = db.session.scalar(sa.select(Province).where(Province.code == "31"))
    if province is None:
        province = Province(code="31", name="DKI Jakarta", slug="dki-jakarta")
        db.session.add(province)
    n = next(_nik)
    participant = Participant(
        user_id=user.id,
        nik=f"317401010190{n:04d}",
        kk=f"317401200000{n:04d}",
        full_name=f"Peserta Uji {n}",
        birth_date=date(1990, 1, 1),
        sex=Sex.FEMALE,
        phone="+6281234567890",
        province=province,
        city="Jakarta Selatan",
        education=Education.SMA,
        employment=Employment.JOB_SEEKER,
    )
    db.session.add(participant)
    db.session.flush()
    return participant


@pytest.fixture
def bank(ctx):
    """The question bank seeded into this test's database."""
    online_test.seed_questions()
    db.session.commit()
    return ctx


@pytest.fixture
def people(bank, factory):
    """Two participants and an open batch, in the test's app context."""
    users = [factory.user(), factory.user()]  # each commits in its own context, so first
    first, second = (make_participant(user) for user in users)
    batch = make_batch()
    db.session.commit()
    return first, second, batch


def right_choice(question_id: int) -> int:
    return db.session.get(Question, question_id).correct_choice


def wrong_choice(question_id: int) -> int:
    return (right_choice(question_id) + 1) % 4


# ---- the bank -------------------------------------------------------------------------


def test_bank_has_at_least_60_valid_questions_in_both_languages():
    assert len(QUESTIONS) >= 60
    codes = [question.code for question in QUESTIONS]
    assert len(set(codes)) == len(codes)
    kinds = Counter(question.kind for question in QUESTIONS)
    assert set(kinds) == {kind.value for kind in QuestionKind}
    assert all(count >= 18 for count in kinds.values()), kinds
    prefixes = {"maths": "M", "instructions": "I", "reading": "R"}
    for question in QUESTIONS:
        assert re.fullmatch(r"[MIR]\d\d", question.code), question.code
        assert question.code[0] == prefixes[question.kind], question.code
        assert question.prompt_id.strip() and question.prompt_en.strip(), question.code
        assert question.prompt_id != question.prompt_en, question.code
        for choices in (question.choices_id, question.choices_en):
            assert len(choices) == 4, question.code
            assert all(choice.strip() for choice in choices), question.code
            assert len(set(choices)) == 4, question.code
        assert 0 <= question.correct_choice < 4, question.code
        assert (question.passage_id is None) == (question.passage_en is None), question.code
        if question.kind == "reading":
            assert question.passage_id and question.passage_en, question.code
        if question.kind == "instructions":
            assert set(question.choices_id) <= ORDERINGS, question.code
            lines = question.passage_id.split("\n")
            assert [line[:3] for line in lines] == ["A. ", "B. ", "C. ", "D. "], question.code
        text = " ".join([question.prompt_id, question.prompt_en, question.passage_id or ""])
        assert "lorem" not in text.lower()


def test_right_answers_are_spread_over_the_choices():
    positions = Counter(question.correct_choice for question in QUESTIONS)
    assert set(positions) == {0, 1, 2, 3}
    assert max(positions.values()) <= len(QUESTIONS) // 2


def test_seed_questions_inserts_once_and_updates_texts(ctx):
    assert online_test.seed_questions() == len(QUESTIONS)
    assert online_test.seed_questions() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == len(QUESTIONS)
    question = db.session.scalar(sa.select(Question).where(Question.code == "M01"))
    question.prompt_en = "An old wording"
    question.correct_choice = 0
    db.session.flush()
    assert online_test.seed_questions() == 0
    db.session.refresh(question)
    bank_m01 = next(item for item in QUESTIONS if item.code == "M01")
    assert question.prompt_en == bank_m01.prompt_en
    assert question.correct_choice == bank_m01.correct_choice
    assert question.kind is QuestionKind.MATHS
    assert question.choices_id == list(bank_m01.choices_id)


# ---- starting -------------------------------------------------------------------------


def test_start_draws_18_questions_six_of_each_kind(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now, rng=random.Random(7))
    db.session.commit()
    ids = attempt.question_ids
    assert len(ids) == 18 and len(set(ids)) == 18
    kinds = [db.session.get(Question, question_id).kind for question_id in ids]
    assert Counter(kinds) == {kind: 6 for kind in QuestionKind}
    # Shown maths first, then instructions, then reading.
    assert (
        kinds
        == [QuestionKind.MATHS] * 6 + [QuestionKind.INSTRUCTIONS] * 6 + [QuestionKind.READING] * 6
    )
    assert attempt.started_at == now
    assert attempt.deadline_at == now + timedelta(minutes=25)
    assert attempt.submitted_at is None and attempt.score is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "test.started"))
    assert event.subject == f"test_attempt:{attempt.id}"
    assert event.actor_id == participant.user_id


def test_the_draw_comes_from_the_rng(people, factory):
    first, second, batch = people
    third = make_participant(factory.user())
    a = online_test.start(first, batch, utcnow(), rng=random.Random(1))
    b = online_test.start(second, batch, utcnow(), rng=random.Random(1))
    c = online_test.start(third, batch, utcnow(), rng=random.Random(2))
    assert a.question_ids == b.question_ids
    assert set(a.question_ids) != set(c.question_ids)


def test_one_attempt_per_batch_and_a_new_batch_allows_another(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    with pytest.raises(DomainError) as refused:
        online_test.start(participant, batch, now + timedelta(minutes=1))
    assert "one attempt per batch" in refused.value.message
    assert online_test.current_attempt(participant, batch) is attempt
    assert online_test.result(participant, batch) is None

    online_test.submit(attempt, now + timedelta(minutes=5))
    assert online_test.current_attempt(participant, batch) is None
    assert online_test.result(participant, batch) is attempt
    with pytest.raises(DomainError):
        online_test.start(participant, batch, now + timedelta(minutes=6))

    # Selection closes batch 1; batch 2 opens and allows a new attempt.
    batch.selected_at = now + timedelta(minutes=7)
    later = make_batch(number=2)
    second = online_test.start(participant, later, now + timedelta(minutes=8))
    assert second.id != attempt.id and second.batch_id == later.id
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attempt)
        .where(Attempt.participant_id == participant.id)
    )
    assert count == 2


def test_a_double_start_makes_one_attempt(people, monkeypatch):
    """The second request passed the check before the first one committed."""
    participant, _other, batch = people
    first = online_test.start(participant, batch, utcnow())
    db.session.commit()
    real_attempt_for = online_test.attempt_for
    calls = []

    def blind_once(who, which):
        calls.append(1)
        return None if len(calls) == 1 else real_attempt_for(who, which)

    monkeypatch.setattr(online_test, "attempt_for", blind_once)
    again = online_test.start(participant, batch, utcnow())
    assert again.id == first.id
    db.session.commit()
    attempts = db.session.scalar(sa.select(sa.func.count()).select_from(Attempt))
    started = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "test.started")
    )
    assert (attempts, started) == (1, 1)


@pytest.mark.parametrize("when", ["before", "after", "selected"])
def test_start_is_refused_when_the_batch_is_not_open(bank, factory, when):
    participant = make_participant(factory.user())
    now = utcnow()
    if when == "before":
        batch = make_batch(opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=2))
    elif when == "after":
        batch = make_batch(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=2))
    else:
        batch = make_batch(selected_at=now - timedelta(hours=1))
    with pytest.raises(DomainError) as refused:
        online_test.start(participant, batch, now)
    assert "open" in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def test_start_is_refused_without_enough_questions(ctx, factory):
    participant = make_participant(factory.user())
    batch = make_batch()
    with pytest.raises(DomainError):
        online_test.start(participant, batch, utcnow())


# ---- answering and scoring ------------------------------------------------------------


def test_an_answer_is_stored_and_can_be_changed(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    question_id = attempt.question_ids[0]
    online_test.answer(attempt, question_id, 1, now + timedelta(minutes=1))
    online_test.answer(attempt, question_id, 3, now + timedelta(minutes=2))
    rows = db.session.scalars(sa.select(Answer)).all()
    assert [(row.question_id, row.choice) for row in rows] == [(question_id, 3)]
    assert rows[0].answered_at == now + timedelta(minutes=2)
    assert online_test.answers(attempt) == {question_id: 3}


def test_an_answer_after_the_deadline_is_refused_and_not_stored(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    for late in (attempt.deadline_at, attempt.deadline_at + timedelta(seconds=1)):
        with pytest.raises(DomainError) as refused:
            online_test.answer(attempt, attempt.question_ids[0], 0, late)
        assert refused.value.message.startswith("Time is up")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_an_answer_after_submitting_is_refused(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    online_test.submit(attempt, now + timedelta(minutes=3))
    with pytest.raises(DomainError):
        online_test.answer(attempt, attempt.question_ids[0], 0, now + timedelta(minutes=4))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize("choice", [-1, 4, 99, "1", None, 1.0])
def test_a_choice_out_of_range_is_refused(people, choice):
    participant, _other, batch = people
    attempt = online_test.start(participant, batch, utcnow())
    with pytest.raises(DomainError) as refused:
        online_test.answer(attempt, attempt.question_ids[0], choice, utcnow())
    assert refused.value.field == "choice"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_a_question_outside_the_attempt_is_refused(people):
    participant, _other, batch = people
    attempt = online_test.start(participant, batch, utcnow())
    outside = db.session.scalar(
        sa.select(Question.id).where(Question.id.not_in(attempt.question_ids)).limit(1)
    )
    for question_id in (outside, 10**9):
        with pytest.raises(DomainError):
            online_test.answer(attempt, question_id, 0, utcnow())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_submit_counts_right_answers_given_in_time_only(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    ids = attempt.question_ids
    for question_id in ids[:10]:  # 10 right
        online_test.answer(attempt, question_id, right_choice(question_id), now)
    for question_id in ids[10:14]:  # 4 wrong, 4 unanswered after that
        online_test.answer(attempt, question_id, wrong_choice(question_id), now)
    # One right answer at the very deadline counts …
    db.session.add(
        Answer(
            attempt_id=attempt.id,
            question_id=ids[14],
            choice=right_choice(ids[14]),
            answered_at=attempt.deadline_at,
        )
    )
    # … a right answer recorded after it (slipped in past answer()) never does.
    db.session.add(
        Answer(
            attempt_id=attempt.id,
            question_id=ids[15],
            choice=right_choice(ids[15]),
            answered_at=attempt.deadline_at + timedelta(seconds=1),
        )
    )
    db.session.flush()
    submitted = now + timedelta(minutes=20)
    online_test.submit(attempt, submitted)
    assert attempt.score == 11
    assert attempt.submitted_at == submitted


def test_submit_is_idempotent_and_audited_once_without_answers(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    first_id = attempt.question_ids[0]
    online_test.answer(attempt, first_id, right_choice(first_id), now)
    online_test.submit(attempt, now + timedelta(minutes=10))
    db.session.commit()
    online_test.submit(attempt, now + timedelta(minutes=12))
    db.session.commit()
    assert attempt.score == 1
    assert attempt.submitted_at == now + timedelta(minutes=10)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "test.submitted")
    ).all()
    assert len(events) == 1
    assert events[0].subject == f"test_attempt:{attempt.id}"
    assert events[0].detail["score"] == 1
    assert events[0].actor_id == participant.user_id
    assert not {"answers", "choice", "choices"} & set(events[0].detail)


def test_a_stale_copy_of_the_attempt_does_not_score_twice(people):
    """Two requests submit at once: the conditional UPDATE lets only one of them score."""
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    assert attempt.submitted_at is None  # loaded: this copy goes stale below
    db.session.execute(  # the other request submits first
        sa.update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(submitted_at=now + timedelta(minutes=1), score=5)
        .execution_options(synchronize_session=False)
    )
    assert attempt.submitted_at is None
    online_test.submit(attempt, now + timedelta(minutes=2))
    assert (attempt.score, attempt.submitted_at) == (5, now + timedelta(minutes=1))
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "test.submitted")
        )
        == 0
    )


def test_submitting_late_reads_as_submitted_at_the_deadline(people):
    participant, _other, batch = people
    now = utcnow()
    attempt = online_test.start(participant, batch, now)
    online_test.submit(attempt, now + timedelta(hours=3))
    assert attempt.submitted_at == attempt.deadline_at
    assert attempt.score == 0
    assert online_test.time_left(attempt, now) == timedelta(0)


# ---- pages ----------------------------------------------------------------------------


def signed_in_participant(app, factory, with_profile=True):
    """(client, user id, participant id or None) for a new participant account."""
    user = factory.user(role=Role.PARTICIPANT)
    participant_id = None
    if with_profile:
        with app.app_context():
            participant_id = make_participant(user).id
            db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client, user.id, participant_id


@pytest.fixture
def open_test(app, factory):
    """The bank and an open batch, committed; returns the batch id."""
    with app.app_context():
        online_test.seed_questions()
        batch_id = make_batch().id
        db.session.commit()
    return batch_id


def attempt_row(app, attempt_id):
    with app.app_context():
        db.session().expire_on_commit = False
        return db.session.get(Attempt, attempt_id)


def start_in_browser(client) -> int:
    response = client.post("/account/test")
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/account/test/(\d+)/1", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def english(client):
    client.set_cookie("lang", "en")
    return client


def test_the_test_page_explains_and_starts_the_test(app, factory, open_test):
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    english(client)
    html = client.get("/account/test").get_data(as_text=True)
    assert "18 multiple-choice questions" in html
    assert "25 minutes" in html
    assert "One attempt per batch" in html
    assert "Start the test" in html
    attempt_id = start_in_browser(client)
    html = client.get("/account/test").get_data(as_text=True)
    assert "Continue the test" in html and "Start the test" not in html
    assert f"/account/test/{attempt_id}/1" in html


def test_the_whole_test_in_the_browser(app, factory, open_test):
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    english(client)
    attempt_id = start_in_browser(client)
    ids = attempt_row(app, attempt_id).question_ids
    with app.app_context():
        right = {qid: db.session.get(Question, qid).correct_choice for qid in ids}
    for n, question_id in enumerate(ids, start=1):
        page = client.get(f"/account/test/{attempt_id}/{n}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert f"Question {n} of 18" in html
        assert "Time left: 25 minutes" in html or "Time left: 24 minutes" in html
        assert 'type="radio"' in html
        # Even questions answered wrongly, the last two left unanswered.
        if n > 16:
            continue
        choice = right[question_id] if n % 2 else (right[question_id] + 1) % 4
        response = client.post(f"/account/test/{attempt_id}/{n}", data={"choice": str(choice)})
        assert response.status_code == 302
        expected = f"/account/test/{attempt_id}/{n + 1}"
        assert response.headers["Location"] == expected
    # Going back shows the answer given.
    html = client.get(f"/account/test/{attempt_id}/1").get_data(as_text=True)
    assert f'value="{right[ids[0]]}" checked' in html
    # The last question leads to the check page.
    response = client.post(f"/account/test/{attempt_id}/18", data={"choice": "0"})
    assert response.headers["Location"] == f"/account/test/{attempt_id}/submit"
    right_count = 9 if right[ids[17]] == 0 else 8
    check = client.get(f"/account/test/{attempt_id}/submit").get_data(as_text=True)
    assert "You have not answered 1 question." in check
    assert check.count("Not answered") == 1
    assert "Submit the test" in check
    response = client.post(f"/account/test/{attempt_id}/submit")
    assert response.headers["Location"] == f"/account/test/{attempt_id}/result"
    result = client.get(f"/account/test/{attempt_id}/result").get_data(as_text=True)
    assert f"{right_count} of 18 correct" in result
    assert "used in the selection" in result
    assert attempt_row(app, attempt_id).score == right_count
    # Submitted: questions lead to the result, and answers change nothing.
    response = client.post(f"/account/test/{attempt_id}/2", data={"choice": "0"})
    assert response.headers["Location"] == f"/account/test/{attempt_id}/result"
    assert attempt_row(app, attempt_id).score == right_count
    assert client.get("/account/test").status_code == 200
    assert "See your result" in client.get("/account/test").get_data(as_text=True)
    # Starting again for the same batch is refused.
    again = client.post("/account/test")
    assert again.status_code == 409
    assert "one attempt per batch" in again.get_data(as_text=True)


def test_the_question_is_shown_in_the_page_language(app, factory, open_test):
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    attempt_id = start_in_browser(client)
    ids = attempt_row(app, attempt_id).question_ids
    with app.app_context():
        question = db.session.get(Question, ids[12])  # a reading question
    indonesian = client.get(f"/account/test/{attempt_id}/13").get_data(as_text=True)
    assert _escaped(question.prompt_id) in indonesian
    assert _escaped(question.choices_id[0]) in indonesian
    assert _escaped(question.prompt_en) not in indonesian
    response = client.get(f"/language/en?next=/account/test/{attempt_id}/13")
    assert response.status_code == 302
    english_page = client.get(f"/account/test/{attempt_id}/13").get_data(as_text=True)
    assert _escaped(question.prompt_en) in english_page
    assert _escaped(question.passage_en.split("\n")[0]) in english_page
    assert all(_escaped(choice) in english_page for choice in question.choices_en)
    assert _escaped(question.prompt_id) not in english_page


def test_a_table_passage_is_shown_as_a_table(app, factory, open_test):
    client, _user_id, participant_id = signed_in_participant(app, factory)
    english(client)
    with app.app_context():
        table_question = db.session.scalar(sa.select(Question).where(Question.code == "M16"))
        batch = db.session.get(Batch, open_test)
        participant = db.session.get(Participant, participant_id)
        attempt = online_test.start(participant, batch, utcnow())
        attempt.question_ids = [table_question.id] + attempt.question_ids[1:]
        db.session.commit()
        attempt_id = attempt.id
    html = client.get(f"/account/test/{attempt_id}/1").get_data(as_text=True)
    assert '<th scope="col">Departs</th>' in html
    assert "<td>Train B</td>" in html


def test_time_left_is_worked_out_by_the_server(app, factory, open_test):
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    english(client)
    attempt_id = start_in_browser(client)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() + timedelta(minutes=16, seconds=30)
        db.session.commit()
    html = client.get(f"/account/test/{attempt_id}/1").get_data(as_text=True)
    assert "Time left: 17 minutes" in html
    assert "<script" not in html and 'http-equiv="refresh"' not in html


def test_an_answer_after_the_deadline_goes_to_the_result(app, factory, open_test):
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    english(client)
    attempt_id = start_in_browser(client)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at = utcnow() - timedelta(minutes=30)
        attempt.deadline_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    response = client.post(f"/account/test/{attempt_id}/1", data={"choice": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/account/test/{attempt_id}/result"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Time is up: answers after the deadline do not count." in html
    assert "0 of 18 correct" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.score == 0 and attempt.submitted_at == attempt.deadline_at
    # Opening a question or the check page of the finished attempt leads to the result.
    for path in (f"/account/test/{attempt_id}/3", f"/account/test/{attempt_id}/submit"):
        response = client.get(path)
        assert response.headers["Location"] == f"/account/test/{attempt_id}/result"


def test_starting_twice_resumes_the_running_attempt(app, factory, open_test):
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    first = start_in_browser(client)
    assert start_in_browser(client) == first
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1


def test_another_participant_gets_404(app, factory, open_test):
    owner, _user_id, _participant_id = signed_in_participant(app, factory)
    attempt_id = start_in_browser(owner)
    other, _other_user, _other_participant = signed_in_participant(app, factory)
    for path in (
        f"/account/test/{attempt_id}/1",
        f"/account/test/{attempt_id}/submit",
        f"/account/test/{attempt_id}/result",
    ):
        assert other.get(path).status_code == 404
    assert other.post(f"/account/test/{attempt_id}/1", data={"choice": "0"}).status_code == 404
    assert other.post(f"/account/test/{attempt_id}/submit").status_code == 404
    # A participant account without a profile has no attempts either.
    bare, _bare_user, _none = signed_in_participant(app, factory, with_profile=False)
    assert bare.get(f"/account/test/{attempt_id}/1").status_code == 404
    row = attempt_row(app, attempt_id)
    assert row.submitted_at is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVIDER])
def test_other_roles_get_403(app, factory, login, open_test, role):
    owner, _user_id, _participant_id = signed_in_participant(app, factory)
    attempt_id = start_in_browser(owner)
    kwargs = {"provider": factory.provider()} if role is Role.PROVIDER else {}
    client = login(role, **kwargs)
    assert client.get("/account/test").status_code == 403
    assert client.post("/account/test").status_code == 403
    assert client.get(f"/account/test/{attempt_id}/1").status_code == 403
    assert client.get(f"/account/test/{attempt_id}/result").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, open_test):
    for path in ("/account/test", "/account/test/1/1", "/account/test/1/submit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert client.post("/account/test").status_code == 302


def test_bad_input_is_a_4xx_and_changes_nothing(app, factory, open_test):
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    english(client)
    attempt_id = start_in_browser(client)
    for data in ({"choice": "abc"}, {"choice": "7"}, {"choice": "-1"}, {"choice": ""}, {}):
        response = client.post(f"/account/test/{attempt_id}/1", data=data)
        assert response.status_code == 400, data
        html = response.get_data(as_text=True)
        assert "There is a problem" in html
        assert 'href="#choice"' in html
    for path in (
        f"/account/test/{attempt_id}/0",
        f"/account/test/{attempt_id}/19",
        f"/account/test/{attempt_id}/99",
        f"/account/test/{attempt_id}/abc",
        f"/account/test/{attempt_id}/-1",
        "/account/test/99999999999999999999/1",
        "/account/test/0/1",
        f"/account/test/{attempt_id + 1}/1",
        "/account/test/abc/result",
        f"/account/test/{attempt_id + 1}/result",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, data={"choice": "0"}).status_code in (404, 405), path
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    # The result of a running attempt is not shown yet: back to the check page.
    response = client.get(f"/account/test/{attempt_id}/result")
    assert response.headers["Location"] == f"/account/test/{attempt_id}/submit"


def test_without_a_profile_the_page_links_to_the_profile(app, factory, open_test):
    client, _user_id, _none = signed_in_participant(app, factory, with_profile=False)
    english(client)
    html = client.get("/account/test").get_data(as_text=True)
    assert "fill in your profile" in html
    assert 'href="/account/profile"' in html
    assert "Start the test" not in html
    assert client.post("/account/test").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def test_without_an_open_batch_the_test_is_closed(app, factory):
    with app.app_context():
        online_test.seed_questions()
        now = utcnow()
        make_batch(opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=10))
        db.session.commit()
    client, _user_id, _participant_id = signed_in_participant(app, factory)
    english(client)
    html = client.get("/account/test").get_data(as_text=True)
    assert "No batch is open for joining right now" in html
    assert "Start the test" not in html
    assert client.post("/account/test").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def _escaped(text: str) -> str:
    """Text as Jinja escapes it in HTML."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
