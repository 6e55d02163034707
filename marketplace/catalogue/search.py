"""Full-text search over the catalogue, one interface over two engines, that understands
Indonesian and forgives typing.

SQLite uses an FTS5 table `course_search` (rowid = course id); PostgreSQL a table
`course_search` holding a weighted tsvector with a GIN index. Both are created by the
migrations; only approved (listed) courses are indexed.

Each indexed course carries four fields: its title (weighed most), its body (summary,
description, outcomes, provider and category names), the roots of all those words (`stems`,
weighed least: "Pemasaran" is also "pasar") and facet tokens (category, method, platform,
provider, province) so that filters intersect inside the index instead of after ranking every
match. User input never reaches the engine's query syntax: it is folded (lower case, accents
removed) and split into words of letters and digits, and each word becomes quoted prefix
matches.

What a query means (`interpret`, the same on both engines, in Python):
- each word matches a course when it begins one of the course's words, or its root (Sastrawi's
  Indonesian stemmer, `stem`) begins one of the course's roots: "memasarkan", "pemasar" and
  "dipasarkan" all find "Pemasaran"; a title holding the word as typed ranks above one
  holding only its root;
- phrases of a synonym group (table `search_synonym`, edited by the office) stand for one
  another: "medsos" also finds "media sosial" (longest phrase first);
- a word of five letters or more that begins no word or root of the catalogue is taken as a
  typo and corrected to the nearest word the index holds (`search_term`: one edit, two for
  words of eight letters or more; the word more courses use wins a tie), unless the searcher
  asked for the words exactly; a shorter unknown word one edit from a catalogue word gets a
  suggestion instead ("Maksud Anda …?").
"""

import bisect
import functools
import re
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
        self.words: frozenset[str] = frozenset()

    def load(self) -> Stemmer:
        with self.lock:
            if self.stemmer is None:
                words = StemmerFactory().get_words_from_file()
                self.words = frozenset(words)
                self.stemmer = Stemmer(ArrayDictionary(words))
        return self.stemmer


_roots = _Roots()


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The root of a folded word: 'pemasaran' -> 'pasar', 'memasak' -> 'masak'.

    Sastrawi leaves a word that is itself in its dictionary as it is ("masakan", "jahitan"
    are listed words); such a word ending in -an whose remainder is a root word is taken to
    that root, so "masakan" and "memasak" meet at "masak".
    """
    if len(word) < STEMMED_FROM or not word.isalpha():
        return word
    root = (_roots.stemmer or _roots.load()).stem(word) or word
    if root == word and word.endswith("an") and word[:-2] in _roots.words:
        root = word[:-2]
    return root


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


def catalogue_revision(connection: sa.Connection) -> int:
    """The catalogue's revision: raised by database triggers (see the migration that made
    `catalogue_revision`) whenever a course, a session, a module, a review, a provider, a
    category, a platform or a synonym changes, in any process. What was read from the
    catalogue under one revision is still right while the revision stays the same."""
    return connection.execute(_REVISION_SQL).scalar_one()


_REVISION_SQL = sa.text("SELECT coalesce(sum(revision), 0) FROM catalogue_revision")


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


def load_synonyms(path: Path = DEFAULT_SYNONYMS) -> int:
    """Add the synonym groups of a file (one group per line, phrases separated by commas,
    `#` comments) that the table does not hold yet; returns how many were added."""
    have = {
        tuple(sorted(phrase_words(phrase) for phrase in row.split(",")))
        for row in db.session.scalars(sa.select(SearchSynonym.phrases))
    }
    added = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrases = [phrase.strip() for phrase in line.split(",") if phrase.strip()]
        key = tuple(sorted(phrase_words(phrase) for phrase in phrases))
        if len(phrases) < 2 or key in have:
            continue
        db.session.add(SearchSynonym(phrases=", ".join(phrases)))
        have.add(key)
        added += 1
    db.session.flush()
    return added


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

    def knows(self, word: str) -> bool:
        """Whether the word (as a prefix) or its root finds anything."""
        return self.begins(word) or self.begins(stem(word))

    def nearest(self, word: str, edits: int) -> str | None:
        """The catalogue word at most `edits` edits from `word`: the fewest edits first,
        then the one most courses use, then the first in alphabetical order."""
        found = process.extract(
            word, self.terms, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
        )
        best = min(
            (
                (distance, -self.documents.get(term, 0), term)
                for term, distance, _ in found
                if term != word and distance > 0
            ),
            default=None,
        )
        return best[2] if best else None


@dataclass
class _Known:
    """What the search knows of one catalogue (per engine): the vocabulary and synonyms read
    under a revision."""

    revision: int = -1
    vocabulary: Vocabulary | None = None
    synonyms: SynonymSet | None = None


_known: WeakKeyDictionary = WeakKeyDictionary()  # engine -> _Known
_known_lock = Lock()


def _read_known(connection: sa.Connection, revision: int) -> _Known:
    """The vocabulary and synonyms under `revision`, read again when it has changed."""
    engine = connection.engine
    known = _known.get(engine)
    if known is not None and known.revision == revision:
        return known
    rows = connection.execute(
        sa.select(SearchTerm.term, SearchTerm.documents).order_by(SearchTerm.term)
    ).all()
    vocabulary = Vocabulary([row.term for row in rows], {row.term: row.documents for row in rows})
    synonyms = SynonymSet.of(
        list(
            connection.execute(
                sa.select(SearchSynonym.phrases).order_by(SearchSynonym.id)
            ).scalars()
        )
    )
    known = _Known(revision, vocabulary, synonyms)
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
    `corrected` is the query as searched when a typo was corrected (else None);
    `suggestion` a better query to offer ("Maksud Anda …?"), or None.
    """

    slots: tuple
    words: tuple[str, ...]
    corrected: str | None = None
    suggestion: str | None = None

    def with_suggestion(self, suggestion: str | None) -> "Interpretation":
        return Interpretation(self.slots, self.words, self.corrected, suggestion)


