"""/account: the participant's checklist, from a new account to a card with its deadline."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD
from support.programme_rows import make_attempt, make_participant, make_user

from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.money import cards, ledger
from marketplace.people.models import Role, User
from marketplace.programme import batches
from marketplace.programme.models import Application, Batch, Outcome


def _client_for(app, email):
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _with_password(user):
    from marketplace.people.accounts import hash_password

    user.password_hash = hash_password(PASSWORD)
    return user


def _open_batch(number=1, days_open=5):
    batches.ensure_schemes()
    now = utcnow()
    return batches.create_batch(
        number, now - timedelta(days=1), now + timedelta(days=days_open), 10, "2020", None, None
    )


def test_account_needs_a_signed_in_participant(client, provider_client, admin_client):
    assert client.get("/account").status_code == 302
    assert "/login" in client.get("/account").headers["Location"]
    assert provider_client.get("/account").status_code == 403
    response = admin_client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/batches")


def test_a_new_account_sees_every_step_to_do(app, factory):
    with app.app_context():
        _with_password(make_user(email="baru@example.com", verified=False))
        _open_batch()
        db.session.commit()
    html = _client_for(app, "baru@example.com").get("/account").get_data(as_text=True)
    assert "Verify your email address" in html and "Send the link again" in html
    assert "Fill in your profile and NIK" in html
    assert "Take the online test for batch 1" in html
    assert "Join batch 1" in html
    assert html.count("To do") == 4
    assert "Your card" not in html


def test_a_participant_with_a_card_sees_its_number_masked_balance_and_deadline(app):
    with app.app_context():
        participant = make_participant()
        _with_password(participant.user)
        email = participant.user.email
        batch = _open_batch()
        make_attempt(participant, batch)
        batches.join(participant, batch, utcnow(), actor=participant.user)
        ledger.allocate_budget(10_000_000, "test")
        card = cards.issue(participant, batch, utcnow())
        number, nik = card.number, participant.nik
        db.session.commit()
    html = _client_for(app, email).get("/account").get_data(as_text=True)
    assert f"{number[:4]}********{number[-4:]}" in html
    assert number not in html and nik not in html
    assert "Rp1.000.000" in html
    # Calendar days in WIB: 30 on the day a 30-day card is issued, whatever the hour.
    assert "Buy your first course within 30 days" in html
    # The card holder's page has no checklist of steps already behind them.
    assert "Your steps to a card" not in html and "Not needed" not in html
    assert "/account/batches" in html


def test_waiting_for_results_then_not_selected(app):
    with app.app_context():
        participant = make_participant()
        _with_password(participant.user)
        email = participant.user.email
        batch = _open_batch()
        make_attempt(participant, batch)
        batches.join(participant, batch, utcnow(), actor=participant.user)
        db.session.commit()
    client = _client_for(app, email)
    html = client.get("/account").get_data(as_text=True)
    assert "Waiting for results" in html and "results after" in html
    with app.app_context():
        application = db.session.scalar(sa.select(Application))
        application.outcome = Outcome.REJECTED
        db.session.commit()
    html = client.get("/account").get_data(as_text=True)
    assert "Not selected" in html
    assert "You were not selected in 1 batch. You can join the next batch" in html


@pytest.mark.parametrize("rejections", [3])
def test_after_three_rejections_the_page_says_so_plainly(app, rejections):
    with app.app_context():
        participant = make_participant()
        _with_password(participant.user)
        email = participant.user.email
        batches.ensure_schemes()
        now = utcnow()
        for number in range(1, rejections + 1):
            start = now - timedelta(days=100 - number * 20)
            batch = batches.create_batch(
                number, start, start + timedelta(days=7), 5, "2020", None, None
            )
            batch.selected_at = start + timedelta(days=8)
            attempt = make_attempt(participant, batch)
            db.session.add(
                Application(
                    participant_id=participant.id,
                    batch_id=batch.id,
                    test_attempt_id=attempt.id,
                    outcome=Outcome.REJECTED,
                    reason="quota",
                    joined_at=start + timedelta(days=1),
                )
            )
        db.session.commit()
    html = _client_for(app, email).get("/account").get_data(as_text=True)
    assert "You were not selected in 3 batches." in html
    assert "you cannot join another batch" in html
    assert "Not possible" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Batch.id))) == 3
        role = db.session.scalar(sa.select(User.role).where(User.email == email))
        assert role is Role.PARTICIPANT


def test_the_checklist_is_in_indonesian_by_default(app):
    with app.app_context():
        _with_password(make_user(email="id@example.com", locale=None))
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "id@example.com", "password": PASSWORD})
    html = client.get("/account").get_data(as_text=True)
    assert 'lang="id"' in html and "Langkah Anda menuju kartu" in html
