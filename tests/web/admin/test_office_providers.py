"""The programme office's training providers: /admin/providers lists every provider with its
platform, staff accounts and open invitations (search by name, paged); /admin/providers/<id>
shows its staff and invitations with their state, invites by email and withdraws an open
invitation. Only the office; bad input is a 4xx in the page's language and changes nothing;
another provider's invitation is a 404."""

from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from support.learning_rows import events, mails_to

from marketplace.catalogue.models import Provider
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people import invitations
from marketplace.people.models import ProviderInvitation, Role, User
from marketplace.web.admin import providers as provider_pages

EMAIL = "dewi.lestari@example.com"
PASSWORD = "kopi tubruk di pagi hari"


@pytest.fixture
def world(app, factory):
    """Two providers, a staff account of the first, the office's account; committed."""
    platform = factory.platform(name="Platform Belajar")
    provider = factory.provider(name="LPK Cahaya Mandiri", platform=platform)
    other = factory.provider(name="LPK Bina Karya")
    staff = factory.user(role=Role.PROVIDER, email="budi@example.com", provider=provider)
    return provider.id, other.id, staff.id


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _main(response) -> str:
    return _page(response).split("<main", 1)[1].split("</main>", 1)[0]


def _office(app) -> User:
    return db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))


def _invite(app, provider_id: int, email: str, now=None):
    """An invitation made by the office (committed); its id and token."""
    with app.app_context():
        provider = db.session.get(Provider, provider_id)
        invited = invitations.invite(provider, email, _office(app), now or utcnow())
        db.session.commit()
        return invited.invitation.id, invited.token


def _invitations(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            sa.select(
                ProviderInvitation.id,
                ProviderInvitation.provider_id,
                ProviderInvitation.email,
                ProviderInvitation.voided_at,
                ProviderInvitation.accepted_at,
            ).order_by(ProviderInvitation.id)
        ).all()


def test_only_the_office_opens_the_pages(app, client, participant_client, provider_client, world):
    provider_id = world[0]
    pages = [("/admin/providers", "get"), (f"/admin/providers/{provider_id}", "get")]
    posts = [
        f"/admin/providers/{provider_id}/invitations",
        "/admin/providers/invitations/1/void",
    ]
    for path, _method in pages:
        assert client.get(path).status_code == 302
    for path in posts:
        assert client.post(path, data={"email": EMAIL}).status_code == 302
    for other in (participant_client, provider_client):
        for path, _method in pages:
            assert other.get(path).status_code == 403
        for path in posts:
            assert other.post(path, data={"email": EMAIL}).status_code == 403
    assert _invitations(app) == []


def test_the_list_shows_platform_staff_and_open_invitations(app, admin_client, world):
    provider_id, other_id, _staff = world
    _invite(app, provider_id, "rudi@example.com")
    _invite(app, provider_id, "lama@example.com", now=utcnow() - timedelta(days=8))  # expired
    admin_client.set_cookie("lang", "en")
    html = _main(admin_client.get("/admin/providers"))
    assert "2 training providers" in html
    assert html.index("LPK Bina Karya") < html.index("LPK Cahaya Mandiri")  # by name
    assert f'href="/admin/providers/{provider_id}"' in html
    assert f'href="/admin/providers/{other_id}"' in html
    assert "Platform Belajar" in html
    assert "Pengguna" in html and "budi@example.com" in html
    assert "rudi@example.com" in html and "lama@example.com" not in html
    assert "None yet" in html  # the other provider has no staff


def test_the_list_speaks_indonesian_by_default(admin_client, world):
    html = _page(admin_client.get("/admin/providers"))
    assert '<h1 class="page-title">Lembaga pelatihan</h1>' in html
    assert "2 lembaga pelatihan" in html and "Akun staf" in html
    assert '<a href="/admin/providers" aria-current="page">Lembaga pelatihan</a>' in html


def test_the_list_finds_providers_by_name(admin_client, world):
    admin_client.set_cookie("lang", "en")
    found = _main(admin_client.get("/admin/providers", query_string={"q": "  cahaya "}))
    assert "LPK Cahaya Mandiri" in found and "LPK Bina Karya" not in found
    assert "1 training provider" in found
    none = admin_client.get("/admin/providers", query_string={"q": "tidak ada"})
    assert none.status_code == 200
    assert "No training provider has this in its name." in _page(none)
    wildcard = _main(admin_client.get("/admin/providers", query_string={"q": "%"}))
    assert "No training provider has this in its name." in wildcard


