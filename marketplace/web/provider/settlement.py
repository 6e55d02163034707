"""/provider/settlement: the provider's monthly settlement statement, and its CSV.

/provider/settlement?month=YYYY-MM       the month's figures (orders paid, refunds, net
                                         sales, the platform partner's commission, what the
                                         programme owes) and a line per order, 50 a page
/provider/settlement/csv?month=YYYY-MM   the same month as a CSV file

The month is the current one (WIB) unless `month` names another; a month that can't be
read is a 400 saying why. A provider only ever reads its own statement: the provider comes
from the signed-in account, never from the request. money/settlement.py reads the books.

The statement's page and CSV are shared with the office's view of one provider
(web/admin/settlement.py): `MonthForm`, `month_name`, `commission_rate`, `statement_csv`.
"""

import csv
import io
import re
from collections.abc import Iterable

from flask import Response, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from wtforms import Form, StringField
from wtforms.validators import ValidationError

from marketplace.core.base import utcnow
from marketplace.core.indonesia import in_jakarta
from marketplace.money import settlement as settling
from marketplace.money.statements import PageOutOfRange
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message, number
from marketplace.web.i18n import gettext, page_locale
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.paging import page_not_found, page_or_400
from marketplace.web.provider import bp

# A text cell that a spreadsheet would read as a formula starts with one of these; such a
# cell is written with an apostrophe first, which spreadsheets show as text and hide.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_FILE_NAME = re.compile(r"[^a-z0-9]+")


# --- the month -----------------------------------------------------------------------------


def current_month() -> settling.Month:
    """This month in Jakarta."""
    return settling.Month.of(utcnow())


def _readable_month(_form, field) -> None:
    if field.data in (None, ""):
        field.month = current_month()
        return
    try:
        field.month = settling.Month.read(field.data)
    except settling.BadMonth as error:
        field.month = None
        raise ValidationError(error_message(error)) from None


class MonthField(StringField):
    """A month typed YYYY-MM (what `<input type="month">` sends); `.month` once validated."""

    month: settling.Month | None = None


class MonthForm(Form):
    """The month picker: a GET form that changes nothing (so no CSRF)."""

    month = MonthField(_l("Month"), validators=[_readable_month])

    def chosen(self) -> settling.Month:
        """The month asked for (the current one when none was); call after `validate()`."""
        return self.month.month or current_month()


def month_or_400() -> settling.Month:
    """The `month` of the query string, or a 400 page saying what is wrong with it."""
    raw = request.args.get("month")
    if raw in (None, ""):
        return current_month()
    try:
        return settling.Month.read(raw)
    except settling.BadMonth as error:
        refused = BadRequest()
        refused.user_message = error_message(error)
        raise refused from None


def month_name(month: settling.Month) -> str:
    """The month in the page's language: Maret 2026 / March 2026."""
    return format_date(month.first_day, "MMMM y")


def commission_rate(commission_bp: int) -> str:
    """Basis points as a percentage in the page's language: 1500 → 15%, 1250 → 12,5%."""
    digits = 0 if commission_bp % 100 == 0 else 1 if commission_bp % 10 == 0 else 2
    return f"{number(commission_bp / 100, digits)}%"


def month_links(month: settling.Month, endpoint: str, **values) -> dict:
    """The previous and next months' pages (no next month past the current one)."""
    previous, following = month.previous, month.next
    if following is not None and following > current_month():
        following = None
    return {
        "previous_name": month_name(previous) if previous else None,
        "previous_url": url_for(endpoint, month=previous.key, **values) if previous else None,
        "next_name": month_name(following) if following else None,
        "next_url": url_for(endpoint, month=following.key, **values) if following else None,
    }


# --- CSV -----------------------------------------------------------------------------------


def spreadsheet_cell(value):
    """A CSV cell: numbers as they are (digits only, no thousands separator), text guarded
    against formula injection (an apostrophe before a leading =, +, -, @, tab or CR)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_delimiter() -> str:
    """The list separator of the page's language: a spreadsheet set to Indonesian (as to
    most languages that write decimals with a comma) splits a CSV file's cells at ";", one
    set to English at ",". The amounts are whole rupiah without separators, so either
    reads them as numbers."""
    return ";" if page_locale() == "id" else ","


def csv_response(rows: Iterable[list], filename: str) -> Response:
    """A CSV attachment: UTF-8 with a byte order mark (spreadsheets then read it as UTF-8),
    cells split at the page language's list separator (`csv_delimiter`), every text cell
    guarded; the blueprints' `not_cached` keeps it out of caches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_delimiter())
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
    body = "\ufeff" + buffer.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_name_part(text: str) -> str:
    """Lower-case ASCII letters and digits joined by dashes, for a file name."""
    return _NOT_IN_FILE_NAME.sub("-", text.lower()).strip("-")[:60] or "x"


