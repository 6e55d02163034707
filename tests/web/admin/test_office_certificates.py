"""The programme office's certificates: /admin/certificates lists and finds them (each linked
to its public page by its grouped code), /admin/certificates/<id>/revoke shows the facts and
asks the reason, then a check page, then revokes (audited, mailed). Only the office; bad input
is a 4xx in the page's language, never a 500, and nothing changes."""

from html import unescape

import pytest
from support.certificate_rows import certificate, issued
from support.learning_rows import events, mails_to

from marketplace.certificates import issuing

REASON = "Peserta ternyata tidak mengikuti pelatihan sendiri."


@pytest.fixture
def made(app, shop):
    return issued(app, shop, name="Rina Kartika Sari")


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _unchanged(app, made) -> None:
    with app.app_context():
        row = certificate(made.id)
        assert (row.revoked_at, row.revoked_reason, row.revoked_by_id) == (None, None, None)
        assert events("certificate.revoked") == []
        assert [mail for mail in mails_to(made.email) if "revoked" in mail.subject] == []


def test_only_the_office_opens_the_pages(client, participant_client, provider_client, made):
    revoke = f"/admin/certificates/{made.id}/revoke"
    assert client.get("/admin/certificates").status_code == 302
    assert client.get(revoke).status_code == 302
    for other in (participant_client, provider_client):
        assert other.get("/admin/certificates").status_code == 403
        assert other.get(revoke).status_code == 403
        response = other.post(revoke, data={"reason": REASON, "confirm": "1"})
        assert response.status_code == 403


def test_the_office_lists_and_finds_certificates(app, admin_client, shop, made):
    later = issued(app, shop, shop.other, name="Budi Santoso")
    admin_client.set_cookie("lang", "en")
    html = _page(admin_client.get("/admin/certificates"))
    grouped = issuing.shown(made.code)
    assert f'href="/certificates/{grouped}"' in html
    assert f'href="/certificates/{issuing.shown(later.code)}"' in html
    assert html.index("Budi Santoso") < html.index("Rina Kartika Sari")  # newest first
    assert f'href="/admin/certificates/{made.id}/revoke"' in html
    assert "2 certificates" in html and "Valid" in html
    with app.app_context():
        row = certificate(made.id)
        assert row.course_title in html and row.provider_name in html
    for query in (grouped.lower(), made.code, "rina kartika"):
        found = _page(admin_client.get("/admin/certificates", query_string={"q": query}))
        assert f'href="/certificates/{grouped}"' in found, query
        assert "Budi Santoso" not in found, query
    none = admin_client.get("/admin/certificates", query_string={"q": "tidak ada yang cocok"})
    assert none.status_code == 200 and "No certificate matches." in _page(none)


def test_the_list_speaks_indonesian_by_default(admin_client, made):
    html = _page(admin_client.get("/admin/certificates"))
    assert '<h1 class="page-title">Sertifikat</h1>' in html
    assert "Berlaku" in html and "Kode sertifikat" in html
    assert '<a href="/admin/certificates" aria-current="page">Sertifikat</a>' in html


def test_an_empty_list_says_so(admin_client):
    admin_client.set_cookie("lang", "en")
    html = _page(admin_client.get("/admin/certificates"))
    assert "No certificate has been issued yet." in html


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/admin/certificates?q=" + "x" * 300, 400, "Enter at most 200 characters"),
        ("/admin/certificates?page=0", 400, "The page number must be 1 or more"),
        ("/admin/certificates?page=abc", 400, "The page number must be a whole number"),
        ("/admin/certificates?page=99", 404, None),
        ("/admin/certificates/999999999/revoke", 404, None),
        ("/admin/certificates/0/revoke", 404, None),
        ("/admin/certificates/abc/revoke", 404, None),
        ("/admin/certificates/99999999999999999999999/revoke", 404, None),
    ],
)
def test_bad_input_is_a_4xx_in_the_page_language(admin_client, made, url, status, says):
    admin_client.set_cookie("lang", "en")
    response = admin_client.get(url)
    assert response.status_code == status
    if says:
        assert says in _page(response)


def test_the_revoke_page_shows_the_facts_and_asks_the_reason(app, admin_client, made):
    admin_client.set_cookie("lang", "en")
    response = admin_client.get(f"/admin/certificates/{made.id}/revoke")
    assert response.status_code == 200
    html = _page(response)
    with app.app_context():
        row = certificate(made.id)
        for fact in (row.holder_name, row.course_title, row.provider_name, row.platform_name):
            assert fact in html
        participant = row.order.participant
        assert participant.nik not in html and participant.phone not in html
        assert participant.user.email not in html
    assert f'href="/certificates/{issuing.shown(made.code)}"' in html
    assert "Why is the certificate revoked?" in html
    assert 'name="reason"' in html and 'name="confirm"' not in html
    _unchanged(app, made)


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("", "Write why the certificate is revoked."),
        ("pendek", "Write at least 10 characters on why the certificate is revoked."),
        ("x" * 501, "The reason can be at most 500 characters."),
    ],
)
def test_a_bad_reason_is_refused_with_the_form_again(app, admin_client, made, reason, says):
    admin_client.set_cookie("lang", "en")
    for confirm in ({}, {"confirm": "1"}):
        response = admin_client.post(
            f"/admin/certificates/{made.id}/revoke", data={"reason": reason, **confirm}
        )
        assert response.status_code == 400
        html = _page(response)
        assert says in html and "<title>Error:" in html
        assert 'name="confirm"' not in html
    _unchanged(app, made)


