"""The one transaction boundary of a request: committed once at its end, or rolled back.

Views and services never commit or roll back. Services flush; when the view has answered,
`finish` decides for the whole request:

- a request that may write (`core.database.may_write`: not GET, HEAD or OPTIONS, or a
  GET to the view marked `writes_on_get`) is committed when its answer is not an error
  (below 400), redirects included: the Post/Redirect/Get after a form that worked;
- a refusal (4xx: a form with errors, a rule a service refused, a 404 after reading)
  changes nothing and is rolled back, unless the service marked its transaction with
  `core.database.keep_despite_refusal` (the count of wrong purchase codes);
- every other request (GETs above all) and every 5xx is rolled back, whatever it did;
- an exception rolls back at once (`got_request_exception`), before the 500 page is drawn
  on a clean session, and `end` rolls back whatever is left when the request is torn down
  (an exception that propagates, as in tests, never reaches `finish`).

The commit runs before the response leaves: a commit that fails (a constraint checked at
commit, a lost lock) becomes the 500 page, never a success page for a change not made.
Mail queued in the transaction is delivered after this commit (`core/mail.py`).
"""

from flask import Flask, current_app, got_request_exception, request

from marketplace.core.database import kept_despite_refusal, may_write
from marketplace.extensions import db


def register(app: Flask) -> None:
    """Install the boundary. create_app registers it before the blueprints and the security
    headers: Flask runs after-request functions in reverse order, so the commit comes after
    those have shaped the response."""
    app.after_request(finish)
    app.teardown_request(end)
    got_request_exception.connect(roll_back_on_exception, app)


def commits(status: int) -> bool:
    """Whether the current request's transaction is to be committed, given its status."""
    if not may_write(request.method, current_app.view_functions.get(request.endpoint)):
        return False
    if status < 400:
        return True
    return status < 500 and kept_despite_refusal()


def finish(response):
    """Commit the request's transaction or roll it back, once the view has answered. A request
    that never opened a database session (a page answered from what the process keeps, a
    static file) has nothing to end."""
    if not db.session.registry.has():
        return response
    if commits(response.status_code):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def end(_error: BaseException | None) -> None:
    """Roll back whatever the request left uncommitted (nothing, once `finish` has run)."""
    if db.session.registry.has():
        db.session.rollback()


def roll_back_on_exception(_sender, exception: BaseException, **_extra) -> None:
    """An exception in a request: roll back before the error page is drawn."""
    db.session.rollback()
