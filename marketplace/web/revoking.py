"""Revoking a certificate from a portal, in three steps shared by the programme office's
pages (web/admin/certificates.py) and the provider's (web/provider/certificates.py):

1. GET: the certificate's facts and a reason field (or, when it is revoked already, when
   and why);
2. POST without `confirm`: every rule is checked (`revocation.check`, nothing changes) and
   a check page asks "Revoke this certificate?" with the reason shown and a confirm button;
   `change` goes back to step 1 with the reason kept;
3. POST with `confirm`: `revocation.revoke`, a flash, and a redirect to the list.

A reason refused is a 400 with the form again; a certificate revoked meanwhile is a 409
saying when and why. The rules and the audit log are certificates/revocation.py's.
"""

from flask import flash, redirect, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from marketplace.certificates import issuing, revocation
from marketplace.certificates.models import Certificate
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l


class CertificateSearchForm(FlaskForm):
    """Find certificates: a code (typed any way), a holder's name or a course title."""

    class Meta:
        csrf = False  # a GET search that changes nothing

    q = StringField(
        _l("Code, holder's name or course title"),
        validators=[
            Length(
                max=revocation.LONGEST_QUERY,
                message=_l(
                    "Enter at most %(longest)s characters", longest=revocation.LONGEST_QUERY
                ),
            )
        ],
    )


class RevokeForm(FlaskForm):
    """Why the certificate is revoked: kept with it, in the audit log and in the holder's
    mail. revocation.reason_text checks it (10 to 500 characters), so the rule has one home."""

    reason = TextAreaField(_l("Why is the certificate revoked?"))


def public_path(certificate: Certificate) -> str:
    """The certificate's public page (built in web/certificates/), by its grouped code."""
    return revocation.PUBLIC_PATH + issuing.shown(certificate.code)


def _render(template: str, certificate: Certificate, form, step: str, status: int, **context):
    return (
        render_template(
            template,
            certificate=certificate,
            form=form,
            step=step,
            public_path=public_path(certificate),
            code=issuing.shown(certificate.code),
            shortest=revocation.SHORTEST_REASON,
            longest=revocation.LONGEST_REASON,
            **context,
        ),
        status,
    )


def revoke_steps(certificate: Certificate, template: str, back_to: str, **context):
    """The three steps above for `certificate` (found and allowed by the caller); `back_to`
    is the list the revocation returns to."""
    if request.method == "GET":
        return _render(template, certificate, RevokeForm(formdata=None), "reason", 200, **context)
    form = RevokeForm()
    if not form.validate_on_submit():  # the CSRF token
        return _render(template, certificate, form, "reason", 400, **context)
    try:
        reason = revocation.check(certificate, current_user, form.reason.data)
    except DomainError as error:
        if error.field:
            form.reason.errors = [*form.reason.errors, error_message(error)]
            return _render(template, certificate, form, "reason", 400, **context)
        return _render(
            template, certificate, form, "reason", 409, problem=error_message(error), **context
        )
    if "change" in request.form:
        return _render(template, certificate, form, "reason", 200, **context)
    if "confirm" not in request.form:
        return _render(template, certificate, form, "check", 200, reason=reason, **context)
    try:
        revocation.revoke(certificate, current_user, reason, utcnow())
    except DomainError as error:  # revoked by another request since the check
        return _render(
            template, certificate, form, "reason", 409, problem=error_message(error), **context
        )
    flash(
        gettext(
            "The certificate %(code)s is revoked. Its public page says so, and its holder has "
            "been told by email.",
            code=issuing.shown(certificate.code),
        ),
        "success",
    )
    return redirect(back_to)