def test_the_list_is_paged(admin_client, world, factory, monkeypatch):
    factory.provider(name="LPK Delta Prima")
    monkeypatch.setattr(provider_pages, "PER_PAGE", 2)
    admin_client.set_cookie("lang", "en")
    first = _main(admin_client.get("/admin/providers"))
    assert "LPK Bina Karya" in first and "LPK Delta Prima" not in first
    assert 'href="/admin/providers?page=2"' in first
    second = _main(admin_client.get("/admin/providers?page=2"))
    assert "LPK Delta Prima" in second and "LPK Bina Karya" not in second
    past = admin_client.get("/admin/providers?page=3")
    assert past.status_code == 404 and "2" in _main(past)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/admin/providers?q=" + "x" * 300, 400, "Enter at most 200 characters"),
        ("/admin/providers?page=0", 400, "The page number must be 1 or more"),
        ("/admin/providers?page=abc", 400, "The page number must be a whole number"),
        ("/admin/providers/0", 404, None),
        ("/admin/providers/abc", 404, None),
        ("/admin/providers/99999999999999999999", 404, None),
        ("/admin/providers/424242", 404, None),
    ],
)
def test_bad_addresses_are_4xx_in_the_page_language(admin_client, world, url, status, says):
    admin_client.set_cookie("lang", "en")
    response = admin_client.get(url)
    assert response.status_code == status
    if says:
        assert says in _page(response)


def test_the_provider_page_shows_staff_invitations_and_their_states(app, admin_client, world):
    provider_id, other_id, _staff = world
    accepted_id, token = _invite(app, provider_id, "ani@example.com")
    with app.app_context():
        invitations.accept(token, "Ani Wijaya", PASSWORD, utcnow())
        db.session.commit()
    voided_id, _ = _invite(app, provider_id, "batal@example.com")
    with app.app_context():
        row = db.session.get(ProviderInvitation, voided_id)
        invitations.void(row, _office(app), utcnow())
        db.session.commit()
    _invite(app, provider_id, "lama@example.com", now=utcnow() - timedelta(days=8))
    open_id, _ = _invite(app, provider_id, "rudi@example.com")
    _invite(app, other_id, "orang.lain@example.com")
    admin_client.set_cookie("lang", "en")
    html = _main(admin_client.get(f"/admin/providers/{provider_id}"))
    assert "LPK Cahaya Mandiri" in html and "Platform Belajar" in html
    staff = html.split('id="staff-title"', 1)[1].split("</section>", 1)[0]
    assert "budi@example.com" in staff and "Ani Wijaya" in staff and "ani@example.com" in staff
    listed = html.split('id="invitations-title"', 1)[1]
    for email, state in [
        ("rudi@example.com", "Waiting for an answer"),
        ("lama@example.com", "Expired"),
        ("batal@example.com", "Withdrawn"),
        ("ani@example.com", "Accepted"),
    ]:
        row = listed.split(email, 1)[1].split("</tr>", 1)[0]
        assert state in row, email
    assert "Account of Ani Wijaya" in listed
    assert "orang.lain@example.com" not in html
    voids = [part for part in html.split('action="')[1:] if "/void" in part.split('"')[0]]
    assert [part.split('"')[0] for part in voids] == [
        f"/admin/providers/invitations/{open_id}/void"
    ]
    assert accepted_id and f'action="/admin/providers/{provider_id}/invitations"' in html


def test_the_provider_page_speaks_indonesian_by_default(app, admin_client, world):
    _invite(app, world[0], "rudi@example.com")
    html = _main(admin_client.get(f"/admin/providers/{world[0]}"))
    assert "Undang staf" in html and "Kirim undangan" in html
    assert "Menunggu jawaban" in html and "Tarik" in html


