"""The office's search synonyms: groups of phrases that mean the same to a searcher, so that a
search for any phrase of a group also finds courses with the others ("medsos" also finds
"media sosial"). The search reads them from table `search_synonym` (catalogue/search.py,
`SynonymSet`); this module is where a group is read from the office's text, checked, saved,
changed, deleted, loaded from a file and written back to one.

The rules of a group (`check`):
- at least 2 phrases and at most 20;
- a phrase is 1 to 4 words of letters and digits separated by spaces, at most 40 characters;
- no phrase twice in a group, and a phrase in one group only: phrases are compared as the
  search sees them (folded words, `search.phrase_words`), so "Excel" and "excel" are one;
- the group's phrases joined by ", " fit the table's column (600 characters).

The office writes a group as phrases separated by commas, or one per line (`parse`). The file
format (seed_data/search_synonyms.txt, `export`, `load`) is one group per line, its phrases
separated by commas, `#` starting a comment line.

Changes flush and are audited; the caller commits. Every change of `search_synonym` raises
the catalogue's revision (a database trigger), so the next search anywhere uses it.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from marketplace.catalogue.models import SearchSynonym
from marketplace.catalogue.search import DEFAULT_SYNONYMS, MAX_PHRASE_WORDS, phrase_words
from marketplace.core import N_, DomainError, audit
from marketplace.core.audit import Actor
from marketplace.extensions import db

MIN_PHRASES = 2
MAX_PHRASES = 20
MAX_PHRASE_LENGTH = 40  # characters
MAX_GROUP_LENGTH = SearchSynonym.__table__.c.phrases.type.length  # the phrases joined by ", "
MAX_TEXT_LENGTH = 2000  # characters of the office's text, read at all
SHOWN_LENGTH = 40  # characters of a refused phrase quoted back in a message
FIELD = "phrases"
FILE_HEADER = (
    "# Search synonyms: one group per line, its phrases separated by commas.\n"
    "# A query containing any phrase of a group also finds courses with any other phrase of it.\n"
)

_SEPARATOR = re.compile(r"[,\r\n]")
_WORD = re.compile(r"[^\W_]+")


def parse(text: str | None) -> list[str]:
    """The phrases of the office's text: separated by commas or line breaks, spaces around
    and inside trimmed, empty ones dropped. 'medsos,  media   sosial\\nsosmed' ->
    ['medsos', 'media sosial', 'sosmed']."""
    phrases = (" ".join(part.split()) for part in _SEPARATOR.split(text or ""))
    return [phrase for phrase in phrases if phrase]


def _shown(phrase: str) -> str:
    """A phrase as a message quotes it: cut short when it is long."""
    return phrase if len(phrase) <= SHOWN_LENGTH else phrase[:SHOWN_LENGTH] + "…"


def _held(excluding: int | None = None) -> dict[tuple[str, ...], SearchSynonym]:
    """Every phrase of the table's groups (folded words) -> its group, but `excluding`'s."""
    held: dict[tuple[str, ...], SearchSynonym] = {}
    query = sa.select(SearchSynonym).order_by(SearchSynonym.id)
    for group in db.session.scalars(query):
        if group.id == excluding:
            continue
        for phrase in group.phrase_list:
            held.setdefault(phrase_words(phrase), group)
    return held


def _phrase_errors(phrase: str) -> list[DomainError]:
    errors = []
    words = phrase.split(" ")
    if not all(_WORD.fullmatch(word) for word in words):
        errors.append(
            DomainError(
                N_("“%(phrase)s”: use only letters, digits and spaces."),
                field=FIELD,
                phrase=_shown(phrase),
            )
        )
    elif len(words) > MAX_PHRASE_WORDS:
        errors.append(
            DomainError(
                N_("“%(phrase)s” has %(count)s words: a phrase has at most %(most)s."),
                field=FIELD,
                phrase=_shown(phrase),
                count=len(words),
                most=MAX_PHRASE_WORDS,
            )
        )
    if len(phrase) > MAX_PHRASE_LENGTH:
        errors.append(
            DomainError(
                N_("“%(phrase)s” is too long: a phrase has at most %(most)s characters."),
                field=FIELD,
                phrase=_shown(phrase),
                most=MAX_PHRASE_LENGTH,
            )
        )
    return errors


def problems(phrases: list[str], held: dict[tuple[str, ...], SearchSynonym]) -> list[DomainError]:
    """Every rule the phrases of a group break (none: they make a good group). `held` is
    every phrase of the other groups (folded words) -> its group."""
    if len(phrases) < MIN_PHRASES:
        return [
            DomainError(
                N_(
                    "Write at least two phrases that mean the same, separated by commas, "
                    "for example: medsos, media sosial."
                ),
                field=FIELD,
            )
        ]
    errors = []
    if len(phrases) > MAX_PHRASES:
        errors.append(
            DomainError(
                N_("The group has %(count)s phrases: a group has at most %(most)s."),
                field=FIELD,
                count=len(phrases),
                most=MAX_PHRASES,
            )
        )
    seen: set[tuple[str, ...]] = set()
    for phrase in phrases:
        own = _phrase_errors(phrase)
        errors.extend(own)
        if own:
            continue
        words = phrase_words(phrase)
        if words in seen:
            errors.append(
                DomainError(
                    N_("“%(phrase)s” is written twice in this group."),
                    field=FIELD,
                    phrase=_shown(phrase),
                )
            )
            continue
        seen.add(words)
        other = held.get(words)
        if other is not None:
            errors.append(
                DomainError(
                    N_(
                        "“%(phrase)s” is already in another group: %(group)s. A phrase "
                        "belongs to one group only: change that group, or remove the phrase "
                        "here."
                    ),
                    field=FIELD,
                    phrase=_shown(phrase),
                    group=", ".join(other.phrase_list),
                )
            )
    if not errors and len(", ".join(phrases)) > MAX_GROUP_LENGTH:
        errors.append(
            DomainError(
                N_(
                    "The group is too long: its phrases have at most %(most)s characters in "
                    "all. Remove a phrase or shorten some."
                ),
                field=FIELD,
                most=MAX_GROUP_LENGTH,
            )
        )
    return errors


def check(text: str | None, group: SearchSynonym | None = None) -> list[str]:
    """The phrases of the office's text for a new group (or for `group`), refused with every
    rule they break (DomainError.several)."""
    if text is not None and len(text) > MAX_TEXT_LENGTH:
        raise DomainError(
            N_("Write at most %(most)s characters."), field=FIELD, most=MAX_TEXT_LENGTH
        )
    phrases = parse(text)
    errors = problems(phrases, _held(excluding=group.id if group is not None else None))
    if errors:
        raise DomainError.several(errors)
    return phrases


# --- reading -------------------------------------------------------------------------------


def groups() -> list[SearchSynonym]:
    """Every group, oldest first (the file's order, then the office's additions)."""
    return list(db.session.scalars(sa.select(SearchSynonym).order_by(SearchSynonym.id)))


def group_by_id(group_id: int) -> SearchSynonym | None:
    return db.session.get(SearchSynonym, group_id)


# --- changing ------------------------------------------------------------------------------


def add(text: str | None, actor: Actor | None = None) -> SearchSynonym:
    """A new group from the office's text (refused: DomainError.several)."""
    return _create(check(text), actor)


