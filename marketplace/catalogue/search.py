"""Full-text search over the catalogue, one interface over two engines.

SQLite uses an FTS5 table `course_search` (rowid = course id); PostgreSQL uses a table
`course_search` holding a weighted tsvector with a GIN index. Both are created by the
migrations. Only approved (listed) courses are indexed.

Each indexed course carries three fields: the title (weight A), the body (summary,
description, outcomes, provider and category names; weight B) and facet tokens (category,
method, platform, provider, province) so that filters intersect inside the index instead of
after ranking every match. User input never reaches the engine's query syntax: it is folded
(lower case, accents removed), split into letters-and-digits terms, and each term becomes a
quoted prefix match.
"""

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.catalogue.models import Category, Course, CourseStatus, Provider
from marketplace.extensions import db

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
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


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# The matching courses and their rank, as SQL to place in a FROM clause; lower rank means more
# relevant on both engines. The query text is a bound parameter, never spliced into the SQL.
# The same, ranked and limited to one page: used when the page can be cut inside the index
# (relevance order and no range filters), so only that page's rows are joined.
RANKED_PAGE_SQL = {
    "postgresql": (
        "SELECT course_id, "
        "-ts_rank(CAST('{0, 0, 0.4, 1.0}' AS float4[]), document, query) AS rank "
        "FROM course_search, to_tsquery('simple', :match) AS query "
        "WHERE document @@ query ORDER BY rank, course_id DESC LIMIT :limit OFFSET :offset"
    ),
    "sqlite": (
        "SELECT rowid AS course_id, bm25(course_search, 10.0, 2.0, 0.0) AS rank "
        "FROM course_search WHERE course_search MATCH :match "
        "ORDER BY rank, rowid DESC LIMIT :limit OFFSET :offset"
    ),
}
MATCHES_SQL = {
    "postgresql": (
        "SELECT course_id, "
        "-ts_rank(CAST('{0, 0, 0.4, 1.0}' AS float4[]), document, query) AS rank "
        "FROM course_search, to_tsquery('simple', :match) AS query "
        "WHERE document @@ query"
    ),
    "sqlite": (
        "SELECT rowid AS course_id, bm25(course_search, 10.0, 2.0, 0.0) AS rank "
        "FROM course_search WHERE course_search MATCH :match"
    ),
}


def match_expression(dialect: str, query_terms: list[str], facets: Facets) -> str:
    """The engine's match expression for the terms (each a prefix) and the facets.

    Terms are letters and digits only (see `terms`), and each is quoted, so no user input
    can be read as query syntax.
    """
    if not query_terms:
        raise ValueError("a match needs at least one term")
    if dialect == "postgresql":
        parts = [f"{term}:*AB" for term in query_terms]
        parts += [f"{token}:D" for token in facets.tokens()]
        return " & ".join(parts)
    expression = "{title body} : (" + " AND ".join(f'"{term}" *' for term in query_terms) + ")"
    if facets.tokens():
        expression += " AND facets : (" + " AND ".join(facets.tokens()) + ")"
    return expression


def _documents(course_ids: list[int] | None) -> list[dict]:
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
    for row in db.session.execute(statement):
        facets = Facets(
            category_id=row.category_id,
            method=row.method.value,
            platform_id=row.platform_id,
            provider_id=row.provider_id,
            province_id=row.province_id,
        )
        body = " ".join(
            (
                row.summary,
                row.description,
                row.outcomes,
                row.provider_name,
                row.category_name,
                row.category_name_en,
            )
        )
        documents.append(
            {
                "id": row.id,
                "title": fold(row.title),
                "body": fold(body),
                "facets": " ".join(facets.document_tokens()),
            }
        )
    return documents


def _write(documents: list[dict]) -> None:
    if not documents:
        return
    if _is_postgres():
        db.session.execute(
            sa.text(
                "INSERT INTO course_search (course_id, document) VALUES (:id, "
                "setweight(to_tsvector('simple', :title), 'A') || "
                "setweight(to_tsvector('simple', :body), 'B') || "
                "setweight(to_tsvector('simple', :facets), 'D')) "
                "ON CONFLICT (course_id) DO UPDATE SET document = excluded.document"
            ),
            documents,
        )
    else:
        db.session.execute(
            sa.text(
                "INSERT INTO course_search (rowid, title, body, facets) "
                "VALUES (:id, :title, :body, :facets)"
            ),
            documents,
        )


def _delete(course_ids: list[int]) -> None:
    key = "course_id" if _is_postgres() else "rowid"
    for start in range(0, len(course_ids), _CHUNK):
        chunk = course_ids[start : start + _CHUNK]
        db.session.execute(
            sa.text(f"DELETE FROM course_search WHERE {key} IN :ids").bindparams(  # noqa: S608  # nosec B608  # key is a constant column; ids are bound
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": chunk},
        )


def index_courses(course_ids: list[int]) -> None:
    """Bring the index up to date for these courses: approved ones in, all others out."""
    _delete(course_ids)
    for start in range(0, len(course_ids), _CHUNK):
        _write(_documents(course_ids[start : start + _CHUNK]))
    db.session.flush()


def rebuild_index() -> int:
    """Rebuild the whole index from the course table; returns the number of courses indexed."""
    db.session.execute(sa.text("DELETE FROM course_search"))
    ids = db.session.scalars(
        sa.select(Course.id).where(Course.status == CourseStatus.APPROVED).order_by(Course.id)
    ).all()
    for start in range(0, len(ids), _CHUNK):
        _write(_documents(ids[start : start + _CHUNK]))
    if not _is_postgres():
        db.session.execute(sa.text("INSERT INTO course_search(course_search) VALUES ('optimize')"))
    db.session.flush()
    return len(ids)