def csv_time(moment) -> str:
    """A time in WIB as spreadsheets read it in every language: 2026-03-31 23:30."""
    return f"{in_jakarta(moment):%Y-%m-%d %H:%M}"


def number_format_note() -> str:
    return gettext(
        "Amounts are whole rupiah written without thousands separators (1500000 is "
        "Rp1.500.000), so spreadsheets read them as numbers. Times are WIB, written "
        "YYYY-MM-DD HH:MM."
    )


def statement_rows(found: settling.Statement) -> list[list]:
    """The rows of a statement's CSV: the note on numbers, the figures, then every line."""
    totals = found.totals
    return [
        [number_format_note()],
        [gettext("Training provider"), found.provider_name],
        [gettext("Digital platform"), found.platform_name],
        [gettext("Month"), month_name(found.month)],
        [gettext("Orders paid (number)"), totals.orders_paid],
        [gettext("Orders paid (Rp)"), totals.paid],
        [gettext("Refunds (number)"), totals.refunds],
        [gettext("Refunds (Rp)"), totals.refunded],
        [gettext("Net sales (Rp)"), totals.net_sales],
        [
            gettext("Commission rate (basis points: %(example)s)", example="1500 = 15%"),
            totals.commission_bp,
        ],
        [gettext("Platform commission (Rp)"), totals.commission],
        [gettext("Owed by the programme (Rp)"), totals.owed],
        [],
        [
            gettext("Time (WIB)"),
            gettext("Order number"),
            gettext("Course"),
            gettext("Participant"),
            gettext("Paid (Rp)"),
            gettext("Refunded (Rp)"),
            gettext("Net (Rp)"),
        ],
        *(
            [
                csv_time(line.at),
                line.order_id,
                line.course_title,
                line.participant_name,
                line.paid,
                line.refunded,
                line.net,
            ]
            for line in found.lines.items
        ),
    ]


def statement_csv(found: settling.Statement, provider_slug: str) -> Response:
    """A provider's statement for a month as a CSV attachment."""
    filename = gettext(
        "settlement-%(provider)s-%(month)s.csv",
        provider=file_name_part(provider_slug),
        month=found.month.key,
    )
    return csv_response(statement_rows(found), filename)


# --- the page ------------------------------------------------------------------------------


def statement_page(
    provider,
    form: MonthForm,
    endpoint: str,
    csv_endpoint: str,
    template: str,
    office: bool = False,
    **values,
):
    """The statement's page for `provider` (its own, or the office's view of it): the month
    picked by `form` (already validated; a refused month is a 400 with the form's error),
    a page of lines (`page`), links to the months around it and to its CSV."""
    shared = {
        "form": form,
        "provider": provider,
        "office": office,
        "form_action": url_for(endpoint, **values),
        **values,
    }
    if form.errors:
        return render_template(template, found=None, **shared), 400
    month = form.chosen()
    page = page_or_400(request.args.get("page"))
    try:
        found = settling.statement(provider, month, page)
    except PageOutOfRange as error:
        raise page_not_found(error) from None
    pages = found.lines.pages
    return render_template(
        template,
        found=found,
        month_title=month_name(month),
        rate=commission_rate(found.totals.commission_bp),
        months=month_links(month, endpoint, **values),
        csv_url=url_for(csv_endpoint, month=month.key, **values),
        page_urls={
            shown: url_for(endpoint, month=month.key, page=shown, **values)
            for shown in {1, found.lines.page - 1, found.lines.page + 1, pages}
            if 1 <= shown <= pages
        },
        **shared,
    )


@bp.route("/settlement")
@provider_required
def settlement():
    """The provider's settlement statement for a month (the current one by default)."""
    form = MonthForm(request.args)
    form.validate()
    return statement_page(
        current_user.provider,
        form,
        endpoint="provider.settlement",
        csv_endpoint="provider.settlement_csv",
        template="provider/settlement.html",
    )


@bp.route("/settlement/csv")
@provider_required
def settlement_csv():
    """The provider's settlement statement for a month, every line, as a CSV file."""
    provider = current_user.provider
    return statement_csv(settling.statement(provider, month_or_400(), None), provider.slug)
