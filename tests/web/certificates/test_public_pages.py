"""The public side of certificates (web/certificates): /certificates/<code> in both languages,
valid and revoked, its canonical address, the 404 for unknown and hostile codes, /verify, the
limit on lookups that find nothing, the QR code, and the links from "Pelatihan Saya", the
course's page and the order page. Runs on SQLite and PostgreSQL."""

import re
from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa
from support.learning_rows import buy_for, learn_everything, order, signed_in_buyer, write_bank

from marketplace.certificates import issuing
from marketplace.certificates.models import Certificate
from marketplace.extensions import db
from marketplace.people.models import Participant
from marketplace.web.certificates import views

PUBLIC_URL = "http://localhost"  # the tests' PUBLIC_URL (tests/conftest.py)


@pytest.fixture
def app_config(request):
    """The rate limits are on only for tests that ask for the `throttled` fixture."""
    if "throttled" in request.fixturenames:
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    return {}


@pytest.fixture
def throttled():
    """Marker fixture: the app under test has its rate limits on."""


@pytest.fixture
def holder(app, factory, shop):
    """A participant who completed the shop's self-paced course by the real operations,
    signed in (English); her certificate's code, order and private details."""
    participant_id, client = signed_in_buyer(app, factory, shop)
    with app.app_context():
        write_bank(shop.self_paced)
        db.session.commit()
    order_id = buy_for(app, shop, participant_id, shop.self_paced)
    with app.app_context():
        learn_everything(order(order_id), shop.now)
        db.session.commit()
        certificate = issuing.of_order(order(order_id))
        person = db.session.get(Participant, participant_id)
        return {
            "client": client,
            "order_id": order_id,
            "code": certificate.code,
            "name": person.full_name,
            "nik": person.nik,
            "email": person.user.email,
            "phone": person.phone,
            "course": certificate.course_title,
            "provider": certificate.provider_name,
            "score": certificate.score,
        }


def _page(app, path: str, lang: str = "id"):
    client = app.test_client()
    client.set_cookie("lang", lang)
    return client.get(path)


def _path(code: str) -> str:
    return "/certificates/" + issuing.shown(code)


# --- the certificate's page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "valid", "issuer", "hours"),
    [
        ("id", "Sertifikat berlaku", "Manajemen Pelaksana Program Kartu Prakerja", "jam"),
        ("en", "Valid certificate", "The Kartu Prakerja programme office", "hours"),
    ],
)
def test_a_valid_certificate_says_so_with_its_facts_and_nothing_private(
    app, holder, lang, valid, issuer, hours
):
    response = _page(app, _path(holder["code"]), lang)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert re.search(rf"<h1[^>]*>{valid}</h1>", html)
    assert "certificate-state--valid" in html and "certificate-state--revoked" not in html
    for fact in (holder["name"], holder["course"], holder["provider"], issuer):
        assert fact in html
    assert issuing.shown(holder["code"]) in html
    assert f"{holder['score']} " in html and hours in html
    # Never the holder's NIK, email or phone.
    for private in (holder["nik"], holder["email"], holder["phone"], holder["phone"][3:]):
        assert private not in html
    # Asked again on every visit (a revocation shows at once), and not indexed.
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize(
    ("lang", "revoked", "on"),
    [("id", "Sertifikat dicabut", "dicabut pada"), ("en", "Revoked certificate", "revoked on")],
)
def test_a_revoked_certificate_says_so_with_the_date_in_wib_and_the_reason(
    app, holder, lang, revoked, on
):
    path = _path(holder["code"])
    assert "certificate-state--valid" in _page(app, path, lang).get_data(as_text=True)
    with app.app_context():
        certificate = db.session.scalar(
            sa.select(Certificate).where(Certificate.code == holder["code"])
        )
        certificate.revoked_at = holder_time = certificate.completed_at + timedelta(days=3)
        certificate.revoked_reason = "Tugas akhir ternyata jiplakan"
        db.session.commit()
    response = _page(app, path, lang)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(rf"<h1[^>]*>{revoked}</h1>", html)
    assert "certificate-state--revoked" in html and "certificate-state--valid" not in html
    assert "Tugas akhir ternyata jiplakan" in html
    wib = (holder_time + timedelta(hours=7)).strftime("%H.%M" if lang == "id" else "%H:%M")
    assert re.search(rf"{on} [^<]*{wib} WIB", html)


