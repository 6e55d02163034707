"""Accounts: registering, confirming the email, passwords, sessions, throttling, logs."""

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import get_locale
from support import smtp
from support.factories import PASSWORD

from marketplace.core import DomainError, mail
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.people import accounts, passwords
from marketplace.people.models import Role, User

NEW_PASSWORD = "kopi pagi di teras"
smtp_server = smtp.smtp_server  # the fixture: a LoopbackSMTP running for one test
LINK = re.compile(r"https?://[^/\s]+(/\S+)")


@pytest.fixture
def app_config(request):
    """The limiter is off in tests; a test asking for `throttled` turns it on (memory).

    A test asking for `smtp_server` sends its mail to that loopback server.
    """
    config = {}
    if "throttled" in request.fixturenames:
        config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    if "smtp_server" in request.fixturenames:
        config.update(request.getfixturevalue("smtp_server").config)
    return config


@pytest.fixture
def throttled():
    """Marker fixture: the app under test has its rate limits on."""


@pytest.fixture
def english(client):
    """The client reads pages in English, so messages can be compared to their ids."""
    client.set_cookie("lang", "en")
    return client


# --- helpers -------------------------------------------------------------------------------


def register(client, email="budi@example.com", name="Budi Santoso", password=NEW_PASSWORD):
    return client.post("/register", data={"name": name, "email": email, "password": password})


def text(response) -> str:
    return response.get_data(as_text=True)


def outbox(app, to: str) -> list[tuple[str, str]]:
    """(subject, body) of the messages to one address, oldest first."""
    with app.app_context():
        return [(m.subject, m.body) for m in mail.recent(recipient=to, last=100)]


def link_in(body: str) -> str:
    """The path of the (first) link in a mail body."""
    return LINK.search(body).group(1)


def user_row(app, email: str) -> User | None:
    with app.app_context():
        db.session().expire_on_commit = False
        return db.session.scalar(sa.select(User).where(User.email == email))


def signed_in(client) -> bool:
    return 'action="/logout"' in text(client.get("/"))


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def make_token(app, email: str, kind: str, now=None) -> str:
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        make = accounts.verification_token if kind == "verify" else accounts.reset_token
        return make(user, now=now)


def forgot_link(client, app, email: str) -> str:
    client.post("/password/forgot", data={"email": email})
    subject, body = outbox(app, email)[-1]
    assert "/password/reset/" in body
    return link_in(body)


# --- registering ---------------------------------------------------------------------------


def test_register_page_and_links_from_sign_in(client):
    page = text(client.get("/register"))
    assert 'name="name"' in page and 'name="email"' in page and 'name="password"' in page
    assert 'autocomplete="new-password"' in page
    login = text(client.get("/login"))
    assert 'href="/register"' in login and 'href="/password/forgot"' in login
    assert 'href="/verify-email/resend"' in login


def test_register_creates_unverified_participant_and_mails_a_link(app, client):
    response = register(client, email="  Budi@Example.COM ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/check-email"
    user = user_row(app, "budi@example.com")
    assert user.role is Role.PARTICIPANT and user.verified_at is None
    assert user.name == "Budi Santoso" and user.locale == "id"
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash
    [(subject, body)] = outbox(app, "budi@example.com")
    assert "/verify-email/" in body
    assert "account.registered" in audit_actions(app)
    page = text(client.get("/register/check-email"))
    assert "budi@example.com" in page and 'action="/verify-email/resend"' in page
    assert signed_in(client)


def test_register_refuses_an_email_already_registered_in_any_case(app, english, factory):
    factory.user(email="ani@example.com")
    response = register(english, email="ANI@Example.com")
    assert response.status_code == 400
    assert "This email address is already registered." in text(response)
    assert outbox(app, "ani@example.com") == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("pendek", "at least 8 characters"),
        ("x" * 129, "128 characters or fewer"),
        ("password", "too common"),
        ("PassWord123", "too common"),
        ("  qwertyuiop  ", "too common"),
        ("Budi@Example.com", "must not be your email address or your name"),
        ("budi@example.com", "must not be your email address or your name"),
        ("budi santoso", "must not be your email address or your name"),
        ("prakerja", "too common"),
    ],
)
def test_register_refuses_passwords_that_break_a_rule(app, english, password, message):
    response = register(english, password=password)
    assert response.status_code == 400
    assert message in text(response)
    assert 'class="error-summary"' in text(response)
    assert user_row(app, "budi@example.com") is None
    assert outbox(app, "budi@example.com") == []


