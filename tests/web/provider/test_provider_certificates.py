"""The provider's certificates: /provider/certificates lists the certificates of its own
courses only (each linked to its public page), /provider/certificates/<id>/revoke revokes one
of them after a check page. Another provider's certificate is not found (404); other roles
are refused (403); bad input is a 4xx, never a 500, and nothing changes."""

from html import unescape

import pytest
from support.certificate_rows import certificate, issued
from support.learning_rows import events, mails_to

from marketplace.catalogue.models import Provider
from marketplace.certificates import issuing
from marketplace.extensions import db
from marketplace.people.models import Role

REASON = "Tugas praktik peserta ternyata disalin dari peserta lain."


@pytest.fixture
def world(app, shop, factory, login):
    """A certificate of the shop's provider's course, one of another provider's course, and
    a client signed in as the shop's provider's staff (English pages)."""
    other = factory.provider()
    elsewhere = factory.course(provider=other, title="Pelatihan Lembaga Lain")
    ours = issued(app, shop, name="Rina Kartika Sari")
    theirs = issued(app, shop, elsewhere.id, name="Dewi Anggraini")
    with app.app_context():
        provider = db.session.get(Provider, shop.provider_id)
    client = login(Role.PROVIDER, provider=provider)
    client.set_cookie("lang", "en")
    return ours, theirs, client


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_other_roles_are_refused(app, client, participant_client, admin_client, world):
    ours, _theirs, _desk = world
    revoke = f"/provider/certificates/{ours.id}/revoke"
    assert client.get("/provider/certificates").status_code == 302
    for other in (participant_client, admin_client):
        assert other.get("/provider/certificates").status_code == 403
        assert other.get(revoke).status_code == 403
        response = other.post(revoke, data={"reason": REASON, "confirm": "1"})
        assert response.status_code == 403
    with app.app_context():
        assert not certificate(ours.id).revoked


def test_the_provider_lists_its_own_courses_certificates_only(world):
    ours, theirs, desk = world
    html = _page(desk.get("/provider/certificates"))
    assert f'href="/certificates/{issuing.shown(ours.code)}"' in html
    assert f'href="/provider/certificates/{ours.id}/revoke"' in html
    assert "Rina Kartika Sari" in html and "1 certificate" in html
    assert issuing.shown(theirs.code) not in html and "Dewi Anggraini" not in html
    found = _page(desk.get("/provider/certificates", query_string={"q": ours.code.lower()}))
    assert "Rina Kartika Sari" in found
    other = _page(desk.get("/provider/certificates", query_string={"q": theirs.code}))
    assert "No certificate matches." in other and "Dewi Anggraini" not in other


def test_the_list_speaks_indonesian(world):
    _ours, _theirs, desk = world
    desk.set_cookie("lang", "id")
    html = _page(desk.get("/provider/certificates"))
    assert '<h1 class="page-title">Sertifikat pelatihan Anda</h1>' in html
    assert '<a href="/provider/certificates" aria-current="page">Sertifikat</a>' in html


def test_another_provider_s_certificate_is_not_found(app, world):
    _ours, theirs, desk = world
    url = f"/provider/certificates/{theirs.id}/revoke"
    assert desk.get(url).status_code == 404
    assert desk.post(url, data={"reason": REASON}).status_code == 404
    assert desk.post(url, data={"reason": REASON, "confirm": "1"}).status_code == 404
    with app.app_context():
        assert not certificate(theirs.id).revoked
        assert events("certificate.revoked") == []


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/provider/certificates?q=" + "x" * 300, 400),
        ("/provider/certificates?page=-1", 400),
        ("/provider/certificates?page=%C2%B2", 400),
        ("/provider/certificates?page=50", 404),
        ("/provider/certificates/999999999/revoke", 404),
        ("/provider/certificates/x/revoke", 404),
    ],
)
def test_bad_input_is_a_4xx(world, url, status):
    _ours, _theirs, desk = world
    assert desk.get(url).status_code == status


def test_the_provider_revokes_after_the_check_page(app, world):
    ours, _theirs, desk = world
    url = f"/provider/certificates/{ours.id}/revoke"
    form = _page(desk.get(url))
    assert "Rina Kartika Sari" in form and "Why is the certificate revoked?" in form

    short = desk.post(url, data={"reason": "singkat", "confirm": "1"})
    assert short.status_code == 400
    assert "Write at least 10 characters" in _page(short)

    check = desk.post(url, data={"reason": REASON})
    assert check.status_code == 200
    html = _page(check)
    assert "Revoke this certificate?" in html and "the holder is told" in html
    assert REASON in html
    with app.app_context():
        assert not certificate(ours.id).revoked

    done = desk.post(url, data={"reason": REASON, "confirm": "1"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/provider/certificates")
    with app.app_context():
        row = certificate(ours.id)
        assert row.revoked and row.revoked_reason == REASON
        (event,) = events("certificate.revoked")
        assert event.detail["reason"] == REASON
        (mail,) = [mail for mail in mails_to(ours.email) if "revoked" in mail.subject]
        assert f"{row.provider_name}, the training provider, revoked" in mail.body
    listing = _page(desk.get("/provider/certificates"))
    assert "is revoked" in listing and "Revoked" in listing
    again = desk.post(url, data={"reason": REASON, "confirm": "1"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("Peserta rina.kartika@mail.co.id menyalin tugas.", "take out the email address."),
        ("NIK peserta 3171234567890001 tidak cocok.", "looks like a NIK (16 digits)."),
        ("Hubungi peserta di (0812) 3456-7890 dulu.", "take out the phone number."),
    ],
)
def test_a_private_detail_in_the_reason_is_refused(app, world, reason, says):
    ours, _theirs, desk = world
    url = f"/provider/certificates/{ours.id}/revoke"
    for confirm in ({}, {"confirm": "1"}):
        response = desk.post(url, data={"reason": reason, **confirm})
        assert response.status_code == 400
        html = _page(response)
        assert says in html and 'name="confirm"' not in html
    with app.app_context():
        assert not certificate(ours.id).revoked
        assert events("certificate.revoked") == []
    desk.set_cookie("lang", "id")
    response = desk.post(url, data={"reason": reason})
    assert response.status_code == 400
    assert "Alasan ini ditampilkan di halaman publik sertifikat: hapus" in _page(response)


def test_a_reason_with_a_date_and_hours_passes(app, world):
    ours, _theirs, desk = world
    reason = "Sesi 01.04.2020 s.d. 30.04.2020 (32 jam) tidak diikuti peserta."
    url = f"/provider/certificates/{ours.id}/revoke"
    form = _page(desk.get(url))
    assert "don't write the holder's NIK, email address or phone number" in form
    assert desk.post(url, data={"reason": reason}).status_code == 200
    assert desk.post(url, data={"reason": reason, "confirm": "1"}).status_code == 302
    with app.app_context():
        assert certificate(ours.id).revoked_reason == reason


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_revoke_pages_html_lang_follows_the_page_language(world, lang):
    ours, _theirs, desk = world
    desk.set_cookie("lang", lang)
    url = f"/provider/certificates/{ours.id}/revoke"
    for response in (desk.get(url), desk.post(url, data={"reason": REASON})):
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)
