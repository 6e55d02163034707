"""Provider staff invitations (people/invitations.py): the office invites by email, the link
is stored only as a hash, works once and for seven days, a new invitation to the same address
replaces the open one, an address with an account is refused saying whose it is, and every
change is audited; the invitation mail is in Indonesian and says who, for whom, until when
and what to do."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import race
from support.learning_rows import events, mails_to

from marketplace.catalogue.models import Provider
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people import accounts, invitations
from marketplace.people.models import ProviderInvitation, Role, User

NOW = utcnow().replace(microsecond=0)
EMAIL = "dewi.lestari@example.com"
PASSWORD = "kopi tubruk di pagi hari"


@pytest.fixture
def world(app, factory):
    """Two providers on their own platforms and an office account; committed."""
    platform = factory.platform(name="Platform Belajar")
    provider = factory.provider(name="LPK Cahaya Mandiri", platform=platform)
    other = factory.provider(name="LPK Bina Karya")
    office = factory.user(role=Role.ADMIN)
    return provider.id, other.id, office.id


def _rows(world):
    provider_id, other_id, office_id = world
    return (
        db.session.get(Provider, provider_id),
        db.session.get(Provider, other_id),
        db.session.get(User, office_id),
    )


def _invite(world, email=EMAIL, now=NOW, which=0):
    provider, other, office = _rows(world)
    return invitations.invite((provider, other)[which], email, office, now)


def _invitation(invitation_id: int) -> ProviderInvitation:
    return db.session.scalar(
        sa.select(ProviderInvitation)
        .where(ProviderInvitation.id == invitation_id)
        .execution_options(populate_existing=True)
    )


# --- inviting ------------------------------------------------------------------------------


def test_an_invitation_keeps_only_a_hash_of_its_link(ctx, world):
    invited = _invite(world, email="  Dewi.Lestari@Example.COM ")
    row = _invitation(invited.invitation.id)
    assert row.email == EMAIL
    assert row.expires_at == NOW + timedelta(days=7)
    assert (row.accepted_at, row.user_id, row.voided_at) == (None, None, None)
    assert row.invited_by_id == world[2] and row.provider_id == world[0]
    secret = accounts._serializer(invitations.INVITATION_SALT, None).loads(invited.token)["s"]
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(
        str(value) for value in db.session.execute(sa.select(ProviderInvitation.__table__)).one()
    )
    assert invited.token not in stored and secret not in stored
    assert invitations.check(invited.token, NOW).id == row.id


def test_the_mail_says_who_for_whom_until_when_and_what_to_do_in_indonesian(ctx, world):
    invited = _invite(world)
    [message] = mails_to(EMAIL)
    office = db.session.get(User, world[2])
    assert (
        message.subject == "Anda diundang untuk bertindak atas nama LPK Cahaya Mandiri di Prakerja"
    )
    body = message.body
    assert f"{office.name} dari Manajemen Pelaksana Kartu Prakerja mengundang Anda" in body
    assert "akun staf LPK Cahaya Mandiri" in body and "platform Platform Belajar" in body
    expires = invited.invitation.expires_at + timedelta(hours=7)  # WIB
    assert f"paling lambat {expires.day} " in body and expires.strftime("%H.%M WIB") in body
    assert "masukkan nama lengkap Anda, dan pilih kata sandi" in body
    assert f"http://localhost/invitations/{invited.token}" in body.split()
    assert "hanya dapat dipakai sekali" in body and "minta undangan baru" in body
    assert "pengaduan@prakerja.example" in body


def test_inviting_is_audited(ctx, world):
    invited = _invite(world)
    [event] = events("provider.staff_invited", f"provider_invitation:{invited.invitation.id}")
    assert event.actor_id == world[2]
    assert event.detail == {"provider_id": world[0], "email": EMAIL, "replaced": []}
    assert invited.token not in str(event.detail)


def test_inviting_the_same_address_again_replaces_the_open_invitation(ctx, world):
    first = _invite(world)
    elsewhere = _invite(world, which=1)  # another provider's invitation stays open
    second = _invite(world, now=NOW + timedelta(hours=1))
    assert _invitation(first.invitation.id).voided_at == NOW + timedelta(hours=1)
    with pytest.raises(invitations.LinkRefused, match="withdrawn or replaced") as refused:
        invitations.check(first.token, NOW + timedelta(hours=2))
    assert refused.value.kind == "ended"
    assert invitations.check(second.token, NOW + timedelta(hours=2)).id == second.invitation.id
    assert invitations.check(elsewhere.token, NOW + timedelta(hours=2)).provider_id == world[1]
    [event] = events("provider.staff_invited", f"provider_invitation:{second.invitation.id}")
    assert event.detail["replaced"] == [first.invitation.id]
    assert len(mails_to(EMAIL)) == 3


@pytest.mark.parametrize(
    ("role", "same_provider", "message"),
    [
        (Role.PROVIDER, True, "already has a staff account of LPK Cahaya Mandiri"),
        (Role.PROVIDER, False, "staff account of another training provider, LPK Bina Karya"),
        (Role.PARTICIPANT, False, "already has a participant's account"),
        (Role.ADMIN, False, "is an account of the programme office"),
    ],
)
def test_an_address_with_an_account_is_refused_saying_whose(
    ctx, world, role, same_provider, message
):
    owner = world[0] if same_provider else (world[1] if role is Role.PROVIDER else None)
    _account(EMAIL, role, owner)
    with pytest.raises(DomainError) as refused:
        _invite(world, email=EMAIL.upper())
    said = refused.value.message % refused.value.params
    assert message in said and said.startswith(EMAIL)
    assert refused.value.field == "email"
    if same_provider:
        assert "nothing more is needed" in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count(ProviderInvitation.id))) == 0
    assert mails_to(EMAIL) == [] and events("provider.staff_invited") == []


@pytest.mark.parametrize("email", ["", "   ", "dewi", "dewi@", "@example.com", "de wi@example.com"])
def test_what_is_not_an_address_is_refused(ctx, world, email):
    with pytest.raises(DomainError, match="correct format") as refused:
        _invite(world, email=email)
    assert refused.value.field == "email"
    assert db.session.scalar(sa.select(sa.func.count(ProviderInvitation.id))) == 0


# --- accepting -----------------------------------------------------------------------------


def test_accepting_makes_a_provider_account_once(ctx, world):
    invited = _invite(world)
    later = NOW + timedelta(days=1)
    user = invitations.accept(invited.token, "  Dewi Lestari ", PASSWORD, later, locale="en")
    db.session.flush()
    assert (user.email, user.name, user.role, user.provider_id) == (
        EMAIL,
        "Dewi Lestari",
        Role.PROVIDER,
        world[0],
    )
    assert user.verified_at == later and user.locale == "en"
    assert accounts.authenticate(EMAIL, PASSWORD).id == user.id
    row = _invitation(invited.invitation.id)
    assert (row.accepted_at, row.user_id) == (later, user.id)
    [accepted] = events("provider.invitation_accepted", f"provider_invitation:{row.id}")
    assert accepted.actor_id == user.id and accepted.detail["user_id"] == user.id
    assert len(events("account.registered", f"user:{user.id}")) == 1
    with pytest.raises(invitations.LinkRefused, match="already been used") as refused:
        invitations.accept(invited.token, "Orang Lain", PASSWORD, later)
    assert refused.value.kind == "ended"
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == EMAIL)) == 1


def test_the_link_works_for_seven_days(ctx, world):
    invited = _invite(world)
    last_moment = NOW + timedelta(days=7) - timedelta(seconds=1)
    assert invitations.check(invited.token, last_moment).id == invited.invitation.id
    for moment in (NOW + timedelta(days=7), NOW + timedelta(days=30)):
        with pytest.raises(invitations.LinkRefused, match="expired on") as refused:
            invitations.accept(invited.token, "Dewi Lestari", PASSWORD, moment)
        assert refused.value.kind == "ended"
        assert refused.value.params["when"] == NOW + timedelta(days=7)
    assert "Ask the programme office for a new invitation." in refused.value.message
    assert _invitation(invited.invitation.id).accepted_at is None
    assert accounts.find_by_email(EMAIL) is None


def test_the_claim_decides_when_another_request_used_the_link_after_the_check(
    ctx, world, monkeypatch
):
    """Two requests read the invitation open; the second one's conditional UPDATE finds it
    taken and refuses, making no account."""
    invited = _invite(world)
    real_check = invitations.check

    def read_then_overtaken(token, now):
        found = real_check(token, now)
        db.session.execute(
            sa.update(ProviderInvitation)
            .where(ProviderInvitation.id == found.id)
            .values(accepted_at=now)
        )
        return found

    monkeypatch.setattr(invitations, "check", read_then_overtaken)
    with pytest.raises(invitations.LinkRefused, match="already been used"):
        invitations.accept(invited.token, "Dewi Lestari", PASSWORD, NOW)
    assert accounts.find_by_email(EMAIL) is None
    assert _invitation(invited.invitation.id).user_id is None


def test_submissions_racing_on_one_link_make_one_account(app, world):
    with app.app_context():
        token = _invite(world).token
        db.session.commit()

    def work():
        return invitations.accept(token, "Dewi Lestari", PASSWORD, NOW + timedelta(minutes=1)).id

    outcomes = race(app, [work, work, work])
    made = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(made) == 1 and len(refused) == 2, outcomes
    assert all(isinstance(error, invitations.LinkRefused) for error in refused)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == EMAIL)) == 1
        assert db.session.scalar(sa.select(ProviderInvitation.user_id)) == made[0]


@pytest.mark.parametrize(
    ("name", "password", "field"),
    [
        ("", PASSWORD, "name"),
        ("x" * 121, PASSWORD, "name"),
        ("Dewi\x07Lestari", PASSWORD, "name"),
        ("Dewi Lestari", "pendek", "password"),
        ("Dewi Lestari", "password", "password"),
        ("Dewi Lestari", EMAIL, "password"),
        ("Dewi Lestari", "x" * 129, "password"),
    ],
)
def test_registrations_rules_apply_and_a_refusal_keeps_the_link(ctx, world, name, password, field):
    invited = _invite(world)
    with pytest.raises(DomainError) as refused:
        invitations.accept(invited.token, name, password, NOW)
    assert refused.value.field == field
    assert not isinstance(refused.value, invitations.LinkRefused)
    assert accounts.find_by_email(EMAIL) is None
    assert _invitation(invited.invitation.id).accepted_at is None
    assert invitations.accept(invited.token, "Dewi Lestari", PASSWORD, NOW).email == EMAIL


def test_an_account_made_with_the_address_meanwhile_ends_the_link(ctx, world):
    invited = _invite(world)
    _account(EMAIL)
    with pytest.raises(invitations.LinkRefused, match="exists already") as refused:
        invitations.accept(invited.token, "Dewi Lestari", PASSWORD, NOW)
    assert refused.value.kind == "account"
    assert _invitation(invited.invitation.id).accepted_at is None


def _account(email: str, role: Role = Role.PARTICIPANT, provider_id: int | None = None) -> User:
    user = accounts.create_user(
        email=email, name="Pemilik Akun", password=PASSWORD, role=role, verified=True
    )
    user.provider_id = provider_id
    db.session.flush()
    return user


def _forged(payload) -> str:
    return accounts._serializer(invitations.INVITATION_SALT, NOW).dumps(payload)


def test_links_that_are_not_ours_name_no_invitation(ctx, world):
    invited = _invite(world)
    row_id = invited.invitation.id
    user = _account("someone@example.com")
    head, _, signature = invited.token.rpartition(".")
    tokens = [
        "",
        "not-a-token",
        invited.token + "x",
        head + "." + signature[::-1],
        invited.token[:-3],
        "x" * 5000,
        "é" * 40,
        _forged({"i": row_id, "s": "the wrong secret"}),
        _forged({"i": row_id + 1000, "s": "anything"}),
        _forged({"i": True, "s": "anything"}),
        _forged({"i": 2**40, "s": "anything"}),
        _forged({"i": str(row_id), "s": None}),
        _forged([row_id, "anything"]),
        accounts.reset_token(user, NOW),  # another kind of link
    ]
    for token in tokens:
        with pytest.raises(invitations.LinkRefused, match="not valid") as refused:
            invitations.check(token, NOW)
        assert refused.value.kind == "unknown", token
    assert _invitation(row_id).accepted_at is None


# --- withdrawing ---------------------------------------------------------------------------


def test_the_office_withdraws_an_open_invitation(ctx, world):
    invited = _invite(world)
    _provider, _other, office = _rows(world)
    invitations.void(invited.invitation, office, NOW + timedelta(hours=1))
    assert _invitation(invited.invitation.id).voided_at == NOW + timedelta(hours=1)
    [event] = events("provider.invitation_voided", f"provider_invitation:{invited.invitation.id}")
    assert event.actor_id == office.id and event.detail["email"] == EMAIL
    with pytest.raises(invitations.LinkRefused, match="withdrawn"):
        invitations.accept(invited.token, "Dewi Lestari", PASSWORD, NOW + timedelta(hours=2))
    with pytest.raises(DomainError, match="withdrawn already"):
        invitations.void(invited.invitation, office, NOW + timedelta(hours=2))
    assert len(events("provider.invitation_voided")) == 1


def test_only_an_open_invitation_can_be_withdrawn(ctx, world):
    _provider, _other, office = _rows(world)
    accepted = _invite(world)
    invitations.accept(accepted.token, "Dewi Lestari", PASSWORD, NOW)
    with pytest.raises(DomainError, match="accepted already"):
        invitations.void(accepted.invitation, office, NOW)
    expired = _invite(world, email="rudi@example.com", now=NOW - timedelta(days=8))
    with pytest.raises(DomainError, match="expired already"):
        invitations.void(expired.invitation, office, NOW)
    assert _invitation(expired.invitation.id).voided_at is None
    assert events("provider.invitation_voided") == []


def test_states_and_what_the_pages_list(ctx, world):
    provider, other, office = _rows(world)
    accepted = _invite(world, email="a@example.com")
    invitations.accept(accepted.token, "Ani", PASSWORD, NOW)
    voided = _invite(world, email="b@example.com")
    invitations.void(voided.invitation, office, NOW)
    expired = _invite(world, email="c@example.com", now=NOW - timedelta(days=8))
    waiting = _invite(world, email="d@example.com")
    theirs = _invite(world, email="e@example.com", which=1)
    states = {
        row.email: invitations.state_of(row, NOW).value
        for row in invitations.invitations_of(provider.id)
    }
    assert states == {
        "a@example.com": "accepted",
        "b@example.com": "voided",
        "c@example.com": "expired",
        "d@example.com": "open",
    }
    people = invitations.people_of([provider.id, other.id], NOW)
    assert [user.email for user in people[provider.id].staff] == ["a@example.com"]
    assert [row.id for row in people[provider.id].open_invitations] == [waiting.invitation.id]
    assert [row.id for row in people[other.id].open_invitations] == [theirs.invitation.id]
    assert [user.email for user in invitations.staff_of(provider.id)] == ["a@example.com"]
    assert invitations.invitation_by_id(theirs.invitation.id).provider.name == "LPK Bina Karya"
    assert invitations.invitation_by_id(expired.invitation.id + 1000) is None
    found = invitations.find_providers("cahaya", 1)
    assert [row.name for row in found.items] == ["LPK Cahaya Mandiri"]
    assert invitations.find_providers("100%_", 1).total == 0
