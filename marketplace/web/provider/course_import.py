"""/provider/courses/import: many courses at once from a CSV file (curation/imports.py holds
the file's rules and reads every row by the editor's rules).

- GET  /provider/courses/import               the template's columns explained, the categories'
                                              slugs and the provinces' codes, the upload form
- GET  /provider/courses/import/template.csv  the template: UTF-8 with a byte order mark, the
                                              header and two example rows (one offline)
- POST /provider/courses/import               the file, and "import only the valid rows"
- GET  /provider/courses/import/<key>         the report of an import that made courses

A file that can't be read (encoding, size, columns) is a 400 naming the problem. A file with
refused rows, imported whole by default, imports nothing: a 400 with the report (line,
column, reason of each refused row) and the form again. An import that made courses (every
row valid, or the valid ones when asked) redirects to its report, kept in the audit log: a
reload posts nothing again, and only the provider's staff reads it (any other key: 404).

The form takes a file (`@takes_uploads`), and its body may exceed the site's
MAX_CONTENT_LENGTH up to UPLOAD_MAX_CONTENT_LENGTH (the file's own limit, imports.MOST_BYTES,
is below it and is said in the page's language); the CSV is read in memory, never stored.
"""

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import BooleanField

from marketplace.catalogue.models import Level, Method
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.curation import drafts, imports
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, ngettext, page_locale
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import takes_uploads
from marketplace.web.provider import bp
from marketplace.web.provider.settlement import csv_delimiter

ENDPOINT = "provider.course_import"
# Rows of the report's tables drawn on the page (the counts are whole).
SHOWN = 500


class ImportForm(FlaskForm):
    """The choice; the file is read from request.files by the view."""

    only_valid = BooleanField(_l("Import only the valid rows"))


@bp.url_value_preprocessor
def allow_a_file(endpoint, _values):
    """Let the import form's body be larger than the site's limit (URL value preprocessors
    run before the input check reads the body)."""
    if endpoint == ENDPOINT:
        request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]


def _link(endpoint: str, **values) -> str | None:
    """The editor's page, when the app has it (the report still reads without)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _reason(problem: imports.Problem) -> str:
    reason = error_message(problem.as_error())
    if problem.module is not None:
        return gettext("Module %(number)s: %(reason)s", number=problem.module, reason=reason)
    return reason


def _lines(problems: list[imports.Problem]) -> list[dict]:
    return [
        {"line": problem.line, "column": problem.column, "reason": _reason(problem)}
        for problem in problems[:SHOWN]
    ]


def _report_context(report: imports.Report) -> dict:
    """What the report's part of a page shows: counts, the refused rows, the warnings and,
    once imported, the drafts made (those the provider still has) with links."""
    accepted = []
    if report.imported:
        shown = report.accepted[:SHOWN]
        found = imports.imported_courses(
            current_user.provider, [course_id for _line, course_id in shown]
        )
        for line, course_id in shown:
            course = found.get(course_id)
            if course is not None:
                accepted.append(
                    {
                        "line": line,
                        "title": course.title,
                        "url": _link("provider.course", course_id=course_id),
                    }
                )
    return {
        "report": report,
        "refused": _lines(report.refused),
        "warnings": _lines(report.warnings),
        "accepted": accepted,
        "shown": SHOWN,
    }


def _form_page(form: ImportForm, status: int = 200, file_errors=(), report=None):
    categories, provinces = imports.reference()
    english = page_locale() == "en"
    return (
        render_template(
            "provider/course_import.html",
            form=form,
            file_errors=list(file_errors),
            methods=[method.value for method in Method],
            levels=[level.value for level in Level],
            categories=[
                (category.slug, category.name_en if english else category.name)
                for category in categories
            ],
            provinces=provinces,
            most_rows=imports.MOST_ROWS,
            most_megabytes=imports.MOST_BYTES // (1024 * 1024),
            most_modules=drafts.MOST_MODULES,
            courses_url=_link("provider.courses"),
            **(_report_context(report) if report is not None else {"report": None}),
        ),
        status,
    )


@bp.route("/courses/import", methods=["GET", "POST"])
@provider_required
@takes_uploads
def course_import():
    """The template explained and the upload form; a POST imports the file."""
    if request.method == "GET":
        return _form_page(ImportForm(formdata=None))
    form = ImportForm()
    if not form.validate_on_submit():
        return _form_page(form, 400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _form_page(form, 400, [gettext("Choose the CSV file to import.")])
    data = upload.read(imports.MOST_BYTES + 1)
    try:
        report = imports.import_courses(
            current_user.provider, current_user, data, utcnow(), only_valid=form.only_valid.data
        )
    except DomainError as refused:
        return _form_page(form, 400, [error_message(error) for error in refused.errors])
    if not report.imported:
        return _form_page(form, 400, report=report)
    count = len(report.accepted)
    flash(
        ngettext(
            "%(num)s course was imported as a draft.",
            "%(num)s courses were imported as drafts.",
            count,
        ),
        "success",
    )
    return redirect(url_for("provider.course_import_report", key=report.key))


@bp.route("/courses/import/<key>")
@provider_required
def course_import_report(key: str):
    """The report of one of this provider's imports; anyone else's, or no such key: 404."""
    report = imports.report_of(key, current_user.provider)
    if report is None:
        abort(404)
    return render_template(
        "provider/course_import_report.html",
        courses_url=_link("provider.courses"),
        **_report_context(report),
    )


@bp.route("/courses/import/template.csv")
@provider_required
def course_import_template():
    """The template: UTF-8 with a byte order mark (spreadsheets then read it as UTF-8)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=csv_delimiter()).writerows(imports.template_rows())
    response = Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), mimetype="text/csv")
    name = gettext("course-import-template.csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
