"""Reading the catalogue: listing approved courses with search, filters, sorting and pages."""

import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from threading import Lock
from typing import NamedTuple
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalogue import search, shared_results
from marketplace.catalogue.models import (
    Category,
    Course,
    CourseSession,
    CourseStatus,
    Platform,
    Provider,
    SessionStatus,
)
from marketplace.core.base import utcnow
from marketplace.core.models import Province
from marketplace.extensions import db

SORTS = ("relevance", "popular", "rating", "price_asc", "price_desc", "newest")
PAGE_SIZE = 20
OPTIONS_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Option:
    """One choice in a catalogue filter."""

    id: int
    slug: str
    name: str
    name_en: str


@dataclass(frozen=True, eq=False)
class FilterOptions:
    """The choices for each reference-data filter, by slug."""

    categories: dict[str, Option]
    platforms: dict[str, Option]
    providers: dict[str, Option]
    provinces: dict[str, Option]

    def same_choices(self, other: "FilterOptions") -> bool:
        """Whether `other` offers the very same choices, in the same order."""
        return all(
            list(getattr(self, kind.name).items()) == list(getattr(other, kind.name).items())
            for kind in fields(self)
        )


_options_lock = Lock()
_options_cache: WeakKeyDictionary = WeakKeyDictionary()  # engine -> (time, FilterOptions)


def filter_options() -> FilterOptions:
    """Categories, platforms, providers and provinces; kept in memory for a minute per engine,
    then read again: the same object while they stay the same, a new one when they change."""
    key = db.engine
    now = time.monotonic()
    cached = _options_cache.get(key)
    if cached and now - cached[0] < OPTIONS_TTL_SECONDS:
        return cached[1]
    with _options_lock:
        # Another thread may have read them while this one waited: its set is the latest.
        cached = _options_cache.get(key)
        if cached and now - cached[0] < OPTIONS_TTL_SECONDS:
            return cached[1]
        options = FilterOptions(
            categories={
                row.slug: Option(row.id, row.slug, row.name, row.name_en)
                for row in db.session.execute(
                    sa.select(Category.id, Category.slug, Category.name, Category.name_en).order_by(
                        Category.name
                    )
                )
            },
            platforms={
                row.slug: Option(row.id, row.slug, row.name, row.name)
                for row in db.session.execute(
                    sa.select(Platform.id, Platform.slug, Platform.name).order_by(Platform.name)
                )
            },
            providers={
                row.slug: Option(row.id, row.slug, row.name, row.name)
                for row in db.session.execute(
                    sa.select(Provider.id, Provider.slug, Provider.name).order_by(Provider.name)
                )
            },
            provinces={
                row.slug: Option(row.id, row.slug, row.name, row.name)
                for row in db.session.execute(
                    sa.select(Province.id, Province.slug, Province.name).order_by(Province.code)
                )
            },
        )
        if cached and options.same_choices(cached[1]):
            # Nothing changed: the same set goes on, with the pages and forms kept with it
            # (web/catalogue/pages.py), which a new set would start without.
            options = cached[1]
        _options_cache[key] = (now, options)
    return options


def forget_filter_options() -> None:
    """Drop the cached filter choices (after reference data changes, and between tests)."""
    _options_cache.clear()


@dataclass(frozen=True)
class Criteria:
    """What a catalogue visitor asked for; ids already resolved from slugs."""

    q: str = ""
    category_id: int | None = None
    method: str | None = None
    platform_id: int | None = None
    provider_id: int | None = None
    province_id: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    min_rating: float | None = None
    sort: str | None = None
    page: int = 1
    exact: bool = False  # the words as typed: no typo correction

    @property
    def terms(self) -> list[str]:
        return search.terms(self.q)

    @property
    def effective_sort(self) -> str:
        """Relevance needs search terms; without them the default is popularity."""
        if self.sort and (self.sort != "relevance" or self.terms):
            return self.sort
        return "relevance" if self.terms else "popular"


