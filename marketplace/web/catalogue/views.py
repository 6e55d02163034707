"""The catalogue: /courses (search, filters, sorting, pages) and /courses/<slug>."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from marketplace.services import catalogue
from marketplace.web.catalogue.cards import course_cards
from marketplace.web.catalogue.filters import filter_fields
from marketplace.web.catalogue.forms import METHODS, SORT_LABELS, CatalogueForm

bp = Blueprint("catalogue", __name__)
SORT_NAMES = dict(SORT_LABELS)


def criteria_from(form: CatalogueForm, options: catalogue.FilterOptions) -> catalogue.Criteria:
    """The service's criteria from a valid form: slugs resolved to ids."""

    def pick(mapping, slug):
        return mapping[slug].id if slug else None

    return catalogue.Criteria(
        q=(form.q.data or "").strip(),
        category_id=pick(options.categories, form.category.data),
        method=form.method.data or None,
        platform_id=pick(options.platforms, form.platform.data),
        provider_id=pick(options.providers, form.provider.data),
        province_id=pick(options.provinces, form.province.data),
        min_price=form.min_price.data,
        max_price=form.max_price.data,
        min_rating=float(form.min_rating.data) if form.min_rating.data else None,
        sort=form.sort.data or None,
        page=form.page.data or 1,
    )


def page_context(
    form: CatalogueForm, options: catalogue.FilterOptions, results=None, criteria=None
) -> dict:
    """What catalogue/index.html needs (also used by bench/catalogue_parts.py)."""
    return {
        "form": form,
        "keep": form.current_choices(),
        "filter_fields": filter_fields(form, options),
        "sort_labels": SORT_NAMES,
        "results": results,
        "criteria": criteria,
        "cards": course_cards(results.items) if results is not None else [],
    }


@bp.route("/courses")
def index():
    """Search and browse approved courses with filters in the query string."""
    options = catalogue.filter_options()
    form = CatalogueForm(request.args)
    form.set_choices(options)
    if not form.validate():
        return render_template("catalogue/index.html", **page_context(form, options)), 400
    criteria = criteria_from(form, options)
    try:
        results = catalogue.list_courses(criteria)
    except catalogue.PageOutOfRange as error:
        not_found = NotFound()
        not_found.user_message = _(
            "This page of results does not exist. The results have %(pages)d page(s).",
            pages=error.pages,
        )
        raise not_found from None
    return render_template("catalogue/index.html", **page_context(form, options, results, criteria))


@bp.route("/courses/<slug>")
def course(slug: str):
    """A course's page: what it teaches, who gives it, sessions, rating, the buy button."""
    if len(slug) > 200:
        abort(404)
    found = catalogue.get_listed_course(slug)
    if found is None:
        abort(404)
    return render_template(
        "catalogue/course.html",
        course=found,
        sessions=catalogue.upcoming_sessions(found),
        others=catalogue.other_courses_by_provider(found),
        provider_course_count=catalogue.count_listed_by_provider(found.provider_id),
        methods=dict(METHODS),
    )
