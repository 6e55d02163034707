"""The catalogue: /courses (search, filters, sorting, pages) and /courses/<slug>."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import NotFound

from marketplace.catalogue import listing
from marketplace.extensions import limiter
from marketplace.learning import reviews
from marketplace.web.catalogue.cards import course_cards
from marketplace.web.catalogue.filters import filter_form
from marketplace.web.catalogue.pages import (
    CoursePart,
    kept_course_page,
    kept_course_part,
    kept_page,
)
from marketplace.web.catalogue.query import METHODS, SORT_LABELS, CatalogueQuery
from marketplace.web.fragments import keeping_parts
from marketplace.web.paging import page_or_400, within_pages

bp = Blueprint("catalogue", __name__)
SORT_NAMES = dict(SORT_LABELS)


@limiter.request_filter
def browsing_is_unlimited() -> bool:
    """Whether the request is for a catalogue page while no limit applies to it: anyone may
    browse and search as much as they like. Saying so spares Flask-Limiter looking up the
    limits of the busiest pages on every request (some 30 µs of a course page's 450).

    A filter exempts a request from every limit, so no view of this blueprint may carry one
    (a test holds it: it would not count), and a limit set for the whole site
    (RATELIMIT_DEFAULT or RATELIMIT_APPLICATION, e.g. against scraping) turns the filter off:
    the catalogue is then limited like every other page."""
    if request.blueprint != bp.name:
        return False
    config = current_app.config
    return not (config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"))


def page_context(
    query: CatalogueQuery, options: listing.FilterOptions, results=None, criteria=None
) -> dict:
    """What catalogue/index.html needs (also used by bench/catalogue_parts.py)."""
    return {
        "form": query,
        "keep": query.current_choices(),
        "filter_form": filter_form(query, options),
        "sort_labels": SORT_NAMES,
        "results": results,
        "criteria": criteria,
        "course_cards": course_cards(results.items) if results is not None else [],
    }


@bp.route("/courses")
def index():
    """Search and browse approved courses with filters in the query string."""
    options = listing.filter_options()
    query = CatalogueQuery(request.args, options)
    if query.errors:
        return render_template("catalogue/index.html", **page_context(query, options)), 400
    criteria = query.criteria(options)
    try:
        results = listing.list_courses(criteria, keep=keeping_parts())
    except listing.PageOutOfRange as error:
        not_found = NotFound()
        not_found.user_message = _(
            "This page of results does not exist. The results have %(pages)d page(s).",
            pages=error.pages,
        )
        raise not_found from None
    return kept_page(
        options,
        results,
        lambda: render_template(
            "catalogue/index.html", **page_context(query, options, results, criteria)
        ),
    )


@bp.route("/courses/<slug>")
def course(slug: str):
    """A course's page: what it teaches, who gives it, sessions, rating, the buy button."""
    if len(slug) > 200:
        abort(404)
    reviews_page = page_or_400(request.args.get("reviews_page"))
    part = kept_course_part(slug, reviews_page, lambda: _draw_course(slug, reviews_page))
    return kept_course_page(part, lambda: render_template("catalogue/course.html", part=part))


def _draw_course(slug: str, reviews_page: int) -> CoursePart:
    found = listing.get_listed_course(slug)
    if found is None:
        abort(404)
    sessions = listing.upcoming_sessions(found)
    body = render_template(
        "catalogue/_course.html",
        course=found,
        # Shown reviews per star, and a page of them newest first (`?reviews_page=2`).
        rating=reviews.rating_summary(found),
        reviews=within_pages(reviews.reviews_page(found, reviews_page)),
        first_name=reviews.first_name,
        sessions=sessions,
        others=listing.other_courses_by_provider(found),
        provider_course_count=listing.count_listed_by_provider(found.provider_id),
        methods=dict(METHODS),
    )
    return CoursePart(
        title=found.title,
        summary=found.summary,
        body=Markup(body),  # noqa: S704  # nosec B704  # drawn by an autoescaping template
        until=sessions[0].starts_at if sessions else None,
    )
