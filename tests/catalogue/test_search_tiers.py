"""A relevance page is cut tier by tier on SQLite (listing._ranked_page_by_tiers) and in one
ranked statement on PostgreSQL: on both, walking every page gives every match once, the
tiers in order (the searched word in the title; in the body; through its root only), with
and without range filters, and the total agrees with the rows."""

import pytest

from marketplace.catalogue import listing
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