def test_the_office_invites_by_email(app, admin_client, world):
    provider_id = world[0]
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(
        f"/admin/providers/{provider_id}/invitations", data={"email": " Dewi.Lestari@Example.com "}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/providers/{provider_id}")
    page = _main(admin_client.get(response.location))
    assert f"The invitation has been sent to {EMAIL}. Its link works until" in page
    [(invitation_id, row_provider, email, voided, accepted)] = _invitations(app)
    assert (row_provider, email, voided, accepted) == (provider_id, EMAIL, None, None)
    with app.app_context():
        [message] = mails_to(EMAIL)
        assert "LPK Cahaya Mandiri" in message.subject  # Indonesian, the programme's language
        assert message.subject.startswith("Anda diundang")
        [event] = events("provider.staff_invited")
        assert event.actor_id == _office(app).id
    assert "Waiting for an answer" in page.split(EMAIL, 2)[2]


def test_inviting_again_replaces_the_open_invitation(app, admin_client, world):
    provider_id = world[0]
    path = f"/admin/providers/{provider_id}/invitations"
    assert admin_client.post(path, data={"email": EMAIL}).status_code == 302
    assert admin_client.post(path, data={"email": EMAIL}).status_code == 302
    first, second = _invitations(app)
    assert first.voided_at is not None and second.voided_at is None


@pytest.mark.parametrize(
    ("email", "english", "indonesian"),
    [
        ("", "Enter your email address", "Masukkan alamat email"),
        ("not an address", "correct format", "format yang benar"),
        ("budi@example.com", "nothing more is needed", "tidak perlu apa-apa lagi"),
        ("x" * 250 + "@example.com", "at most 254 characters", "254"),
    ],
)
def test_a_refused_invitation_changes_nothing(app, admin_client, world, email, english, indonesian):
    path = f"/admin/providers/{world[0]}/invitations"
    for language, message in (("en", english), ("id", indonesian)):
        admin_client.set_cookie("lang", language)
        response = admin_client.post(path, data={"email": email})
        assert response.status_code == 400
        page = _page(response)
        assert message in page and f'<html lang="{language}">' in page
    assert _invitations(app) == []
    with app.app_context():
        assert events("provider.staff_invited") == []


def test_inviting_another_roles_address_says_whose_it_is(app, admin_client, factory, world):
    factory.user(role=Role.PARTICIPANT, email="peserta.lain@example.com")
    admin_client.set_cookie("lang", "en")
    path = f"/admin/providers/{world[0]}/invitations"
    participant = admin_client.post(path, data={"email": "peserta.lain@example.com"})
    assert participant.status_code == 400 and "participant's account" in _page(participant)
    assert _invitations(app) == []


def test_the_office_withdraws_an_open_invitation(app, admin_client, world):
    provider_id = world[0]
    invitation_id, token = _invite(app, provider_id, EMAIL)
    path = f"/admin/providers/invitations/{invitation_id}/void"
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(path)
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/providers/{provider_id}")
    page = _main(admin_client.get(response.location))
    assert f"The invitation to {EMAIL} has been withdrawn" in page
    [row] = _invitations(app)
    assert row.voided_at is not None
    again = admin_client.post(path)
    assert again.status_code == 409 and "withdrawn already" in _page(again)
    admin_client.set_cookie("lang", "id")
    assert "sudah ditarik" in _page(admin_client.post(path))
    with app.app_context():
        assert len(events("provider.invitation_voided")) == 1
        refused = pytest.raises(invitations.LinkRefused, invitations.check, token, utcnow())
        assert refused.value.kind == "ended"


def test_unknown_providers_and_invitations_are_404s(app, admin_client, world):
    provider_id, other_id, _staff = world
    theirs, _ = _invite(app, other_id, EMAIL)
    for path in (
        "/admin/providers/invitations/424242/void",
        "/admin/providers/invitations/0/void",
        "/admin/providers/invitations/99999999999999999999/void",
        "/admin/providers/invitations/abc/void",
    ):
        assert admin_client.post(path).status_code == 404, path
    invite = admin_client.post("/admin/providers/424242/invitations", data={"email": EMAIL})
    assert invite.status_code == 404
    [row] = _invitations(app)
    assert row.voided_at is None and row.provider_id == other_id
    # Withdrawing goes back to the invitation's own provider, never another one.
    response = admin_client.post(f"/admin/providers/invitations/{theirs}/void")
    assert response.location.endswith(f"/admin/providers/{other_id}")
    assert f"/admin/providers/{provider_id}" not in response.location


def test_the_provider_page_gets_write_nothing(app, admin_client, world):
    _invite(app, world[0], EMAIL, now=utcnow() - timedelta(days=8))
    before = _invitations(app)
    admin_client.get(f"/admin/providers/{world[0]}")
    admin_client.get("/admin/providers")
    assert _invitations(app) == before


def test_the_demo_provider_has_a_second_staff_member_and_an_open_invitation(demo):
    """`flask seed`: lembaga@example.com's provider got a second staff account through the
    invitation operations, and one invitation waits for an answer on the office's page."""
    from support.demo_world import signed_in

    with demo.app_context():
        provider_id = db.session.scalar(
            sa.select(User.provider_id).where(User.email == "lembaga@example.com")
        )
        staff = db.session.scalars(
            sa.select(User.email).where(User.provider_id == provider_id).order_by(User.email)
        ).all()
        assert staff == ["dewi.lestari@example.com", "lembaga@example.com"]
        accepted = db.session.scalar(
            sa.select(ProviderInvitation).where(ProviderInvitation.email == staff[0])
        )
        assert accepted.user.email == staff[0] and accepted.provider_id == provider_id
    html = _main(signed_in(demo, "admin@example.com").get(f"/admin/providers/{provider_id}"))
    row = html.split("rudi.hartono@example.com", 1)[1].split("</tr>", 1)[0]
    assert "Menunggu jawaban" in row and "Tarik" in row
    assert "Dewi Lestari" in html and "lembaga@example.com" in html
    second = signed_in(demo, "dewi.lestari@example.com").get("/provider")
    assert second.status_code == 200 and "Budi Santoso" in _main(second)
