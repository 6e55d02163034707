"""Whatever is typed in the catalogue's search, the page answers in its language and changes
nothing: never a 500; a refused value gets a 400 (a page past the last, a 404) with one clear
sentence. The words typed are only ever words (search.terms): query syntax of either engine
(FTS5 on SQLite, tsquery on PostgreSQL), SQL, other scripts, emoji, a NUL byte and accents
are searched as the words they hold. And the search's corrections are shown: a mistyped
word of five letters or more is corrected ("Menampilkan hasil untuk …", with a link that
searches the words exactly as typed); a short unknown word near a catalogue word gets a
"Maksud Anda …?" link. Runs on SQLite and PostgreSQL (scripts/with-postgres.sh).
"""

import html
import os
import re

import pytest
import sqlalchemy as sa

from marketplace.catalogue import search
from marketplace.extensions import db

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
LANGUAGES = ("id", "en")
WRITES = ("insert", "update", "delete", "create", "drop", "alter", "truncate", "replace")


@pytest.fixture
def shelf(factory):
    """A small catalogue: (course titles) of three providers' courses."""
    it = factory.category("Teknologi Informasi", "Information Technology")
    sales = factory.category("Penjualan dan Pemasaran", "Sales and Marketing")
    design = factory.category("Desain Grafis", "Graphic Design")
    return {
        "excel": factory.course("Microsoft Excel untuk Administrasi Kantor", category=it).title,
        "marketing": factory.course("Strategi Pemasaran Digital untuk UMKM", category=sales).title,
        "photo": factory.course("Foto Produk untuk Jualan Online", category=design).title,
    }


class Writes:
    """Statements that would change the database, run on the app's engine."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []
        sa.event.listen(self.engine, "before_cursor_execute", self._run)

    def _run(self, _connection, _cursor, statement, _parameters, _context, _many) -> None:
        if statement.lstrip().lower().startswith(WRITES):
            self.seen.append(statement)

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._run)


@pytest.fixture
def nothing_changes(app, shelf):
    """Fails the test when a request wrote anything or the catalogue's revision moved."""
    writes = Writes(app)
    with app.app_context():
        before = search.catalogue_revision(db.session.connection())
    yield
    writes.close()
    assert writes.seen == []
    with app.app_context():
        assert search.catalogue_revision(db.session.connection()) == before


def get(client, language: str, query_string, path: str = "/courses"):
    client.set_cookie("lang", language)
    response = client.get(path, query_string=query_string)
    assert response.status_code < 500, (query_string, response.status_code)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert f'<html lang="{language}"' in text
    return response, text


def titles(text: str) -> list[str]:
    found = re.findall(r'<h3 class="course-card__title"[^>]*><a href="[^"]*">([^<]*)</a>', text)
    return [html.unescape(title) for title in found]


def search_note(text: str) -> str | None:
    """The correction or suggestion note of a results page, if it has one."""
    found = re.search(r'<p class="search-note"[^>]*>(.*?)</p>', text, re.S)
    return found.group(1) if found else None


def note_link(note: str) -> str:
    (href,) = re.findall(r'href="([^"]*)"', note)
    return html.unescape(href)


# --- odd input: never a 500, nothing changed ------------------------------------------------

