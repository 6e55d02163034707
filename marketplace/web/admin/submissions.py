"""/admin/submissions: every order's latest skill demonstration, for the programme office:
those still waiting for their provider's decision first, the longest waiting at the top, so
the office sees who nobody has answered. The office may open each file
(/files/demonstrations/<id>); the decision stays the provider's (learning/demonstrations.py)."""

from flask import render_template, request

from marketplace.core.base import utcnow
from marketplace.learning import demonstrations
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.paging import page_or_400, within_pages


@bp.route("/submissions")
@admin_required
def submissions():
    page = page_or_400(request.args.get("page"))
    results = within_pages(demonstrations.office_submissions(page))
    return render_template("admin/submissions.html", results=results, now=utcnow())
