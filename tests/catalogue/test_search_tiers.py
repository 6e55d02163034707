"""A relevance page is cut tier by tier on SQLite (listing._ranked_page_by_tiers) and in one
ranked statement on PostgreSQL: on both, walking every page gives every match once, the
tiers in order (the searched word in the title; in the body; through its root only), with
and without range filters, and the total agrees with the rows. Other sorts walk every match
once in their order too; on SQLite they, and ranges, go through the sort keys' index."""

import pytest
import sqlalchemy as sa

from marketplace.catalogue import listing
from marketplace.catalogue.models import Course
from marketplace.extensions import db

# (title, summary, price): "pemasaran" in the title, in the summary only, or only its root
# ("pasar", "dipasarkan") anywhere.
# 15 of each, so that pages of 20 end inside a tier and across tiers.
COURSES = [
    *[
        (f"Pemasaran Digital Angkatan {n}", "Belajar iklan daring.", 50_000 * n)
        for n in range(1, 16)
    ],
    *[(f"Kelas Konten Kreatif {n}", "Rencana pemasaran toko.", 40_000 * n) for n in range(1, 16)],
    *[(f"Riset Pasar Sederhana {n}", "Produk yang dipasarkan.", 30_000 * n) for n in range(1, 16)],
    ("Menjahit Busana", "Pola dan jahitan.", 200_000),
]
TITLE, BODY, ROOT = range(3)


def tier_of(title: str) -> int:
    if title.startswith("Pemasaran"):
        return TITLE
    return BODY if title.startswith("Kelas Konten") else ROOT


@pytest.fixture
def catalogue(ctx, factory):
    category = factory.category()
    for title, summary, price in COURSES:
        factory.course(title, summary=summary, description=summary, price=price, category=category)
    db.session.commit()


def walk(criteria: listing.Criteria) -> tuple[list[str], int]:
    titles, page, total = [], 1, 0
    while True:
        found = listing.list_courses(listing.Criteria(**{**criteria.__dict__, "page": page}))
        total = found.total
        titles += [item.title for item in found.items]
        if page >= found.pages:
            return titles, total
        page += 1


@pytest.mark.parametrize("max_price", [None, 400_000])
def test_pages_hold_every_match_once_with_the_tiers_in_order(catalogue, max_price):
    titles, total = walk(listing.Criteria(q="pemasaran", max_price=max_price))
    expected = {
        title
        for title, _summary, price in COURSES
        if title != "Menjahit Busana" and (max_price is None or price <= max_price)
    }
    assert len(titles) == len(set(titles)) == total
    assert set(titles) == expected
    tiers = [tier_of(title) for title in titles]
    assert tiers == sorted(tiers), titles
    assert {TITLE, BODY, ROOT} <= set(tiers)


def test_a_page_past_the_last_is_refused(catalogue):
    with pytest.raises(listing.PageOutOfRange):
        listing.list_courses(listing.Criteria(q="pemasaran", max_price=400_000, page=99))


# --- other sorts: filtered and sorted on the sort keys' index, the page's rows read after ---


def _by(sort: str):
    rows = {course.title: course for course in db.session.scalars(sa.select(Course))}
    keys = {
        "price_asc": lambda c: (c.price, c.id),
        "price_desc": lambda c: (-c.price, -c.id),
        "popular": lambda c: (-c.enrolment_count, -c.id),
        "newest": lambda c: (-c.published_at.timestamp(), -c.id),
    }
    return lambda titles: sorted(titles, key=lambda title: keys[sort](rows[title]))


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "popular", "newest"])
@pytest.mark.parametrize("max_price", [None, 400_000])
def test_other_sorts_walk_every_match_once_in_their_order(catalogue, sort, max_price):
    titles, total = walk(listing.Criteria(q="pemasaran", max_price=max_price, sort=sort))
    expected = [
        title
        for title, _summary, price in COURSES
        if title != "Menjahit Busana" and (max_price is None or price <= max_price)
    ]
    assert len(titles) == len(set(titles)) == total == len(expected)
    assert titles == _by(sort)(expected)


def _plan(statement: str, values: dict) -> str:
    rows = db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {statement}"), values).all()
    return " | ".join(row[-1] for row in rows)


def _sqlite_only() -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plans (PostgreSQL plans its own joins)")


@pytest.mark.parametrize("ranges", [(), ("max_price",), ("max_price", "min_rating")])
def test_sqlite_meets_the_matches_on_the_sort_keys_index(catalogue, ranges):
    _sqlite_only()
    values = {"match": '"pemasaran"', "max_price": 1, "min_rating": 1, "limit": 20, "offset": 0}
    count, page = listing._listing_statements("sqlite", True, (), ranges, "popular")
    page_plan = _plan(str(page), values)
    assert f"COVERING INDEX {listing.SORT_KEYS_INDEX}" in page_plan, page_plan
    if ranges:
        assert f"COVERING INDEX {listing.SORT_KEYS_INDEX}" in _plan(str(count), values)
        tier_count, tier_page = listing._tier_statements(ranges)
        assert f"COVERING INDEX {listing.SORT_KEYS_INDEX}" in _plan(str(tier_count), values)
        assert f"COVERING INDEX {listing.SORT_KEYS_INDEX}" in _plan(str(tier_page), values)


def test_a_providers_most_enrolled_courses_come_from_one_index(catalogue):
    _sqlite_only()
    course = db.session.scalars(sa.select(Course)).first()
    seen: list[tuple] = []

    def record(_connection, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        listing.other_courses_by_provider(course)
        listing.count_listed_by_provider(course.provider_id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    for statement, parameters in seen:
        plan = " | ".join(
            row[-1]
            for row in db.session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters
            )
        )
        assert "INDEX ix_course_provider_listed (provider_id=? AND status=?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