def test_the_qr_code_is_segnos_drawing_of_the_pages_exact_address(app, holder):
    grouped = issuing.shown(holder["code"])
    html = _page(app, "/certificates/" + grouped.lower()).get_data(as_text=True)
    assert "<svg" not in html  # a redirect first
    html = _page(app, "/certificates/" + grouped).get_data(as_text=True)
    expected = segno.make(f"{PUBLIC_URL}/certificates/{grouped}", error="m", micro=False)
    drawing = expected.svg_inline(**views.QR_SVG)
    assert drawing.startswith("<svg ")
    found = re.search(r"<svg [^>]*>.*?</svg>", html, re.S).group(0)
    assert found.split(">", 1)[1] == drawing.split(">", 1)[1]  # the same modules
    opening = found.split(">", 1)[0]
    assert (
        'role="img"' in opening
        and f'aria-label="Kode QR alamat sertifikat ini, {PUBLIC_URL}/certificates/{grouped}"'
        in opening
    )
    # The site's CSP forbids inline styles: the drawing has none.
    assert "style" not in found
    # Built on PUBLIC_URL, never on the Host header the visitor sends.
    other = (
        app.test_client()
        .get("/certificates/" + grouped, headers={"Host": "127.0.0.1"})
        .get_data(as_text=True)
    )
    assert f"{PUBLIC_URL}/certificates/{grouped}" in other
    assert "http://127.0.0.1/" not in other


@pytest.mark.parametrize("form", ["lower", "bare", "spaced", "full_width", "bare_lower"])
def test_another_form_of_the_code_redirects_to_the_grouped_address(app, holder, form):
    code = holder["code"]
    typed = {
        "lower": issuing.shown(code).lower(),
        "bare": code,
        "spaced": " ".join(code[i : i + 4] for i in range(0, len(code), 4)),
        "full_width": "".join(chr(ord(ch) + 0xFEE0) for ch in code),
        "bare_lower": code.lower(),
    }[form]
    response = app.test_client().get("/certificates/" + typed)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(_path(code))
    assert app.test_client().get(response.headers["Location"]).status_code == 200


def test_the_completion_mails_address_reaches_the_page(app, holder):
    client = app.test_client()
    response = client.get("/certificates/" + holder["code"], follow_redirects=True)
    assert response.status_code == 200
    assert holder["name"] in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed",
    [
        "A" * 28,  # well-formed, but no certificate has it
        "ABCD",
        "x" * 5000,
        "..%2F..%2Fetc%2Fpasswd",
        "a/../b",
        "' OR 1=1 --",
        "%27%20OR%20%271%27%3D%271",
        "Ελληνικά кириллица 中文",
        "😀" * 30,
    ],
)
@pytest.mark.parametrize(
    ("lang", "says"), [("id", "Tidak ada sertifikat"), ("en", "No certificate")]
)
def test_an_unknown_or_hostile_code_is_a_plain_404_that_says_so(app, holder, typed, lang, says):
    response = _page(app, "/certificates/" + typed, lang)
    if response.status_code == 301:  # "A"*28 is read as a code: its grouped address
        response = _page(app, response.headers["Location"], lang)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert re.search(rf"<h1[^>]*>{says}[^<]*</h1>", html)
    assert 'href="/verify"' in html
    assert holder["name"] not in html


@pytest.mark.parametrize("typed", ["ABCD%00EFGH", "%E2%80%AEevil", "%1B%5B31m"])
def test_control_characters_in_the_code_are_refused_never_a_500(app, typed):
    """NUL, bidirectional overrides, escapes: refused before any view (web/inputs.py)."""
    response = _page(app, "/certificates/" + typed, "en")
    assert response.status_code == 400
    assert "<h1" in response.get_data(as_text=True)


# --- /verify -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_verify_shows_a_get_form(app, lang):
    response = _page(app, "/verify", lang)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<form method="get" action="/verify"', html)
    assert 'name="code"' in html and "csrf_token" not in html
    title = {"id": "Periksa sertifikat", "en": "Check a certificate"}[lang]
    assert re.search(rf"<h1[^>]*>{title}</h1>", html)


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: issuing.shown(code),
        lambda code: code.lower(),
        lambda code: f"{PUBLIC_URL}/certificates/{issuing.shown(code)}",
        lambda code: f"https://prakerja.example/certificates/{code}?utm_source=x#top",
        lambda code: f"  {issuing.shown(code)}.pdf ",
    ],
)
def test_verify_finds_a_code_or_a_pasted_address(app, holder, typed):
    response = app.test_client().get("/verify", query_string={"code": typed(holder["code"])})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_path(holder["code"]))


