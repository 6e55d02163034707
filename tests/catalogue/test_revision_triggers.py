"""The catalogue's revision (`search.catalogue_revision`, the sum of table
`catalogue_revision`) rises with every insert, update and delete of each table a catalogue
page shows, made by any connection, and not with a change elsewhere: results and pages kept
under it (catalogue/listing.py, web/catalogue/pages.py) depend on it. The triggers come from
the migration that made the table. Runs on SQLite and PostgreSQL (scripts/with-postgres.sh).
"""

import importlib.util
import itertools
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool
from support.learning_rows import completed_orders
from support.programme_rows import make_participant

from marketplace.catalogue import search
from marketplace.catalogue.models import (
    Category,
    Course,
    CourseSession,
    CourseStatus,
    Level,
    Method,
    Module,
    Platform,
    Provider,
    SearchSynonym,
)
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.learning.models import Review
from marketplace.people.models import Participant, User

_serial = itertools.count(1)
ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def revision(app) -> int:
    with app.app_context():
        return search.catalogue_revision(db.session.connection())


@pytest.fixture
def world(app, shop):
    """A listed course of a provider, and a participant's completed order of it."""
    ((participant_id, order_id),) = completed_orders(app, shop, shop.self_paced, 1)
    with app.app_context():
        listed = db.session.get(Course, shop.self_paced)
        return {
            "course": listed.id,
            "provider": listed.provider_id,
            "category": listed.category_id,
            "platform": listed.platform_id,
            "province": listed.provider.province_id,
            "participant": participant_id,
            "order": order_id,
        }


# Each watched table: (its model, a new row of it from the world's ids, values to update it).
def _platform(_ids):
    n = next(_serial)
    return Platform(slug=f"platform-baru-{n}", name=f"Platform Baru {n}", commission_bp=1000)


def _category(_ids):
    n = next(_serial)
    return Category(slug=f"kategori-baru-{n}", name=f"Kategori Baru {n}", name_en=f"New {n}")


def _provider(ids):
    n = next(_serial)
    return Provider(
        slug=f"lpk-baru-{n}",
        name=f"LPK Baru {n}",
        city="Bandung",
        province_id=ids["province"],
        platform_id=ids["platform"],
    )


def _course(ids):
    n = next(_serial)
    return Course(
        slug=f"kursus-baru-{n}",
        title=f"Kursus Baru {n}",
        summary="Ringkasan kursus baru",
        description="Deskripsi lengkap kursus baru.",
        outcomes="",
        provider_id=ids["provider"],
        platform_id=ids["platform"],
        category_id=ids["category"],
        method=Method.WEBINAR,
        level=Level.BEGINNER,
        status=CourseStatus.APPROVED,
        price=200_000,
        hours=6,
        published_at=utcnow(),
    )


def _module(ids):
    return Module(course_id=ids["course"], position=100 + next(_serial), title="Baru", minutes=30)


def _session(ids):
    starts = utcnow() + timedelta(days=30)
    return CourseSession(
        course_id=ids["course"],
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Zoom Meeting",
        capacity=25,
    )


def _review(ids):
    return Review(
        order_id=ids["order"],
        course_id=ids["course"],
        participant_id=ids["participant"],
        stars=4,
        text="Materinya jelas dan langsung bisa dipraktikkan.",
    )


def _synonym(_ids):
    n = next(_serial)
    return SearchSynonym(phrases=f"frasa{n}, ungkapan{n}")


WATCHED: dict[str, tuple[type, Callable, dict]] = {
    "platform": (Platform, _platform, {"name": "Platform Berganti"}),
    "category": (Category, _category, {"name": "Kategori Berganti"}),
    "provider": (Provider, _provider, {"name": "LPK Berganti"}),
    "course": (Course, _course, {"price": 250_000}),
    "module": (Module, _module, {"title": "Modul Berganti"}),
    "course_session": (CourseSession, _session, {"capacity": 20}),
    "course_review": (Review, _review, {"stars": 5}),
    "search_synonym": (SearchSynonym, _synonym, {"phrases": "frasa lain, ungkapan lain"}),
}


