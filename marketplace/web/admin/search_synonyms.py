"""/admin/search/synonyms: the programme office's search synonyms. A group holds phrases that
mean the same to a searcher; a search for any of them also finds courses with the others.
The page lists every group and adds one; each group is changed on its own page and deleted
from the list. The rules and the audit log are catalogue/synonyms.py's; the next search
anywhere uses a change (the catalogue's revision rises with it)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.catalogue import synonyms
from marketplace.catalogue.models import SearchSynonym
from marketplace.core import DomainError
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.admin.forms import ConfirmForm
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l

# What the form's hint says of a group (the domain's limits).
RULES = {
    "fewest": synonyms.MIN_PHRASES,
    "most": synonyms.MAX_PHRASES,
    "words": synonyms.MAX_PHRASE_WORDS,
    "characters": synonyms.MAX_PHRASE_LENGTH,
}


class SynonymGroupForm(FlaskForm):
    """The phrases of a group, separated by commas or one per line (checked by the domain)."""

    phrases = TextAreaField(_l("Phrases that mean the same"))


def _refused(form: SynonymGroupForm, error: DomainError) -> None:
    form.phrases.errors = [*form.phrases.errors, *(error_message(e) for e in error.errors)]


def _list_page(form: SynonymGroupForm, status: int = 200):
    return (
        render_template(
            "admin/search_synonyms.html",
            form=form,
            groups=synonyms.groups(),
            delete_form=ConfirmForm(formdata=None),
            rules=RULES,
        ),
        status,
    )


def _group_or_404(group_id: int) -> SearchSynonym:
    group = synonyms.group_by_id(group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/search/synonyms", methods=["GET", "POST"])
@admin_required
def search_synonyms():
    """Every group, oldest first, and the form that adds one."""
    if request.method == "GET":
        return _list_page(SynonymGroupForm(formdata=None))
    form = SynonymGroupForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    try:
        group = synonyms.add(form.phrases.data, current_user)
    except DomainError as error:
        _refused(form, error)
        return _list_page(form, 400)
    flash(
        gettext(
            "The group has been added: %(phrases)s. A search for any of these phrases now "
            "also finds courses with the others.",
            phrases=", ".join(group.phrase_list),
        ),
        "success",
    )
    return redirect(url_for("admin.search_synonyms"))


def _group_page(group: SearchSynonym, form: SynonymGroupForm, status: int = 200):
    return (
        render_template("admin/search_synonym.html", group=group, form=form, rules=RULES),
        status,
    )


@bp.route("/search/synonyms/<id:group_id>", methods=["GET", "POST"])
@admin_required
def search_synonym(group_id: int):
    """One group's phrases, to change."""
    group = _group_or_404(group_id)
    if request.method == "GET":
        return _group_page(group, SynonymGroupForm(phrases=", ".join(group.phrase_list)))
    form = SynonymGroupForm()
    if not form.validate_on_submit():
        return _group_page(group, form, 400)
    try:
        synonyms.change(group, form.phrases.data, current_user)
    except DomainError as error:
        _refused(form, error)
        return _group_page(group, form, 400)
    flash(
        gettext("The group has been changed: %(phrases)s.", phrases=", ".join(group.phrase_list)),
        "success",
    )
    return redirect(url_for("admin.search_synonyms"))


@bp.route("/search/synonyms/<id:group_id>/delete", methods=["POST"])
@admin_required
def delete_search_synonym(group_id: int):
    """Delete a group: its phrases no longer find one another."""
    group = _group_or_404(group_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    phrases = synonyms.delete(group, current_user)
    flash(
        gettext(
            "The group has been deleted: %(phrases)s. Its phrases no longer find one another.",
            phrases=", ".join(phrases),
        ),
        "success",
    )
    return redirect(url_for("admin.search_synonyms"))
