"""Reading the catalogue: listing approved courses with search, filters, sorting and pages."""

import math
import time
from dataclasses import dataclass, field
from threading import Lock

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models import (
    Category,
    Course,
    CourseSession,
    CourseStatus,
    Method,
    Platform,
    Provider,
    Province,
    SessionStatus,
)
from marketplace.models.base import utcnow
from marketplace.services import search

SORTS = ("relevance", "popular", "rating", "price_asc", "price_desc", "newest")
PAGE_SIZE = 20
MAX_PAGE = 10_000
OPTIONS_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Option:
    """One choice in a catalogue filter."""

    id: int
    slug: str
    name: str
    name_en: str


@dataclass(frozen=True)
class FilterOptions:
    """The choices for each reference-data filter, by slug."""

    categories: dict[str, Option]
    platforms: dict[str, Option]
    providers: dict[str, Option]
    provinces: dict[str, Option]


_options_lock = Lock()
_options_cache: dict[str, tuple[float, FilterOptions]] = {}


def filter_options() -> FilterOptions:
    """Categories, platforms, providers and provinces; kept in memory for a minute per engine."""
    key = str(db.engine.url)
    now = time.monotonic()
    cached = _options_cache.get(key)
    if cached and now - cached[0] < OPTIONS_TTL_SECONDS:
        return cached[1]
    with _options_lock:
        options = FilterOptions(
            categories={
                row.slug: Option(row.id, row.slug, row.name, row.name_en)
                for row in db.session.execute(
                    sa.select(Category.id, Category.slug, Category.name, Category.name_en)
                    .order_by(Category.name)
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

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)


class PageOutOfRange(Exception):
    """The requested page is past the last page of results."""

    def __init__(self, pages: int):
        super().__init__(pages)
        self.pages = pages


_LISTING_COLUMNS = (
    Course.id,
    Course.slug,
    Course.title,
    Course.summary,
    Course.price,
    Course.hours,
    Course.level,
    Course.method,
    Course.city,
    Course.rating_avg,
    Course.rating_count,
    Course.enrolment_count,
    Provider.name.label("provider_name"),
    Category.name.label("category_name"),
    Category.name_en.label("category_name_en"),
    Platform.name.label("platform_name"),
)

_ORDERINGS = {
    "popular": (Course.enrolment_count.desc(), Course.id.desc()),
    "rating": (Course.rating_avg.desc(), Course.rating_count.desc(), Course.id.desc()),
    "price_asc": (Course.price.asc(), Course.id.asc()),
    "price_desc": (Course.price.desc(), Course.id.desc()),
    "newest": (Course.published_at.desc(), Course.id.desc()),
}


def _range_filters(criteria: Criteria) -> list:
    conditions = []
    if criteria.min_price is not None:
        conditions.append(Course.price >= criteria.min_price)
    if criteria.max_price is not None:
        conditions.append(Course.price <= criteria.max_price)
    if criteria.min_rating is not None:
        conditions.append(Course.rating_avg >= criteria.min_rating)
    return conditions


def _facet_filters(criteria: Criteria) -> list:
    conditions = [Course.status == CourseStatus.APPROVED]
    if criteria.category_id is not None:
        conditions.append(Course.category_id == criteria.category_id)
    if criteria.method is not None:
        conditions.append(Course.method == Method(criteria.method))
    if criteria.platform_id is not None:
        conditions.append(Course.platform_id == criteria.platform_id)
    if criteria.provider_id is not None:
        conditions.append(Course.provider_id == criteria.provider_id)
    if criteria.province_id is not None:
        conditions.append(Course.province_id == criteria.province_id)
    return conditions


def list_courses(criteria: Criteria) -> ResultPage:
    """A page of approved courses matching the criteria, with the total count.

    Raises PageOutOfRange when the page is past the last one.
    """
    sort = criteria.effective_sort
    query_terms = criteria.terms
    if query_terms:
        facets = search.Facets(
            category_id=criteria.category_id,
            method=criteria.method,
            platform_id=criteria.platform_id,
            provider_id=criteria.provider_id,
            province_id=criteria.province_id,
        )
        matches = search.matches(query_terms, facets)
        base = sa.select(*_LISTING_COLUMNS).join(matches, matches.c.course_id == Course.id)
        conditions = _range_filters(criteria)
        count = sa.select(sa.func.count()).select_from(matches)
        if conditions:
            count = count.join(Course, Course.id == matches.c.course_id).where(*conditions)
        ordering = (
            (matches.c.rank.asc(), Course.enrolment_count.desc(), Course.id.desc())
            if sort == "relevance"
            else _ORDERINGS[sort]
        )
    else:
        base = sa.select(*_LISTING_COLUMNS)
        conditions = _facet_filters(criteria) + _range_filters(criteria)
        count = sa.select(sa.func.count(Course.id)).where(*conditions)
        ordering = _ORDERINGS[sort]

    total = db.session.scalar(count) or 0
    result = ResultPage(total=total, page=criteria.page, sort=sort)
    if criteria.page > result.pages:
        raise PageOutOfRange(result.pages)
    if total == 0:
        return result
    statement = (
        base.join(Provider, Provider.id == Course.provider_id)
        .join(Category, Category.id == Course.category_id)
        .join(Platform, Platform.id == Course.platform_id)
        .where(*conditions)
        .order_by(*ordering)
        .limit(PAGE_SIZE)
        .offset((criteria.page - 1) * PAGE_SIZE)
    )
    result.items = db.session.execute(statement).all()
    return result


def get_listed_course(slug: str) -> Course | None:
    """An approved course by slug, with what its page shows loaded, or None."""
    return db.session.scalar(
        sa.select(Course)
        .where(Course.slug == slug, Course.status == CourseStatus.APPROVED)
        .options(
            selectinload(Course.modules),
            selectinload(Course.provider).selectinload(Provider.province),
            selectinload(Course.platform),
            selectinload(Course.category),
            selectinload(Course.province),
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