def _create(phrases: list[str], actor: Actor | None) -> SearchSynonym:
    group = SearchSynonym(phrases=", ".join(phrases))
    db.session.add(group)
    db.session.flush()
    audit.record("search.synonym_added", f"search_synonym:{group.id}", actor, phrases=phrases)
    return group


def change(group: SearchSynonym, text: str | None, actor: Actor | None = None) -> SearchSynonym:
    """`group` with the phrases of the office's text instead of its own."""
    phrases = check(text, group)
    before = group.phrase_list
    group.phrases = ", ".join(phrases)
    db.session.flush()
    audit.record(
        "search.synonym_changed",
        f"search_synonym:{group.id}",
        actor,
        before=before,
        phrases=phrases,
    )
    return group


def delete(group: SearchSynonym, actor: Actor | None = None) -> list[str]:
    """Delete `group`; returns its phrases (to tell the office what went)."""
    phrases = group.phrase_list
    subject = f"search_synonym:{group.id}"
    db.session.delete(group)
    db.session.flush()
    audit.record("search.synonym_deleted", subject, actor, phrases=phrases)
    return phrases


# --- the file ------------------------------------------------------------------------------


@dataclass
class Loaded:
    """What `load` did: groups added, groups the table held already, and the lines it left
    out, each with the rules it breaks."""

    added: int = 0
    held: int = 0
    refused: list[tuple[int, list[DomainError]]] = field(default_factory=list)


def load(path: Path = DEFAULT_SYNONYMS) -> Loaded:
    """Add the groups of a file that the table does not hold yet.

    A line whose phrases are exactly a group's (compared folded, in any order) is held
    already; a line breaking a rule is left out and reported (a phrase the office has put in
    another group stays where the office put it).
    """
    held = _held()
    groups_held = {frozenset(phrase_words(p) for p in g.phrase_list) for g in held.values()}
    loaded = Loaded()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrases = [" ".join(part.split()) for part in line.split(",")]
        phrases = [phrase for phrase in phrases if phrase]
        if frozenset(phrase_words(phrase) for phrase in phrases) in groups_held:
            loaded.held += 1
            continue
        errors = problems(phrases, held)
        if errors:
            loaded.refused.append((number, errors))
            continue
        group = _create(phrases, None)
        for phrase in phrases:
            held[phrase_words(phrase)] = group
        groups_held.add(frozenset(phrase_words(phrase) for phrase in phrases))
        loaded.added += 1
    return loaded


def export() -> str:
    """Every group in the file's format (`load` reads it back)."""
    return FILE_HEADER + "".join(f"{', '.join(group.phrase_list)}\n" for group in groups())