ODD_QUERIES = [
    "",
    " ",
    "   \t  ",
    "\u3000",  # an ideographic space
    "!!!",
    ".,;:-_/?",
    "...",
    # The engines' query syntax, alone and around a word.
    "AND",
    "OR",
    "NOT",
    "excel AND kantor",
    "excel OR python",
    "NEAR(a b)",
    "NEAR(excel kantor, 2)",
    '"',
    '"excel',
    "*",
    "excel*",
    ":",
    "excel:",
    "^",
    "^excel",
    "!",
    "!excel",
    "&",
    "excel & kantor",
    "|",
    "excel | kantor",
    "(",
    ")",
    "(excel",
    "'",
    "'excel'",
    "\\",
    "excel\\",
    "col:term",
    "title:excel",
    "{title body}: excel",
    "excel:*AB",
    "<->",
    "excel <-> kantor",
    "-excel",
    "+excel",
    "excel~2",
    # SQL-ish text.
    "'; DROP TABLE course; --",
    '" OR 1=1 --',
    "excel' OR '1'='1",
    "%",
    "_",
    "excel%",
    "UNION SELECT password_hash FROM user_account",
    # Other scripts, alone and with Latin.
    "مرحبا",
    "Excel مرحبا",
    "中文",
    "Excel 中文 课程",
    "привет",
    "Excel привет",
    "ехсеl",  # Cyrillic е, х, с, е and a Latin l
    "नमस्ते",
    "สวัสดี",
    # Emoji, control characters and other odd code points.
    "😀",
    "excel 😀",
    "👩🏽‍💻 excel",
    "\ufeffexcel",
    "excel\u200b",
    "\ud7ff\ue000",
    "e\u0301xcel",
    "Pemasara\u0301n",
    "ＥＸＣＥＬ",
    "ﬁle",
    "Ⅻ ² ½",
    "x" * 40 + "y",
    "kata " * 30,
    "a" * 200,
    "😀" * 200,
]


@pytest.mark.usefixtures("nothing_changes")
@pytest.mark.parametrize("language", LANGUAGES)
def test_odd_search_words_are_answered_in_the_page_language(client, language):
    for query in ODD_QUERIES:
        response, _text = get(client, language, {"q": query})
        assert response.status_code == 200, query
        # With a filter and another order, and past the last page.
        response, _text = get(
            client, language, {"q": query, "sort": "rating", "method": "self_paced"}
        )
        assert response.status_code == 200, query
        response, _text = get(client, language, {"q": query, "page": "99999"})
        assert response.status_code == 404, query


@pytest.mark.parametrize(
    "query",
    [
        '"excel"',
        "excel*",
        "excel:",
        "^excel",
        "!excel",
        "(excel)",
        "'excel'",
        "\\excel",
        "excel 😀",
        "\ufeffexcel",
        "e\u0301xcel",
        "ÉXCÊL",
        "ＥＸＣＥＬ",
        "  excel  ",
        "EXCEL; --",
    ],
)
def test_syntax_and_marks_around_a_word_search_the_word(client, shelf, query):
    _response, text = get(client, "id", {"q": query})
    assert titles(text) == [shelf["excel"]]


def test_punctuation_only_or_blank_words_list_the_whole_catalogue(client, shelf):
    everything = sorted(shelf.values())
    for query in ("", "   ", "!!!", '"*:^!&|()', "😀😀"):
        _response, text = get(client, "id", {"q": query})
        assert sorted(titles(text)) == everything, query


@pytest.mark.usefixtures("nothing_changes")
@pytest.mark.parametrize("language", LANGUAGES)
def test_control_characters_are_refused_in_the_page_language(client, language):
    """NUL and the other controls are refused at the door for every page (web/inputs.py)."""
    message = {"id": "karakter kontrol", "en": "control character"}[language]
    for query in ("excel\x00", "\x00", "ex\x00cel", "\x07\x1b[31m", "excel\u202e", "\x7f"):
        response, text = get(client, language, {"q": query})
        assert response.status_code == 400, repr(query)
        assert message in text
    for raw in ("q=%00%00", "q=excel&exact=%00", "q=excel&page=%001"):
        response, text = get(client, language, raw)
        assert response.status_code == 400, raw
        assert message in text