@pytest.mark.parametrize("password", ["delapan8", "y" * 128, "Tiga kata saja", "ĉu ŝi ĝuas?"])
def test_register_allows_passwords_within_the_rules(app, client, password):
    assert register(client, password=password).status_code == 302
    with app.app_context():
        assert accounts.authenticate("budi@example.com", password) is not None


def test_password_rules_as_a_service(ctx):
    passwords.check_new_password("delapan8", email="a@b.id", name="Ani")
    for bad in ("1234567", "iloveyou", "ILOVEYOU", "ani@b.id", "Ani", "z" * 129):
        with pytest.raises(DomainError) as refused:
            passwords.check_new_password(bad, email="ani@b.id", name="Ani")
        assert refused.value.field == "password"
    assert len(passwords.common_passwords()) > 19_000  # 20,000 lines, some equal once stripped
    assert passwords.is_common("Dragon") and not passwords.is_common("kopi pagi di teras")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "", "email": "", "password": ""},
        {"name": "N" * 5000, "email": "e" * 5000, "password": "p" * 5000},
        {"name": "Budi", "email": "budi@example.com", "password": "p" * 5000},
        {"name": "Budi", "email": "not an email", "password": NEW_PASSWORD},
    ],
)
def test_register_bad_input_is_a_400_never_a_500(app, client, data):
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert 'class="error-summary"' in text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_shows_every_problem_at_once(english):
    response = register(english, name="", email="bukan-email", password="pendek")
    assert response.status_code == 400
    summary = text(response).split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert 'href="#name"' in summary and 'href="#email"' in summary
    assert 'href="#password"' in summary and "at least 8 characters" in summary


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Budi\x00Santoso"},
        {"name": "Bu\x00di", "email": "bu\x00di@example.com", "password": "x\x00" * 10},
        {"name": "Budi\x1bSantoso"},
    ],
)
def test_register_with_control_characters_is_refused_at_the_door(app, english, fields):
    response = register(english, **fields)
    assert response.status_code == 400
    assert "control character" in text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_service_refuses_a_name_with_control_characters_too(ctx):
    with pytest.raises(DomainError, match="without special characters"):
        accounts.register_participant(
            name="Budi\tSantoso",
            email="budi@example.com",
            password=NEW_PASSWORD,
            link_for=lambda token: f"http://localhost/verify-email/{token}",
        )


def test_junk_bytes_never_give_a_500(client):
    junk = b"name=\xff\xfe\xfd&email=%ff%fe%00@x&password=\xc3\x28\xa0\xa1"
    for path in ("/register", "/login", "/password/forgot", "/verify-email/resend"):
        response = client.post(
            path, data=junk, content_type="application/x-www-form-urlencoded"
        )
        assert 400 <= response.status_code < 500, path
    for path in ("/verify-email/%ff%fe", "/password/reset/%00%ff", "/verify-email/" + "a" * 5000):
        assert client.get(path).status_code in (400, 404)


# --- confirming the email address ----------------------------------------------------------


def test_verification_link_shows_a_button_and_verifies_once(app, client):
    register(client)
    path = link_in(outbox(app, "budi@example.com")[0][1])
    page = client.get(path)
    assert page.status_code == 200
    assert f'action="{path}"' in text(page) and 'method="post"' in text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert user_row(app, "budi@example.com").verified_at is None  # a GET changes nothing

    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert user_row(app, "budi@example.com").verified_at is not None
    assert audit_actions(app).count("account.email_verified") == 1

    client.set_cookie("lang", "en")
    again = client.get(path)
    assert again.status_code == 200
    assert "already confirmed" in text(again) and 'method="post"' not in text(again).split(
        "<main", 1
    )[1].split("</main>")[0]
    client.post(path)
    assert audit_actions(app).count("account.email_verified") == 1


def test_verification_link_from_another_browser_sends_to_sign_in(app, client):
    register(client)
    path = link_in(outbox(app, "budi@example.com")[0][1])
    other = app.test_client()
    response = other.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert user_row(app, "budi@example.com").verified_at is not None


def test_expired_verification_link_is_refused(app, english):
    register(english)
    old = make_token(app, "budi@example.com", "verify", now=utcnow() - timedelta(hours=49))
    for response in (english.get(f"/verify-email/{old}"), english.post(f"/verify-email/{old}")):
        assert response.status_code == 400
        assert "This link has expired" in text(response)
    assert user_row(app, "budi@example.com").verified_at is None
    recent = make_token(app, "budi@example.com", "verify", now=utcnow() - timedelta(hours=47))
    assert english.post(f"/verify-email/{recent}").status_code == 302
    assert user_row(app, "budi@example.com").verified_at is not None