@dataclass
class ResultPage:
    """One page of catalogue results."""

    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PAGE_SIZE
    sort: str = "popular"
    # What the search words were searched as (corrections, a suggestion), when there were any.
    search: "search.Interpretation | None" = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)

    def as_data(self) -> dict:
        """The page as JSON-ready data, for the shared store (`of_data` reads it back)."""
        return {
            "items": [list(row) for row in self.items],
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
            "search": self.search.as_data() if self.search is not None else None,
        }

    @classmethod
    def of_data(cls, data: dict) -> "ResultPage":
        return cls(
            items=[ListedCourse._make(row) for row in data["items"]],
            total=data["total"],
            page=data["page"],
            per_page=data["per_page"],
            sort=data["sort"],
            search=search.Interpretation.of_data(data["search"]) if data["search"] else None,
        )


class PageOutOfRange(Exception):
    """The requested page is past the last page of results."""

    def __init__(self, pages: int):
        super().__init__(pages)
        self.pages = pages


# The catalogue listing is the busiest query of the site, so it is SQL text kept in
# prepared `text()` clauses (one per shape of request), valid on SQLite and PostgreSQL.
# Only constant fragments are joined into the SQL; every value is a bound parameter.
_LISTING_SELECT = (
    "SELECT c.id, c.slug, c.title, c.summary, c.price, c.hours, c.level, c.method, c.city, "
    "c.rating_avg, c.rating_count, c.enrolment_count, p.name AS provider_name, "
    "cat.name AS category_name, cat.name_en AS category_name_en, pl.name AS platform_name "
)
_LISTING_JOINS = (
    "JOIN provider p ON p.id = c.provider_id "
    "JOIN category cat ON cat.id = c.category_id "
    "JOIN platform pl ON pl.id = c.platform_id "
)
_ORDERINGS = {
    "relevance": "m.rank ASC, c.enrolment_count DESC, c.id DESC",
    "popular": "c.enrolment_count DESC, c.id DESC",
    "rating": "c.rating_avg DESC, c.rating_count DESC, c.id DESC",
    "price_asc": "c.price ASC, c.id ASC",
    "price_desc": "c.price DESC, c.id DESC",
    "newest": "c.published_at DESC, c.id DESC",
}
_FACET_CONDITIONS = {
    "category_id": "c.category_id = :category_id",
    "method": "c.method = :method",
    "platform_id": "c.platform_id = :platform_id",
    "provider_id": "c.provider_id = :provider_id",
    "province_id": "c.province_id = :province_id",
}
_RANGE_CONDITIONS = {
    "min_price": "c.price >= :min_price",
    "max_price": "c.price <= :max_price",
    "min_rating": "c.rating_avg >= :min_rating",
}
_statements: dict[tuple, tuple[sa.TextClause, sa.TextualSelect]] = {}
# SQLite's matches of a search meet the courses on the index of what they are filtered and
# sorted by (models.Course's ix_course_sort_keys), a few dozen bytes a course, rather than on
# the table's rows: three times as fast for a word most of a large catalogue holds. SQLite
# reaches a row by its id through the table unless told.
SORT_KEYS_INDEX = "ix_course_sort_keys"
_SORT_KEYS_JOIN = f"JOIN course c INDEXED BY {SORT_KEYS_INDEX} ON c.id = m.course_id "


class ListedCourse(NamedTuple):
    """One row of catalogue results, in the order of _LISTING_SELECT."""

    id: int
    slug: str
    title: str
    summary: str
    price: int
    hours: int
    level: str
    method: str
    city: str | None
    rating_avg: float
    rating_count: int
    enrolment_count: int
    provider_name: str
    category_name: str
    category_name_en: str
    platform_name: str


def _listing_columns(statement: sa.TextClause) -> sa.TextualSelect:
    """A listing page statement with its result columns named in `ListedCourse` order:
    SQLAlchemy then builds the description of its results once, with the statement, rather
    than from the driver's on every execution."""
    return statement.columns(*(sa.column(name) for name in ListedCourse._fields))


