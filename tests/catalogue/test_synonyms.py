"""The rules of a search synonym group (catalogue/synonyms.py): the office's text read as
phrases, every rule a group breaks named, adding, changing and deleting a group (audited,
flushed, never committed), loading the file's groups once and exporting them in its format."""

import pytest
import sqlalchemy as sa

from marketplace.catalogue import search, synonyms
from marketplace.catalogue.models import SearchSynonym
from marketplace.core import DomainError
from marketplace.core.models import AuditEvent
from marketplace.extensions import db


def _messages(errors: list[DomainError]) -> list[str]:
    return [refusal.message % refusal.params for refusal in errors]


def _refused(text: str, group: SearchSynonym | None = None) -> list[str]:
    with pytest.raises(DomainError) as refused:
        synonyms.check(text, group)
    assert all(refusal.field == "phrases" for refusal in refused.value.errors)
    return _messages(refused.value.errors)


def _all_groups() -> list[str]:
    return list(db.session.scalars(sa.select(SearchSynonym.phrases).order_by(SearchSynonym.id)))


def _empty_table() -> None:
    db.session.execute(sa.delete(SearchSynonym))
    db.session.flush()


def test_the_text_is_read_as_phrases_by_commas_or_lines():
    assert synonyms.parse(" Medsos,  media   sosial\r\nsosmed,,\n\n social media ") == [
        "Medsos",
        "media sosial",
        "sosmed",
        "social media",
    ]
    assert synonyms.parse(None) == []
    assert synonyms.parse(" , \n ") == []


def test_a_good_group_is_its_phrases(ctx):
    _empty_table()
    assert synonyms.check("Tata Boga, kuliner\nmemasak") == ["Tata Boga", "kuliner", "memasak"]
    # Letters of any script and accents are letters; digits too.
    assert synonyms.check("k3, keselamatan kerja, café, 3d") == [
        "k3",
        "keselamatan kerja",
        "café",
        "3d",
    ]


def test_fewer_than_two_phrases_are_refused(ctx):
    for text in ("", "   ", "medsos", "medsos, , "):
        assert _refused(text) == [
            "Write at least two phrases that mean the same, separated by commas, "
            "for example: medsos, media sosial."
        ]


def test_each_phrase_is_letters_and_digits_in_at_most_four_words_and_forty_characters(ctx):
    _empty_table()
    long_word = "a" * 41
    assert _refused(f"e-commerce, toko<b>, {long_word}, satu dua tiga empat lima, ok") == [
        "“e-commerce”: use only letters, digits and spaces.",
        "“toko<b>”: use only letters, digits and spaces.",
        f"“{'a' * 40}…” is too long: a phrase has at most 40 characters.",
        "“satu dua tiga empat lima” has 5 words: a phrase has at most 4.",
    ]
    # Four words and forty characters are allowed.
    four = "pelatihan kerja untuk pemula"
    forty = "b" * 40
    assert synonyms.check(f"{four}, {forty}") == [four, forty]


def test_at_most_twenty_phrases(ctx):
    _empty_table()
    twenty = ", ".join(f"frasa{n}" for n in range(20))
    assert len(synonyms.check(twenty)) == 20
    assert _refused(twenty + ", frasa20") == ["The group has 21 phrases: a group has at most 20."]


def test_a_phrase_is_written_once_in_a_group_compared_as_the_search_folds_it(ctx):
    _empty_table()
    assert _refused("Excel, microsoft excel, EXCEL, éxcel") == [
        "“EXCEL” is written twice in this group.",
        "“éxcel” is written twice in this group.",
    ]


def test_a_phrase_belongs_to_one_group_only_and_the_refusal_names_that_group(ctx):
    _empty_table()
    held = synonyms.add("medsos, media sosial, sosmed")
    assert _refused("Media  Sosial, jejaring sosial") == [
        "“Media Sosial” is already in another group: medsos, media sosial, sosmed. A phrase "
        "belongs to one group only: change that group, or remove the phrase here."
    ]
    # A group changed keeps its own phrases; another group's are still refused.
    assert synonyms.check("medsos, media sosial, jejaring sosial", held) == [
        "medsos",
        "media sosial",
        "jejaring sosial",
    ]
    other = synonyms.add("umkm, usaha kecil")
    assert _refused("umkm, usaha kecil, sosmed", other) == [
        "“sosmed” is already in another group: medsos, media sosial, sosmed. A phrase "
        "belongs to one group only: change that group, or remove the phrase here."
    ]


