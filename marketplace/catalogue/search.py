"""Full-text search over the catalogue, one interface over two engines, that understands
Indonesian and forgives typing.

SQLite uses an FTS5 table `course_search` (rowid = course id); PostgreSQL a table
`course_search` holding a weighted tsvector with a GIN index. Both are created by the
migrations; only approved (listed) courses are indexed.

Each indexed course carries its title (weighed most), its body (summary, description,
outcomes, provider and category names), the roots of the title's and of the body's words
where they differ from the words (`title_stems`, `stems`: "Pemasaran" is also "pasar") and
facet tokens (category, method, platform, provider, province) so that filters intersect
inside the index instead of after ranking every match. User input never reaches the engine's
query syntax: it is folded (lower case, accents removed) and split into words of letters and
digits, and each word becomes quoted prefix matches.

What a query means (`interpret`, the same on both engines, in Python):
- each word matches a course when it begins one of the course's words, or has the same root
  as one of them (Sastrawi's Indonesian stemmer, `stem`): "memasarkan", "pemasar" and
  "dipasarkan" all find "Pemasaran"; a word still being typed (it only begins catalogue
  words) is matched as a start only. Three tiers rank: the title holds every word as typed,
  then the title or body does, then the rest (roots, synonyms, corrections);
- phrases of a synonym group (table `search_synonym`, edited by the office) stand for one
  another: "medsos" also finds "media sosial" (longest phrase first; a phrase the searcher
  did not type matches whole words only: "wa" for "whatsapp" is not "warung");
- a word of five letters or more that neither begins a word nor has the root of one is taken as a
  typo and corrected to the nearest word the index holds (`search_term`: one edit, two for
  words of eight letters or more; the word more courses use wins a tie), unless the searcher
  asked for the words exactly; a shorter unknown word one edit from a catalogue word gets a
  suggestion instead ("Maksud Anda …?").
"""

import bisect
import functools
import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.catalogue.models import (
    Category,
    Course,
    CourseStatus,
    Provider,
    SearchSynonym,
    SearchTerm,
)
from marketplace.extensions import db

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
MAX_PHRASE_WORDS = 4  # words in one synonym phrase
CORRECTED_FROM = 5  # letters: a longer unknown word is corrected, a shorter one suggested
TWO_EDITS_FROM = 8  # letters: a word this long may be two edits from what was meant
STEMMED_FROM = 4  # letters: shorter words are their own root
VOCABULARY_FROM = 3  # letters: shorter words are not kept in the vocabulary
DEFAULT_SYNONYMS = Path(__file__).resolve().parent.parent / "seed_data" / "search_synonyms.txt"
_TERM = re.compile(r"[^\W_]+")
_METHOD_TOKEN = {"self_paced": "zmsp", "webinar": "zmwb", "offline": "zmof"}
_CHUNK = 2000


def fold(text: str) -> str:
    """Lower case without accents: 'Café Éclair' -> 'cafe eclair'."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def terms(query: str) -> list[str]:
    """The search terms of a user's query: folded words of letters and digits, at most 8."""
    return [term[:MAX_TERM_LENGTH] for term in _TERM.findall(fold(query))[:MAX_TERMS]]


class _Roots:
    """Sastrawi's stemmer and its dictionary of Indonesian root words, made on first use."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.stemmer: Stemmer | None = None

    def load(self) -> Stemmer:
        with self.lock:
            if self.stemmer is None:
                self.stemmer = Stemmer(ArrayDictionary(StemmerFactory().get_words_from_file()))
        return self.stemmer


_roots = _Roots()


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The root of a folded word: 'pemasaran' -> 'pasar', 'memasak' -> 'masak'.

    Sastrawi leaves a word that its dictionary holds as it is ("masakan" is listed): such
    pairs are the synonyms' job ("masak, memasak, masakan").
    """
    if len(word) < STEMMED_FROM or not (word.isascii() and word.isalpha()):
        return word  # Sastrawi knows the letters a to z only
    return (_roots.stemmer or _roots.load()).stem(word) or word