def _listing_statements(
    dialect: str, searching: bool, facets: tuple[str, ...], ranges: tuple[str, ...], sort: str
) -> tuple[sa.TextClause, sa.TextualSelect]:
    """(count, page) statements for one shape of request, built once and reused."""
    key = (dialect, searching, facets, ranges, sort)
    cached = _statements.get(key)
    if cached:
        return cached
    conditions = [_RANGE_CONDITIONS[name] for name in ranges]
    if searching and dialect == "sqlite":
        # Facets are matched inside the full-text index; only ranges remain for SQL. The
        # matches are filtered, counted and sorted on the sort keys' index alone; only the
        # page's rows are read from the table (relevance goes tier by tier: not here).
        where = ("WHERE " + " AND ".join(conditions) + " ") if conditions else ""
        matched = f"({search.MATCHED_SQL[dialect]}) AS m "
        count = sa.text(
            f"SELECT count(*) FROM {matched}"  # noqa: S608  # nosec B608  # constant fragments only; values are bound
            + (f"{_SORT_KEYS_JOIN}{where}" if conditions else "")
        )
        page = _listing_columns(
            sa.text(
                f"{_LISTING_SELECT}FROM (SELECT c.id FROM {matched}{_SORT_KEYS_JOIN}{where}"  # noqa: S608  # nosec B608  # constant fragments only; values are bound
                f"ORDER BY {_ORDERINGS[sort]} LIMIT :limit OFFSET :offset) AS shown "
                f"JOIN course c ON c.id = shown.id {_LISTING_JOINS}ORDER BY {_ORDERINGS[sort]}"
            )
        )
        _statements[key] = (count, page)
        return count, page
    if searching:
        # Facets are matched inside the full-text index; only ranges remain for SQL.
        matches = search.MATCHES_SQL if sort == "relevance" else search.MATCHED_SQL
        source = f"({matches[dialect]}) AS m JOIN course c ON c.id = m.course_id "
        count_source = f"({search.MATCHED_SQL[dialect]}) AS m "
        if conditions:
            count_source += "JOIN course c ON c.id = m.course_id "
    else:
        conditions = ["c.status = 'approved'"]
        conditions += [_FACET_CONDITIONS[name] for name in facets]
        conditions += [_RANGE_CONDITIONS[name] for name in ranges]
        source = count_source = "course c "
    where = ("WHERE " + " AND ".join(conditions) + " ") if conditions else ""
    count = sa.text(f"SELECT count(*) FROM {count_source}{where}")  # noqa: S608  # nosec B608  # constant fragments only; values are bound
    page = _listing_columns(
        sa.text(
            f"{_LISTING_SELECT}FROM {source}{_LISTING_JOINS}{where}"  # noqa: S608
            f"ORDER BY {_ORDERINGS[sort]} LIMIT :limit OFFSET :offset",
        )
    )
    _statements[key] = (count, page)
    return count, page


RESULTS_KEPT = 2000  # result pages per process (20 rows each, some 10 KB)


