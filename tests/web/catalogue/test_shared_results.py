"""Result pages shared by every process through Redis (catalogue/shared_results.py,
RESULTS_STORE_URL): a page one worker read is found by another without a query, a change
anywhere shows on the next request of every worker, and a store that does not answer costs
nothing but speed. Worker A is the `app` fixture, worker B a second app on the same database
and the same store; "another node" changes rows with plain SQL. Runs on SQLite and PostgreSQL.
"""

import json
import logging
import re

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.pool import NullPool
from support.servers import free_port, redis_server

from marketplace import create_app
from marketplace.catalogue import listing, search, shared_results
from marketplace.catalogue.models import Course
from marketplace.extensions import db

EXCEL = "Microsoft Excel untuk Kantor"
PATH = "/courses?q=excel&sort=price_asc"


@pytest.fixture
def redis_url(tmp_path):
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def app_config(redis_url):
    return {"RESULTS_STORE_URL": redis_url}


class Listings:
    """The listing statements (count, page, match) an app's engine runs."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []
        sa.event.listen(self.engine, "before_cursor_execute", self._run)

    def _run(self, _connection, _cursor, statement, *_rest) -> None:
        if "course_search" in statement or "FROM course c" in statement:
            self.seen.append(statement)

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._run)


@pytest.fixture
def listings(app, worker_b):
    """(worker A's listing statements, worker B's)."""
    a, b = Listings(app), Listings(worker_b)
    yield a, b
    a.close()
    b.close()


def titles(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return re.findall(
        r'<h3 class="course-card__title"[^>]*><a href="[^"]*">([^<]*)</a>',
        response.get_data(as_text=True),
    )


@pytest.fixture
def courses(factory):
    provider = factory.provider("LPK Cahaya Mandiri")
    excel = factory.course(EXCEL, provider=provider, price=300_000)
    factory.course("Excel Lanjutan", provider=provider, price=450_000)
    return excel


def test_a_page_one_worker_read_is_found_by_the_other_without_a_query(
    app, worker_b, listings, courses
):
    a, b = listings
    assert titles(app.test_client(), PATH) == [EXCEL, "Excel Lanjutan"]
    assert a.seen, "worker A reads the page from the database"
    assert titles(worker_b.test_client(), PATH) == [EXCEL, "Excel Lanjutan"]
    assert b.seen == [], "worker B finds it in the shared store"
    # A page past the last is shared too: both answer 404, B without a query.
    assert app.test_client().get("/courses?q=excel&page=9").status_code == 404
    b.seen.clear()
    assert worker_b.test_client().get("/courses?q=excel&page=9").status_code == 404
    assert b.seen == []


def test_a_change_on_another_node_shows_on_every_worker_at_once(
    app, worker_b, listings, courses, database_url
):
    a, b = listings
    titles(app.test_client(), PATH)
    titles(worker_b.test_client(), PATH)
    engine = sa.create_engine(database_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE course SET price = 600000 WHERE id = :id"), {"id": courses.id}
        )
    engine.dispose()
    a.seen.clear()
    b.seen.clear()
    assert titles(worker_b.test_client(), PATH) == ["Excel Lanjutan", EXCEL]
    assert b.seen, "the store holds nothing under the new revision yet"
    assert titles(app.test_client(), PATH) == ["Excel Lanjutan", EXCEL]
    assert a.seen == [], "worker B stored the page under the new revision"


def test_a_course_withdrawn_in_one_worker_leaves_the_other_at_once(app, worker_b, courses):
    path = "/courses?sort=price_asc"  # the whole catalogue: approved courses only
    assert titles(app.test_client(), path) == [EXCEL, "Excel Lanjutan"]
    assert titles(worker_b.test_client(), path) == [EXCEL, "Excel Lanjutan"]
    with worker_b.app_context():
        db.session.get(Course, courses.id).status = "archived"
        db.session.commit()
    assert titles(app.test_client(), path) == ["Excel Lanjutan"]
    assert titles(worker_b.test_client(), path) == ["Excel Lanjutan"]


def test_pages_are_stored_as_json_with_what_the_search_understood(app, redis_url, factory):
    factory.course("Pemasaran Digital untuk UMKM", price=250_000)
    client = app.test_client()
    page = client.get("/courses?q=pemasarn").get_data(as_text=True)
    assert "Menampilkan hasil untuk" in page
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"{shared_results.KEY_PREFIX}:*")
    assert len(keys) == 1
    data = json.loads(store.get(keys[0]))  # JSON, not a pickle
    assert data["total"] == 1
    assert data["items"][0][2] == "Pemasaran Digital untuk UMKM"
    assert data["search"]["corrected"] == "pemasaran"
    assert 0 < store.ttl(keys[0]) <= app.config["RESULTS_STORE_SECONDS"]
    found = listing.ResultPage.of_data(data)
    assert json.loads(json.dumps(found.as_data())) == data
    assert found.search.corrected == "pemasaran"
    assert found.items[0].title == "Pemasaran Digital untuk UMKM"
    # Another worker draws the same page, correction and way back included, from the store.
    other = create_app({**app.config})
    seen = Listings(other)
    try:
        assert other.test_client().get("/courses?q=pemasarn").get_data(as_text=True) == page
        assert seen.seen == []
    finally:
        seen.close()
        with other.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    "stored",
    [b"not json {", b"[1, 2]", b'{"items": [[1, "x"]], "total": 1}', b'{"out_of_range": "x"}'],
)
def test_an_entry_this_code_cannot_read_is_read_again(app, redis_url, courses, stored):
    """A damaged entry, or one of another shape (a worker of another release), is a miss:
    the page is read from the database and stored over it, never an error page."""
    client = app.test_client()
    assert titles(client, PATH) == [EXCEL, "Excel Lanjutan"]
    store = redis.Redis.from_url(redis_url)
    (key,) = store.keys(f"{shared_results.KEY_PREFIX}:*")
    store.set(key, stored)
    other = create_app({**app.config})  # nothing kept in its process yet
    try:
        assert titles(other.test_client(), PATH) == [EXCEL, "Excel Lanjutan"]
    finally:
        with other.app_context():
            db.engine.dispose()
    assert json.loads(store.get(key))["total"] == 2  # stored over


def test_a_store_that_does_not_answer_costs_only_speed(app, courses, caplog):
    down = create_app({**app.config, "RESULTS_STORE_URL": f"redis://127.0.0.1:{free_port()}/0"})
    client = down.test_client()
    with caplog.at_level(logging.WARNING, logger=shared_results.__name__):
        assert titles(client, PATH) == [EXCEL, "Excel Lanjutan"]
    said = [r.getMessage() for r in caplog.records if r.name == shared_results.__name__]
    assert len(said) == 1 and "did not answer" in said[0]
    store = down.extensions[shared_results.EXTENSION]
    assert store.failed_at is not None  # left alone for a while: no timeout on each request
    caplog.clear()
    assert titles(client, "/courses?q=excel&sort=price_desc") == ["Excel Lanjutan", EXCEL]
    assert not [r for r in caplog.records if r.name == shared_results.__name__]


def test_each_database_has_its_own_keys_and_revisions(app, runner):
    store = app.extensions[shared_results.EXTENSION]
    other = shared_results.SharedResults(store.url, "sqlite:////elsewhere.db", 600)
    criteria = listing.Criteria(q="excel")
    assert store.key(7, criteria) != other.key(7, criteria)
    assert "password" not in shared_results._without_password("postgresql://u:password@h/d")
    said = shared_results.SharedResults("redis://:password@127.0.0.1:1/0", "sqlite://", 600)
    assert "password" not in said.url  # what the log shows
    with app.app_context():
        first = search.catalogue_revision()
    # A migrated database starts 2**40 past zero, by a random amount: no two share revisions.
    assert first >= search.NEW_REVISION_JUMP
    result = runner.invoke(args=["search", "forget-results"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        after = search.catalogue_revision()
    assert after - first >= search.NEW_REVISION_JUMP
    assert str(after) in result.output
