"""The programme office's books: totals per kind of account, the accounts, one statement.

/admin/ledger                     totals per kind, the grand total, the accounts a page at a
                                  time (`kind`, `sort`, `page` in the query string)
/admin/ledger/check               the totals with the money in and out of each kind, and what
                                  `ledger.verify()` finds: both read the whole books, so they
                                  run only when someone asks (a link, since nothing changes)
/admin/ledger/accounts/<code>     one account's statement, newest first (`page`)

Read only. A refused query value is a 400 with the reason beside its field (or on the error
page), never a 500. Nothing here is cached by the browser or a proxy (money and card codes).
"""

from flask import abort, render_template, request
from wtforms import Form, SelectField, StringField
from wtforms.validators import AnyOf, ValidationError

from marketplace.money import statements
from marketplace.money.models import AccountKind
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.paging import page_not_found, page_or_400, read_page

# All accounts of a kind together (the totals and the filter).
KINDS = {
    AccountKind.BUDGET.value: _l("State budget"),
    AccountKind.PROGRAMME_FUND.value: _l("Programme fund"),
    AccountKind.CARD.value: _l("Cards"),
    AccountKind.PROVIDER_PAYABLE.value: _l("Owed to training providers"),
    AccountKind.INCENTIVES_PAID.value: _l("Incentives paid"),
}
# One account of a kind (the accounts table and an account's page).
KIND_OF_ONE = {
    AccountKind.BUDGET.value: _l("State budget"),
    AccountKind.PROGRAMME_FUND.value: _l("Programme fund"),
    AccountKind.CARD.value: _l("Card"),
    AccountKind.PROVIDER_PAYABLE.value: _l("Owed to a training provider"),
    AccountKind.INCENTIVES_PAID.value: _l("Incentives paid"),
}
SORTS = (
    ("code", _l("Code, A to Z")),
    ("balance_desc", _l("Highest balance first")),
    ("balance_asc", _l("Lowest balance first")),
)


def _whole_page(_form, field) -> None:
    _page, problem = read_page(field.data)
    if problem is not None:
        raise ValidationError(problem)


class AccountFilter(Form):
    """The accounts list's query string: a GET form that changes nothing (so no CSRF)."""

    kind = SelectField(
        _l("Kind of account"),
        choices=[("", _l("All kinds")), *KINDS.items()],
        default="",
        validate_choice=False,
        validators=[AnyOf(["", *KINDS], message=_l("Choose a kind of account from the list"))],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=list(SORTS),
        default="code",
        validate_choice=False,
        validators=[
            AnyOf([value for value, _label in SORTS], message=_l("Choose an order from the list"))
        ],
    )
    page = StringField(_l("Page"), validators=[_whole_page])

    def query(self) -> dict:
        """The filter as query values for the page links (defaults left out)."""
        return {
            "kind": self.kind.data or None,
            "sort": self.sort.data if self.sort.data != "code" else None,
        }


def _books_page(form: AccountFilter, results=None, check=None, status: int = 200):
    return (
        render_template(
            "admin/ledger.html",
            form=form,
            totals=statements.account_totals(with_flows=check is not None),
            results=results,
            check=check,
            kinds=KINDS,
            kind_of_one=KIND_OF_ONE,
        ),
        status,
    )


@bp.route("/ledger")
@admin_required
def ledger():
    """The books at a glance: totals per kind, the grand total, and the accounts."""
    form = AccountFilter(request.args)
    if not form.validate():
        return _books_page(form, status=400)
    page, _problem = read_page(form.page.data)
    kind = AccountKind(form.kind.data) if form.kind.data else None
    try:
        results = statements.accounts_page(kind, form.sort.data, page)
    except statements.PageOutOfRange as error:
        form.page.errors = [error_message(error)]
        return _books_page(form, status=404)
    return _books_page(form, results=results)


@bp.route("/ledger/check")
@admin_required
def ledger_check():
    """Check the books now: `ledger.verify()` over every transaction, account and order,
    and the money in and out of each kind of account."""
    return _books_page(AccountFilter(), check=statements.check_books())


@bp.route("/ledger/accounts/<path:code>")
@admin_required
def ledger_account(code: str):
    """One account: its kind and balance, and its movements, newest first."""
    found = statements.find_account(code)
    if found is None:
        abort(404)
    page = page_or_400(request.args.get("page"))
    try:
        lines = statements.account_statement(found, page)
    except statements.PageOutOfRange as error:
        raise page_not_found(error) from None
    return render_template(
        "admin/ledger_account.html", account=found, lines=lines, kind_of_one=KIND_OF_ONE
    )