def test_every_watched_table_of_the_migration_is_tested():
    (path,) = (Path(__file__).parents[2] / "migrations" / "versions").glob("f147485f3831_*.py")
    spec = importlib.util.spec_from_file_location("revision_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert set(migration.WATCHED) == set(WATCHED)


def _changed(app, change) -> tuple[int, int, object]:
    """(revision before, revision after, what `change` returned): the change committed in
    its own app context."""
    before = revision(app)
    with app.app_context():
        result = change()
        db.session.commit()
    return before, revision(app), result


@pytest.mark.parametrize("table", sorted(WATCHED))
def test_insert_update_and_delete_raise_the_revision(app, world, table):
    model, new_row, values = WATCHED[table]
    assert model.__tablename__ == table

    def insert():
        row = new_row(world)
        db.session.add(row)
        db.session.flush()
        return row.id

    before, after, row_id = _changed(app, insert)
    assert after > before, f"an insert into {table} leaves the revision at {before}"

    before, after, _ = _changed(
        app, lambda: db.session.execute(sa.update(model).where(model.id == row_id).values(values))
    )
    assert after > before, f"an update of {table} leaves the revision at {before}"

    before, after, _ = _changed(
        app, lambda: db.session.execute(sa.delete(model).where(model.id == row_id))
    )
    assert after > before, f"deleting the row of {table} leaves the revision at {before}"
    with app.app_context():
        assert db.session.get(model, row_id) is None


def test_a_change_by_another_connection_raises_the_revision(app, world, database_url):
    """Another node's plain SQL, on a connection of its own (PostgreSQL: another server
    process, so another stripe of the table), raises the revision every process reads."""
    engine = sa.create_engine(database_url, poolclass=NullPool)
    try:
        for statement in (
            "UPDATE course SET price = price + 1 WHERE id = :course",
            "UPDATE provider SET name = 'LPK Lain' WHERE id = :provider",
            "UPDATE course_session SET seats_taken = seats_taken WHERE course_id IN "
            "(SELECT id FROM course WHERE provider_id = :provider)",
        ):
            before = revision(app)
            with engine.begin() as connection:
                connection.execute(sa.text(statement), world)
            assert revision(app) > before, statement
    finally:
        engine.dispose()


def test_a_truncated_synonym_table_raises_the_revision(app, world):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
    before, after, _ = _changed(app, lambda: db.session.execute(sa.text("TRUNCATE search_synonym")))
    assert after > before


def test_a_change_elsewhere_leaves_the_revision_alone(app, world):
    """A participant's rows, a user's: nothing a catalogue page shows."""
    before = revision(app)

    def participant():
        return make_participant().id

    _, after, participant_id = _changed(app, participant)
    assert after == before
    with app.app_context():
        user_id = db.session.get(Participant, participant_id).user_id
    _, after, _ = _changed(
        app,
        lambda: db.session.execute(
            sa.update(Participant).where(Participant.id == participant_id).values(city="Medan")
        ),
    )
    assert after == before
    _, after, _ = _changed(
        app,
        lambda: db.session.execute(
            sa.update(User).where(User.id == user_id).values(name="Nama Baru")
        ),
    )
    assert after == before

    def delete():
        db.session.execute(sa.delete(Participant).where(Participant.id == participant_id))
        db.session.execute(sa.delete(User).where(User.id == user_id))

    _, after, _ = _changed(app, delete)
    assert after == before


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's row locks and deferred triggers")
def test_raising_the_revision_never_makes_two_writers_deadlock(app, world, database_url):
    """The revision is raised when a transaction commits (deferred constraint triggers), so
    its stripe row is locked after every other lock: two transactions of server processes
    that share a stripe, one changing a platform then the course, the other the course in
    between, wait for each other as they would without the triggers, and both commit."""
    import threading
    import time

    import psycopg

    dsn = sa.engine.make_url(database_url).set(drivername="postgresql")
    dsn = dsn.render_as_string(hide_password=False)
    pool = [psycopg.connect(dsn) for _ in range(16)]
    try:
        by_stripe: dict[int, list] = {}
        for connection in pool:
            by_stripe.setdefault(connection.info.backend_pid % 8, []).append(connection)
        first, second = next(group for group in by_stripe.values() if len(group) >= 2)[:2]
        course, platform = world["course"], world["platform"]
        first.execute("UPDATE platform SET name = name WHERE id = %s", (platform,))
        outcome = {}

        def office():
            try:
                second.execute("UPDATE course SET title = 'Judul Baru' WHERE id = %s", (course,))
                second.commit()
                outcome["second"] = "committed"
            except psycopg.Error as error:
                outcome["second"] = repr(error)
                second.rollback()

        thread = threading.Thread(target=office)
        thread.start()
        time.sleep(0.3)
        first.execute("UPDATE course SET price = price + 1 WHERE id = %s", (course,))
        first.commit()
        thread.join()
        assert outcome == {"second": "committed"}
    finally:
        for connection in pool:
            connection.close()