@pytest.mark.parametrize(
    ("typed", "status", "english", "indonesian"),
    [
        ("", 400, "Enter the code of the certificate", "Masukkan kode sertifikat"),
        ("ABCD-EFGH", 400, "This is not a certificate code", "Ini bukan kode sertifikat"),
        ("A" * 28, 404, "No certificate has this code", "Tidak ada sertifikat dengan kode ini"),
    ],
)
def test_verify_not_found_is_the_form_again_with_the_reason(
    app, holder, typed, status, english, indonesian
):
    for lang, message in (("en", english), ("id", indonesian)):
        client = app.test_client()
        client.set_cookie("lang", lang)
        response = client.get("/verify", query_string={"code": typed})
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert message in html
        assert 'class="error-summary"' in html
        assert f'value="{typed}"' in html or not typed


def test_lookups_that_find_nothing_are_limited_per_visitor(app, holder, throttled):
    client = app.test_client()
    client.set_cookie("lang", "en")
    limit = int(views.LOOKUPS.split(" per minute")[0])
    # Genuine certificates never count.
    for _ in range(limit + 5):
        assert client.get("/verify", query_string={"code": holder["code"]}).status_code == 302
    for _ in range(limit):
        assert client.get("/verify", query_string={"code": "A" * 28}).status_code == 404
    refused = client.get("/verify", query_string={"code": "B" * 28})
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "typed too many codes that match no certificate" in html
    assert "Retry-After" in refused.headers
    # One count for both pages: the certificate's page is refused to the guesser too.
    assert client.get(_path("C" * 28)).status_code == 429
    # Another visitor is not.
    other = app.test_client()
    response = other.get(
        "/verify", environ_base={"REMOTE_ADDR": "10.0.0.9"}, query_string={"code": "A" * 28}
    )
    assert response.status_code == 404
    # In Indonesian too.
    client.set_cookie("lang", "id")
    html = client.get("/verify", query_string={"code": "D" * 28}).get_data(as_text=True)
    assert "terlalu sering mengetik kode" in html


def test_unknown_codes_on_the_certificates_page_count_too(app, holder, throttled):
    client = app.test_client()
    limit = int(views.LOOKUPS.split(" per minute")[0])
    for _ in range(limit):
        assert client.get(_path("A" * 28)).status_code == 404
    assert client.get(_path(holder["code"])).status_code == 429
    assert (
        app.test_client()
        .get(_path(holder["code"]), environ_base={"REMOTE_ADDR": "10.0.0.9"})
        .status_code
        == 200
    )


# --- links from the participant's pages ----------------------------------------------------