@dataclass(frozen=True)
class Facets:
    """Filters that the index can intersect: each is an id (or the method's value) or None."""

    category_id: int | None = None
    method: str | None = None
    platform_id: int | None = None
    provider_id: int | None = None
    province_id: int | None = None

    def document_tokens(self) -> list[str]:
        """Index tokens of a course with these facets (every single and combined token)."""
        tokens = [
            f"zc{self.category_id}",
            _METHOD_TOKEN[self.method],
            f"zc{self.category_id}{_METHOD_TOKEN[self.method]}",
            f"zp{self.platform_id}",
            f"zv{self.provider_id}",
        ]
        if self.province_id is not None:
            tokens.append(f"zr{self.province_id}")
        return tokens

    def tokens(self) -> list[str]:
        """Query tokens for the filters that are set.

        Category and method together use their combined token: a method alone matches a
        large share of the catalogue, and the ranking functions read every row of each
        token's posting list to weigh it, so the rarer combined token keeps ranking cheap.
        """
        tokens = []
        if self.category_id is not None and self.method is not None:
            tokens.append(f"zc{self.category_id}{_METHOD_TOKEN[self.method]}")
        elif self.category_id is not None:
            tokens.append(f"zc{self.category_id}")
        elif self.method is not None:
            tokens.append(_METHOD_TOKEN[self.method])
        if self.platform_id is not None:
            tokens.append(f"zp{self.platform_id}")
        if self.provider_id is not None:
            tokens.append(f"zv{self.provider_id}")
        if self.province_id is not None:
            tokens.append(f"zr{self.province_id}")
        return tokens


# --- the catalogue's revision --------------------------------------------------------------

REVISION_STRIPES = 8


def catalogue_revision(connection: sa.Connection | None = None) -> int:
    """The catalogue's revision: raised by database triggers (see the migration that made
    `catalogue_revision`) whenever a course, a session, a module, a review, a provider, a
    category, a platform or a synonym changes, in any process. What was read from the
    catalogue under one revision is still right while the revision stays the same.

    Without a connection it is read on a connection of its own, outside the session's
    transaction (a request answered from what was kept opens none): whatever the session
    reads afterwards is at least as new as it."""
    if connection is not None:
        return int(connection.execute(_REVISION_SQL).scalar_one())
    # Read on every catalogue request, most of them answered from what was kept: the pool's
    # DBAPI connection and a plain cursor cost a sixth of a Core connection and statement.
    own = db.engine.raw_connection()
    try:
        cursor = own.cursor()
        try:
            cursor.execute(_REVISION_QUERY)
            return int(cursor.fetchone()[0])  # PostgreSQL's sum of bigints is a numeric
        finally:
            cursor.close()
    except Exception:
        own.invalidate()  # a connection that failed is not handed out again
        raise
    finally:
        own.close()


_REVISION_QUERY = "SELECT coalesce(sum(revision), 0) FROM catalogue_revision"
_REVISION_SQL = sa.text(_REVISION_QUERY)


# A new revision far past any the database has had: 2**40 and up (at a thousand changes a
# second, some 35 years of them), plus a random part, so that two databases (one recreated,
# or restored from a backup) never share a revision with different contents.
NEW_REVISION_JUMP = 2**40


def start_new_revision(connection: sa.Connection) -> int:
    """Move the catalogue's revision to one no database has had, and return it: whatever was
    kept under an earlier one, by any process or in the shared store
    (catalogue/shared_results.py), is read again. Made when the database is (`flask db
    upgrade`), and by `flask search forget-results`, after restoring a backup."""
    jump = NEW_REVISION_JUMP + secrets.randbelow(NEW_REVISION_JUMP)
    connection.execute(
        sa.text("UPDATE catalogue_revision SET revision = revision + :jump WHERE stripe = 0"),
        {"jump": jump},
    )
    return catalogue_revision(connection)


def raise_revision(connection: sa.Connection) -> None:
    """Raise the catalogue's revision by hand, for a change no trigger sees (the index
    rebuilt: FTS5 tables have no triggers)."""
    connection.execute(
        sa.text("UPDATE catalogue_revision SET revision = revision + 1 WHERE stripe = 0")
    )


