"""One word for one thing, and the programme's words explained where they first appear.

- The Indonesian catalogue uses the words docs/words.md chooses: "tes daring", never "tes
  online"; "kode redeem" as the code's name, never "redeem" as a verb ("di-redeem"); and
  none of the other words declared out of use there.
- /glossary lists every term of web/glossary.py in both languages, and every page links to
  it from the footer.
- Each page that first uses a programme word explains it there, once, before the part of the
  page that relies on it (the `term` macro).
"""

import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from support.factories import PASSWORD

from marketplace.catalogue.models import Course, Method
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.people.models import Participant
from marketplace.programme import batches
from marketplace.web import glossary

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "marketplace/translations/id/LC_MESSAGES/messages.po"
)

# Words the Indonesian UI does not use (docs/words.md): pattern -> the word it uses instead.
# Case-sensitive where the fault is the case ("kartu keluarga" for the document's name).
OUT_OF_USE = {
    r"(?i)\btes online\b": "tes daring",
    r"(?i)\bdi-?redeem\b|\bmeredeem\b|\bredeem(?:kan)? kode\b": "kode ... dipakai",
    r"(?i)(?<!kode )\bredeem\b": "redeem only in the name 'kode redeem'",
    r"(?i)\bkursus\b": "pelatihan",
    r"(?i)\bbatch\b": "gelombang",
    r"(?i)\bpenyedia\b|\bLPK\b": "lembaga pelatihan",
    r"(?i)\bOTP\b": "kode pembelian",
    r"(?i)\bdata diri\b": "profil",
    r"(?i)\bkantor program\b": "Manajemen Pelaksana",
    r"\b[Mm]anajemen pelaksana\b": "Manajemen Pelaksana",
    r"\bkartu keluarga\b|\bKartu keluarga\b": "Kartu Keluarga",
    r"(?i)\bverifikasi\b": "konfirmasi",
    r"(?i)\bulasan\b": "penilaian",
    r"(?i)\bbrowser\b": "peramban",
    r"(?i)\b(?:\d+|%\(\w+\)s) angka\b": "digit",
}


def _indonesian_messages() -> list[tuple[str, str]]:
    """(English id, Indonesian text) of every message and plural form of the catalogue."""
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((ids[min(n, len(ids) - 1)], text) for n, text in enumerate(texts) if text)
    return pairs


# --- one word for one thing ----------------------------------------------------------------


def test_the_indonesian_ui_uses_no_word_declared_out_of_use():
    found = [
        (pattern, instead, text)
        for _english, text in _indonesian_messages()
        for pattern, instead in OUT_OF_USE.items()
        if re.search(pattern, text)
    ]
    assert found == []


def test_sesi_is_only_the_signed_in_session_and_tatap_muka_only_glosses_luring():
    for english, text in _indonesian_messages():
        if re.search(r"(?i)\bsesi\b", text):
            # a training session is a "jadwal"
            assert "sign" in english.lower(), (english, text)
        if re.search(r"(?i)\btatap muka\b", text):
            assert "luring" in text.lower(), (english, text)


def test_the_words_used_instead_are_in_use():
    """The guard above would pass on an empty catalogue: the chosen words are really there."""
    texts = " ".join(text for _english, text in _indonesian_messages())
    for word in (
        "tes daring",
        "Kode redeem",
        "Kode sudah dipakai",
        "Manajemen Pelaksana",
        "Kartu Keluarga",
        "Luring (tatap muka)",
        "Jadwal ini sudah penuh",
    ):
        assert word in texts, word


def test_an_indonesian_text_starts_with_a_capital_where_the_english_one_does():
    """Mail subjects and headings alike (the refund mail's subject once began "pembelian")."""
    lower = [
        (english, text)
        for english, text in _indonesian_messages()
        if english[:1].isupper() and text[:1].isalpha() and text[:1].islower()
    ]
    assert lower == []


def test_the_refund_mail_subject_starts_with_a_capital():
    subject = dict(_indonesian_messages())["Your purchase of %(course)s has been refunded"]
    assert subject == "Dana pembelian %(course)s Anda telah dikembalikan"


# --- the glossary page -----------------------------------------------------------------------


def _texts(app, language: str) -> dict[str, tuple[str, str, str]]:
    """Each term's (word, question, explanation) as a page in `language` shows them."""
    with app.test_request_context(), force_locale(language):
        return {
            key: (str(term.word), str(term.question), str(term.explanation))
            for key, term in glossary.TERMS.items()
        }


def _page(client, path: str, language: str = "id") -> str:
    client.set_cookie("lang", language)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return unescape(response.get_data(as_text=True))


