"""The "check your email" page after registering: what it says, sending the link again, and
correcting a mistyped address before it is confirmed (only by the account's own session)."""

import re

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.core import mail
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.people.models import User

NEW_PASSWORD = "kopi pagi di teras"
LINK = re.compile(r"https?://[^/\s]+(/\S+)")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_ON = pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], ids=["csrf-on"])
THROTTLED = pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}],
    ids=["throttled"],
)


def text(response) -> str:
    return response.get_data(as_text=True)


def main(response) -> str:
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


def register(client, email="budi@exmaple.com"):
    response = client.post(
        "/register", data={"name": "Budi Santoso", "email": email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302, text(response)
    return response


def outbox(app, to: str) -> list:
    with app.app_context():
        return [(m.subject, m.body) for m in mail.recent(recipient=to, last=100)]


def link_in(body: str) -> str:
    return LINK.search(body).group(1)


def account(app, user_id: int) -> User:
    with app.app_context():
        db.session().expire_on_commit = False
        return db.session.get(User, user_id)


def user_id_of(app, email: str) -> int | None:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def correct(client, email="budi@example.com", **extra):
    return client.post("/register/check-email/address", data={"email": email, **extra})


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


# --- what the page says --------------------------------------------------------------------


def test_the_page_names_the_address_how_long_and_what_to_do(english):
    register(english)
    response = english.get("/register/check-email")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = main(response)
    assert "We have sent a link to budi@exmaple.com." in page
    assert "within 48 hours" in page
    assert "spam or junk folder" in page
    assert "Check that budi@exmaple.com is the address you meant" in page
    assert 'action="/verify-email/resend"' in page
    assert 'action="/register/check-email/address"' in page and 'name="email"' in page
    assert "contact" in page.lower()


def test_the_page_is_in_indonesian_by_default(client):
    register(client)
    page = main(client.get("/register/check-email"))
    assert "Periksa email Anda" in page and "Alamatnya salah?" in page
    assert "dalam 48 jam" in page


def test_a_visitor_not_signed_in_sees_no_address_and_no_form(app, english):
    register(app.test_client())
    response = english.get("/register/check-email")
    assert response.status_code == 200
    page = main(response)
    assert "budi@exmaple.com" not in page
    assert 'action="/register/check-email/address"' not in page
    assert "sign in with your email address and password to correct it" in page
    assert 'href="/login?next=/register/check-email"' in page


# --- correcting a typo ---------------------------------------------------------------------


def test_a_typo_is_corrected_the_old_link_refused_and_the_new_one_works(app, english):
    register(english, "budi@exmaple.com")
    old_path = link_in(outbox(app, "budi@exmaple.com")[0][1])

    response = correct(english, "Budi@Example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/check-email"
    page = text(english.get("/register/check-email"))
    assert "We have sent a new link to budi@example.com." in page
    assert "We have sent a link to budi@example.com." in page
    assert user_id_of(app, "budi@exmaple.com") is None

    [(subject, body)] = outbox(app, "budi@example.com")
    assert subject == "Confirm your email address for Prakerja"
    assert len(outbox(app, "budi@exmaple.com")) == 1  # the mistyped address gets nothing more

    refused = english.post(old_path)
    assert refused.status_code == 400
    assert "no longer on the account" in text(refused)
    assert 'href="/verify-email/resend"' in text(refused)
    assert english.get(old_path).status_code == 400

    new_path = link_in(body)
    assert english.post(new_path).status_code == 302
    user_id = user_id_of(app, "budi@example.com")
    assert account(app, user_id).verified_at is not None
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action)))
    assert "account.email_corrected" in actions and "account.email_verified" in actions


def test_sending_again_after_a_correction_goes_to_the_new_address(app, client):
    register(client, "budi@exmaple.com")
    correct(client, "budi@example.com")
    assert client.post("/verify-email/resend").status_code == 302
    assert len(outbox(app, "budi@example.com")) == 2
    assert len(outbox(app, "budi@exmaple.com")) == 1


def test_an_address_another_account_has_is_refused_as_registration_refuses_it(
    app, english, factory
):
    factory.user(email="ani@example.com")
    register(english, "budi@exmaple.com")
    response = correct(english, "ANI@example.com")
    assert response.status_code == 400
    page = main(response)
    assert "This email address is already registered." in page
    assert 'class="error-summary"' in page and 'href="#email"' in page
    registering = app.test_client()
    registering.set_cookie("lang", "en")
    refused = registering.post(
        "/register", data={"name": "Lain", "email": "ani@example.com", "password": NEW_PASSWORD}
    )
    assert "This email address is already registered." in text(refused)
    assert user_id_of(app, "budi@exmaple.com") is not None
    assert outbox(app, "ani@example.com") == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("bukan email", "correct format"),
        ("a@" + "b" * 260 + ".com", "at most 254 characters"),
        ("budi@exmaple.com", "already sent the link to this address"),
    ],
)
def test_bad_addresses_are_refused_and_change_nothing(app, english, email, message):
    register(english, "budi@exmaple.com")
    response = correct(english, email)
    assert response.status_code == 400
    assert message in text(response)
    assert user_id_of(app, "budi@exmaple.com") is not None
    assert len(outbox(app, "budi@exmaple.com")) == 1