class _KeptResults:
    """Result pages of one engine's catalogue, under the catalogue's revision and the
    criteria: the least recently asked dropped first. A change anywhere in the catalogue
    raises the revision (database triggers), so nothing kept is ever shown stale."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.revision = None
        self.pages: OrderedDict = OrderedDict()

    def get(self, revision: int, criteria: Criteria):
        with self.lock:
            if revision != self.revision:
                return None
            found = self.pages.get(criteria)
            if found is not None:
                self.pages.move_to_end(criteria)
            return found

    def put(self, revision: int, criteria: Criteria, found) -> None:
        with self.lock:
            if self.revision is None or revision > self.revision:
                self.revision = revision
                self.pages.clear()
            elif revision < self.revision:
                return  # read under an older revision: already superseded
            self.pages[criteria] = found
            if len(self.pages) > RESULTS_KEPT:
                self.pages.popitem(last=False)


_kept_results: WeakKeyDictionary = WeakKeyDictionary()  # engine -> _KeptResults
_kept_results_lock = Lock()


def forget_results() -> None:
    """Drop every kept result page (tests)."""
    with _kept_results_lock:
        _kept_results.clear()


def list_courses(criteria: Criteria, keep: bool = False) -> ResultPage:
    """A page of approved courses matching the criteria, with the total count.

    Raises PageOutOfRange when the page is past the last one.

    With `keep`, the page is kept under the catalogue's revision (`search.catalogue_revision`,
    read first, on a connection of its own) and the criteria, and asked again it is answered
    from there while the revision stays the same, without opening the session's transaction.
    The revision is read before the results, so what is kept under it is at least as new as
    it. With a shared store (RESULTS_STORE_URL, catalogue/shared_results.py) a page one
    process read is found by every other process, on every machine, under the same revision.

    The count and the page run on the session's connection, in its transaction, so they
    agree; they are Core `text()` statements (no ORM entities to build), and the rows come
    back as `ListedCourse` tuples.
    """
    if not keep:
        return _list_courses(db.session.connection(), criteria, None)
    revision = search.catalogue_revision()
    engine = db.engine
    kept = _kept_results.get(engine)
    if kept is None:
        with _kept_results_lock:
            kept = _kept_results.setdefault(engine, _KeptResults())
    found = kept.get(revision, criteria)
    shared = shared_results.of_app()
    if found is None and shared is not None:
        data = shared.get(revision, criteria)
        if data is not None:
            found = _result_of(data)
            if found is not None:
                kept.put(revision, criteria, found)
    if found is None:
        connection = db.session.connection()
        # What the session's transaction reads belongs under the revision it sees: on SQLite
        # its snapshot may have begun before the read above (an earlier read of the request),
        # and then holds an older revision, under which what it reads is kept.
        seen = search.catalogue_revision(connection)
        try:
            found = _list_courses(connection, criteria, seen)
        except PageOutOfRange as error:
            found = error
        kept.put(seen, criteria, found)
        if shared is not None:
            shared.put(seen, criteria, _data_of(found))
    if isinstance(found, PageOutOfRange):
        raise PageOutOfRange(found.pages)
    return found


def _data_of(found: ResultPage | PageOutOfRange) -> dict:
    if isinstance(found, PageOutOfRange):
        return {"out_of_range": found.pages}
    return found.as_data()


def _result_of(data: dict) -> ResultPage | PageOutOfRange | None:
    """What the shared store held, or None when it is not a page this code reads."""
    try:
        if "out_of_range" in data:
            return PageOutOfRange(int(data["out_of_range"]))
        return ResultPage.of_data(data)
    except (KeyError, TypeError, ValueError):
        return None


def _list_courses(connection, criteria: Criteria, revision: int | None) -> ResultPage:
    sort = criteria.effective_sort
    dialect = connection.dialect.name
    facet_values = {
        "category_id": criteria.category_id,
        "method": criteria.method,
        "platform_id": criteria.platform_id,
        "provider_id": criteria.provider_id,
        "province_id": criteria.province_id,
    }
    range_values = {
        "min_price": criteria.min_price,
        "max_price": criteria.max_price,
        "min_rating": criteria.min_rating,
    }
    params = {name: value for name, value in range_values.items() if value is not None}
    facets = tuple(name for name, value in facet_values.items() if value is not None)
    ranges = tuple(name for name, value in range_values.items() if value is not None)
    interpretation = None
    if criteria.terms:
        interpretation = search.interpret(
            connection, criteria.q, exact=criteria.exact, revision=revision
        )
        result = _page(
            connection,
            dialect,
            interpretation,
            facet_values,
            params,
            facets,
            ranges,
            sort,
            criteria.page,
        )
        if result.total == 0 and interpretation.corrected is None:
            # Nothing found: offer a query one edit away only if it finds something.
            interpretation = interpretation.with_suggestion(
                _a_query_that_finds(connection, dialect, interpretation, facet_values)
            )
        result.search = interpretation
        return result
    params.update((name, facet_values[name]) for name in facets)
    return _page(
        connection, dialect, None, facet_values, params, facets, ranges, sort, criteria.page
    )


def _page(
    connection, dialect, interpretation, facet_values, params, facets, ranges, sort, page_number
) -> ResultPage:
    if interpretation is not None:
        params = {
            **params,
            "match": search.match_expression(
                dialect, interpretation, search.Facets(**facet_values)
            ),
            **search.typed_matches(dialect, interpretation),
        }
        if sort == "relevance" and dialect == "sqlite":
            return _ranked_page_by_tiers(connection, params, ranges, page_number)
        if sort == "relevance" and not ranges:
            return _ranked_page(connection, dialect, params, page_number)
    count, page = _listing_statements(dialect, interpretation is not None, facets, ranges, sort)
    total = connection.execute(count, params).scalar_one()
    result = ResultPage(total=total, page=page_number, sort=sort)
    if page_number > result.pages:
        raise PageOutOfRange(result.pages)
    if total:
        params["limit"] = PAGE_SIZE
        params["offset"] = (page_number - 1) * PAGE_SIZE
        result.items = list(map(ListedCourse._make, connection.execute(page, params)))
    return result


def _a_query_that_finds(connection, dialect, interpretation, facet_values) -> str | None:
    """A query one edit from one that found nothing that finds something, or None."""
    facets = search.Facets(**facet_values)
    tries = search.one_edit_away(connection, interpretation.words)[:3]
    if interpretation.suggestion:
        tries.insert(0, tuple(interpretation.suggestion.split()))
    for words in tries:
        other = search.interpretation_of(connection, words)
        params = {"match": search.match_expression(dialect, other, facets)}
        if connection.execute(_match_exists(dialect), params).first():
            return " ".join(words)
    return None


def _match_exists(dialect: str) -> sa.TextClause:
    statement = _statements.get((dialect, "exists"))
    if statement is None:
        statement = sa.text(
            f"SELECT 1 FROM ({search.MATCHED_SQL[dialect]}) AS m LIMIT 1"  # noqa: S608  # nosec B608  # constant SQL; the match is bound
        )
        _statements[(dialect, "exists")] = statement
    return statement


def _ranked_page(connection, dialect: str, params: dict, page_number: int) -> ResultPage:
    """A relevance-ordered page cut inside the full-text index; only its rows are joined."""
    count, page = _statements.get((dialect, "ranked"), (None, None))
    if page is None:
        count = sa.text(
            f"SELECT count(*) FROM ({search.MATCHED_SQL[dialect]}) AS m",  # noqa: S608  # nosec B608  # constant SQL; the match is bound
        )
        page = _listing_columns(
            sa.text(
                f"{_LISTING_SELECT}FROM ({search.RANKED_PAGE_SQL[dialect]}) AS m "  # noqa: S608
                f"JOIN course c ON c.id = m.course_id {_LISTING_JOINS}"
                "ORDER BY m.rank, c.id DESC",
            )
        )
        _statements[(dialect, "ranked")] = (count, page)
    page_params = {**params, "limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE}
    rows = connection.execute(page, page_params).all()
    if page_number == 1 and len(rows) < PAGE_SIZE:
        total = len(rows)  # the whole result fits on this page: no need to count
    else:
        total = connection.execute(count, params).scalar_one()
    result = ResultPage(total=total, page=page_number, sort="relevance")
    if page_number > result.pages:
        raise PageOutOfRange(result.pages)
    result.items = list(map(ListedCourse._make, rows))
    return result


def _tier_statements(ranges: tuple[str, ...]) -> tuple[sa.TextClause, sa.TextualSelect]:
    """(count, page) of one tier on SQLite, with the range filters given (built once)."""
    key = ("sqlite", "tiers", ranges)
    cached = _statements.get(key)
    if cached:
        return cached
    if not ranges:
        # The page is cut inside the index: only its rows are ranked in order and joined.
        count = sa.text("SELECT count(*) FROM course_search WHERE course_search MATCH :match")
        page = _listing_columns(
            sa.text(
                f"{_LISTING_SELECT}FROM ({search.TIER_PAGE_SQL}) AS m "  # noqa: S608  # nosec B608  # constant SQL; the match is bound
                f"JOIN course c ON c.id = m.course_id {_LISTING_JOINS}"
                "ORDER BY m.rank, c.id DESC",
            )
        )
    else:
        where = "WHERE " + " AND ".join(_RANGE_CONDITIONS[name] for name in ranges) + " "
        count = sa.text(
            f"SELECT count(*) FROM ({search.MATCHED_SQL['sqlite']}) AS m "  # noqa: S608  # nosec B608  # constant fragments only; values are bound
            f"{_SORT_KEYS_JOIN}{where}"
        )
        # Filtered on the sort keys' index; only the page's rows are read from the table.
        page = _listing_columns(
            sa.text(
                f"{_LISTING_SELECT}FROM (SELECT c.id, m.rank "  # noqa: S608  # nosec B608  # constant fragments only; values are bound
                f"FROM ({search.TIER_RANKED_SQL}) AS m {_SORT_KEYS_JOIN}{where}"
                "ORDER BY m.rank, c.id DESC LIMIT :limit OFFSET :offset) AS shown "
                f"JOIN course c ON c.id = shown.id {_LISTING_JOINS}ORDER BY shown.rank, c.id DESC",
            )
        )
    _statements[key] = (count, page)
    return count, page


def _ranked_page_by_tiers(
    connection, params: dict, ranges: tuple[str, ...], page_number: int
) -> ResultPage:
    """A relevance-ordered page on SQLite, tier by tier (see search.tier_matches's
    tiers): each tier is its own match, counted, and ranked by bm25 only as far as the page
    reaches. A broad word ("pelatihan") matches most of a large catalogue, and bm25 over
    every match costs more than all the rest of the page; its first pages come from the
    titles holding it."""
    count, page = _tier_statements(ranges)
    values = {name: params[name] for name in ranges}
    offset = (page_number - 1) * PAGE_SIZE
    total = connection.execute(count, {**values, "match": params["match"]}).scalar_one()
    result = ResultPage(total=total, page=page_number, sort="relevance")
    if page_number > result.pages:
        raise PageOutOfRange(result.pages)
    rows: list = []
    start = 0  # where the current tier starts among all matches
    tiers = search.tier_matches(params["match"], params["title_match"], params["typed_match"])
    for number, match in enumerate(tiers):
        if number == len(tiers) - 1:
            size = total - start
        else:
            size = connection.execute(count, {**values, "match": match}).scalar_one()
        wanted = offset + len(rows)  # the next row of the page, among all matches
        if wanted < start + size:
            rows += connection.execute(
                page,
                {
                    **values,
                    "match": match,
                    "limit": PAGE_SIZE - len(rows),
                    "offset": wanted - start,
                },
            ).all()
        start += size
        if len(rows) == PAGE_SIZE or start >= total:
            break
    result.items = list(map(ListedCourse._make, rows))
    return result


def get_listed_course(slug: str) -> Course | None:
    """An approved course by slug, with what its page shows loaded, or None."""
    return db.session.scalar(
        sa.select(Course)
        .where(Course.slug == slug, Course.status == CourseStatus.APPROVED)
        .options(
            joinedload(Course.provider).joinedload(Provider.province),
            joinedload(Course.platform),
            joinedload(Course.category),
            joinedload(Course.province),
            selectinload(Course.modules),
        )
    )


def upcoming_sessions(course: Course, limit: int = 10) -> list[CourseSession]:
    """Scheduled sessions of a course that have not started yet, soonest first."""
    return list(
        db.session.scalars(
            sa.select(CourseSession)
            .where(
                CourseSession.course_id == course.id,
                CourseSession.status == SessionStatus.SCHEDULED,
                CourseSession.starts_at > utcnow(),
            )
            .order_by(CourseSession.starts_at)
            .limit(limit)
        )
    )


def other_courses_by_provider(course: Course, limit: int = 4) -> list:
    """A few other approved courses of the same provider, most popular first."""
    return db.session.execute(
        sa.select(Course.slug, Course.title, Course.price, Course.rating_avg, Course.method)
        .where(
            Course.provider_id == course.provider_id,
            Course.status == CourseStatus.APPROVED,
            Course.id != course.id,
        )
        .order_by(Course.enrolment_count.desc(), Course.id.desc())
        .limit(limit)
    ).all()


def count_listed_by_provider(provider_id: int) -> int:
    """How many approved courses a provider lists."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Course.id)).where(
                Course.provider_id == provider_id, Course.status == CourseStatus.APPROVED
            )
        )
        or 0
    )


def is_empty() -> bool:
    """True when no course exists yet (a fresh database)."""
    return db.session.scalar(sa.select(Course.id).limit(1)) is None