def test_the_glossary_has_the_issue_s_words():
    assert list(glossary.TERMS) == [
        "nik",
        "kk",
        "gelombang",
        "kuota",
        "skema",
        "daring",
        "voucher",
        "redeem",
        "mutasi",
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_glossary_page_lists_every_term_in_the_page_language(app, client, language):
    html = _page(client, "/glossary", language)
    texts = _texts(app, language)
    other = _texts(app, "en" if language == "id" else "id")
    heading = "Istilah program" if language == "id" else "Programme words"
    assert f'<h1 class="page-title">{heading}</h1>' in html
    for key, (word, _question, explanation) in texts.items():
        assert f'<h2 class="glossary__word" id="{key}">{word}</h2>' in html, key
        assert explanation in html, key
        if key != "nik":  # "NIK" is the same word in both languages; its text is not
            assert other[key][0] not in re.findall(r"<h2[^>]*>([^<]*)</h2>", html)
        assert other[key][2] not in html
    # the Indonesian page speaks the programme's words, the English one glosses them
    if language == "id":
        assert "Apa itu" not in html  # the questions belong to the pages, not to this list
        assert ">Gelombang</h2>" in html and ">Mutasi saldo</h2>" in html
    else:
        assert ">Batch (gelombang)</h2>" in html
        assert ">Balance movements (mutasi saldo)</h2>" in html


def test_the_footer_and_the_start_page_link_to_the_glossary(client):
    for path in ("/", "/courses", "/contact", "/glossary"):
        html = _page(client, path)
        footer = html[html.index('<footer class="site-footer">') : html.index("</footer>")]
        assert '<a href="/glossary">Istilah program</a>' in footer, path
    start = _page(client, "/")
    main = start[start.index("<main") : start.index("</main>")]
    assert '<a href="/glossary">Istilah program</a>' in main


# --- explained where first used --------------------------------------------------------------


def _explained_once(html: str, app, key: str, language: str = "id") -> int:
    """Where the page explains `key`: its question, then its explanation and a link to the
    glossary, exactly once."""
    _word, question, explanation = _texts(app, language)[key]
    assert html.count(explanation) == 1, key
    assert html.count(f"<summary>{question}</summary>") == 1, key
    at = html.index(explanation)
    assert html.index(f"<summary>{question}</summary>") < at
    assert f'href="/glossary#{key}"' in html[at : at + len(explanation) + 200]
    return at


def _open_batch(app):
    with app.app_context():
        batches.ensure_schemes()
        now = utcnow()
        batches.create_batch(
            7, now - timedelta(days=1), now + timedelta(days=5), 1200, "2023", None, None
        )
        db.session.commit()


def test_the_start_page_explains_batch_and_quota_in_the_batch_box(app, client):
    _open_batch(app)
    html = _page(client, "/")
    box = html.index('id="gelombang"')
    for key in ("gelombang", "kuota"):
        assert box < _explained_once(html, app, key) < html.index('class="button-group"')


def test_the_profile_explains_nik_and_kk_before_the_form(app, participant_client):
    html = _page(participant_client, "/account/profile")
    form = html.index('<form method="post" action="/account/profile"')
    for key in ("nik", "kk"):
        assert html.index('<p class="lead">') < _explained_once(html, app, key) < form


def test_the_batches_page_explains_batch_quota_and_scheme(app, participant_client):
    _open_batch(app)
    html = _page(participant_client, "/account/batches")
    heading = html.index('<h1 class="page-title">Gelombang</h1>')
    facts = html.index('<dl class="facts">')
    for key in ("gelombang", "kuota", "skema"):
        assert heading < _explained_once(html, app, key) < facts
    # the scheme the explanation speaks of is shown
    assert "<dt>Skema</dt>" in html and "Prakerja 2023 (skema normal)" in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_catalogue_filter_explains_the_methods_under_their_list(app, client, factory, language):
    factory.course()
    html = _page(client, "/courses", language)
    at = _explained_once(html, app, "daring", language)
    assert html.index('id="method"') < at < html.index('id="platform"')
    if language == "id":
        assert "<summary>Apa arti daring dan luring?</summary>" in html


def test_the_course_page_explains_the_method_beside_it(app, client, factory):
    slug = factory.course().slug
    html = _page(client, f"/courses/{slug}")
    at = _explained_once(html, app, "daring")
    assert html.index("<dt>Metode</dt>") < at < html.index('class="lead course__summary"')


@pytest.fixture
def holder(app, factory):
    """A card holder, signed in, who has bought a self-paced course and a webinar seat."""
    now = utcnow().replace(microsecond=0)
    participant = factory.card_holder(now, scheme="2023")  # two courses at once
    self_paced = factory.course(price=200_000)
    webinar = factory.course(price=200_000, method=Method.WEBINAR, sessions=1)
    with app.app_context():
        buyer = db.session.get(Participant, participant.id)
        orders = {}
        for name, course_id in (("self_paced", self_paced.id), ("webinar", webinar.id)):
            course = db.session.get(Course, course_id)
            seat = course.sessions[0] if course.sessions else None
            row, code = checkout.begin(buyer, course, seat, now)
            orders[name] = checkout.confirm(buyer, row.purchase_key, code, now).id
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": participant.user.email, "password": PASSWORD})
    assert response.status_code == 302
    return SimpleNamespace(client=client, **orders)


@pytest.mark.parametrize(
    ("order", "keys"), [("self_paced", ("voucher",)), ("webinar", ("redeem", "voucher"))]
)
def test_the_order_page_explains_its_codes_under_the_code(app, holder, order, keys):
    html = _page(holder.client, f"/account/orders/{getattr(holder, order)}")
    panel = html.index('class="panel__title"')
    facts = html.index('<dl class="summary-list">')
    for key in keys:
        assert panel < _explained_once(html, app, key) < facts
    if keys == ("voucher",):
        assert "Apa itu kode redeem?" not in html


def test_the_statement_explains_balance_movements_under_its_title(app, holder):
    html = _page(holder.client, "/account/statement")
    heading = html.index('<h1 class="page-title">Mutasi saldo kartu Anda</h1>')
    assert heading < _explained_once(html, app, "mutasi") < html.index('id="card-title"')
