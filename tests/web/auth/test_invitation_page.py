"""/invitations/<token>: a provider's staff member accepts the office's invitation, from the
link in the mail to a signed-in provider account; a link that can't be used is a 4xx page in
the page's language saying what happened and what to do; bad input changes nothing; wrong
links are rate-limited. The provider's portal lists who acts for the provider."""

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from support.learning_rows import mails_to

from marketplace.catalogue.models import Provider
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people import invitations
from marketplace.people.models import ProviderInvitation, Role, User

EMAIL = "dewi.lestari@example.com"
PASSWORD = "kopi tubruk di pagi hari"
LINK = re.compile(r"https?://[^/\s]+(/invitations/\S+)")
THROTTLED = pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}],
    ids=["throttled"],
)


@pytest.fixture
def world(app, factory):
    """Two providers, a staff account of each and the office; committed."""
    provider = factory.provider(name="LPK Cahaya Mandiri")
    other = factory.provider(name="LPK Bina Karya")
    factory.user(role=Role.PROVIDER, email="budi@example.com", provider=provider)
    factory.user(role=Role.PROVIDER, email="orang.lain@example.com", provider=other)
    office = factory.user(role=Role.ADMIN, email="kantor@example.com")
    return provider.id, other.id, office.id


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _main(response) -> str:
    return _page(response).split("<main", 1)[1].split("</main>", 1)[0]


def _invite(app, world, email=EMAIL, now=None, provider_index=0) -> str:
    """The office invites `email` (committed); the path of the link mailed."""
    with app.app_context():
        provider = db.session.get(Provider, world[provider_index])
        office = db.session.get(User, world[2])
        invitations.invite(provider, email, office, now or utcnow())
        db.session.commit()
        return LINK.search(mails_to(email)[-1].body).group(1)


def _accept(client, path, **changes):
    data = {"name": "Dewi Lestari", "password": PASSWORD, "password_again": PASSWORD, **changes}
    return client.post(path, data=data)


def _accounts(app, email=EMAIL) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == email))


def _open(app) -> list[int]:
    """The ids of the invitations not accepted nor withdrawn."""
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(ProviderInvitation.id).where(
                    ProviderInvitation.accepted_at.is_(None),
                    ProviderInvitation.voided_at.is_(None),
                )
            )
        )


def test_from_the_offices_invitation_to_a_signed_in_provider(app, factory, world):
    """The whole way: the office invites on its page, the mail's link opens the page, the
    form makes the account and signs it in, the portal lists both staff."""
    office = app.test_client()
    assert office.post("/login", data={"email": "kantor@example.com", "password": "Prakerja2020!"})
    office.post(f"/admin/providers/{world[0]}/invitations", data={"email": EMAIL})
    with app.app_context():
        [message] = mails_to(EMAIL)
    path = LINK.search(message.body).group(1)
    assert path.startswith(invitations.INVITATION_PATH)

    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = _main(page)
    assert "LPK Cahaya Mandiri" in html and EMAIL in html
    assert "Terima undangan" in html and "Ketik ulang kata sandi" in html

    response = _accept(client, path)
    assert response.status_code == 302 and response.location.endswith("/provider")
    portal = client.get("/provider")
    assert portal.status_code == 200
    portal_html = _main(portal)
    assert "Selamat datang, Dewi Lestari. Akun Anda bertindak atas nama LPK Cahaya Mandiri." in (
        portal_html
    )
    staff = portal_html.split('id="staff-title"', 1)[1].split("</section>", 1)[0]
    assert "Dewi Lestari (dewi.lestari@example.com) · Anda" in staff
    assert "budi@example.com" in staff and "orang.lain@example.com" not in staff
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        assert (user.role, user.provider_id, user.locale) == (Role.PROVIDER, world[0], "id")
        assert user.verified_at is not None
    assert _open(app) == []
    # The link worked once: now it says so, and signing in works with the new password.
    used = app.test_client().get(path)
    assert used.status_code == 410 and "sudah dipakai" in _page(used)
    again = app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert again.status_code == 302


def test_the_page_in_english(app, client, world):
    path = _invite(app, world)
    client.set_cookie("lang", "en")
    html = _page(client.get(path))
    assert '<html lang="en">' in html
    assert "Accept the invitation" in html and "Type the password again" in html
    assert 'staff account of <span lang="id">LPK Cahaya Mandiri</span>' in html
    response = _accept(client, path)
    assert response.status_code == 302
    assert "Welcome, Dewi Lestari." in _main(client.get("/provider"))
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale).where(User.email == EMAIL)) == "en"


