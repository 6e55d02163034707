"""The programme office's orders: find one, read it, refund it with a recorded reason."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.orders import checkout, redemption, refunds
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.admin.forms import OrderSearchForm, RefundForm
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.labels import ORDER_STATUSES, ORDER_TAGS
from marketplace.web.paging import page_or_400, within_pages


@bp.route("/orders")
@admin_required
def orders():
    """Every order, newest first, or those matching an order number, code or email."""
    form = OrderSearchForm(request.args)
    page = page_or_400(request.args.get("page"))
    if not form.validate():
        return render_template(
            "admin/orders.html", form=form, results=None, statuses=ORDER_STATUSES, tags=ORDER_TAGS
        ), 400
    results = within_pages(checkout.find_orders(form.q.data or "", page=page))
    return render_template(
        "admin/orders.html", form=form, results=results, statuses=ORDER_STATUSES, tags=ORDER_TAGS
    )


def _order_or_404(order_id: int):
    found = checkout.order_by_id(order_id)
    if found is None:
        abort(404)
    return found


def _order_page(order, form: RefundForm, status: int = 200):
    session = order.session
    return (
        render_template(
            "admin/order.html",
            order=order,
            course=order.course,
            session=session,
            window=redemption.redeem_window(session) if session is not None else None,
            refundable=order.status in refunds.REFUNDABLE,
            form=form,
            statuses=ORDER_STATUSES,
            tags=ORDER_TAGS,
        ),
        status,
    )


@bp.route("/orders/<id:order_id>")
@admin_required
def order(order_id: int):
    """One order: who bought what, its codes and status, and the refund form."""
    return _order_page(_order_or_404(order_id), RefundForm())


@bp.route("/orders/<id:order_id>/refund", methods=["POST"])
@admin_required
def refund_order(order_id: int):
    """Refund the order to its card, with the reason the office writes."""
    found = _order_or_404(order_id)
    form = RefundForm()
    if not form.validate_on_submit():
        return _order_page(found, form, 400)
    try:
        refunds.refund_order(found, form.reason.data, utcnow(), actor=current_user)
    except DomainError as error:
        form.reason.errors = [*form.reason.errors, error_message(error)]
        return _order_page(_order_or_404(order_id), form, 409 if error.field is None else 400)
    flash(
        gettext("Order %(number)s has been refunded to the participant's card.", number=order_id),
        "success",
    )
    return redirect(url_for("admin.order", order_id=order_id))
