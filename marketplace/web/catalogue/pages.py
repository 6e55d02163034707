"""Catalogue pages and filter forms drawn once and kept, with the reference data they show.

The catalogue (`/courses`) is the busiest page of the site and the most asked-for searches
come back again and again. Two of its rendered parts are kept (web/fragments.py):

- the search-and-filter form of a query without errors, under the language, the path root
  and what was typed in each field;
- for a visitor who is not signed in and has no session, the whole page, under the language,
  the path root, the path and query string as sent, and the results it shows: their count,
  page, order and every result row (catalogue.listing's `ListedCourse`: the result page of
  the request, read from the database or kept under the catalogue's revision, which any
  change raises). A course edited, rated, bought or withdrawn changes the rows (or the
  count), so the page is drawn again at once, in every worker; nothing else on the page
  depends on the database except the filter lists.

Both are kept with the set of reference data the filter lists come from
(`catalogue.listing.filter_options`, read again every minute, the same set while unchanged):
a changed set starts with nothing kept, and the old set's parts go with it. A page with
errors in its query, or for a signed-in user (the header shows who they are), is always
drawn afresh.

A course's page (`/courses/<slug>`) is kept in two layers: its content, under the catalogue's
revision, for everyone (`kept_course_part`), and, for a visitor who is not signed in and has
no session, the whole page around that content (`kept_course_page`).
"""

from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from weakref import WeakKeyDictionary

from flask import Response, request, session
from markupsafe import Markup

from marketplace.catalogue import listing, search
from marketplace.catalogue.listing import FilterOptions, ResultPage
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.web.auth.session import signed_in_user
from marketplace.web.catalogue.query import LABELS
from marketplace.web.fragments import (
    RenderedParts,
    a_visitor_without_session,
    keeping_parts,
    rendered_parts,
)
from marketplace.web.i18n import page_locale

# Rendered filter forms and pages per set of reference data, as many as the result pages kept
# (listing.RESULTS_KEPT): a kept result page is of most use with its page kept too. A form is
# some 19 KB (38 MB per worker at most), a page some 32 KB of UTF-8 (64 MB at most).
FORMS_KEPT = listing.RESULTS_KEPT
PAGES_KEPT = listing.RESULTS_KEPT

_kept: WeakKeyDictionary = WeakKeyDictionary()  # FilterOptions -> {kind: RenderedParts}
_lock = Lock()


def kept_with(options: FilterOptions, kind: str, size: int) -> RenderedParts:
    """The store of one kind of rendered part kept with a set of reference data."""
    with _lock:
        stores = _kept.setdefault(options, {})
        store = stores.get(kind)
        if store is None:
            store = stores[kind] = RenderedParts(size)
    return store


def kept_form(options: FilterOptions, typed: tuple, draw) -> Markup:
    """The filter form for what was `typed` in its fields, drawn by `draw()` if not kept."""
    if not keeping_parts():
        return draw()
    store = kept_with(options, "forms", FORMS_KEPT)
    key = (page_locale(), request.script_root, typed)
    form = store.get(key)
    if form is None:
        form = draw()
        store.put(key, form)
    return form


def _asks_only(names) -> bool:
    """Whether the query string holds nothing but `names`, each once: a page is kept for
    what a visitor can ask of it, not for every tracking parameter or made-up name a link
    may carry (each would take a place in the store)."""
    args = request.args
    return all(name in names and len(args.getlist(name)) == 1 for name in args)


def _keep_drawn(store: RenderedParts, key, page: str | Response, value=None) -> bytes | Response:
    """Keep the page just drawn for the next visitor without a session, and answer it.

    Kept as UTF-8 bytes: half the memory of a string holding any character past U+00FF
    (★, –), and the answer needs no encoding. Not kept if drawing it wrote to the session
    (a CSRF token, a message): such a page is this visitor's alone."""
    if not isinstance(page, str):
        return page
    encoded = page.encode()
    if not session:
        store.put(key, encoded if value is None else (value, encoded))
    return encoded


def kept_page(options: FilterOptions, results: ResultPage, draw) -> str | bytes | Response:
    """The catalogue page showing `results`, drawn by `draw()` if not kept for the visitor."""
    if not keeping_parts() or not a_visitor_without_session() or not _asks_only(LABELS):
        return draw()
    store = kept_with(options, "pages", PAGES_KEPT)
    key = (
        page_locale(),
        request.script_root,
        request.path,
        request.query_string,
        results.total,
        results.page,
        results.sort,
        results.search,
        tuple(results.items),
    )
    page = store.get(key)
    if page is not None:
        return page
    return _keep_drawn(store, key, draw())


COURSE_PARTS_KEPT = 1000  # drawn course page contents per process (some 8 KB each)
# Whole course pages per process, for visitors without a session (some 9 KB of UTF-8 each,
# 9 MB at most), and what may be asked of one: its page of reviews.
COURSE_PAGES_KEPT = 1000
COURSE_ASKED = frozenset({"reviews_page"})


@dataclass(frozen=True)
class CoursePart:
    """A course page's content as drawn, with the title and summary its head shows, and
    when it stops being right on its own: the start of the first session it lists (a
    session that has begun is no longer upcoming)."""

    title: str
    summary: str
    body: Markup
    until: datetime | None


def kept_course_part(slug: str, reviews_page: int, draw) -> CoursePart:
    """The content of a course's page, drawn by `draw()` (which may abort with 404) unless
    kept under the catalogue's revision and everything else it shows: the language, the
    path root, the course, the page of reviews and whether the visitor is signed in (the
    buy button leads to the checkout or to signing in). Any change to the course, its
    sessions, modules, reviews, provider or other courses raises the revision (database
    triggers), so the next request draws it afresh, in every process."""
    if not keeping_parts():
        return draw()
    revision = search.catalogue_revision()
    store = rendered_parts("course-pages", COURSE_PARTS_KEPT)
    key = (
        page_locale(),
        request.script_root,
        slug,
        reviews_page,
        signed_in_user() is not None,
    )
    kept = store.get(key)
    if kept is not None:
        kept_revision, part = kept
        if kept_revision == revision and (part.until is None or utcnow() < part.until):
            return part
    # Kept under the revision the drawing's transaction sees (see listing.list_courses).
    seen = search.catalogue_revision(db.session.connection())
    part = draw()
    store.put(key, (seen, part))
    return part


def kept_course_page(part: CoursePart, draw) -> str | bytes:
    """The course page around `part`, drawn by `draw()` unless kept for a visitor who is not
    signed in and has no session, under the language, the path root, the path and query
    string, and the very `part` it shows: `kept_course_part` gives the same part while the
    catalogue's revision stands, and a new one after any change, so a page kept around an
    older part is drawn again at once. Around the part the page shows nothing of the database;
    for such a visitor nothing of who they are (a sign-in link back to this path)."""
    if not keeping_parts() or not a_visitor_without_session() or not _asks_only(COURSE_ASKED):
        return draw()
    store = rendered_parts("course-whole-pages", COURSE_PAGES_KEPT)
    key = (page_locale(), request.script_root, request.path, request.query_string)
    kept = store.get(key)
    # `is`, not equality nor id(): the store holds the part the page was drawn around, so no
    # other part can take its identity while the page is kept.
    if kept is not None and kept[0] is part:
        return kept[1]
    return _keep_drawn(store, key, draw(), part)