@pytest.mark.parametrize(
    ("changes", "english", "indonesian"),
    [
        ({"password_again": "kopi tubruk di sore hari"}, "not the same", "tidak sama"),
        ({"password": "pendek", "password_again": "pendek"}, "at least 8", "minimal 8"),
        (
            {"password": "password", "password_again": "password"},
            "too common",
            "terlalu umum",
        ),
        ({"password": EMAIL, "password_again": EMAIL}, "not be your email", "email"),
        ({"name": "   "}, "Enter your full name", "nama lengkap"),
        ({"name": "x" * 121}, "120 characters or fewer", "120"),
        ({"password": "", "password_again": ""}, "Enter a password", "kata sandi"),
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(app, client, world, changes, english, indonesian):
    path = _invite(app, world)
    for language, message in (("en", english), ("id", indonesian)):
        client.set_cookie("lang", language)
        response = _accept(client, path, **changes)
        assert response.status_code == 400
        html = _page(response)
        assert message in html and f'<html lang="{language}">' in html
    assert _accounts(app) == 0 and len(_open(app)) == 1
    assert client.get("/provider").status_code == 302  # nobody signed in


def _expired(app, world) -> str:
    return _invite(app, world, now=utcnow() - timedelta(days=7, minutes=1))


def _withdrawn(app, world) -> str:
    path = _invite(app, world)
    with app.app_context():
        row = db.session.scalar(sa.select(ProviderInvitation))
        invitations.void(row, db.session.get(User, world[2]), utcnow())
        db.session.commit()
    return path


def _replaced(app, world) -> str:
    path = _invite(app, world)
    _invite(app, world)
    return path


def _taken(app, world, factory) -> str:
    path = _invite(app, world)
    factory.user(role=Role.PARTICIPANT, email=EMAIL)
    return path


@pytest.mark.parametrize(
    ("make", "status", "english", "indonesian"),
    [
        (lambda app, world, factory: "/invitations/not-a-token", 404, "not valid", "tidak sah"),
        (
            lambda app, world, factory: _invite(app, world)[:-4] + "AAAA",
            404,
            "not valid",
            "tidak sah",
        ),
        (lambda app, world, factory: _expired(app, world), 410, "expired on", "kedaluwarsa pada"),
        (lambda app, world, factory: _withdrawn(app, world), 410, "withdrawn", "ditarik"),
        (lambda app, world, factory: _replaced(app, world), 410, "replaced", "diganti"),
        (_taken, 409, "exists already", "sudah ada"),
    ],
    ids=["unknown", "altered", "expired", "withdrawn", "replaced", "account-taken"],
)
def test_a_link_that_cant_be_used_says_why_and_what_to_do(
    app, client, factory, world, make, status, english, indonesian
):
    path = make(app, world, factory)
    before = _accounts(app)
    for language, message, next_step in (
        ("en", english, "ask for a new invitation"),
        ("id", indonesian, "minta undangan baru"),
    ):
        client.set_cookie("lang", language)
        for response in (client.get(path), _accept(client, path)):
            assert response.status_code == status
            assert response.headers["Cache-Control"] == "no-store"
            html = _page(response)
            assert message in html and next_step in html
            assert "pengaduan@prakerja.example" in html
            assert f'<html lang="{language}">' in html
            assert 'name="password"' not in html
    assert _accounts(app) == before
    assert client.get("/provider").status_code == 302


def test_signed_in_as_someone_else_accepting_switches_accounts(app, login, world):
    path = _invite(app, world)
    client = login(Role.PARTICIPANT)
    client.set_cookie("lang", "en")
    page = _main(client.get(path))
    assert "You are signed in as participant" in page
    assert _accept(client, path).status_code == 302
    portal = client.get("/provider")
    assert portal.status_code == 200 and "Dewi Lestari" in _main(portal)


def test_the_portal_lists_only_its_own_providers_staff(app, world):
    _invite(app, world, email="rudi@example.com", provider_index=1)
    client = app.test_client()
    client.post("/login", data={"email": "orang.lain@example.com", "password": "Prakerja2020!"})
    client.set_cookie("lang", "en")
    staff = _main(client.get("/provider")).split('id="staff-title"', 1)[1]
    assert "Who acts for" in staff and "LPK Bina Karya" in staff
    assert "orang.lain@example.com" in staff and "budi@example.com" not in staff
    assert "rudi@example.com" not in staff  # invited, not yet an account


@THROTTLED
def test_wrong_links_are_limited_per_visitor(app, client, world, app_config):
    path = _invite(app, world)
    for n in range(20):
        assert client.get(f"/invitations/salah-{n}").status_code == 404
    assert client.get("/invitations/salah-lagi").status_code == 429
    assert client.get(path).status_code == 429  # the visitor waits, whatever the link
    other = app.test_client().get(path, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


@THROTTLED
def test_the_right_link_never_counts(app, client, world, app_config):
    path = _invite(app, world)
    for _ in range(25):
        assert client.get(path).status_code == 200
