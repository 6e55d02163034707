"""Page numbers in query strings (`?page=2`), read the same way by every paginated page.

A page number that is not a whole number from 1 to 100.000 is a 400 saying why, in the
page's language; a page past the last is a 404 that names the last page.
"""

from werkzeug.exceptions import BadRequest, NotFound

from marketplace.core.inputs import read_number
from marketplace.core.paging import MAX_PAGE
from marketplace.money import statements
from marketplace.web.formatting import error_message, number
from marketplace.web.i18n import gettext

MAX_PAGE_DIGITS = len(str(MAX_PAGE))


def read_page(raw: str | None) -> tuple[int | None, str | None]:
    """The `page` query value: (page, None), or (None, why it was refused) in the page's
    language. Absent or empty means page 1."""
    if raw is None or raw == "":
        return 1, None
    value = read_number(raw, max_digits=MAX_PAGE_DIGITS + 1)
    if value is None:
        if raw.strip().isascii() and raw.strip().isdigit():
            value = MAX_PAGE + 1  # too many digits to read: too large
        else:
            return None, gettext("The page number must be a whole number, like 2")
    if value > MAX_PAGE:
        return None, gettext("The page number can be at most %(most)s", most=number(MAX_PAGE))
    if value < 1:
        return None, gettext("The page number must be 1 or more")
    return value, None


def page_or_400(raw: str | None) -> int:
    """The page number, or a 400 page saying what is wrong with it."""
    page, problem = read_page(raw)
    if problem is not None:
        refused = BadRequest()
        refused.user_message = problem
        raise refused
    return page


def within_pages(results):
    """A page of a list (`db.paginate`'s), or the 404 naming the last page when it is past
    that. An empty list has one page: its first, empty, with the list's own "nothing yet"."""
    last = max(results.pages, 1)
    if results.page > last:
        raise page_not_found(statements.PageOutOfRange(results.page, last))
    return results


def page_not_found(error: statements.PageOutOfRange) -> NotFound:
    """A 404 that says how many pages there are."""
    missing = NotFound()
    missing.user_message = error_message(error)
    return missing
