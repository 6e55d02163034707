"""The programme office's batches: list and create them, see applicants, run selection."""

from datetime import date, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.indonesia import utc_from_jakarta
from marketplace.money import ledger
from marketplace.programme import batches as batch_service
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.admin.forms import BatchForm, ConfirmForm
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.labels import BATCH_OUTCOMES, OFFICE_EMPLOYMENT, OFFICE_NOT_SELECTED
from marketplace.web.paging import page_or_400, within_pages

# Where a service's refusal about a batch is shown on the form.
FIELD_FOR = {
    "number": "number",
    "opens_at": "opens_date",
    "closes_at": "closes_date",
    "opens_date": "opens_date",
    "closes_date": "closes_date",
    "quota": "quota",
    "scheme": "scheme",
    "province_quotas": "province_quotas",
}


def _utc(day: date, clock: time) -> datetime:
    """A date and a time in WIB, as the form read them (web/dates.py), as naive UTC."""
    return utc_from_jakarta(day, clock.hour, clock.minute)


def _show_refusal(form: BatchForm, error: DomainError) -> None:
    for each in error.errors:
        field = form[FIELD_FOR.get(each.field, "number")]
        field.errors = [*field.errors, error_message(each)]


@bp.route("/batches", methods=["GET", "POST"])
@admin_required
def batches():
    """Every batch with its counts, and the form to create one."""
    form = BatchForm()
    form.scheme.choices = [(scheme.code, scheme.name) for scheme in batch_service.schemes()]
    status = 200
    if form.validate_on_submit():
        try:
            opens = _utc(form.opens_date.data, form.opens_time.data)
            closes = _utc(form.closes_date.data, form.closes_time.data)
            batch = batch_service.create_batch(
                form.number.data,
                opens,
                closes,
                form.quota.data,
                form.scheme.data,
                form.province_quota_ids,
                actor=current_user,
            )
        except DomainError as error:
            _show_refusal(form, error)
            status = 400
        else:
            flash(gettext("Batch %(number)s has been created.", number=batch.number), "success")
            return redirect(url_for("admin.batch", batch_id=batch.id))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "admin/batches.html", form=form, rows=batch_service.list_batches(), now=utcnow()
        ),
        status,
    )


def _batch_or_404(batch_id: int):
    batch = batch_service.get_batch(batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/batches/<id:batch_id>")
@admin_required
def batch(batch_id: int):
    """One batch: its counts, the ranking rule and its applications (NIKs masked)."""
    batch = _batch_or_404(batch_id)
    page = page_or_400(request.args.get("page"))
    results = within_pages(batch_service.applications(batch, page=page))
    return render_template(
        "admin/batch.html",
        batch=batch,
        tally=batch_service.counts([batch.id])[batch.id],
        results=results,
        now=utcnow(),
        reasons=OFFICE_NOT_SELECTED,
        outcomes=BATCH_OUTCOMES,
        employment=OFFICE_EMPLOYMENT,
    )


@bp.route("/batches/<id:batch_id>/select", methods=["GET", "POST"])
@admin_required
def select_batch(batch_id: int):
    """Check your answers, then run selection once the batch has closed."""
    batch = _batch_or_404(batch_id)
    form = ConfirmForm()
    status = 200
    problem = None
    if form.validate_on_submit():
        try:
            report = batch_service.select(batch, utcnow(), actor=current_user)
        except batch_service.SelectionAlreadyRun as error:
            problem, status = error_message(error), 409
        except DomainError as error:
            problem, status = error_message(error), 400
        else:
            flash(
                gettext(
                    "Selection has run: %(accepted)s accepted and given a card, "
                    "%(rejected)s not selected.",
                    accepted=report.accepted,
                    rejected=report.rejected_total,
                ),
                "success",
            )
            return redirect(url_for("admin.batch", batch_id=batch.id))
    elif request.method == "POST":
        status = 400
    tally = batch_service.counts([batch.id])[batch.id]
    places = min(batch.quota, tally.waiting)
    return (
        render_template(
            "admin/batch_select.html",
            form=form,
            batch=batch,
            tally=tally,
            now=utcnow(),
            problem=problem,
            most_needed=places * batch.scheme.training_balance,
            fund=ledger.balance_of(ledger.PROGRAMME_FUND),
        ),
        status,
    )