@pytest.mark.usefixtures("nothing_changes")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_search_is_200_characters(client, language):
    message = {
        "id": "Kata kunci pencarian paling panjang 200 karakter",
        "en": "Search words can be at most 200 characters long",
    }[language]
    for query in ("a" * 200, "excel " * 33 + "ab", "é" * 200):
        assert len(query) == 200
        response, text = get(client, language, {"q": query})
        assert response.status_code == 200 and message not in text
    for query in ("a" * 201, "excel " * 34, "😀" * 201, "a" * 5000):
        response, text = get(client, language, {"q": query})
        assert response.status_code == 400, len(query)
        assert message in text
        assert "error-summary" in text and 'class="course-card"' not in text


@pytest.mark.usefixtures("nothing_changes")
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_exact_value_is_refused_in_the_page_language(client, language):
    message = {
        "id": "Pilih nilai untuk “Cari kata persis seperti yang diketik” dari daftar",
        "en": "Choose a value for “Search the words exactly as typed” from the list",
    }[language]
    for value in ("garbage", "0", "true", "yes", "2", "1 ", " 1", "😀", "x" * 300):
        response, text = get(client, language, {"q": "excel", "exact": value})
        assert response.status_code == 400, value
        assert message in text
    response, text = get(client, language, {"q": "excel", "exact": "1"})
    assert response.status_code == 200 and message not in text


@pytest.mark.usefixtures("nothing_changes")
@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_page_numbers_are_refused_in_the_page_language(client, language):
    messages = {
        "id": ("Nomor halaman minimal 1", "Nomor halaman harus bilangan bulat, seperti 2"),
        "en": (
            "The page number must be 1 or more",
            "The page number must be a whole number, like 2",
        ),
    }[language]
    past = {
        "id": "Halaman hasil ini tidak ada. Hasil pencarian hanya terdiri dari 1 halaman.",
        "en": "This page of results does not exist. The results have 1 page(s).",
    }[language]
    for query in ({}, {"q": "excel"}, {"q": "pemasarn"}, {"q": "zzzzqqq"}):
        for page, status, message in (
            ("0", 400, messages[0]),
            ("-1", 400, messages[0]),
            ("abc", 400, messages[1]),
            ("2x", 400, messages[1]),
            ("1e3", 400, messages[1]),
            ("😀", 400, messages[1]),
            ("99999", 404, past),
            ("99999999999999999999999", 400, None),
        ):
            response, text = get(client, language, {**query, "page": page})
            assert response.status_code == status, (query, page)
            if message:
                assert message in text, (query, page)


@pytest.mark.usefixtures("nothing_changes")
def test_query_strings_that_are_not_text_are_answered(client):
    for raw in (
        "q=%FF%FE",
        "q=%C3",
        "q=%ED%A0%80",  # an encoded surrogate
        "q=excel&q=kantor",
        "q",
        "q=&&&",
        "=excel",
        "q=excel&page=1&page=abc",
        "q[]=excel",
    ):
        response, _text = get(client, "id", raw)
        assert response.status_code in (200, 400), raw


# --- other scripts, and letters the stemmer does not know ---------------------------------


@pytest.mark.parametrize("query", ["smørrebrød", "Bjørn", "kałuża", "encyclopædia", "Þórður"])
def test_latin_letters_outside_a_to_z_are_searched(client, shelf, query):
    for language in LANGUAGES:
        response, text = get(client, language, {"q": query})
        assert response.status_code == 200
        assert titles(text) == []


def test_a_word_mixing_scripts_matches_only_itself(client, shelf):
    _response, text = get(client, "id", {"q": "ехсеl"})  # Cyrillic е, х, с, е; a Latin l
    assert titles(text) == []


def test_a_latin_word_with_one_look_alike_letter_is_corrected_like_a_typo(client, shelf):
    _response, text = get(client, "id", {"q": "Еxcel"})  # a Cyrillic Е
    assert titles(text) == [shelf["excel"]]
    assert "Menampilkan hasil untuk <strong>excel</strong>" in search_note(text)


