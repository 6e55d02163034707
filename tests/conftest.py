"""Shared fixtures: an app on its own migrated database per test, clients, the row factory
(tests/support/factories.py), the checkout's world.

The suite runs on SQLite by default. With TEST_DATABASE_URL set to a PostgreSQL server
(postgresql+psycopg://user@host:port/dbname, as `make test` does), every test gets its
own database cloned from a migrated template database on that server.
"""

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from support.checkout_rows import PRICE, card_holders
from support.factories import PASSWORD, Factory
from support.programme_rows import make_participant

from marketplace import create_app
from marketplace.catalogue import listing
from marketplace.catalogue.models import CourseSession, Method
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import LedgerTransaction
from marketplace.people.models import Role

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
USE_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SERVER_NAME": None,
    "PUBLIC_URL": "http://localhost",
    "RESULTS_STORE_URL": None,  # a developer's shared store is not the tests' (see app_config)
}


def _psycopg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _admin_execute(statement: str) -> None:
    with psycopg.connect(_psycopg_dsn(TEST_DATABASE_URL), autocommit=True) as connection:
        connection.execute(statement)


def _migrate(url: str) -> None:
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> Iterator[str]:
    """A database migrated once per test run; each test gets a copy of it."""
    if USE_POSTGRES:
        name = f"tmpl_{uuid.uuid4().hex[:10]}"
        _admin_execute(f'CREATE DATABASE "{name}"')
        _migrate(make_url(TEST_DATABASE_URL).set(database=name).render_as_string(False))
        yield name
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _migrate(f"sqlite:///{path}")
        yield str(path)


_counter = itertools.count()


@pytest.fixture
def database_url(template_database, tmp_path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if USE_POSTGRES:
        name = f"test_{os.getpid()}_{next(_counter)}"
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(False)
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app_config() -> dict:
    """Extra settings for the app under test; override in a test module to change them."""
    return {}


@pytest.fixture
def app(database_url, app_config, request, tmp_path):
    """The app bound to this test's own database (no app context pushed).

    After a test that moved money, the books must balance: `ledger.verify()` runs on what
    the test committed, unless the test is marked `books_broken` (it breaks them on purpose).
    """
    listing.forget_filter_options()
    application = create_app(
        {
            **BASE_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            # The certificates' signing key of this test (made on first use), never instance/'s.
            "CERTIFICATE_SIGNING_KEY_FILE": str(tmp_path / "certificate-signing-key.pem"),
            **app_config,
        }
    )
    yield application
    problems = []
    with application.app_context():
        db.session.remove()
        if request.node.get_closest_marker("books_broken") is None and db.session.scalar(
            sa.select(LedgerTransaction.id).limit(1)
        ):
            problems = ledger.verify()
        db.session.remove()
        db.engine.dispose()
    listing.forget_filter_options()
    assert not problems, f"the books do not balance after this test: {problems}"


@pytest.fixture
def ctx(app):
    """An app context for service-level tests."""
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app):
    """Row factories; each call commits in its own app context."""
    return Factory(app)


def _login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def login(app, factory):
    """login(role) -> a test client signed in as a new user with that role."""

    def _as(role: Role, **kwargs):
        email = factory.user(role=role, **kwargs).email
        client = app.test_client()
        _login(client, email)
        return client

    return _as


@pytest.fixture
def participant_client(login):
    return login(Role.PARTICIPANT)


@pytest.fixture
def provider_client(login, factory):
    return login(Role.PROVIDER, provider=factory.provider())


@pytest.fixture
def admin_client(login):
    return login(Role.ADMIN)


@pytest.fixture
def shop(app, factory):
    """Checkout's world: courses of one provider, a participant with a card and one
    without; all committed (tests/checkout_rows.py holds the helpers that use it)."""
    now = utcnow().replace(microsecond=0)
    provider = factory.provider()
    category = factory.category()

    def course(**fields):
        fields.setdefault("price", PRICE)
        return factory.course(provider=provider, category=category, **fields)

    self_paced = course()
    other = course()
    webinar = course(method=Method.WEBINAR, sessions=2)
    offline = course(method=Method.OFFLINE, sessions=1)
    buyer = card_holders(app, 1, now)[0]
    with app.app_context():
        no_card = make_participant().id
        db.session.commit()
        sessions = {
            course_id: [
                row.id
                for row in db.session.scalars(
                    sa.select(CourseSession)
                    .where(CourseSession.course_id == course_id)
                    .order_by(CourseSession.starts_at)
                )
            ]
            for course_id in (webinar.id, offline.id)
        }
    return SimpleNamespace(
        now=now,
        provider_id=provider.id,
        self_paced=self_paced.id,
        other=other.id,
        webinar=webinar.id,
        webinar_session=sessions[webinar.id][0],
        webinar_session_2=sessions[webinar.id][1],
        offline=offline.id,
        offline_session=sessions[offline.id][0],
        buyer=buyer,
        no_card=no_card,
        course=course,
    )


@pytest.fixture
def demo(app):
    """The demo seeded small (`flask seed --courses 40`): every role has pages, orders,
    sessions and batches. tests/support/demo_world.py reads it."""
    from marketplace.demo import seeding

    with app.app_context():
        seeding.seed(courses=40)
        db.session.commit()
    return app