# --- synonyms ------------------------------------------------------------------------------


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A synonym phrase as the folded words a query is split into."""
    return tuple(_TERM.findall(fold(phrase)))


@dataclass(frozen=True)
class SynonymSet:
    """The office's synonym groups, by each phrase's words: phrase -> every phrase of its
    group (itself first)."""

    groups: dict = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[str]) -> "SynonymSet":
        groups: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
        for phrases in rows:
            group = []
            for phrase in phrases.split(","):
                words = phrase_words(phrase)
                if words and words not in group:
                    group.append(words)
            for words in group:
                if words not in groups:  # a phrase belongs to its first group only
                    groups[words] = (words, *(other for other in group if other != words))
        return cls(groups)

    def longest_at(self, words: list[str], start: int) -> tuple[int, tuple] | None:
        """(how many words, the group's phrases) of the longest phrase at `start`, or None."""
        for length in range(min(MAX_PHRASE_WORDS, len(words) - start), 0, -1):
            group = self.groups.get(tuple(words[start : start + length]))
            if group:
                return length, group
        return None


# --- the vocabulary ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The words and roots the index holds, sorted, and how many courses use each."""

    terms: list[str]
    documents: dict[str, int]

    def begins(self, prefix: str) -> bool:
        """Whether a word or root of the catalogue begins with `prefix`."""
        at = bisect.bisect_left(self.terms, prefix)
        return at < len(self.terms) and self.terms[at].startswith(prefix)

    def unfinished(self, words) -> frozenset:
        """The words that begin a catalogue word without being one."""
        return frozenset(word for word in words if word not in self.documents and self.begins(word))

    def knows(self, word: str) -> bool:
        """Whether the word (as the start of a word) or its root (as a whole) finds
        anything, as the match does."""
        return self.begins(word) or stem(word) in self.documents

    def nearest(self, word: str, edits: int) -> str | None:
        """The catalogue word at most `edits` edits from `word`: the fewest edits first,
        then the one most courses use, then one at least as long as the word (a letter
        left out is the commonest slip on a phone keyboard: "pemasarn" is "pemasaran"
        before "pemasar"), then the first in alphabetical order."""
        found = process.extract(
            word, self.terms, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
        )
        best = min(
            (
                (distance, -self.documents.get(term, 0), len(term) < len(word), term)
                for term, distance, _ in found
                if term != word and distance > 0
            ),
            default=None,
        )
        return best[3] if best else None


@dataclass
class _Known:
    """What the search knows of one catalogue (per engine): the synonyms read under one
    revision, and the vocabulary read under a revision (perhaps an older one: it is read
    again only when a word is unknown to it, see `interpret`)."""

    revision: int = -1
    synonyms: SynonymSet | None = None
    vocabulary_revision: int = -1
    vocabulary: Vocabulary | None = None


_known: WeakKeyDictionary = WeakKeyDictionary()  # engine -> _Known
_known_lock = Lock()


def _read_vocabulary(connection: sa.Connection) -> Vocabulary:
    rows = connection.execute(
        sa.select(SearchTerm.term, SearchTerm.documents).order_by(SearchTerm.term)
    ).all()
    return Vocabulary([row.term for row in rows], {row.term: row.documents for row in rows})


def _read_known(connection: sa.Connection, revision: int, vocabulary: bool = False) -> _Known:
    """The synonyms under `revision` (a small table, read again whenever it has changed),
    and the vocabulary: read again under `revision` only when `vocabulary` is asked for (a
    word unknown to the one this process holds), since any purchase or review raises the
    revision and the vocabulary is the largest thing the search reads."""
    engine = connection.engine
    known = _known.get(engine) or _Known()
    if known.revision != revision:
        synonyms = SynonymSet.of(
            list(
                connection.execute(
                    sa.select(SearchSynonym.phrases).order_by(SearchSynonym.id)
                ).scalars()
            )
        )
        known = _Known(revision, synonyms, known.vocabulary_revision, known.vocabulary)
    if known.vocabulary is None or (vocabulary and known.vocabulary_revision != revision):
        known = _Known(revision, known.synonyms, revision, _read_vocabulary(connection))
    with _known_lock:
        _known[engine] = known
    return known


def forget_known() -> None:
    """Drop what was read of the vocabulary and synonyms (tests)."""
    with _known_lock:
        _known.clear()


# --- what a query means --------------------------------------------------------------------


@dataclass(frozen=True)
class Interpretation:
    """What a query is searched as.

    `slots` must all match; each slot is a tuple of alternatives (a word, or a synonym
    group's phrases), an alternative being a tuple of words that must all match.
    `unfinished`: words that only begin words of the catalogue (still being typed): matched
    as a start, never through a root ("pemasa" is not "masa").
    `corrected` is the query as searched when a typo was corrected (else None);
    `suggestion` a better query to offer ("Maksud Anda …?"), or None.
    """

    slots: tuple
    words: tuple[str, ...]
    unfinished: frozenset = frozenset()
    corrected: str | None = None
    suggestion: str | None = None

    def with_suggestion(self, suggestion: str | None) -> "Interpretation":
        return Interpretation(self.slots, self.words, self.unfinished, self.corrected, suggestion)

    def as_data(self) -> dict:
        """The interpretation as JSON-ready data (`of_data` reads it back)."""
        return {
            "slots": self.slots,
            "words": self.words,
            "unfinished": sorted(self.unfinished),
            "corrected": self.corrected,
            "suggestion": self.suggestion,
        }

    @classmethod
    def of_data(cls, data: dict) -> "Interpretation":
        return cls(
            slots=tuple(tuple(tuple(words) for words in slot) for slot in data["slots"]),
            words=tuple(data["words"]),
            unfinished=frozenset(data["unfinished"]),
            corrected=data["corrected"],
            suggestion=data["suggestion"],
        )


def _edits_allowed(word: str) -> int:
    return 2 if len(word) >= TWO_EDITS_FROM else 1


def interpret(
    connection: sa.Connection, query: str, exact: bool = False, revision: int | None = None
) -> Interpretation:
    """What `query` is searched as (see the module): its words, synonyms and corrections,
    by the vocabulary and synonyms of the catalogue's `revision` (read when not given)."""
    words = terms(query)
    if revision is None:
        revision = catalogue_revision(connection)
    known = _read_known(connection, revision)
    in_phrase = _words_in_phrases(words, known.synonyms)

    def unknown_words() -> list[int]:
        return [
            index
            for index, word in enumerate(words)
            if index not in in_phrase
            and len(word) >= VOCABULARY_FROM
            and word.isalpha()
            and not known.vocabulary.knows(word)
        ]

    unknown = unknown_words()
    if unknown and known.vocabulary_revision != revision:
        # The vocabulary this process holds may lack the word: read it again first.
        known = _read_known(connection, revision, vocabulary=True)
        unknown = unknown_words()
    corrected = list(words)
    suggested = list(words)
    for index in unknown:
        word = words[index]
        nearest = known.vocabulary.nearest(
            word, _edits_allowed(word) if len(word) >= CORRECTED_FROM else 1
        )
        if nearest is None:
            continue
        if len(word) >= CORRECTED_FROM and not exact:
            corrected[index] = nearest
        else:
            suggested[index] = nearest
    was_corrected = corrected != words
    suggestion = None
    if suggested != words and not was_corrected:
        suggestion = " ".join(suggested)
    return Interpretation(
        slots=_slots(corrected, known.synonyms),
        words=tuple(corrected),
        unfinished=known.vocabulary.unfinished(corrected),
        corrected=" ".join(corrected) if was_corrected else None,
        suggestion=suggestion,
    )


def one_edit_away(connection: sa.Connection, words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Queries one edit from `words`: each word in turn replaced by the nearest catalogue word
    (used when a query finds nothing, to offer one that does)."""
    known = _read_known(connection, catalogue_revision(connection), vocabulary=True)
    queries = []
    for index, word in enumerate(words):
        if len(word) < VOCABULARY_FROM or not word.isalpha():
            continue
        nearest = known.vocabulary.nearest(word, 1)
        if nearest:
            queries.append((*words[:index], nearest, *words[index + 1 :]))
    return queries


def interpretation_of(connection: sa.Connection, words: tuple[str, ...]) -> Interpretation:
    """The interpretation of words taken as they are (no correction)."""
    known = _read_known(connection, catalogue_revision(connection))
    return Interpretation(
        slots=_slots(list(words), known.synonyms),
        words=words,
        unfinished=known.vocabulary.unfinished(words),
    )


def _words_in_phrases(words: list[str], synonyms: SynonymSet) -> set[int]:
    """Indexes of the words that are part of a synonym phrase (never corrected)."""
    inside = set()
    start = 0
    while start < len(words):
        found = synonyms.longest_at(words, start)
        length = found[0] if found else 1
        if found:
            inside.update(range(start, start + length))
        start += length
    return inside


def _slots(words: list[str], synonyms: SynonymSet) -> tuple:
    slots = []
    start = 0
    while start < len(words):
        found = synonyms.longest_at(words, start)
        if found:
            length, group = found
            slots.append(tuple(group))
        else:
            length = 1
            slots.append(((words[start],),))
        start += length
    return tuple(slots)


# --- the engines' query text ----------------------------------------------------------------

# PostgreSQL's matching courses and their rank, as SQL to place in a FROM clause (lower rank
# is more relevant), and the same ranked and limited to one page (relevance order and no
# range filters: only that page's rows are joined). The query text is a bound parameter,
# never spliced into the SQL. SQLite cuts relevance pages tier by tier instead
# (`TIER_PAGE_SQL`, `TIER_RANKED_SQL`, `tier_matches`).
# Weights: on PostgreSQL {body roots and facets, title roots, body, title}; on SQLite (title,
# body, title roots, body roots, facets). PostgreSQL has four weights: the body's roots share
# the facets' (D, weighed 0): they find a course but do not rank it.
# Three tiers before the engine's score: a course whose title holds every searched word (as
# typed, or as the start of a word) first, then one whose title or body does, then one found
# only through roots, synonyms or a correction (`:title_match`, `:typed_match`).
RANKED_PAGE_SQL = {
    "postgresql": (
        "SELECT course_id, "
        "-ts_rank(CAST('{0, 1.0, 0.4, 1.0}' AS float4[]), document, query) "
        "- CASE WHEN document @@ to_tsquery('simple', :title_match) THEN 2000 "
        "WHEN document @@ to_tsquery('simple', :typed_match) THEN 1000 ELSE 0 END AS rank "
        "FROM course_search, to_tsquery('simple', :match) AS query "
        "WHERE document @@ query ORDER BY rank, course_id DESC LIMIT :limit OFFSET :offset"
    ),
}
MATCHES_SQL = {
    "postgresql": (
        "SELECT course_id, "
        "-ts_rank(CAST('{0, 1.0, 0.4, 1.0}' AS float4[]), document, query) "
        "- CASE WHEN document @@ to_tsquery('simple', :title_match) THEN 2000 "
        "WHEN document @@ to_tsquery('simple', :typed_match) THEN 1000 ELSE 0 END AS rank "
        "FROM course_search, to_tsquery('simple', :match) AS query "
        "WHERE document @@ query"
    ),
}
# One tier's page on SQLite (`tier_matches`): bm25 of the tier's own match.
TIER_PAGE_SQL = (
    "SELECT rowid AS course_id, bm25(course_search, 10.0, 2.0, 10.0, 1.0, 0.0) AS rank "
    "FROM course_search WHERE course_search MATCH :match "
    "ORDER BY rank, rowid DESC LIMIT :limit OFFSET :offset"
)


# The same, every match of the tier ranked (the page is cut after the range filters).
TIER_RANKED_SQL = (
    "SELECT rowid AS course_id, bm25(course_search, 10.0, 2.0, 10.0, 1.0, 0.0) AS rank "
    "FROM course_search WHERE course_search MATCH :match"
)


def tier_matches(match: str, title_match: str, typed_match: str) -> list[str]:
    """SQLite's matches of the ranking tiers, each course in exactly one: the title holds
    every searched word; else the title or body does; else the rest."""
    return [
        f"({match}) AND ({title_match})",
        f"(({match}) AND ({typed_match})) NOT ({title_match})",
        f"({match}) NOT ({typed_match})",
    ]


# The matching courses without a rank: for counting, and for orders other than relevance.
MATCHED_SQL = {
    "postgresql": (
        "SELECT course_id FROM course_search WHERE document @@ to_tsquery('simple', :match)"
    ),
    "sqlite": "SELECT rowid AS course_id FROM course_search WHERE course_search MATCH :match",
}


def typed_matches(dialect: str, interpretation: Interpretation) -> dict[str, str]:
    """The ranking tiers' matches: titles holding every searched word as typed (or as a
    word's start), and titles or bodies holding them."""
    words = interpretation.words
    if dialect == "postgresql":
        return {
            "title_match": " & ".join(f"{word}:*A" for word in words),
            "typed_match": " & ".join(f"{word}:*AB" for word in words),
        }
    every = " AND ".join(f'"{word}" *' for word in words)
    return {"title_match": f"title : ({every})", "typed_match": f"{{title body}} : ({every})"}


_FACET_TOKEN = re.compile(r"z(?:[cpvr]\d|m(?:sp|wb|of))")


def _root_of(word: str, unfinished: frozenset) -> str | None:
    """The root a word is also matched by, or None (a word being typed, a short one, or one
    shaped like a facet token: PostgreSQL holds the body's roots beside the facets)."""
    if word in unfinished or len(word) < STEMMED_FROM or _FACET_TOKEN.match(word):
        return None
    return stem(word)


def _whole_word_match(dialect: str, word: str) -> str:
    """A word of a synonym phrase the searcher did not type: the whole word or its root,
    never a start ("wa" for "whatsapp" is not "warung")."""
    root = _root_of(word, frozenset())
    if dialect == "postgresql":
        return f"{word}:AB" if root is None else f"( {word}:AB | {root} )"
    if root is None:
        return f'({{title body}} : "{word}")'
    return f'(({{title body}} : "{word}") OR ({{title body title_stems stems}} : "{root}"))'


def _word_match(dialect: str, word: str, unfinished: frozenset) -> str:
    """A word matches a course's word that it begins, or has the same root as a word of the
    course (the `stems` field holds the roots that differ from their words: "jual" finds
    "penjualan"). A word being typed ("pemasa") or too short to have a root only begins."""
    root = _root_of(word, unfinished)
    if root is None:
        return f"{word}:*AB" if dialect == "postgresql" else f'({{title body}} : "{word}" *)'
    if dialect == "postgresql":
        return f"( {word}:*AB | {root} )"
    return f'(({{title body}} : "{word}" *) OR ({{title body title_stems stems}} : "{root}"))'


def match_expression(dialect: str, interpretation: Interpretation, facets: Facets) -> str:
    """The engine's match expression for an interpretation and the facets.

    Words are letters and digits only (see `terms`), and each is quoted, so no user input
    can be read as query syntax.
    """
    if not interpretation.slots:
        raise ValueError("a match needs at least one term")
    both, either = (" & ", " | ") if dialect == "postgresql" else (" AND ", " OR ")
    slots = []
    for alternatives in interpretation.slots:
        # The first alternative is what was typed; the others come from a synonym group.
        options = [
            both.join(_word_match(dialect, word, interpretation.unfinished) for word in phrase)
            for phrase in alternatives[:1]
        ] + [
            both.join(_whole_word_match(dialect, word) for word in phrase)
            for phrase in alternatives[1:]
        ]
        slots.append(
            options[0]
            if len(options) == 1
            else "(" + either.join(f"({option})" for option in options) + ")"
        )
    expression = both.join(slots)
    tokens = facets.tokens()
    if dialect == "postgresql":
        return expression + "".join(f" & {token}:D" for token in tokens)
    if tokens:
        expression = f"({expression}) AND facets : (" + " AND ".join(tokens) + ")"
    return expression


# --- the index -----------------------------------------------------------------------------


def _connection(connection: sa.Connection | None) -> sa.Connection:
    """The connection given, else the session's, with its pending changes flushed first
    (the index reads the courses as they are now)."""
    if connection is not None:
        return connection
    db.session.flush()
    return db.session.connection()


def _documents(connection: sa.Connection, course_ids: list[int] | None) -> list[dict]:
    """Index documents for approved courses (all of them, or those with the given ids)."""
    statement = (
        sa.select(
            Course.id,
            Course.title,
            Course.summary,
            Course.description,
            Course.outcomes,
            Course.category_id,
            Course.method,
            Course.platform_id,
            Course.provider_id,
            Course.province_id,
            Provider.name.label("provider_name"),
            Category.name.label("category_name"),
            Category.name_en.label("category_name_en"),
        )
        .join(Provider, Provider.id == Course.provider_id)
        .join(Category, Category.id == Course.category_id)
        .where(Course.status == CourseStatus.APPROVED)
    )
    if course_ids is not None:
        statement = statement.where(Course.id.in_(course_ids))
    documents = []
    for row in connection.execute(statement):
        facets = Facets(
            category_id=row.category_id,
            method=row.method.value,
            platform_id=row.platform_id,
            provider_id=row.provider_id,
            province_id=row.province_id,
        )
        title = fold(row.title)
        body = fold(
            " ".join(
                (
                    row.summary,
                    row.description,
                    row.outcomes,
                    row.provider_name,
                    row.category_name,
                    row.category_name_en,
                )
            )
        )
        title_words = set(_TERM.findall(title))
        words = title_words | set(_TERM.findall(body))
        title_roots = {stem(word) for word in title_words} - title_words
        documents.append(
            {
                "id": row.id,
                "title": title,
                "body": body,
                "title_stems": " ".join(sorted(title_roots)),
                "stems": " ".join(sorted({stem(word) for word in words} - words - title_roots)),
                "words": words,
                "facets": " ".join(facets.document_tokens()),
            }
        )
    return documents


def _vocabulary_of(documents: list[dict]) -> Counter:
    """The words and roots of documents, each counted once per document."""
    counts: Counter = Counter()
    for document in documents:
        own = {
            word
            for word in document["words"]
            if VOCABULARY_FROM <= len(word) <= MAX_TERM_LENGTH and word.isalpha()
        }
        own.update([stem(word) for word in own])
        counts.update(own)
    return counts


def _write(connection: sa.Connection, documents: list[dict]) -> None:
    if not documents:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text(
                "INSERT INTO course_search (course_id, document) VALUES (:id, "
                "setweight(to_tsvector('simple', :title), 'A') || "
                "setweight(to_tsvector('simple', :body), 'B') || "
                "setweight(to_tsvector('simple', :title_stems), 'C') || "
                "setweight(to_tsvector('simple', :stems || ' ' || :facets), 'D')) "
                "ON CONFLICT (course_id) DO UPDATE SET document = excluded.document"
            ),
            documents,
        )
    else:
        connection.execute(
            sa.text(
                "INSERT INTO course_search (rowid, title, body, title_stems, stems, facets) "
                "VALUES (:id, :title, :body, :title_stems, :stems, :facets)"
            ),
            documents,
        )


def _add_terms(connection: sa.Connection, counts: Counter) -> None:
    """Add words the vocabulary lacks (a course's new words are searchable at once); two
    approvals adding the same new word at once both succeed."""
    if not counts:
        return
    insert = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(
        SearchTerm
    ).on_conflict_do_nothing(index_elements=["term"])
    names = sorted(counts)
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        connection.execute(insert, [{"term": name, "documents": counts[name]} for name in chunk])


def _delete(connection: sa.Connection, course_ids: list[int]) -> None:
    key = "course_id" if connection.dialect.name == "postgresql" else "rowid"
    for start in range(0, len(course_ids), _CHUNK):
        chunk = course_ids[start : start + _CHUNK]
        connection.execute(
            sa.text(f"DELETE FROM course_search WHERE {key} IN :ids").bindparams(  # noqa: S608  # nosec B608  # key is a constant column; ids are bound
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": chunk},
        )


def index_courses(course_ids: list[int], connection: sa.Connection | None = None) -> None:
    """Bring the index up to date for these courses: approved ones in, all others out."""
    connection = _connection(connection)
    _delete(connection, course_ids)
    for start in range(0, len(course_ids), _CHUNK):
        documents = _documents(connection, course_ids[start : start + _CHUNK])
        _write(connection, documents)
        _add_terms(connection, _vocabulary_of(documents))


def rebuild_index(connection: sa.Connection | None = None) -> int:
    """Rebuild the whole index and its vocabulary from the course table; returns the number
    of courses indexed."""
    connection = _connection(connection)
    connection.execute(sa.text("DELETE FROM course_search"))
    connection.execute(sa.delete(SearchTerm))
    ids = (
        connection.execute(
            sa.select(Course.id).where(Course.status == CourseStatus.APPROVED).order_by(Course.id)
        )
        .scalars()
        .all()
    )
    counts: Counter = Counter()
    for start in range(0, len(ids), _CHUNK):
        documents = _documents(connection, ids[start : start + _CHUNK])
        _write(connection, documents)
        counts.update(_vocabulary_of(documents))
    names = sorted(counts)
    for start in range(0, len(names), _CHUNK):
        connection.execute(
            sa.insert(SearchTerm),
            [{"term": name, "documents": counts[name]} for name in names[start : start + _CHUNK]],
        )
    if connection.dialect.name != "postgresql":
        connection.execute(sa.text("INSERT INTO course_search(course_search) VALUES ('optimize')"))
    raise_revision(connection)
    return len(ids)
