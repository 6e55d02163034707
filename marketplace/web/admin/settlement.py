"""The programme office's view of the money owed to training providers, month by month.

/admin/settlement?month=YYYY-MM&sort=…          every provider whose account moved in the
                                                month, with its totals, sorted by what is
                                                owed (highest first by default, lowest first)
                                                or by name; 50 a page; the totals of them all
/admin/settlement/csv?month=YYYY-MM&sort=…      the same overview as a CSV file
/admin/settlement/<provider id>?month=YYYY-MM   one provider's statement, as the provider
                                                sees it (with links to the orders)
/admin/settlement/<provider id>/csv?month=…     that statement as a CSV file

Read only. A month that can't be read, or an unknown sort, is a 400 saying why; an unknown
provider is a 404. money/settlement.py reads the books; the statement's page and CSV are
the provider's (web/provider/settlement.py).
"""

from flask import abort, render_template, request, url_for
from werkzeug.exceptions import BadRequest
from wtforms import SelectField
from wtforms.validators import AnyOf

from marketplace.catalogue.models import Provider
from marketplace.extensions import db
from marketplace.money import settlement as settling
from marketplace.money.statements import PageOutOfRange
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.i18n import gettext
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.paging import page_not_found, page_or_400
from marketplace.web.provider.settlement import (
    MonthForm,
    commission_rate,
    csv_response,
    month_links,
    month_name,
    month_or_400,
    number_format_note,
    statement_csv,
    statement_page,
)

SORTS = (
    ("owed_desc", _l("Most owed first")),
    ("owed_asc", _l("Least owed first")),
    ("name", _l("Training provider, A to Z")),
)
SORT_VALUES = [value for value, _label in SORTS]


class OverviewForm(MonthForm):
    """The overview's query string: the month and the order of the providers."""

    sort = SelectField(
        _l("Sort by"),
        choices=list(SORTS),
        default="owed_desc",
        validate_choice=False,
        validators=[AnyOf(SORT_VALUES, message=_l("Choose an order from the list"))],
    )


def _sort_or_400() -> str:
    """The `sort` of the query string, or a 400 page saying what is wrong with it."""
    sort = request.args.get("sort") or "owed_desc"
    if sort not in SORT_VALUES:
        refused = BadRequest()
        refused.user_message = gettext("Choose an order from the list")
        raise refused
    return sort


def _provider_or_404(provider_id: int) -> Provider:
    found = db.session.get(Provider, provider_id)
    if found is None:
        abort(404)
    return found


@bp.route("/settlement")
@admin_required
def settlement():
    """Every provider's totals for a month, and the totals of them all."""
    form = OverviewForm(request.args)
    if not form.validate():
        return render_template("admin/settlement.html", form=form, overview=None), 400
    month = form.chosen()
    sort = form.sort.data or "owed_desc"
    page = page_or_400(request.args.get("page"))
    overview = settling.month_overview(month, sort)
    try:
        rows = overview.page(page)
    except PageOutOfRange as error:
        raise page_not_found(error) from None
    query = {"sort": sort if sort != "owed_desc" else None}
    return render_template(
        "admin/settlement.html",
        form=form,
        overview=overview,
        rows=rows,
        month_title=month_name(month),
        months=month_links(month, "admin.settlement", **query),
        csv_url=url_for("admin.settlement_csv", month=month.key, **query),
        page_urls={
            shown: url_for("admin.settlement", month=month.key, page=shown, **query)
            for shown in {1, rows.page - 1, rows.page + 1, rows.pages}
            if 1 <= shown <= rows.pages
        },
        rates={row.provider_id: commission_rate(row.totals.commission_bp) for row in rows.items},
        sort=sort,
        # The owed column's heading sorts by it: highest first, or lowest first when it is.
        owed_sort_url=url_for(
            "admin.settlement",
            month=month.key,
            sort="owed_asc" if sort == "owed_desc" else None,
        ),
    )


@bp.route("/settlement/csv")
@admin_required
def settlement_csv():
    """Every provider's totals for a month as a CSV file, in the order asked for."""
    month = month_or_400()
    overview = settling.month_overview(month, _sort_or_400())
    rows = [
        [number_format_note()],
        [gettext("Month"), month_name(month)],
        [],
        [
            gettext("Training provider"),
            gettext("Training provider number"),
            gettext("Digital platform"),
            gettext("Commission rate (basis points: %(example)s)", example="1500 = 15%"),
            gettext("Orders paid (number)"),
            gettext("Orders paid (Rp)"),
            gettext("Refunds (number)"),
            gettext("Refunds (Rp)"),
            gettext("Net sales (Rp)"),
            gettext("Platform commission (Rp)"),
            gettext("Owed by the programme (Rp)"),
        ],
        *(
            [
                row.provider_name,
                row.provider_id,
                row.platform_name,
                row.totals.commission_bp,
                row.totals.orders_paid,
                row.totals.paid,
                row.totals.refunds,
                row.totals.refunded,
                row.totals.net_sales,
                row.totals.commission,
                row.totals.owed,
            ]
            for row in overview.rows
        ),
        [
            gettext("All training providers"),
            None,
            None,
            None,
            overview.orders_paid,
            overview.paid,
            overview.refunds,
            overview.refunded,
            overview.net_sales,
            overview.commission,
            overview.owed,
        ],
    ]
    filename = gettext("settlement-all-providers-%(month)s.csv", month=month.key)
    return csv_response(rows, filename)


@bp.route("/settlement/<id:provider_id>")
@admin_required
def settlement_provider(provider_id: int):
    """One provider's statement for a month, as the provider sees it."""
    provider = _provider_or_404(provider_id)
    form = MonthForm(request.args)
    form.validate()
    return statement_page(
        provider,
        form,
        endpoint="admin.settlement_provider",
        csv_endpoint="admin.settlement_provider_csv",
        template="admin/settlement_provider.html",
        office=True,
        provider_id=provider.id,
    )


@bp.route("/settlement/<id:provider_id>/csv")
@admin_required
def settlement_provider_csv(provider_id: int):
    """One provider's statement for a month, every line, as a CSV file."""
    provider = _provider_or_404(provider_id)
    return statement_csv(settling.statement(provider, month_or_400(), None), provider.slug)