def _edits_allowed(word: str) -> int:
    return 2 if len(word) >= TWO_EDITS_FROM else 1


def interpret(connection: sa.Connection, query: str, exact: bool = False) -> Interpretation:
    """What `query` is searched as (see the module): its words, synonyms and corrections."""
    words = terms(query)
    known = _known.get(connection.engine)
    revision = None

    def current() -> _Known:
        nonlocal known, revision
        if revision is None:
            revision = catalogue_revision(connection)
            known = _read_known(connection, revision)
        return known

    if known is None:
        current()
    in_phrase = _words_in_phrases(words, known.synonyms)
    unknown = [
        index
        for index, word in enumerate(words)
        if index not in in_phrase
        and len(word) >= VOCABULARY_FROM
        and word.isalpha()
        and not known.vocabulary.knows(word)
    ]
    if unknown and revision is None:
        # What this process read may be older than the catalogue: read it again and look
        # once more before calling a word unknown.
        current()
        in_phrase = _words_in_phrases(words, known.synonyms)
        unknown = [
            index
            for index in unknown
            if index not in in_phrase and not known.vocabulary.knows(words[index])
        ]
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
        corrected=" ".join(corrected) if was_corrected else None,
        suggestion=suggestion,
    )


def one_edit_away(connection: sa.Connection, words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Queries one edit from `words`: each word in turn replaced by the nearest catalogue word
    (used when a query finds nothing, to offer one that does)."""
    known = _read_known(connection, catalogue_revision(connection))
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
    return Interpretation(slots=_slots(list(words), known.synonyms), words=words)


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

# The matching courses and their rank, as SQL to place in a FROM clause; lower rank means more
# relevant on both engines. The query text is a bound parameter, never spliced into the SQL.
# The same, ranked and limited to one page: used when the page can be cut inside the index
# (relevance order and no range filters), so only that page's rows are joined.
# Weights: on PostgreSQL {facets, stems, body, title}; on SQLite (title, body, stems, facets).
# A course whose title holds every searched word as typed (or as its start) ranks above one
# that matches only through roots, synonyms or its body: `:title_match` (see `title_match`).
RANKED_PAGE_SQL = {
    "postgresql": (
        "SELECT course_id, "
        "-ts_rank(CAST('{0, 0.1, 0.4, 1.0}' AS float4[]), document, query) "
        "- CASE WHEN document @@ to_tsquery('simple', :title_match) THEN 1000 ELSE 0 END AS rank "
        "FROM course_search, to_tsquery('simple', :match) AS query "
        "WHERE document @@ query ORDER BY rank, course_id DESC LIMIT :limit OFFSET :offset"
    ),
    "sqlite": (
        "SELECT rowid AS course_id, bm25(course_search, 10.0, 2.0, 1.0, 0.0) "
        "- CASE WHEN rowid IN (SELECT rowid FROM course_search WHERE course_search MATCH "
        ":title_match) THEN 1000 ELSE 0 END AS rank "
        "FROM course_search WHERE course_search MATCH :match "
        "ORDER BY rank, rowid DESC LIMIT :limit OFFSET :offset"
    ),
}
MATCHES_SQL = {
    "postgresql": (
        "SELECT course_id, "
        "-ts_rank(CAST('{0, 0.1, 0.4, 1.0}' AS float4[]), document, query) "
        "- CASE WHEN document @@ to_tsquery('simple', :title_match) THEN 1000 ELSE 0 END AS rank "
        "FROM course_search, to_tsquery('simple', :match) AS query "
        "WHERE document @@ query"
    ),
    "sqlite": (
        "SELECT rowid AS course_id, bm25(course_search, 10.0, 2.0, 1.0, 0.0) "
        "- CASE WHEN rowid IN (SELECT rowid FROM course_search WHERE course_search MATCH "
        ":title_match) THEN 1000 ELSE 0 END AS rank "
        "FROM course_search WHERE course_search MATCH :match"
    ),
}
# The matching courses without a rank: for counting, and for orders other than relevance.
MATCHED_SQL = {
    "postgresql": (
        "SELECT course_id FROM course_search WHERE document @@ to_tsquery('simple', :match)"
    ),
    "sqlite": "SELECT rowid AS course_id FROM course_search WHERE course_search MATCH :match",
}


def title_match(dialect: str, interpretation: Interpretation) -> str:
    """The match of titles holding every searched word (as a word's start)."""
    if dialect == "postgresql":
        return " & ".join(f"{word}:*A" for word in interpretation.words)
    return "title : (" + " AND ".join(f'"{word}" *' for word in interpretation.words) + ")"


def _word_match(dialect: str, word: str) -> str:
    root = stem(word)
    if dialect == "postgresql":
        if len(word) < STEMMED_FROM:
            return f"{word}:*AB"
        return f"( {word}:*AB | {root}:*C )"
    if len(word) < STEMMED_FROM:
        return f'({{title body}} : "{word}" *)'
    return f'(({{title body}} : "{word}" *) OR (stems : "{root}" *))'


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
        options = [
            both.join(_word_match(dialect, word) for word in phrase) for phrase in alternatives
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
        words = _TERM.findall(title) + _TERM.findall(body)
        documents.append(
            {
                "id": row.id,
                "title": title,
                "body": body,
                "stems": " ".join(stem(word) for word in words),
                "facets": " ".join(facets.document_tokens()),
                "words": words,
            }
        )
    return documents


def _vocabulary_of(documents: list[dict]) -> Counter:
    """The words and roots of documents, each counted once per document."""
    counts: Counter = Counter()
    for document in documents:
        own = set()
        for word in document["words"]:
            if len(word) >= VOCABULARY_FROM and word.isalpha() and len(word) <= MAX_TERM_LENGTH:
                own.add(word)
                own.add(stem(word))
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
                "setweight(to_tsvector('simple', :stems), 'C') || "
                "setweight(to_tsvector('simple', :facets), 'D')) "
                "ON CONFLICT (course_id) DO UPDATE SET document = excluded.document"
            ),
            documents,
        )
    else:
        connection.execute(
            sa.text(
                "INSERT INTO course_search (rowid, title, body, stems, facets) "
                "VALUES (:id, :title, :body, :stems, :facets)"
            ),
            documents,
        )


def _add_terms(connection: sa.Connection, counts: Counter) -> None:
    """Add words the vocabulary lacks (a course's new words are searchable at once)."""
    if not counts:
        return
    have = set()
    names = sorted(counts)
    for start in range(0, len(names), _CHUNK):
        have.update(
            connection.execute(
                sa.select(SearchTerm.term).where(SearchTerm.term.in_(names[start : start + _CHUNK]))
            ).scalars()
        )
    new = [{"term": name, "documents": counts[name]} for name in names if name not in have]
    if new:
        connection.execute(sa.insert(SearchTerm), new)


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
    return len(ids)
