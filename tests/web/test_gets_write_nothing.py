"""A GET writes nothing: every page each demo role can reach, opened by GET, leaves every
table as it was (row counts and a checksum of every row).

Nothing here lists the site's pages: the crawl starts at every route without path
variables and follows every link on every page it opens (a few pages per route and query
shape), in both languages. The one named exception is the online test's result page
(`writes_on_get`), which scores an attempt whose time ran out when it is first opened: the
crawl of a participant whose time ran out finds exactly that write and nothing else. A
new exception must be marked `writes_on_get` and named below.
"""

import hashlib
import html
import re
from collections import defaultdict, deque
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa
from support.demo_world import signed_in
from support.programme_rows import make_participant
from werkzeug.exceptions import HTTPException

from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people.models import Role, User
from marketplace.programme import online_test
from marketplace.programme.batches import open_batch
from marketplace.programme.models import TestAttempt as Attempt

# The views allowed to write on a GET, and why (docs/architecture.md, "One transaction
# boundary").
WRITES_ON_GET = {"account.test_result": "scores an attempt whose time ran out"}
LINK = re.compile(r'href="([^"]+)"')
PAGES_PER_SHAPE = 3  # pages opened per route and set of query names
PASSWORD = "Prakerja2020!"  # the factory's users' password
ROLES = {
    "anonymous": None,
    "participant": "peserta@example.com",
    "test-taker": None,  # a participant in the middle of the open batch's test
    "provider": "lembaga@example.com",
    "admin": "admin@example.com",
}
# Pages each role's crawl must have opened (path prefixes): it got past its home page.
REACHED = {
    "anonymous": ("/courses/", "/login", "/register"),
    "participant": ("/account/statement", "/account/orders/", "/checkout/"),
    "test-taker": ("/account/test/", "/account/profile"),
    "provider": ("/provider/sessions/", "/provider/redeem"),
    "admin": ("/admin/batches/", "/admin/orders/", "/admin/ledger/"),
}


def fingerprint(app) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows (in any order)."""
    with app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
        found = {}
        with db.engine.connect() as connection:
            for table in tables:
                rows = connection.execute(
                    sa.select(sa.text("*")).select_from(sa.table(table))
                ).all()
                digest = hashlib.sha256()
                for line in sorted(repr(tuple(row)) for row in rows):
                    digest.update(line.encode())
                found[table] = (len(rows), digest.hexdigest())
        return found


def _shape(app, url: str):
    """The route and the query's names: pages of one shape are much alike."""
    parts = urlsplit(url)
    try:
        endpoint, _values = app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        endpoint = parts.path
    return endpoint, tuple(sorted({name for name, _ in parse_qsl(parts.query)}))


def _local(url: str) -> str | None:
    url = html.unescape(url).split("#", 1)[0]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("/static/"):
        return None
    return url


def crawl(app, client) -> set[str]:
    """Open every page reachable by GET from the routes without variables, in both
    languages; returns the pages answered 200."""
    opened = set()
    for language in ("id", "en"):
        client.set_cookie("lang", language)
        opened |= _crawl_in_language(app, client)
    return opened


def _crawl_in_language(app, client) -> set[str]:
    starts = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    queue, seen, opened = deque(starts), set(), set()
    per_shape = defaultdict(int)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(app, url)
        if per_shape[shape] >= PAGES_PER_SHAPE:
            continue
        per_shape[shape] += 1
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        links = []
        if response.status_code in (301, 302, 303, 307, 308):
            links = [response.headers["Location"]]
        elif response.status_code == 200 and response.mimetype == "text/html":
            opened.add(url)
            links = LINK.findall(response.get_data(as_text=True))
        for link in links:
            local = _local(link)
            if local is not None and local not in seen:
                queue.append(local)
    return opened


def test_only_the_named_views_write_on_a_get(app):
    marked = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "writes_on_get", False)
    }
    assert marked == set(WRITES_ON_GET)


def _test_taker(app, factory, started: timedelta) -> tuple:
    """A signed-in participant whose test for the open batch started `started` ago."""
    email = factory.user(role=Role.PARTICIPANT).email
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        participant = make_participant(user=user)
        now = utcnow()
        attempt = online_test.start(participant, open_batch(now), now - started)
        attempt_id = attempt.id
        db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client, attempt_id


def changed_by_crawl(app, client) -> tuple[list[str], set[str]]:
    """The tables whose rows a crawl changed, and the pages it opened."""
    before = fingerprint(app)
    opened = crawl(app, client)
    after = fingerprint(app)
    assert set(after) == set(before)
    return sorted(table for table in before if before[table] != after[table]), opened


@pytest.mark.parametrize("role", list(ROLES))
def test_a_get_of_every_reachable_page_changes_nothing(demo, factory, role):
    if role == "test-taker":
        client, _attempt = _test_taker(demo, factory, started=timedelta(minutes=5))
    elif ROLES[role]:
        client = signed_in(demo, ROLES[role])
    else:
        client = demo.test_client()
    changed, opened = changed_by_crawl(demo, client)
    assert changed == [], f"{role}: GETs changed {changed}"
    for prefix in REACHED[role]:
        assert any(page.startswith(prefix) for page in opened), (
            f"{role}: no page under {prefix} was opened: {sorted(opened)[:60]}"
        )


def test_the_named_exception_is_the_only_write(demo, factory):
    """A participant whose time ran out: opening the result scores the attempt (and audits
    it), and no other GET writes anything."""
    client, attempt_id = _test_taker(demo, factory, started=timedelta(minutes=30))
    changed, opened = changed_by_crawl(demo, client)
    assert f"/account/test/{attempt_id}/result" in opened
    assert changed == ["audit_event", "test_attempt"]
    with demo.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at == attempt.deadline_at and attempt.score == 0