def test_a_confirmed_account_is_sent_to_its_account(app, participant_client):
    response = correct(participant_client, "lain@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert user_id_of(app, "lain@example.com") is None
    assert participant_client.get("/register/check-email").status_code == 302


# --- only the account's own session --------------------------------------------------------


def test_nobody_without_the_accounts_session_can_change_the_address(app, factory):
    registering = app.test_client()
    register(registering, "budi@exmaple.com")
    budi = user_id_of(app, "budi@exmaple.com")

    anonymous = app.test_client()
    response = correct(anonymous, "penyerang@example.com", user_id=str(budi))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/register/check-email"

    # Another account's session changes its own address only, whatever the form names.
    other = app.test_client()
    register(other, "cici@exmaple.com")
    cici = user_id_of(app, "cici@exmaple.com")
    response = correct(other, "penyerang@example.com", user_id=str(budi), id=str(budi))
    assert response.status_code == 302
    assert account(app, budi).email == "budi@exmaple.com"
    assert user_id_of(app, "penyerang@example.com") == cici
    assert len(outbox(app, "budi@exmaple.com")) == 1

    # A copy of the session cookie from before a sign-out everywhere no longer works.
    cookie = registering.get_cookie("session").value
    assert registering.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = correct(replay, "penyerang2@example.com")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert account(app, budi).email == "budi@exmaple.com"


def test_signing_in_with_the_password_lets_the_owner_correct_it_later(app, english):
    register(app.test_client(), "budi@exmaple.com")
    response = english.post(
        "/login",
        data={
            "email": "budi@exmaple.com", "password": NEW_PASSWORD,
            "next": "/register/check-email",
        },
    )
    assert response.headers["Location"] == "/register/check-email"
    assert correct(english, "budi@example.com").status_code == 302
    assert user_id_of(app, "budi@example.com") is not None


@CSRF_ON
def test_the_form_needs_its_csrf_token(app, client, app_config):
    page = text(client.get("/register"))
    token = TOKEN.search(page).group(1)
    client.post(
        "/register",
        data={
            "name": "Budi", "email": "budi@exmaple.com", "password": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert correct(client, "budi@example.com").status_code == 400
    assert user_id_of(app, "budi@exmaple.com") is not None
    page = text(client.get("/register/check-email"))
    form = page.split('action="/register/check-email/address"', 1)[1].split("</form>", 1)[0]
    token = TOKEN.search(form).group(1)
    assert correct(client, "budi@example.com", csrf_token=token).status_code == 302
    assert user_id_of(app, "budi@example.com") is not None


# --- rate limits ---------------------------------------------------------------------------


@THROTTLED
def test_corrections_and_resends_share_one_limit_with_a_clear_message(app, english, app_config):
    register(english, "budi@exmaple.com")
    assert correct(english, "budi1@example.com").status_code == 302
    assert correct(english, "budi2@example.com").status_code == 302
    assert english.post("/verify-email/resend").status_code == 302
    blocked = correct(english, "budi3@example.com")
    assert blocked.status_code == 429
    page = main(blocked)
    assert "Too many emails asked for" in page
    assert "keep working for 48 hours" in page and "spam or junk folder" in page
    assert 'href="/register/check-email"' in page
    assert english.post("/verify-email/resend").status_code == 429
    assert user_id_of(app, "budi3@example.com") is None
    assert user_id_of(app, "budi2@example.com") is not None


@THROTTLED
def test_the_limit_message_is_in_indonesian_too(client, app_config):
    register(client, "budi@exmaple.com")
    for _ in range(3):
        client.post("/verify-email/resend")
    blocked = correct(client, "budi@example.com")
    assert blocked.status_code == 429
    assert "Terlalu banyak permintaan email" in text(blocked)
    assert '<html lang="id">' in text(blocked)


@THROTTLED
def test_one_address_gets_few_links_whichever_accounts_ask(app, app_config):
    statuses = []
    for n in range(4):
        client = app.test_client()
        register(client, f"orang{n}@exmaple.com")
        statuses.append(correct(client, "korban@example.com").status_code)
    # The first takes the address, the next two are told it is taken, the fourth is stopped.
    assert statuses == [302, 400, 400, 429]
    assert len(outbox(app, "korban@example.com")) == 1


@THROTTLED
def test_other_limits_on_the_way_in_keep_the_usual_page(client, factory, app_config):
    factory.user(email="ani@example.com")
    for _ in range(5):
        client.post("/login", data={"email": "ani@example.com", "password": "salah"})
    blocked = client.post("/login", data={"email": "ani@example.com", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in text(blocked)
    assert "Terlalu banyak permintaan email" not in text(blocked)