@pytest.mark.parametrize("query", ["Excel مرحبا", "Excel 中文", "Excel привет"])
def test_a_word_of_another_script_is_one_more_word_to_match(client, shelf, query):
    _response, text = get(client, "id", {"q": query})
    assert titles(text) == []  # no course holds the second word
    _response, text = get(client, "id", {"q": "Excel"})
    assert titles(text) == [shelf["excel"]]


# --- corrections and suggestions ----------------------------------------------------------

NOTES = {
    "id": {"corrected": "Menampilkan hasil untuk", "suggested": "Maksud Anda"},
    "en": {"corrected": "Showing results for", "suggested": "Did you mean"},
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_mistyped_long_word_is_corrected_with_a_link_to_search_it_as_typed(
    client, shelf, language
):
    _response, text = get(client, language, {"q": "pemasarn"})
    assert titles(text) == [shelf["marketing"]]
    note = search_note(text)
    assert note is not None and NOTES[language]["corrected"] in note
    assert "<strong>pemasaran</strong>" in note
    assert NOTES[language]["suggested"] not in note
    exactly = note_link(note)
    assert "exact=1" in exactly and "q=pemasarn" in exactly

    # The link searches the words as typed: nothing holds "pemasarn", and no correction.
    response = client.get(exactly)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert titles(text) == []
    assert NOTES[language]["corrected"] not in text
    assert 'value="pemasarn"' in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_mistyped_word_of_a_query_is_corrected(client, shelf, language):
    _response, text = get(client, language, {"q": "strategy pemasarn"})
    assert titles(text) == [shelf["marketing"]]
    note = search_note(text)
    assert NOTES[language]["corrected"] in note and "<strong>strategi pemasaran</strong>" in note
    _response, text = get(client, language, {"q": "adminstrasi kantr", "sort": "rating"})
    assert titles(text) == [shelf["excel"]]
    note = search_note(text)
    assert "<strong>administrasi kantor</strong>" in note
    exactly = note_link(note)
    assert "exact=1" in exactly and "sort=rating" in exactly  # the other choices are kept


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_short_unknown_word_near_a_catalogue_word_gets_a_suggestion(client, shelf, language):
    _response, text = get(client, language, {"q": "fota"})
    assert titles(text) == []  # a short word is not corrected
    note = search_note(text)
    assert note is not None and NOTES[language]["suggested"] in note
    assert NOTES[language]["corrected"] not in note
    assert "<strong>foto</strong>" in note
    suggested = note_link(note)
    assert "q=foto" in suggested and "exact" not in suggested
    response = client.get(suggested)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert titles(text) == [shelf["photo"]]
    assert search_note(text) is None  # found as asked: nothing to say


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_suggestion_keeps_the_other_words_and_choices(client, shelf, language):
    _response, text = get(client, language, {"q": "fota produk", "method": "self_paced"})
    note = search_note(text)
    assert NOTES[language]["suggested"] in note and "<strong>foto produk</strong>" in note
    suggested = note_link(note)
    assert "method=self_paced" in suggested
    response = client.get(suggested)
    assert titles(response.get_data(as_text=True)) == [shelf["photo"]]


def test_a_word_found_as_typed_gets_no_note(client, shelf):
    for query in ("pemasaran", "excel", "foto", "kantor", "digital"):
        _response, text = get(client, "id", {"q": query})
        assert titles(text) and search_note(text) is None, query


def test_an_unknown_word_far_from_every_catalogue_word_gets_no_note(client, shelf):
    for query in ("zzzzqqq", "xyzzy", "qwrtp"):
        _response, text = get(client, "id", {"q": query})
        assert titles(text) == [] and search_note(text) is None, query
        assert "Tidak ada pelatihan yang cocok dengan pencarian Anda" in text


def test_the_note_shows_the_words_escaped(client, shelf):
    _response, text = get(client, "id", {"q": "<b>pemasarn</b>"})
    note = search_note(text)
    assert "Menampilkan hasil untuk" in note and "<strong>b pemasaran b</strong>" in note
    assert "<b>pemasarn</b>" not in text
