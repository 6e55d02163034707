"""How words of a query meet the index: a synonym's other phrases match whole words only,
a word shaped like a facet token finds nothing through a root, and the vocabulary calls a
word known exactly when the match would find it."""

import pytest

from marketplace.catalogue import listing, search, synonyms
from marketplace.catalogue.search import Vocabulary
from marketplace.extensions import db


@pytest.fixture
def shelf(ctx, factory, tmp_path):
    category = factory.category()
    for title in (
        "WhatsApp Business untuk Toko",
        "Manajemen Warung Kelontong",
        "Waralaba Minuman Kekinian",
        "Kecerdasan Buatan untuk Pemula",
        "Melukis dengan Cat Air",
    ):
        factory.course(title, category=category, summary=title, description=title)
    groups = tmp_path / "groups.txt"
    groups.write_text("wa, whatsapp\nai, kecerdasan buatan\n", encoding="utf-8")
    synonyms.load(groups)
    db.session.commit()


def titles(query: str) -> list[str]:
    return sorted(item.title for item in listing.list_courses(listing.Criteria(q=query)).items)


def test_a_synonym_the_searcher_did_not_type_matches_whole_words_only(shelf):
    # "whatsapp" also searches "wa", as a word: not warung, waralaba.
    assert titles("whatsapp") == ["WhatsApp Business untuk Toko"]
    # "kecerdasan buatan" also searches "ai", as a word: not "air".
    assert titles("kecerdasan buatan") == ["Kecerdasan Buatan untuk Pemula"]
    # What was typed still matches as the start of a word.
    assert "Manajemen Warung Kelontong" in titles("wa")


def test_a_word_shaped_like_a_facet_token_finds_nothing(shelf):
    for query in ("zmwb", "zmsp", "zc1", "zc1zmsp", "zp1", "zv1"):
        assert titles(query) == [], query


def test_the_vocabulary_knows_a_word_as_the_match_finds_it():
    vocabulary = Vocabulary(["akuntansi", "pasar"], {"akuntansi": 3, "pasar": 5})
    assert vocabulary.knows("akun")  # the start of a word
    assert vocabulary.knows("pemasaran")  # its root is a word
    # Its root only begins a word: the match (roots as a whole) finds nothing.
    assert search.stem("akuntannya") == "akuntan"
    assert not vocabulary.knows("akuntannya")
