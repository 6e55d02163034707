"""/account/email: a confirmed participant changes their address; it changes only when the
link mailed to the new address is used, and the old address is told."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.core import mail
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.people import accounts, email_change
from marketplace.people.models import Role, User

LINK = re.compile(r"https?://[^/\s]+(/\S+)")
NEW = "ani.baru@example.com"
THROTTLED = pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}],
    ids=["throttled"],
)


def text(response) -> str:
    return response.get_data(as_text=True)


def main(response) -> str:
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


def outbox(app, to: str) -> list:
    with app.app_context():
        return [(m.subject, m.body) for m in mail.recent(recipient=to, last=100)]


def links_in(body: str) -> list[str]:
    return LINK.findall(body)


def row(app, user_id: int) -> User:
    with app.app_context():
        db.session().expire_on_commit = False
        return db.session.get(User, user_id)


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def ani(app, factory):
    """A confirmed participant, ani@example.com (English mail), and her signed-in client."""
    user = factory.user(email="ani@example.com")
    with app.app_context():
        db.session.get(User, user.id).locale = "en"
        db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert sign_in(client, "ani@example.com").status_code == 302
    client.user_id = user.id
    return client


def ask(client, email=NEW, password=PASSWORD):
    return client.post("/account/email", data={"email": email, "current_password": password})


def change_link(app) -> str:
    [(_subject, body)] = outbox(app, NEW)
    [path] = links_in(body)
    assert path.startswith("/account/email/confirm/")
    return path


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_address_and_asks_for_the_new_one_and_the_password(ani):
    response = ani.get("/account/email")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = main(response)
    assert "<h1 class=\"page-title\">Change email address</h1>" in page
    assert "ani@example.com" in page
    assert 'name="email"' in page and 'name="current_password"' in page
    assert 'autocomplete="current-password"' in page
    assert "within 24 hours" in page


def test_the_profile_links_to_it(ani):
    page = main(ani.get("/account/profile"))
    assert "We write to you at ani@example.com." in page
    assert 'href="/account/email"' in page


def test_who_may_open_it(app, client, provider_client, factory):
    response = client.get("/account/email")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert provider_client.get("/account/email").status_code == 403
    unconfirmed = app.test_client()
    unconfirmed.post(
        "/register",
        data={"name": "Budi", "email": "budi@example.com", "password": "kopi pagi di teras"},
    )
    response = unconfirmed.get("/account/email")
    assert response.status_code == 302
    assert response.headers["Location"] == "/register/check-email"


# --- asking for a change -------------------------------------------------------------------


def test_a_change_waits_for_the_link_and_the_old_address_is_told(app, ani):
    response = ask(ani, "  Ani.Baru@Example.com ")
    assert response.status_code == 302 and response.headers["Location"] == "/account/email"
    page = main(ani.get("/account/email"))
    assert "We have sent a link to ani.baru@example.com." in page
    assert "You asked to change your address to ani.baru@example.com." in page
    assert "WIB" in page and 'action="/account/email/cancel"' in page

    user = row(app, ani.user_id)
    assert user.email == "ani@example.com" and user.pending_email == NEW
    # Meanwhile the old address still signs in, the new one doesn't.
    assert sign_in(app.test_client(), "ani@example.com").status_code == 302
    assert sign_in(app.test_client(), NEW).status_code == 400

    [(subject, body)] = outbox(app, "ani@example.com")
    assert subject == "A change of your Prakerja email address was requested"
    assert NEW in body
    assert links_in(body) == ["/password/forgot"]  # what to do if it wasn't them
    assert "account.email_change_requested" in actions(app)
    change_link(app)


def test_the_link_makes_the_change_only_when_its_button_is_pressed(app, ani):
    ask(ani)
    path = change_link(app)
    other_device = app.test_client()
    other_device.set_cookie("lang", "en")
    page = other_device.get(path)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert f'action="{path}"' in text(page) and NEW in main(page)
    assert row(app, ani.user_id).email == "ani@example.com"  # a GET changes nothing

    response = other_device.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Sign in with your new email address." in text(other_device.get("/login"))
    user = row(app, ani.user_id)
    assert user.email == NEW and user.pending_email is None and user.verified_at is not None
    assert sign_in(app.test_client(), NEW).status_code == 302
    assert sign_in(app.test_client(), "ani@example.com").status_code == 400
    assert "account.email_changed" in actions(app)
    subject, _body = outbox(app, "ani@example.com")[-1]
    assert subject == "Your Prakerja email address has been changed"


def test_the_link_opened_where_she_is_signed_in_goes_back_to_the_page(app, ani):
    ask(ani)
    response = ani.post(change_link(app))
    assert response.status_code == 302 and response.headers["Location"] == "/account/email"
    page = main(ani.get("/account/email"))
    assert "Your email address has been changed to ani.baru@example.com." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": NEW, "current_password": "salah sekali"}, "current password is not right"),
        ({"email": NEW, "current_password": ""}, "Enter your current password"),
        ({"email": "bukan email", "current_password": PASSWORD}, "correct format"),
        ({"email": "", "current_password": PASSWORD}, "Enter your email address"),
        ({"email": "ANI@example.com", "current_password": PASSWORD}, "already your email"),
        ({"email": "budi@example.com", "current_password": PASSWORD}, "already registered"),
        ({"email": "e" * 5000, "current_password": "p" * 5000}, "error-summary"),
    ],
)
def test_refusals_change_nothing_and_mail_nothing(app, ani, factory, data, message):
    factory.user(email="budi@example.com")
    response = ani.post("/account/email", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert 'class="error-summary"' in text(response)
    user = row(app, ani.user_id)
    assert user.email == "ani@example.com" and user.pending_email is None
    assert outbox(app, "ani@example.com") == [] and outbox(app, NEW) == []


# --- links that can't be used --------------------------------------------------------------


def test_a_used_link_is_a_clear_400(app, ani):
    ask(ani)
    path = change_link(app)
    assert ani.post(path).status_code == 302
    for response in (ani.get(path), ani.post(path)):
        assert response.status_code == 400
        assert "This link has already been used" in text(response)
        assert 'href="/account/email"' in main(response)
    assert actions(app).count("account.email_changed") == 1


def test_an_expired_link_is_a_clear_400(app, ani):
    with app.test_request_context():
        user = db.session.get(User, ani.user_id)
        email_change.request_change(
            user,
            PASSWORD,
            NEW,
            link_for=lambda token: f"http://localhost/account/email/confirm/{token}",
            forgot_link="http://localhost/password/forgot",
            now=utcnow() - timedelta(hours=25),
        )
        db.session.commit()
    path = change_link(app)
    for response in (ani.get(path), ani.post(path)):
        assert response.status_code == 400
        assert "This link has expired" in text(response)
    assert "You asked to change" not in main(ani.get("/account/email"))
    assert row(app, ani.user_id).email == "ani@example.com"


def test_a_cancelled_or_replaced_link_is_a_clear_400(app, ani):
    ask(ani)
    path = change_link(app)
    assert ani.get("/account/email/cancel").headers["Location"] == "/account/email"
    assert row(app, ani.user_id).pending_email == NEW  # a GET cancels nothing
    assert ani.post("/account/email/cancel").status_code == 302
    assert "The change of email address has been cancelled." in text(ani.get("/account/email"))
    response = ani.post(path)
    assert response.status_code == 400
    assert "This link no longer works" in text(response)
    assert row(app, ani.user_id).email == "ani@example.com"
    assert "account.email_change_cancelled" in actions(app)


def test_a_password_reset_after_the_request_cancels_it(app, ani):
    ask(ani)
    path = change_link(app)
    anywhere = app.test_client()
    anywhere.post("/password/forgot", data={"email": "ani@example.com"})
    reset_path = links_in(outbox(app, "ani@example.com")[-1][1])[0]
    assert anywhere.post(reset_path, data={"password": "teh manis hangat"}).status_code == 302
    assert ani.post(path).status_code == 400
    assert row(app, ani.user_id).email == "ani@example.com"


@pytest.mark.parametrize("token", ["x", "a" * 300, "eyJ1IjoxfQ.abc.def"])
def test_altered_links_are_a_400(client, token):
    client.set_cookie("lang", "en")
    for response in (client.get(f"/account/email/confirm/{token}"),
                     client.post(f"/account/email/confirm/{token}")):
        assert response.status_code == 400
        assert "This link is not valid" in text(response)


def test_a_verification_link_is_not_a_change_link(app, ani):
    with app.test_request_context():
        token = accounts.verification_token(db.session.get(User, ani.user_id))
    assert ani.post(f"/account/email/confirm/{token}").status_code == 400


# --- rate limits ---------------------------------------------------------------------------


@THROTTLED
def test_password_guesses_are_limited_per_account(app, ani, app_config):
    for n in range(5):
        response = ani.post(
            "/account/email",
            data={"email": NEW, "current_password": f"tebakan {n}"},
            environ_base={"REMOTE_ADDR": f"10.2.0.{n}"},
        )
        assert response.status_code == 400
    blocked = ani.post(
        "/account/email",
        data={"email": NEW, "current_password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.2.0.99"},
    )
    assert blocked.status_code == 429
    assert "Too many attempts" in text(blocked)
    assert row(app, ani.user_id).pending_email is None


@THROTTLED
def test_links_to_one_address_are_limited(app, ani, app_config):
    for _ in range(3):
        assert ask(ani).status_code == 302
    assert ask(ani).status_code == 429
    assert len(outbox(app, NEW)) == 3


@THROTTLED
def test_links_from_one_account_are_limited_whatever_the_address(app, ani, app_config):
    for n in range(3):
        response = ani.post(
            "/account/email",
            data={"email": f"ani.{n}@example.com", "current_password": PASSWORD},
            environ_base={"REMOTE_ADDR": f"10.3.0.{n}"},
        )
        assert response.status_code == 302
    blocked = ani.post(
        "/account/email",
        data={"email": "ani.9@example.com", "current_password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.3.0.9"},
    )
    assert blocked.status_code == 429
    assert not outbox(app, "ani.9@example.com")


def test_the_demo_participant_can_open_it(demo):
    client = demo.test_client()
    assert sign_in(client, "peserta@example.com", "Prakerja2020!").status_code == 302
    response = client.get("/account/email")
    assert response.status_code == 200 and "peserta@example.com" in main(response)
    with demo.app_context():
        assert db.session.scalar(
            sa.select(User.role).where(User.email == "peserta@example.com")
        ) is Role.PARTICIPANT
