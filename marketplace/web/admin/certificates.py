"""/admin/certificates: the programme office finds certificates (by code, holder's name or
course title) and revokes one with a reason, after a check page (web/revoking.py). The rules
and the audit log are certificates/revocation.py's."""

from flask import abort, render_template, request, url_for

from marketplace.certificates import revocation
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.paging import page_or_400, within_pages
from marketplace.web.revoking import CertificateSearchForm, public_path, revoke_steps


@bp.route("/certificates")
@admin_required
def certificates():
    """Every certificate, newest first, 20 a page, or those matching the search."""
    form = CertificateSearchForm(request.args)
    page = page_or_400(request.args.get("page"))
    if not form.validate():
        return render_template(
            "admin/certificates.html", form=form, results=None, public_path=public_path
        ), 400
    results = within_pages(revocation.office_certificates(form.q.data, page))
    return render_template(
        "admin/certificates.html", form=form, results=results, public_path=public_path
    )


@bp.route("/certificates/<id:certificate_id>/revoke", methods=["GET", "POST"])
@admin_required
def revoke_certificate(certificate_id: int):
    """The certificate's facts and the reason, a check page, then the revocation."""
    found = revocation.certificate_by_id(certificate_id)
    if found is None:
        abort(404)
    return revoke_steps(
        found,
        "admin/certificate_revoke.html",
        url_for("admin.certificates"),
        list_endpoint="admin.certificates",
        revoke_endpoint="admin.revoke_certificate",
    )
