"""A certificate as one A4 landscape PDF page: the same facts as its public page, its code, a
QR code of the page's address and that address printed, so a printed copy can be checked.

The text is set in DejaVu Sans, vendored in certificates/fonts with its licence: it has every
Indonesian character (and the rupiah, dashes and quotes). The QR code is drawn module by
module from segno's matrix as filled squares, so it stays sharp at any zoom and needs no
image library. A revoked certificate says REVOKED (in the page's language) across the page.

The caller gives the words in the reader's language (`Words`); this module lays them out.
"""

from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF

from marketplace.certificates.issuing import shown
from marketplace.certificates.models import Certificate

FONTS = Path(__file__).parent / "fonts"
INK = (11, 12, 12)
MUTED = (80, 90, 95)
GREEN = (0, 112, 60)
RED = (180, 30, 20)
# The state (a revocation's date and reason) is cut here on paper; the page says it whole.
LONGEST_STATE = 180


@dataclass(frozen=True)
class Words:
    """What the page says, in the reader's language, every fact already formatted."""

    issuer: str  # the programme office, as issuer
    title: str  # "Certificate of completion"
    certifies: str  # "This certifies that"
    completed: str  # "completed the course"
    facts: list[tuple[str, str]]  # (label, value): provider, platform, hours, date, score
    code_label: str
    check: str  # "Check it at" (followed by the address)
    state: str  # "Valid" or "Revoked on ...: reason"
    revoked_mark: str | None  # "REVOKED" across the page, or None


def pdf(certificate: Certificate, address: str, words: Words) -> bytes:
    """The certificate's PDF (bytes), pointing at `address`, its public page."""
    doc = FPDF(orientation="landscape", format="A4", unit="mm")
    doc.set_auto_page_break(False)
    doc.set_margins(18, 16, 18)
    doc.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    doc.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    doc.set_title(f"{words.title}: {certificate.course_title}")
    doc.set_author(words.issuer)
    doc.add_page()
    width = doc.w - doc.l_margin - doc.r_margin

    doc.set_draw_color(*GREEN)
    doc.set_line_width(1.2)
    doc.rect(10, 10, doc.w - 20, doc.h - 20)

    doc.set_text_color(*MUTED)
    doc.set_font("DejaVu", "", 12)
    doc.cell(width, 8, words.issuer, new_x="LMARGIN", new_y="NEXT", align="C")
    doc.set_text_color(*INK)
    doc.set_font("DejaVu", "B", 26)
    doc.cell(width, 14, words.title, new_x="LMARGIN", new_y="NEXT", align="C")
    doc.ln(4)
    doc.set_font("DejaVu", "", 13)
    doc.cell(width, 8, words.certifies, new_x="LMARGIN", new_y="NEXT", align="C")
    # The longest names and titles (200 characters) get a smaller size, so that everything
    # stays on the page above the printed address.
    doc.set_font("DejaVu", "B", 22 if len(certificate.holder_name) <= 45 else 14)
    doc.multi_cell(
        width,
        11 if len(certificate.holder_name) <= 45 else 7,
        certificate.holder_name,
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("DejaVu", "", 13)
    doc.cell(width, 8, words.completed, new_x="LMARGIN", new_y="NEXT", align="C")
    long_title = len(certificate.course_title) > 75
    doc.set_font("DejaVu", "B", 12 if long_title else 17)
    doc.multi_cell(
        width,
        6 if long_title else 9,
        certificate.course_title,
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(4)

    qr_size = 42
    facts_width = width - qr_size - 10
    top = doc.get_y()
    doc.set_font("DejaVu", "", 11)
    for label, value in words.facts:
        doc.set_text_color(*MUTED)
        doc.cell(55, 7, label)
        doc.set_text_color(*INK)
        doc.multi_cell(facts_width - 55, 7, value, new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(*MUTED)
    doc.cell(55, 7, words.code_label)
    doc.set_text_color(*INK)
    doc.set_font("DejaVu", "B", 11)
    doc.cell(facts_width - 55, 7, shown(certificate.code), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 11)
    doc.set_text_color(*(RED if certificate.revoked else GREEN))
    state = (
        words.state if len(words.state) <= LONGEST_STATE else words.state[: LONGEST_STATE - 1] + "…"
    )
    doc.multi_cell(facts_width, 6, state, new_x="LMARGIN", new_y="NEXT")

    _qr(doc, address, doc.w - doc.r_margin - qr_size, top, qr_size)
    doc.set_xy(doc.l_margin, doc.h - 26)
    doc.set_text_color(*MUTED)
    doc.set_font("DejaVu", "", 10)
    doc.cell(width, 6, f"{words.check} {address}", align="C", link=address)

    if words.revoked_mark:
        doc.set_text_color(*RED)
        doc.set_font("DejaVu", "B", 72)
        with doc.rotation(20, doc.w / 2, doc.h / 2), doc.local_context(fill_opacity=0.35):
            doc.set_xy(0, doc.h / 2 - 15)
            doc.cell(doc.w, 30, words.revoked_mark, align="C")
    return bytes(doc.output())


def _qr(doc: FPDF, address: str, x: float, y: float, size: float) -> None:
    """The QR code of `address`, `size` mm wide, its quiet zone included, at (x, y)."""
    code = segno.make(address, error="m")
    rows = list(code.matrix_iter(scale=1, border=4))
    module = size / len(rows)
    doc.set_fill_color(255, 255, 255)
    doc.rect(x, y, size, size, style="F")
    doc.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(rows):
        for column, dark in enumerate(row):
            if dark:
                doc.rect(x + column * module, y + row_index * module, module, module, style="F")
