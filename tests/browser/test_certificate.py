"""A certificate in a real browser on a 360 px phone, in Indonesian (issue 13): a participant
who completed a course opens "Pelatihan Saya", follows "Lihat sertifikat" to the certificate's
public page and sees it valid; the QR code on the screen, screenshotted and decoded with
zxing-cpp (a dev dependency), is exactly the page's address; the PDF link answers a PDF
with her name in it; the signed credential downloaded from the page passes
`flask certificates verify`; once the programme office revokes the certificate, the page
says it was revoked ("dicabut") and why.
"""

import io
import re

import pytest
import sqlalchemy as sa
import zxingcpp
from flask_babel import force_locale, gettext
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader
from support.certificate_rows import office
from support.factories import PASSWORD
from support.learning_rows import buy_for, learn_everything, order, write_bank

from marketplace.certificates import issuing, revocation
from marketplace.certificates.models import Certificate
from marketplace.extensions import db
from marketplace.money.models import Card
from marketplace.people.models import User

PHONE = {"width": 360, "height": 740}
REASON = "Tugas akhir ternyata disalin dari peserta lain"


@pytest.fixture
def id_(app):
    """id_(message, **values): the message as the Indonesian page says it."""

    def say(message: str, **values) -> str:
        with app.app_context(), force_locale("id"):
            return gettext(message, **values)

    return say


@pytest.fixture
def holder(app, factory, shop):
    """A participant (Indonesian) who completed the shop's self-paced course by the real
    operations, which issued her certificate: (email, name, code)."""
    person = factory.card_holder(shop.now, locale="id")
    with app.app_context():
        card = db.session.scalar(sa.select(Card).where(Card.participant_id == person.id))
        card.scheme.one_unfinished_course = False
        email = card.participant.user.email
        name = card.participant.full_name
        write_bank(shop.self_paced)
        db.session.commit()
    order_id = buy_for(app, shop, person.id, shop.self_paced)
    with app.app_context():
        learn_everything(order(order_id), shop.now)
        db.session.commit()
        return email, name, issuing.of_order(order(order_id)).code


def _screenshot(page, element) -> bytes:
    """A screenshot of the element as it shows on the screen: the page's view clipped to the
    element's box (the element's own screenshot came out shifted at 360 px in chromium)."""
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    assert box and box["width"] <= PHONE["width"], box
    return page.screenshot(clip=box)


def _decoded(png: bytes) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_from_pelatihan_saya_to_a_checked_certificate_then_revoked(
    app, new_context, holder, shop, id_, tmp_path
):
    email, name, code = holder
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account$"))

    # "Pelatihan Saya" links to the certificate.
    page.goto("/account/courses")
    expect(page.locator("h1")).to_have_text(id_("My courses"))
    page.get_by_role("link", name=id_("See your certificate")).first.click()
    page.wait_for_url(re.compile(r"/certificates/[0-9A-Z-]+$"))
    assert page.url.endswith("/certificates/" + issuing.shown(code))
    state = page.locator("#state")
    expect(state).to_have_class(re.compile(r"certificate-state--valid"))
    expect(state.locator("h1")).to_have_text(id_("Valid certificate"))
    assert "berlaku" in state.inner_text().lower()
    expect(page.locator(".certificate-facts__holder")).to_have_text(name)

    # The QR code on the screen leads back to exactly this page.
    qr = page.locator(".certificate-qr svg")
    assert _decoded(_screenshot(page, qr)) == [page.url]
    width = page.evaluate("() => [window.innerWidth, document.documentElement.scrollWidth]")
    assert width[1] <= width[0] == 360, width  # nothing scrolls sideways on the phone

    # The PDF link answers a PDF with her name in it.
    pdf_link = page.get_by_role("link", name=id_("Download the PDF (A4)"))
    response = context.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    body = response.body()
    assert body.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert name in re.sub(r"\s+", " ", text)

    # The signed credential, downloaded from the page, passes the offline check.
    with page.expect_download() as arrived:
        page.get_by_role(
            "link", name=id_("Download the signed credential (Open Badges 3.0)")
        ).click()
    saved = tmp_path / "credential.json"
    arrived.value.save_as(saved)
    assert b"OpenBadgeCredential" in saved.read_bytes()
    checked = app.test_cli_runner().invoke(args=["certificates", "verify", str(saved)])
    assert checked.exit_code == 0, checked.output

    # The programme office revokes it: the page says so, with the reason.
    admin_id = office(app)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
        revocation.revoke(certificate, db.session.get(User, admin_id), REASON, shop.now)
        db.session.commit()
    page.reload()
    expect(state).to_have_class(re.compile(r"certificate-state--revoked"))
    expect(state.locator("h1")).to_have_text(id_("Revoked certificate"))
    assert "dicabut" in state.inner_text().lower()
    expect(state).to_contain_text(REASON)
    assert _decoded(_screenshot(page, page.locator(".certificate-qr svg"))) == [page.url]