def test_tampered_or_foreign_links_are_refused(app, english):
    register(english)
    path = link_in(outbox(app, "budi@example.com")[0][1])
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    reset_token = make_token(app, "budi@example.com", "reset")
    for bad in (tampered, "x", "eyJ1IjoxfQ.abc.def", reset_token):
        response = english.post(f"/verify-email/{bad}")
        assert response.status_code == 400
        assert "This link is not valid" in text(response)
        assert english.get(f"/verify-email/{bad}").status_code == 400
    assert user_row(app, "budi@example.com").verified_at is None


def test_verification_link_for_a_changed_email_is_refused(app, english):
    register(english)
    path = link_in(outbox(app, "budi@example.com")[0][1])
    with app.app_context():
        db.session.scalar(sa.select(User)).email = "budi.baru@example.com"
        db.session.commit()
    response = english.post(path)
    assert response.status_code == 400
    assert "no longer on the account" in text(response)
    assert user_row(app, "budi.baru@example.com").verified_at is None


def test_resend_verification_when_signed_in(app, client):
    register(client)
    response = client.post("/verify-email/resend")
    assert response.status_code == 302
    assert len(outbox(app, "budi@example.com")) == 2
    client.post(link_in(outbox(app, "budi@example.com")[1][1]))
    response = client.post("/verify-email/resend")
    assert response.status_code == 302
    assert len(outbox(app, "budi@example.com")) == 2  # verified: nothing more to send


def test_resend_verification_by_address_answers_the_same(app, client, factory):
    register(app.test_client(), email="belum@example.com")
    factory.user(email="sudah@example.com")
    pages = {}
    for email in ("belum@example.com", "sudah@example.com", "siapa@example.com"):
        response = client.post("/verify-email/resend", data={"email": email})
        assert response.status_code == 200
        pages[email] = text(response).replace(email, "EMAIL")
    assert len(set(pages.values())) == 1
    assert len(outbox(app, "belum@example.com")) == 2
    assert outbox(app, "sudah@example.com") == [] and outbox(app, "siapa@example.com") == []


