"""/admin/providers: the programme office's training providers, each with its platform, its
staff accounts and open invitations; a provider's page invites a person by email and
withdraws an open invitation. The rules, the audit and the mail are people/invitations.py's.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from marketplace.catalogue.models import Provider
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people import invitations
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.auth.forms import ActionForm, _email_field
from marketplace.web.formatting import error_message, wib
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.paging import page_or_400, within_pages

PER_PAGE = 50
INVITATION_STATES = {
    "open": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "voided": _l("Withdrawn"),
    "expired": _l("Expired"),
}
INVITATION_TAGS = {
    "open": "tag--green",
    "accepted": "tag--grey",
    "voided": "tag--yellow",
    "expired": "tag--yellow",
}


class ProviderSearchForm(FlaskForm):
    """A part of a provider's name."""

    class Meta:
        csrf = False  # a GET search that changes nothing

    q = StringField(
        _l("Provider's name"),
        validators=[Length(max=200, message=_l("Enter at most 200 characters"))],
    )


class InviteForm(FlaskForm):
    """The address of the person to invite."""

    email = _email_field(_l("Email address of the person to invite"))


@bp.route("/providers")
@admin_required
def providers():
    """Every training provider by name, or those whose name holds the search, 50 a page."""
    form = ProviderSearchForm(request.args)
    page = page_or_400(request.args.get("page"))
    if not form.validate():
        return render_template("admin/providers.html", form=form, results=None, people={}), 400
    results = within_pages(invitations.find_providers(form.q.data or "", page, PER_PAGE))
    people = invitations.people_of([row.id for row in results.items], utcnow())
    return render_template("admin/providers.html", form=form, results=results, people=people)


def _provider_or_404(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        abort(404)
    return provider


def _provider_page(provider: Provider, form: InviteForm, problem=None, status: int = 200):
    now = utcnow()
    rows = [
        (invitation, invitations.state_of(invitation, now).value)
        for invitation in invitations.invitations_of(provider.id)
    ]
    return (
        render_template(
            "admin/provider.html",
            provider=provider,
            staff=invitations.staff_of(provider.id),
            invitations=rows,
            form=form,
            problem=problem,
            states=INVITATION_STATES,
            tags=INVITATION_TAGS,
            days=invitations.INVITATION_MAX_AGE.days,
        ),
        status,
    )


@bp.route("/providers/<id:provider_id>")
@admin_required
def provider(provider_id: int):
    """One provider: its staff, its invitations in every state, the invitation form."""
    return _provider_page(_provider_or_404(provider_id), InviteForm(formdata=None))


@bp.route("/providers/<id:provider_id>/invitations", methods=["POST"])
@admin_required
def invite_staff(provider_id: int):
    """Invite a person by email to a staff account of the provider; the link is mailed."""
    found = _provider_or_404(provider_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _provider_page(found, form, status=400)
    try:
        invited = invitations.invite(found, form.email.data, current_user, utcnow())
    except DomainError as error:
        form.email.errors = [*form.email.errors, error_message(error)]
        return _provider_page(found, form, status=400)
    flash(
        gettext(
            "The invitation has been sent to %(email)s. Its link works until %(until)s.",
            email=invited.invitation.email,
            until=wib(invited.invitation.expires_at),
        ),
        "success",
    )
    return redirect(url_for("admin.provider", provider_id=found.id))


@bp.route("/providers/invitations/<id:invitation_id>/void", methods=["POST"])
@admin_required
def void_invitation(invitation_id: int):
    """Withdraw an open invitation: its link stops working. Back to its provider's page."""
    invitation = invitations.invitation_by_id(invitation_id)
    if invitation is None:
        abort(404)
    found = invitation.provider
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        invitations.void(invitation, current_user, utcnow())
    except DomainError as error:
        return _provider_page(found, InviteForm(formdata=None), error_message(error), 409)
    flash(
        gettext(
            "The invitation to %(email)s has been withdrawn: its link no longer works.",
            email=invitation.email,
        ),
        "success",
    )
    return redirect(url_for("admin.provider", provider_id=found.id))
