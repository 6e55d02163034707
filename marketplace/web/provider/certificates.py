"""/provider/certificates: the certificates of this provider's courses, and revoking one with
a reason after a check page (web/revoking.py). Another provider's certificate is not found
(404). The rules and the audit log are certificates/revocation.py's."""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from marketplace.certificates import revocation
from marketplace.web.access import provider_required
from marketplace.web.paging import page_or_400, within_pages
from marketplace.web.provider import bp
from marketplace.web.revoking import CertificateSearchForm, public_path, revoke_steps


@bp.route("/certificates")
@provider_required
def certificates():
    """The certificates of the provider's courses, newest first, 20 a page, or those matching
    the search."""
    form = CertificateSearchForm(request.args)
    page = page_or_400(request.args.get("page"))
    if not form.validate():
        return render_template(
            "provider/certificates.html", form=form, results=None, public_path=public_path
        ), 400
    results = within_pages(
        revocation.provider_certificates(current_user.provider_id, page, form.q.data)
    )
    return render_template(
        "provider/certificates.html", form=form, results=results, public_path=public_path
    )


@bp.route("/certificates/<id:certificate_id>/revoke", methods=["GET", "POST"])
@provider_required
def revoke_certificate(certificate_id: int):
    """The certificate's facts and the reason, a check page, then the revocation."""
    found = revocation.of_provider(current_user.provider_id, certificate_id)
    if found is None:
        abort(404)
    return revoke_steps(
        found,
        "provider/certificate_revoke.html",
        url_for("provider.certificates"),
        list_endpoint="provider.certificates",
        revoke_endpoint="provider.revoke_certificate",
    )