# --- forgotten password --------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_unknown_addresses(app, client, factory):
    factory.user(email="ada@example.com")
    known = client.post("/password/forgot", data={"email": "Ada@Example.com"})
    unknown = client.post("/password/forgot", data={"email": "tidak.ada@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert text(known).replace("Ada@Example.com", "EMAIL") == text(unknown).replace(
        "tidak.ada@example.com", "EMAIL"
    )
    assert len(outbox(app, "ada@example.com")) == 1
    assert outbox(app, "tidak.ada@example.com") == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 1


def test_password_reset_end_to_end(app, client, factory):
    factory.user(email="ani@example.com")
    elsewhere = app.test_client()
    assert sign_in(elsewhere, "ani@example.com").status_code == 302
    path = forgot_link(client, app, "ani@example.com")
    page = client.get(path)
    assert page.status_code == 200 and 'autocomplete="new-password"' in text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"

    response = client.post(path, data={"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(elsewhere)  # every other session ended
    assert sign_in(app.test_client(), "ani@example.com").status_code == 400
    assert sign_in(client, "ani@example.com", NEW_PASSWORD).status_code == 302
    subjects = [subject for subject, _body in outbox(app, "ani@example.com")]
    assert len(subjects) == 2  # the link, then "your password has been changed"
    assert "account.password_reset" in audit_actions(app)

    again = client.post(path, data={"password": "lagi lagi lagi"})
    assert again.status_code == 400
    assert client.get(path).status_code == 400
    assert sign_in(app.test_client(), "ani@example.com", "lagi lagi lagi").status_code == 400


def test_password_reset_link_dies_when_the_password_changes_another_way(app, english, factory):
    factory.user(email="ani@example.com")
    path = forgot_link(english, app, "ani@example.com")
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        user.password_hash = accounts.hash_password("sesuatu yang lain")
        db.session.commit()
    response = english.get(path)
    assert response.status_code == 400
    assert "already been used" in text(response)


def test_expired_or_tampered_reset_links_are_refused(app, english, factory):
    factory.user(email="ani@example.com")
    old = make_token(app, "ani@example.com", "reset", now=utcnow() - timedelta(minutes=61))
    response = english.post(f"/password/reset/{old}", data={"password": NEW_PASSWORD})
    assert response.status_code == 400 and "This link has expired" in text(response)
    fresh = make_token(app, "ani@example.com", "reset", now=utcnow() - timedelta(minutes=59))
    assert english.get(f"/password/reset/{fresh}").status_code == 200
    response = english.get(f"/password/reset/{fresh[:-3]}abc")
    assert response.status_code == 400 and "This link is not valid" in text(response)
    verify = make_token(app, "ani@example.com", "verify")
    assert english.get(f"/password/reset/{verify}").status_code == 400
    assert sign_in(app.test_client(), "ani@example.com").status_code == 302


def test_reset_refuses_a_bad_new_password_and_keeps_the_link(app, english, factory):
    factory.user(email="ani@example.com")
    path = forgot_link(english, app, "ani@example.com")
    for bad in ("123", "password1", "ani@example.com", ""):
        response = english.post(path, data={"password": bad})
        assert response.status_code == 400
        assert 'class="error-summary"' in text(response)
    assert english.post(path, data={"password": NEW_PASSWORD}).status_code == 302


def test_reset_confirms_an_unverified_address(app, client):
    register(app.test_client())
    path = forgot_link(client, app, "budi@example.com")
    client.post(path, data={"password": "teh manis hangat"})
    assert user_row(app, "budi@example.com").verified_at is not None


def test_password_reset_through_a_real_smtp_server(app, client, factory, smtp_server):
    factory.user(email="ani@example.com")
    client.post("/password/forgot", data={"email": "ani@example.com"})
    [received] = smtp_server.wait_for(1)
    assert received.recipient == "ani@example.com"
    path = link_in(received.body)
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 302
    assert sign_in(client, "ani@example.com", NEW_PASSWORD).status_code == 302
    with app.app_context():
        assert all(m.sent_at is not None for m in mail.recent(recipient="ani@example.com"))


# --- changing the password, signing out, sessions ------------------------------------------


def test_change_password_keeps_this_session_and_ends_the_others(app, factory):
    factory.user(email="ani@example.com")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, "ani@example.com")
    sign_in(elsewhere, "ani@example.com")
    old_cookie = here.get_cookie("session").value

    response = here.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert not signed_in(replay)
    assert sign_in(app.test_client(), "ani@example.com", NEW_PASSWORD).status_code == 302
    assert "account.password_changed" in audit_actions(app)
    assert len(outbox(app, "ani@example.com")) == 1  # "your password has been changed"


def test_change_password_refusals(app, factory):
    factory.user(email="ani@example.com")
    client = app.test_client()
    client.set_cookie("lang", "en")
    sign_in(client, "ani@example.com")
    cases = [
        ({"current_password": "salah salah", "password": NEW_PASSWORD}, "current password is not"),
        ({"current_password": PASSWORD, "password": "short"}, "at least 8 characters"),
        ({"current_password": PASSWORD, "password": "sunshine"}, "too common"),
        ({"current_password": PASSWORD, "password": PASSWORD}, "must be different"),
        ({}, "Enter your current password"),
        ({"current_password": "c" * 5000, "password": "p" * 5000}, "error-summary"),
    ]
    for data, message in cases:
        response = client.post("/account/password", data=data)
        assert response.status_code == 400, data
        assert message in text(response), data
    assert signed_in(client)
    assert sign_in(app.test_client(), "ani@example.com").status_code == 302


def test_change_password_needs_a_signed_in_user(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_refuses_the_old_session_cookie_when_replayed(app, client, factory):
    factory.user(email="ani@example.com")
    sign_in(client, "ani@example.com")
    cookie = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    assert not signed_in(client)
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert not signed_in(replay)
    assert "account.signed_out" in audit_actions(app)
    assert sign_in(client, "ani@example.com").status_code == 302  # signing in again works


def test_unverified_sign_in_is_reminded_to_confirm(app, client):
    register(app.test_client())
    client.set_cookie("lang", "en")
    response = sign_in(client, "budi@example.com", NEW_PASSWORD)
    assert response.status_code == 302
    page = text(client.get("/"))
    assert "Confirm your email address" in page


# --- throttling ----------------------------------------------------------------------------


def test_sign_in_is_throttled_per_email_across_addresses(client, factory, throttled):
    factory.user(email="ani@example.com")
    for n in range(5):
        response = client.post(
            "/login",
            data={"email": "Ani@example.com", "password": "salah"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
        assert response.status_code == 400
    blocked = client.post(
        "/login",
        data={"email": "ani@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in text(blocked)
    other = client.post(
        "/login",
        data={"email": "budi@example.com", "password": "salah"},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert other.status_code == 400


def test_sign_in_is_throttled_per_address(client, throttled):
    for n in range(10):
        response = client.post(
            "/login", data={"email": f"orang{n}@example.com", "password": "salah"}
        )
        assert response.status_code == 400
    blocked = client.post("/login", data={"email": "lagi@example.com", "password": "salah"})
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in text(blocked)
    assert '<html lang="id">' in text(blocked)
    elsewhere = client.post(
        "/login",
        data={"email": "lagi@example.com", "password": "salah"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert elsewhere.status_code == 400


def test_forgot_password_is_throttled_per_email(app, client, factory, throttled):
    factory.user(email="ani@example.com")
    for n in range(3):
        response = client.post(
            "/password/forgot",
            data={"email": "ani@example.com"},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"},
        )
        assert response.status_code == 200
    blocked = client.post(
        "/password/forgot",
        data={"email": "ANI@example.com"},
        environ_base={"REMOTE_ADDR": "10.1.0.50"},
    )
    assert blocked.status_code == 429
    assert len(outbox(app, "ani@example.com")) == 3


def test_change_password_is_throttled_per_account(app, factory, throttled):
    factory.user(email="ani@example.com")
    client = app.test_client()
    sign_in(client, "ani@example.com")
    for _attempt in range(5):
        response = client.post(
            "/account/password", data={"current_password": "tebak", "password": NEW_PASSWORD}
        )
        assert response.status_code == 400
    blocked = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert blocked.status_code == 429


# --- mail in the recipient's language, and logs --------------------------------------------


def test_mail_is_written_in_the_recipients_language(app, monkeypatch):
    seen = []
    real_translate = mail.translate

    def spying_translate(message, **variables):
        seen.append(str(get_locale()))
        return real_translate(message, **variables)

    monkeypatch.setattr(mail, "translate", spying_translate)
    english_page = app.test_client()
    english_page.set_cookie("lang", "en")
    register(english_page, email="english@example.com")
    assert set(seen) == {"en"}
    assert user_row(app, "english@example.com").locale == "en"
    subject, body = outbox(app, "english@example.com")[0]
    assert subject == "Confirm your email address for Prakerja"

    with app.app_context():
        db.session.scalar(
            sa.select(User).where(User.email == "english@example.com")
        ).locale = None
        db.session.commit()
    seen.clear()
    english_page.post("/password/forgot", data={"email": "english@example.com"})
    assert set(seen) == {"id"}  # no language set: Indonesian, whatever the page's language


def enable_every_logger(monkeypatch) -> None:
    """Undo the `disable_existing_loggers` of Alembic's fileConfig (run by the migrations)."""
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and logger.disabled:
            monkeypatch.setattr(logger, "disabled", False)


def test_no_password_or_token_in_any_log_line(app, client, caplog, factory, monkeypatch):
    enable_every_logger(monkeypatch)
    caplog.set_level(logging.DEBUG)
    register(client)
    verify_path = link_in(outbox(app, "budi@example.com")[0][1])
    client.post(verify_path)
    sign_in(client, "budi@example.com", NEW_PASSWORD)
    client.post("/account/password", data={"current_password": NEW_PASSWORD,
                                          "password": "teh manis hangat"})
    reset_path = forgot_link(app.test_client(), app, "budi@example.com")
    app.test_client().post(reset_path, data={"password": "nasi goreng pedas"})
    sign_in(app.test_client(), "budi@example.com", "salah sekali")

    secrets = [
        NEW_PASSWORD, "teh manis hangat", "nasi goreng pedas", "salah sekali",
        verify_path.rsplit("/", 1)[1], reset_path.rsplit("/", 1)[1],
    ]
    mail_lines = [r.getMessage() for r in caplog.records if r.name == "marketplace.core.mail"]
    assert len(mail_lines) >= 4 and all("budi@example.com" in line for line in mail_lines)
    for record in caplog.records:
        line = record.getMessage() + repr(record.args) + str(record.exc_text or "")
        for secret in secrets:
            assert secret not in line, record.getMessage()
    with app.app_context():
        details = " ".join(repr(e.detail) for e in db.session.scalars(sa.select(AuditEvent)))
    for secret in secrets:
        assert secret not in details
