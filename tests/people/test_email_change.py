"""Changing an account's email address (people/email_change.py): a typo corrected before the
address is confirmed, and a confirmed address replaced once the new one is proven."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.core import DomainError, mail
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.people import accounts, email_change
from marketplace.people.models import Role, User

NEW_PASSWORD = "kopi pagi di teras"


def link_for(token: str) -> str:
    return f"http://localhost/link/{token}"


def token_in(body: str) -> str:
    return body.split("http://localhost/link/", 1)[1].split()[0]


def messages_to(address: str) -> list:
    return mail.recent(recipient=address, last=100)


def audit(action: str) -> list[dict]:
    return [
        event.detail or {}
        for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action))
    ]


@pytest.fixture
def rc(app):
    """A request context (mail is written in the recipient's language through Flask-Babel)."""
    with app.test_request_context():
        yield app
        db.session.rollback()


def registered(email="budi@exmaple.com") -> User:
    return accounts.register_participant(
        email=email, name="Budi Santoso", password=NEW_PASSWORD, link_for=link_for, locale="en"
    )


def confirmed(email="ani@example.com", locale="en") -> User:
    user = accounts.create_user(
        email=email, name="Ani Lestari", password=PASSWORD, role=Role.PARTICIPANT,
        verified=True, locale=locale,
    )
    db.session.flush()
    return user


# --- correcting an address that is not confirmed yet ---------------------------------------


def test_a_typo_is_corrected_and_the_link_goes_to_the_new_address(rc):
    user = registered("budi@exmaple.com")
    old_token = token_in(messages_to("budi@exmaple.com")[0].body)

    email_change.correct_unverified_email(user, "  Budi@Example.com ", link_for)

    assert user.email == "budi@example.com" and user.verified_at is None
    [sent] = messages_to("budi@example.com")
    assert sent.subject == "Confirm your email address for Prakerja"
    assert len(messages_to("budi@exmaple.com")) == 1  # nothing more to the mistyped address
    with pytest.raises(DomainError, match="no longer on the account") as refused:
        accounts.verify_email(old_token)
    assert refused.value.field == "token"
    assert accounts.verify_email(token_in(sent.body)).user.verified_at is not None
    assert audit("account.email_corrected") == [
        {"old": "budi@exmaple.com", "new": "budi@example.com"}
    ]


def test_correcting_refuses_a_taken_address_with_the_words_of_registration(rc):
    confirmed("ani@example.com")
    user = registered("budi@exmaple.com")
    with pytest.raises(DomainError) as refused:
        email_change.correct_unverified_email(user, "ANI@example.com", link_for)
    assert refused.value.message == "This email address is already registered."
    assert refused.value.field == "email"
    with pytest.raises(DomainError) as registering:
        registered("ani@example.com")
    assert registering.value.message == refused.value.message
    assert user.email == "budi@exmaple.com"
    assert messages_to("ani@example.com") == []


def test_correcting_refuses_the_same_address_and_a_confirmed_account(rc):
    user = registered("budi@example.com")
    with pytest.raises(DomainError, match="already sent the link"):
        email_change.correct_unverified_email(user, "Budi@example.com", link_for)
    done = confirmed()
    with pytest.raises(DomainError, match="already confirmed"):
        email_change.correct_unverified_email(done, "lain@example.com", link_for)
    assert done.email == "ani@example.com"
    assert len(messages_to("budi@example.com")) == 1


# --- changing a confirmed address ----------------------------------------------------------


def request(user, new="ani.baru@example.com", password=PASSWORD, now=None):
    return email_change.request_change(
        user, password, new, link_for=link_for, forgot_link="http://localhost/forgot", now=now
    )


def test_a_change_waits_for_the_new_address_and_tells_the_old_one(rc):
    user = confirmed()
    pending = request(user, "  Ani.Baru@Example.com")

    assert pending.email == "ani.baru@example.com"
    assert user.email == "ani@example.com" and user.pending_email == "ani.baru@example.com"
    assert email_change.pending_change(user) == pending
    assert accounts.authenticate("ani@example.com", PASSWORD) is user
    assert accounts.authenticate("ani.baru@example.com", PASSWORD) is None

    [link_mail] = messages_to("ani.baru@example.com")
    assert link_mail.subject == "Confirm your new email address for Prakerja"
    assert "within 24 hours" in link_mail.body
    [notice] = messages_to("ani@example.com")
    assert notice.subject == "A change of your Prakerja email address was requested"
    assert "ani.baru@example.com" in notice.body and "http://localhost/forgot" in notice.body
    assert "http://localhost/link/" not in notice.body  # the old address can't make the change
    assert audit("account.email_change_requested") == [{"new": "ani.baru@example.com"}]

    found = email_change.confirm_change(token_in(link_mail.body))
    assert found.new_email == "ani.baru@example.com"
    assert user.email == "ani.baru@example.com" and user.pending_email is None
    assert email_change.pending_change(user) is None
    assert accounts.authenticate("ani.baru@example.com", PASSWORD) is user
    assert accounts.authenticate("ani@example.com", PASSWORD) is None
    assert audit("account.email_changed") == [
        {"old": "ani@example.com", "new": "ani.baru@example.com"}
    ]
    changed = messages_to("ani@example.com")[-1]
    assert changed.subject == "Your Prakerja email address has been changed"
    contact = rc.config["CONTACT_EMAIL"], rc.config["CONTACT_PHONE"]
    assert all(way in changed.body for way in contact)  # where to turn if it wasn't them


def test_a_change_is_written_in_the_accounts_language(rc):
    user = confirmed(locale="id")
    request(user)
    [link_mail] = messages_to("ani.baru@example.com")
    assert link_mail.subject == "Konfirmasi alamat email baru Anda untuk Prakerja"
    assert messages_to("ani@example.com")[0].subject.startswith("Ada permintaan")


@pytest.mark.parametrize(
    ("password", "new", "field", "message"),
    [
        ("salah sekali", "ani.baru@example.com", "current_password", "current password is not"),
        (PASSWORD, "ANI@example.com", "email", "already your email address"),
        (PASSWORD, "budi@example.com", "email", "already registered"),
        # The password is checked first: without it, nobody learns that an address is taken.
        ("salah sekali", "budi@example.com", "current_password", "current password is not"),
    ],
)
def test_a_change_is_refused(rc, password, new, field, message):
    confirmed("budi@example.com")
    user = confirmed()
    with pytest.raises(DomainError, match=message) as refused:
        request(user, new, password)
    assert refused.value.field == field
    assert user.pending_email is None and user.email == "ani@example.com"
    assert messages_to("ani@example.com") == [] and messages_to(new.lower()) == []
    assert audit("account.email_change_requested") == []


def test_an_unconfirmed_account_corrects_its_address_instead(rc):
    user = registered()
    with pytest.raises(DomainError, match="not confirmed yet"):
        request(user, password=NEW_PASSWORD)


def test_the_link_works_once(rc):
    user = confirmed()
    request(user)
    token = token_in(messages_to("ani.baru@example.com")[0].body)
    email_change.confirm_change(token)
    with pytest.raises(DomainError, match="already been used") as refused:
        email_change.confirm_change(token)
    assert refused.value.field == "token"
    with pytest.raises(DomainError, match="already been used"):
        email_change.check_change_token(token)
    assert len(audit("account.email_changed")) == 1


def test_the_link_expires_after_24_hours(rc):
    user = confirmed()
    asked = utcnow() - timedelta(hours=25)
    request(user, now=asked)
    token = token_in(messages_to("ani.baru@example.com")[0].body)
    assert email_change.pending_change(user) is None  # no longer shown as waiting
    with pytest.raises(DomainError, match="expired"):
        email_change.confirm_change(token)
    assert user.email == "ani@example.com"
    assert email_change.confirm_change(token, now=asked + timedelta(hours=23)).user is user


@pytest.mark.parametrize(
    "how", ["asked again", "cancelled", "cancelled and asked again", "new password", "reset"]
)
def test_the_link_dies_when_the_change_is_replaced_cancelled_or_the_password_changes(rc, how):
    user = confirmed()
    request(user)
    token = token_in(messages_to("ani.baru@example.com")[0].body)
    if how == "asked again":
        request(user, "ani.lain@example.com")
    elif how == "cancelled":
        assert email_change.cancel_change(user) is True
        assert email_change.cancel_change(user) is False
        assert len(audit("account.email_change_cancelled")) == 1
    elif how == "cancelled and asked again":  # the same new address, asked for anew
        email_change.cancel_change(user)
        request(user, "ani.baru@example.com", now=utcnow() + timedelta(minutes=1))
    elif how == "new password":
        accounts.change_password(user, PASSWORD, NEW_PASSWORD, forgot_link="x")
        assert user.pending_email is None
    else:
        accounts.reset_password(accounts.reset_token(user), NEW_PASSWORD, forgot_link="x")
        assert user.pending_email is None
    with pytest.raises(DomainError, match="no longer works") as refused:
        email_change.confirm_change(token)
    assert refused.value.field == "token"
    assert user.email == "ani@example.com"


def test_a_reset_link_dies_when_the_address_changes(rc):
    """A reset link mailed to the old address (maybe why it was changed) can't take over."""
    user = confirmed()
    reset = accounts.reset_token(user)
    request(user)
    email_change.confirm_change(token_in(messages_to("ani.baru@example.com")[0].body))
    with pytest.raises(DomainError, match="address of the account has changed"):
        accounts.check_reset_token(reset)
    assert accounts.check_reset_token(accounts.reset_token(user)) is user


def test_an_address_taken_after_the_request_is_refused_at_the_link(rc):
    user = confirmed()
    request(user)
    token = token_in(messages_to("ani.baru@example.com")[0].body)
    registered("ani.baru@example.com")
    with pytest.raises(DomainError, match="Another account has registered") as refused:
        email_change.confirm_change(token)
    assert refused.value.field == "token"


def test_altered_or_foreign_tokens_are_refused(rc):
    user = confirmed()
    request(user)
    token = token_in(messages_to("ani.baru@example.com")[0].body)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x",
                accounts.verification_token(user), accounts.reset_token(user)):
        with pytest.raises(DomainError, match="not valid"):
            email_change.check_change_token(bad)
    assert user.email == "ani@example.com" and user.pending_email == "ani.baru@example.com"


def test_the_token_holds_no_address(rc):
    user = confirmed()
    request(user)
    token = token_in(messages_to("ani.baru@example.com")[0].body)
    payload = accounts._load(
        token, email_change.CHANGE_SALT, email_change.CHANGE_MAX_AGE, None
    )
    assert set(payload) == {"u", "e", "n", "t"} and payload["u"] == user.id
    assert not any("@" in str(value) or "ani" in str(value) for value in payload.values())