def test_pelatihan_saya_the_course_and_the_order_link_to_the_certificate(app, holder):
    client = holder["client"]
    link = f'href="{_path(holder["code"])}"'
    for path in (
        "/account/courses",
        f"/learn/{holder['order_id']}",
        f"/account/orders/{holder['order_id']}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert link in html, path
        assert "See your certificate" in html
    client.set_cookie("lang", "id")
    assert "Lihat sertifikat" in client.get("/account/courses").get_data(as_text=True)


def test_pelatihan_saya_reads_the_certificates_in_one_query(app, holder, shop):
    """Two completed courses: the page asks for certificates once, not once per order."""
    statements = []
    with app.app_context():
        write_bank(shop.other)
        db.session.commit()
        participant_id = db.session.scalar(
            sa.select(Certificate.participant_id).where(Certificate.code == holder["code"])
        )
    second = buy_for(app, shop, participant_id, shop.other)
    with app.app_context():
        learn_everything(order(second), shop.now)
        db.session.commit()

    def count(_conn, _cursor, statement, *_args):
        if re.search(r"\bFROM certificate\b", statement):
            statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            html = holder["client"].get("/account/courses").get_data(as_text=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert html.count("See your certificate") == 2
    assert len(statements) == 1


# --- the PDF -------------------------------------------------------------------------------


def test_the_pdf_is_one_page_in_the_pages_language_and_says_revoked_once_revoked(app, holder):
    import io

    import pypdf

    from marketplace.certificates.models import Certificate

    path = _path(holder["code"]) + ".pdf"
    assert f'href="{path}"' in _page(app, _path(holder["code"])).get_data(as_text=True)
    response = _page(app, path, "id")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-cache"
    text = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Sertifikat Penyelesaian" in text and holder["name"] in text
    assert "http://localhost" + _path(holder["code"]) in text  # the page's address, printed
    assert "DICABUT" not in text and holder["nik"] not in text
    with app.app_context():
        row = db.session.scalar(sa.select(Certificate).where(Certificate.code == holder["code"]))
        row.revoked_at, row.revoked_reason = holder_now(), "Data pelatihan tidak sah."
        db.session.commit()
    text = pypdf.PdfReader(io.BytesIO(_page(app, path, "en").data)).pages[0].extract_text()
    assert "REVOKED" in text and "Data pelatihan tidak sah." in text


def holder_now():
    from marketplace.core.base import utcnow

    return utcnow().replace(microsecond=0)


@pytest.mark.parametrize("typed", ["lower", "plain"])
def test_the_pdf_of_another_form_of_the_code_redirects(app, holder, typed):
    code = holder["code"].lower() if typed == "lower" else holder["code"]
    response = _page(app, f"/certificates/{code}.pdf")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(_path(holder["code"]) + ".pdf")


@pytest.mark.parametrize(
    ("code", "status"),
    [("NOPE", 404), ("-".join(["AAAA"] * 7), 404), ("x" * 5000, 404), ("%00", 400)],
)
def test_the_pdf_of_no_certificate_is_refused(app, holder, code, status):
    assert _page(app, f"/certificates/{code}.pdf").status_code == status


# --- the signed credential ------------------------------------------------------------------


def test_the_json_is_a_signed_credential_that_verifies_and_the_issuer_publishes_its_key(
    app, holder, tmp_path
):
    import json

    from marketplace.certificates import credential

    path = _path(holder["code"]) + ".json"
    response = _page(app, path)
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    signed = json.loads(response.data)
    assert signed["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert signed["id"] == "http://localhost" + _path(holder["code"])
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    for private in (holder["nik"], holder["email"], holder["phone"]):
        assert private not in response.get_data(as_text=True)
    profile = json.loads(_page(app, "/certificates/issuer").data)
    (method,) = profile["verificationMethod"]
    assert signed["proof"]["verificationMethod"] == method["id"]
    with app.app_context():
        ok, reasons = credential.verify(signed, method["publicKeyMultibase"])
    assert ok, reasons
    # Checked offline as an independent verifier would; a changed name fails.
    saved = tmp_path / "sertifikat.json"
    saved.write_text(json.dumps(signed))
    assert app.test_cli_runner().invoke(args=["certificates", "verify", str(saved)]).exit_code == 0
    signed["credentialSubject"]["name"] = "Orang Lain"
    saved.write_text(json.dumps(signed))
    assert app.test_cli_runner().invoke(args=["certificates", "verify", str(saved)]).exit_code == 1


def test_the_json_of_another_form_redirects_and_of_no_certificate_is_404(app, holder):
    lower = _page(app, f"/certificates/{holder['code'].lower()}.json")
    assert lower.status_code == 301
    assert lower.headers["Location"].endswith(_path(holder["code"]) + ".json")
    assert _page(app, "/certificates/" + "-".join(["AAAA"] * 7) + ".json").status_code == 404


def test_the_holders_own_pages_say_the_certificate_was_revoked(app, holder):
    from marketplace.certificates.models import Certificate

    assert "Revoked on" not in holder["client"].get("/account/courses").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(sa.select(Certificate).where(Certificate.code == holder["code"]))
        row.revoked_at, row.revoked_reason = holder_now(), "Data pelatihan tidak sah."
        db.session.commit()
    for path in (
        "/account/courses",
        f"/learn/{holder['order_id']}",
        f"/account/orders/{holder['order_id']}",
    ):
        page = holder["client"].get(path).get_data(as_text=True)
        assert "Revoked on" in page, path
    title = _page(app, _path(holder["code"]), "en").get_data(as_text=True)
    assert re.search(r"<title>Revoked certificate · ", title)