def test_the_group_fits_its_column(ctx):
    _empty_table()
    # Fifteen phrases of 39 characters: each allowed, 613 characters joined.
    phrases = [f"{chr(ord('a') + n)}{'x' * 38}" for n in range(15)]
    assert _refused(", ".join(phrases)) == [
        "The group is too long: its phrases have at most 600 characters in all. Remove a "
        "phrase or shorten some."
    ]
    assert synonyms.check(", ".join(phrases[:14]))  # 14 * 39 + 13 * 2 = 572


def test_a_very_long_text_is_refused_before_it_is_read(ctx):
    assert _refused("a, " * 1000) == ["Write at most 2000 characters."]


def test_add_change_and_delete_flush_audit_and_leave_the_commit_to_the_caller(ctx):
    _empty_table()
    db.session.commit()
    group = synonyms.add("medsos,\nmedia sosial")
    assert group.id is not None
    assert group.phrases == "medsos, media sosial"
    synonyms.change(group, "medsos, media sosial, sosmed")
    assert _all_groups() == ["medsos, media sosial, sosmed"]
    assert synonyms.group_by_id(group.id) is group
    assert synonyms.delete(group) == ["medsos", "media sosial", "sosmed"]
    assert synonyms.group_by_id(group.id) is None
    actions = list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject == f"search_synonym:{group.id}")
            .order_by(AuditEvent.id)
        )
    )
    assert actions == [
        "search.synonym_added",
        "search.synonym_changed",
        "search.synonym_deleted",
    ]
    db.session.rollback()  # nothing was committed by the operations
    assert _all_groups() == []


def test_a_refused_change_leaves_the_group_as_it_was(ctx):
    _empty_table()
    group = synonyms.add("medsos, media sosial")
    with pytest.raises(DomainError):
        synonyms.change(group, "medsos")
    assert group.phrases == "medsos, media sosial"


def test_the_search_uses_a_group_once_saved(ctx):
    _empty_table()
    synonyms.add("zumba, senam aerobik")
    rows = list(db.session.scalars(sa.select(SearchSynonym.phrases)))
    found = search.SynonymSet.of(rows).longest_at(["zumba"], 0)
    assert found == (1, (("zumba",), ("senam", "aerobik")))


def test_load_adds_the_missing_groups_once_and_leaves_out_lines_breaking_a_rule(ctx, tmp_path):
    _empty_table()
    synonyms.add("medsos, media sosial")  # the office's own group
    path = tmp_path / "synonyms.txt"
    path.write_text(
        "# a comment, with commas\n"
        "\n"
        "Media Sosial, medsos\n"  # held already (same phrases, folded, any order)
        "ms excel, microsoft excel\n"
        "sosmed, medsos\n"  # medsos is in the office's group
        "satu\n"  # one phrase
        "excel, Ms  Excel\n",  # ms excel was added by a line above
        encoding="utf-8",
    )
    loaded = synonyms.load(path)
    assert (loaded.added, loaded.held) == (1, 1)
    assert [(number, _messages(errors)[0][:30]) for number, errors in loaded.refused] == [
        (5, "“medsos” is already in another"),
        (6, "Write at least two phrases tha"),
        (7, "“Ms Excel” is already in anoth"),
    ]
    assert _all_groups() == ["medsos, media sosial", "ms excel, microsoft excel"]
    again = synonyms.load(path)
    assert (again.added, again.held) == (0, 2)


def test_the_default_file_loads_into_an_empty_table_and_exports_as_it_was_read(ctx, tmp_path):
    _empty_table()
    loaded = synonyms.load()
    assert loaded.refused == []
    lines = [
        line.strip()
        for line in search.DEFAULT_SYNONYMS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert loaded.added == len(lines) > 10
    exported = synonyms.export()
    assert exported.startswith("# Search synonyms: one group per line")
    assert [line for line in exported.splitlines() if not line.startswith("#")] == lines
    # The export is a file `load` reads back: every group held already.
    path = tmp_path / "export.txt"
    path.write_text(exported, encoding="utf-8")
    again = synonyms.load(path)
    assert (again.added, again.held, again.refused) == (0, len(lines), [])
