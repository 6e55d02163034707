"""The one transaction boundary (web/transaction.py): a request commits once at its end
when it may write and was not refused, and rolls back otherwise; a refusal keeps what it
wrote only when a service marked it `keep_despite_refusal`.

The routes here are added to the test's own app before its first request: each writes an
audit event, then answers as a view would (a redirect, a refusal, an exception).
"""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import redirect

from marketplace.core import audit
from marketplace.core.database import keep_despite_refusal, kept_despite_refusal, writes_on_get
from marketplace.core.models import AuditEvent, Province
from marketplace.extensions import db

WEB = Path(__file__).resolve().parents[2] / "marketplace" / "web"
BOUNDARY = WEB / "transaction.py"
ENDS_A_TRANSACTION = re.compile(r"\.\s*(commit|rollback)\s*\(")


def _written(action: str):
    audit.record(action, "test:1")


def _answered_with(answer):
    """A view that writes an audit event named after its path, then returns `answer()`."""

    def view(name):
        _written(name)
        return answer()

    return view


def _refuse_but_keep(name):
    _written(name)
    keep_despite_refusal()
    return "refused, counted", 400


def _crash_after_keeping(name):
    _written(name)
    keep_despite_refusal()
    raise RuntimeError("after writing")


def _crash(name):
    _written(name)
    raise RuntimeError("after writing")


def _commit_fails(name):
    """Two provinces with one code: the INSERTs (and the unique index) wait for the commit."""
    db.session.add_all(
        [Province(code="99", name="A", slug="a-99"), Province(code="99", name="B", slug="b-99")]
    )
    return "the change was made"


@pytest.fixture
def app_config():
    # Exceptions become the 500 page, as in production (tests propagate them by default).
    return {"PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def routes(app):
    """The test routes on this test's app (before its first request)."""
    answers = {
        "ok": lambda: "done",
        "redirect": lambda: redirect("/"),
        "refused": lambda: ("refused", 400),
        "conflict": lambda: ("refused", 409),
        "not-found": lambda: ("gone", 404),
        "unavailable": lambda: ("down", 503),
    }
    for kind, answer in answers.items():
        app.add_url_rule(
            f"/_t/{kind}/<name>", f"t_{kind}", _answered_with(answer), methods=["GET", "POST"]
        )
    get_writer = _answered_with(lambda: "scored")
    app.add_url_rule("/_t/get-writer/<name>", "t_get_writer", writes_on_get(get_writer))
    app.add_url_rule("/_t/keep/<name>", "t_keep", _refuse_but_keep, methods=["POST"])
    app.add_url_rule(
        "/_t/crash-keep/<name>", "t_crash_keep", _crash_after_keeping, methods=["POST"]
    )
    app.add_url_rule("/_t/crash/<name>", "t_crash", _crash, methods=["GET", "POST"])
    app.add_url_rule("/_t/commit-fails/<name>", "t_commit_fails", _commit_fails, methods=["POST"])
    return app.test_client()


def actions(app) -> list[str]:
    """The test routes' audit events that were committed, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.subject == "test:1")
                .order_by(AuditEvent.id)
            )
        )


# --- no view ends a transaction -------------------------------------------------------------


def test_no_view_commits_or_rolls_back():
    """Only the boundary commits or rolls back a request (a SAVEPOINT is a service's)."""
    found = [
        f"{path.relative_to(WEB.parent.parent)}:{number}: {line.strip()}"
        for path in sorted(WEB.rglob("*.py"))
        if path != BOUNDARY
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ENDS_A_TRANSACTION.search(line)
    ]
    assert found == []
    assert ENDS_A_TRANSACTION.search(BOUNDARY.read_text())  # the pattern does find them


# --- what is committed ----------------------------------------------------------------------


def test_a_post_that_succeeds_is_committed_redirects_included(app, routes):
    assert routes.post("/_t/ok/post-ok").status_code == 200
    assert routes.post("/_t/redirect/post-redirect").status_code == 302
    assert actions(app) == ["post-ok", "post-redirect"]


def test_a_refused_form_leaves_nothing_written(app, routes):
    for kind, status in (("refused", 400), ("conflict", 409), ("not-found", 404)):
        assert routes.post(f"/_t/{kind}/post-{kind}").status_code == status
    assert actions(app) == []


def test_a_view_raising_after_writing_leaves_nothing_written(app, routes):
    response = routes.post("/_t/crash/post-crash")
    assert response.status_code == 500
    # The error page was drawn on a clean session, in the page's language.
    assert "Terjadi kesalahan di sistem kami" in response.get_data(as_text=True)
    assert routes.get("/_t/crash/get-crash").status_code == 500
    assert routes.post("/_t/unavailable/post-503").status_code == 503
    assert actions(app) == []


def test_an_exception_that_propagates_still_leaves_nothing_written(app, routes):
    app.config["PROPAGATE_EXCEPTIONS"] = True  # as in tests and the debugger
    with pytest.raises(RuntimeError):
        routes.post("/_t/crash/propagated")
    assert actions(app) == []


def test_a_commit_that_fails_answers_500_not_the_success_page(app, routes):
    response = routes.post("/_t/commit-fails/x")
    assert response.status_code == 500
    assert b"the change was made" not in response.data
    with app.app_context():
        assert db.session.scalar(sa.select(Province).where(Province.code == "99")) is None


# --- GETs write nothing, but for the view marked writes_on_get ------------------------------


def test_a_get_is_rolled_back_whatever_it_wrote(app, routes):
    assert routes.get("/_t/ok/get-ok").status_code == 200
    assert routes.get("/_t/redirect/get-redirect").status_code == 302
    assert routes.head("/_t/ok/head-ok").status_code == 200
    assert actions(app) == []


def test_a_get_to_a_view_marked_writes_on_get_is_committed(app, routes):
    assert routes.get("/_t/get-writer/get-writer").status_code == 200
    assert routes.head("/_t/get-writer/head-writer").status_code == 200  # HEAD never writes
    assert actions(app) == ["get-writer"]


# --- the named exception: keep what was written despite the refusal ------------------------


def test_a_refusal_marked_keep_despite_refusal_is_committed(app, routes):
    response = routes.post("/_t/keep/counted")
    assert response.status_code == 400
    assert actions(app) == ["counted"]


def test_the_mark_does_not_outlive_its_transaction(app, routes):
    with app.test_request_context("/_t/keep/x", method="POST"):
        _written("marked")
        keep_despite_refusal()
        assert kept_despite_refusal()
        db.session.rollback()
        assert not kept_despite_refusal()
    # The next request on the same worker is refused as usual.
    assert routes.post("/_t/keep/first").status_code == 400
    assert routes.post("/_t/refused/second").status_code == 400
    assert actions(app) == ["first"]


def test_an_exception_after_the_mark_still_rolls_back(app, routes):
    assert routes.post("/_t/crash-keep/crashed").status_code == 500
    assert actions(app) == []


def test_a_request_that_never_opened_a_session_opens_none_to_end_it(app, monkeypatch):
    """A static file, a kept page: nothing to commit or roll back, and no session made just
    to end it."""
    from sqlalchemy.orm import Session

    begun = []
    monkeypatch.setattr(Session, "rollback", lambda self: begun.append("rollback"))
    monkeypatch.setattr(Session, "commit", lambda self: begun.append("commit"))
    app.add_url_rule("/_t/no-database", "t_no_database", lambda: "nothing read")
    response = app.test_client().get("/_t/no-database")
    assert response.status_code == 200
    assert begun == []
