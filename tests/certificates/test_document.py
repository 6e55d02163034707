"""A certificate's PDF (certificates/document.py): one A4 landscape page with the facts, the
code, the address printed, Indonesian characters intact, and REVOKED across a revoked one."""

import io
from datetime import datetime

import pypdf
import segno

from marketplace.certificates.document import Words, pdf
from marketplace.certificates.models import Certificate

ADDRESS = "http://localhost/certificates/ACDE-FGHJ-KMNP-RTUV-WXY3-4679-ACDE"


def _certificate(**changes) -> Certificate:
    values = {
        "code": "ACDEFGHJKMNPRTUVWXY34679ACDE",
        "holder_name": "Ni Made Ayu Sekar Pratiwi",
        "course_title": "Pemasaran Digital untuk UMKM — Strategi & Promosi",
        "provider_name": "LPK Cahaya Mandiri",
        "platform_name": "Sekolah Daring",
        "hours": 12,
        "score": 83,
        "completed_at": datetime(2026, 12, 1, 3, 0),
    }
    return Certificate(**{**values, **changes})


def _words(revoked: bool = False) -> Words:
    return Words(
        issuer="Manajemen Pelaksana Program Kartu Prakerja",
        title="Sertifikat Penyelesaian",
        certifies="Dengan ini menyatakan bahwa",
        completed="telah menyelesaikan pelatihan",
        facts=[("Lembaga pelatihan", "LPK Cahaya Mandiri"), ("Durasi", "12 jam")],
        code_label="Kode sertifikat",
        check="Periksa keasliannya di",
        state="Dicabut pada 2 Desember 2026: data palsu" if revoked else "Berlaku",
        revoked_mark="DICABUT" if revoked else None,
    )


def _read(data: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, " ".join(page.extract_text() for page in reader.pages)


def test_one_a4_landscape_page_with_the_facts_the_code_and_the_address(app):
    with app.app_context():
        data = pdf(_certificate(), ADDRESS, _words())
    reader, text = _read(data)
    assert data.startswith(b"%PDF-") and len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    for shown in (
        "Ni Made Ayu Sekar Pratiwi",
        "Pemasaran Digital untuk UMKM — Strategi & Promosi",  # a dash the font must have
        "ACDE-FGHJ-KMNP-RTUV-WXY3-4679-ACDE",
        ADDRESS,
        "Berlaku",
    ):
        assert shown in text, shown
    assert "DICABUT" not in text
    fonts = {str(font) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts  # the vendored font is embedded, not a reader's default
    assert reader.metadata.title.startswith("Sertifikat Penyelesaian")


def test_a_revoked_certificate_says_so_across_the_page(app):
    with app.app_context():
        _reader, text = _read(
            pdf(_certificate(revoked_at=datetime(2026, 12, 2)), ADDRESS, _words(True))
        )
    assert "DICABUT" in text and "data palsu" in text


def test_the_qr_code_is_the_address(app):
    """The page draws segno's matrix of the address: the same modules, dark for dark."""
    expected = segno.make(ADDRESS, error="m")
    with app.app_context():
        data = pdf(_certificate(), ADDRESS, _words())
    # One filled square per dark module, plus the white background square.
    dark = sum(sum(1 for dark in row if dark) for row in expected.matrix_iter(scale=1, border=4))
    content = pypdf.PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    assert content.count(" re f") >= dark + 1


def test_the_longest_name_title_and_reason_stay_on_the_page(app):
    longest = _certificate(holder_name="N" * 100 + " " + "M" * 99, course_title="Judul " * 33)
    words = Words(**{**_words(True).__dict__, "state": "Dicabut: " + "alasan " * 85})
    with app.app_context():
        reader, text = _read(pdf(longest, ADDRESS, words))
    assert len(reader.pages) == 1
    assert ADDRESS in text and "…" in text  # the address printed; the state cut on paper