@pytest.mark.parametrize(
    ("lang", "reason", "says"),
    [
        (
            "en",
            "Peserta rina.kartika@mail.co.id menyalin tugas.",
            "The reason is shown on the certificate's public page: take out the email address.",
        ),
        (
            "en",
            "NIK peserta 3171 2345 6789 0001 tidak cocok.",
            "take out the number that looks like a NIK (16 digits).",
        ),
        (
            "en",
            "Hubungi peserta di +62 812-3456-7890 untuk klarifikasi.",
            "The reason is shown on the certificate's public page: take out the phone number.",
        ),
        ("id", "Surel peserta: rina@example.com.", "hapus alamat email di dalamnya."),
        ("id", "NIK 3171.2345.6789.0001 tidak cocok.", "hapus nomor yang tampak seperti NIK"),
        ("id", "HP peserta 0812 3456 7890 tidak aktif.", "hapus nomor telepon di dalamnya."),
    ],
)
def test_a_private_detail_in_the_reason_is_refused(app, admin_client, made, lang, reason, says):
    """The reason is public: an email address, a NIK or a phone number is a 400 in the page
    language, at the check step and at the confirmation alike, and nothing changes."""
    admin_client.set_cookie("lang", lang)
    for confirm in ({}, {"confirm": "1"}):
        response = admin_client.post(
            f"/admin/certificates/{made.id}/revoke", data={"reason": reason, **confirm}
        )
        assert response.status_code == 400
        html = _page(response)
        assert says in html
        assert ("<title>Error:" if lang == "en" else "<title>Kesalahan:") in html
        assert 'name="confirm"' not in html
    _unchanged(app, made)


def test_the_reason_field_says_it_is_public(admin_client, made):
    admin_client.set_cookie("lang", "en")
    html = _page(admin_client.get(f"/admin/certificates/{made.id}/revoke"))
    assert (
        "anyone can read it on the certificate's public page: don't write the holder's NIK, "
        "email address or phone number." in html
    )
    admin_client.set_cookie("lang", "id")
    html = _page(admin_client.get(f"/admin/certificates/{made.id}/revoke"))
    assert "jangan tulis NIK, alamat email, atau nomor telepon pemegang sertifikat" in html


def test_a_reason_with_a_date_and_hours_is_revoked(app, admin_client, made):
    reason = "Hanya hadir 3 dari 32 jam; tes akhir dikerjakan orang lain pada 08-04-2020."
    url = f"/admin/certificates/{made.id}/revoke"
    assert admin_client.post(url, data={"reason": reason}).status_code == 200
    done = admin_client.post(url, data={"reason": reason, "confirm": "1"})
    assert done.status_code == 302
    with app.app_context():
        assert certificate(made.id).revoked_reason == reason


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_revoke_pages_html_lang_follows_the_page_language(admin_client, made, lang):
    admin_client.set_cookie("lang", lang)
    url = f"/admin/certificates/{made.id}/revoke"
    for response in (admin_client.get(url), admin_client.post(url, data={"reason": REASON})):
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_a_control_character_in_the_reason_is_a_400(app, admin_client, made):
    response = admin_client.post(
        f"/admin/certificates/{made.id}/revoke", data={"reason": "Alasan\x1bdengan escape"}
    )
    assert response.status_code == 400
    _unchanged(app, made)


def test_the_check_page_then_the_revocation(app, admin_client, made):
    admin_client.set_cookie("lang", "en")
    url = f"/admin/certificates/{made.id}/revoke"
    check = admin_client.post(url, data={"reason": f"  {REASON}  "})
    assert check.status_code == 200
    html = _page(check)
    assert "Revoke this certificate?" in html
    assert "This can't be undone; the holder is told." in html
    assert REASON in html
    assert f'<input type="hidden" name="reason" value="{REASON}">' in html
    assert 'name="confirm"' in html and 'name="change"' in html
    _unchanged(app, made)  # the check page changes nothing

    change = admin_client.post(url, data={"reason": REASON, "change": "1"})
    assert change.status_code == 200
    assert f">{REASON}</textarea>" in _page(change)
    _unchanged(app, made)

    done = admin_client.post(url, data={"reason": REASON, "confirm": "1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/certificates")
    listing = _page(admin_client.get("/admin/certificates"))
    assert f"The certificate {issuing.shown(made.code)} is revoked." in listing
    assert "Revoked" in listing
    with app.app_context():
        row = certificate(made.id)
        assert row.revoked and row.revoked_reason == REASON
        assert len(events("certificate.revoked")) == 1
        assert len([mail for mail in mails_to(made.email) if "revoked" in mail.subject]) == 1

    revoked = _page(admin_client.get(url))
    assert "This certificate is revoked" in revoked
    assert f"The reason: {REASON}" in revoked
    assert 'name="reason"' not in revoked

    again = admin_client.post(url, data={"reason": "Alasan yang lain sekali.", "confirm": "1"})
    assert again.status_code == 409
    assert "This certificate was revoked already, on " in _page(again)
    with app.app_context():
        assert certificate(made.id).revoked_reason == REASON
        assert len(events("certificate.revoked")) == 1


def test_the_check_page_speaks_indonesian(admin_client, made):
    html = _page(
        admin_client.post(f"/admin/certificates/{made.id}/revoke", data={"reason": REASON})
    )
    assert "Cabut sertifikat ini?" in html
    assert "Ini tidak dapat dibatalkan; pemegang sertifikat akan diberi tahu." in html
