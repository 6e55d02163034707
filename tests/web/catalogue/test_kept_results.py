"""Results kept under the catalogue's revision (catalogue/listing.py `list_courses(keep=True)`)
are never shown stale, in any process.

Worker A (the `app` fixture) serves /courses and keeps results; worker B, a second app on the
same database, makes the change through the product's own operations (the office approving,
editing and archiving a course, a participant's review, a purchase taking a seat, a provider
changing or cancelling a session); "another node" changes rows with plain SQL on a connection
of its own. The next request to worker A shows the change. A read of kept results runs no
listing query while nothing changed (counted with SQLAlchemy's `before_cursor_execute` event
on worker A's engine) and does after a change. Runs on SQLite and PostgreSQL
(scripts/with-postgres.sh).
"""

import html
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool
from support.checkout_rows import buy
from support.curation_rows import DETAILS, course, curation_world, user, write_course
from support.learning_rows import completed_orders, desk

from marketplace.catalogue import listing, search, synonyms
from marketplace.catalogue.models import Course, CourseSession, Method, Provider
from marketplace.curation import decisions, drafts
from marketplace.curation import sessions as course_sessions
from marketplace.extensions import db
from marketplace.learning import reviews
from marketplace.orders import refunds
from marketplace.orders.models import Order
from marketplace.people.models import Participant

REVIEW = "Materinya jelas dan langsung bisa dipraktikkan di tempat kerja."


# --- the two workers and another node -------------------------------------------------------


@contextmanager
def change_in(worker):
    """A change made in `worker`, committed as its request would."""
    with worker.app_context():
        yield
        db.session.commit()


@pytest.fixture
def other_node(database_url):
    """A connection of its own to the same database (another server's process)."""
    engine = sa.create_engine(database_url, poolclass=NullPool)

    def run(sql: str, **values) -> None:
        with engine.begin() as connection:
            connection.execute(sa.text(sql), values)

    yield run
    engine.dispose()


class Statements:
    """The SQL statements worker A's engine runs (SQLAlchemy's `before_cursor_execute`), and
    the revision's reads on a connection of their own (a plain DBAPI cursor, which runs no
    SQLAlchemy event: counted by wrapping `search.catalogue_revision`)."""

    def __init__(self, app, monkeypatch) -> None:
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []
        self.own_revision_reads = 0
        sa.event.listen(self.engine, "before_cursor_execute", self._run)
        read = search.catalogue_revision

        def counted(connection=None):
            if connection is None:
                self.own_revision_reads += 1
            return read(connection)

        monkeypatch.setattr(search, "catalogue_revision", counted)

    def _run(self, _connection, _cursor, statement, _parameters, _context, _many) -> None:
        self.seen.append(statement)

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._run)

    def clear(self) -> None:
        self.seen.clear()
        self.own_revision_reads = 0

    @property
    def listing(self) -> list[str]:
        """Statements that read results: the listing's count and page, the search's match."""
        return [s for s in self.seen if "course_search" in s or "FROM course c" in s]


@pytest.fixture
def statements(app, monkeypatch):
    counted = Statements(app, monkeypatch)
    yield counted
    counted.close()


# --- what worker A's pages show --------------------------------------------------------------


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def titles(client, path: str) -> list[str]:
    """The course titles of a results page, in order."""
    found = re.findall(
        r'<h3 class="course-card__title"[^>]*><a href="[^"]*">([^<]*)</a>', page(client, path)
    )
    return [html.unescape(title) for title in found]


def card(client, path: str, title: str) -> str:
    """The card of the course titled `title` on a results page."""
    cards = [
        found
        for found in re.findall(r'<li class="course-card">.*?</li>', page(client, path), re.S)
        if f">{title}</a>" in found
    ]
    assert len(cards) == 1, f"{title!r} is not on {path} once"
    return cards[0]


def seats(client, slug: str) -> list[str]:
    """What the course page says of each upcoming session's seats, soonest first."""
    return re.findall(r"Sisa kursi: </span>(.*?)</td>", page(client, f"/courses/{slug}"))


# --- kept results are read without the listing query, until something changes ---------------


def test_kept_results_run_no_listing_query_until_the_catalogue_changes(
    app, client, factory, worker_b, statements
):
    provider = factory.provider("LPK Cahaya Mandiri")
    excel = factory.course("Microsoft Excel untuk Kantor", provider=provider, price=300_000)
    factory.course("Excel Lanjutan", provider=provider, price=450_000)
    path = "/courses?q=excel&sort=price_asc"
    assert titles(client, path) == ["Microsoft Excel untuk Kantor", "Excel Lanjutan"]
    assert statements.listing, "the first read runs the listing query"
    for _ in range(3):
        statements.clear()
        assert titles(client, path) == ["Microsoft Excel untuk Kantor", "Excel Lanjutan"]
        assert statements.seen == []  # kept: no count, no page, no match, no transaction
        assert statements.own_revision_reads == 1  # only the revision was read
    statements.clear()
    assert titles(client, "/courses?q=excel&sort=price_desc")[0] == "Excel Lanjutan"
    assert statements.listing, "other criteria are other results"

    with change_in(worker_b):
        db.session.get(Course, excel.id).price = 600_000
    statements.clear()
    assert titles(client, path) == ["Excel Lanjutan", "Microsoft Excel untuk Kantor"]
    assert statements.listing, "after a change the results are read again"
    assert "Rp600.000" in card(client, path, "Microsoft Excel untuk Kantor")
    statements.clear()
    titles(client, path)
    assert statements.listing == []  # and kept again under the new revision


# --- the office's curation in another worker -------------------------------------------------


@pytest.fixture
def world(app, factory):
    return curation_world(app, factory)


def _submitted(world) -> tuple[int, int, int]:
    """(course id, draft id, version): a course written and submitted (caller's context)."""
    course_id = write_course(world)
    draft = decisions.submit(course(course_id), user(world.staff_id), world.now)
    return course_id, draft.id, draft.version


def test_a_course_approved_then_archived_in_another_worker(app, client, world, worker_b):
    with change_in(worker_b):
        course_id, draft_id, version = _submitted(world)
    assert titles(client, "/courses?q=spreadsheet") == []  # kept: nothing found
    assert titles(client, "/courses") == []

    with change_in(worker_b):
        decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
    assert titles(client, "/courses?q=spreadsheet") == [DETAILS["title"]]
    assert titles(client, "/courses?q=laporan+keuangan") == [DETAILS["title"]]
    assert titles(client, "/courses") == [DETAILS["title"]]
    slug = db_slug(app, course_id)
    assert DETAILS["summary"] in page(client, f"/courses/{slug}")

    with change_in(worker_b):
        decisions.archive(course(course_id), user(world.curator_id), world.now)
    assert titles(client, "/courses?q=spreadsheet") == []
    assert titles(client, "/courses") == []
    assert client.get(f"/courses/{slug}").status_code == 404


def test_an_approved_edit_of_a_listed_course_shows_in_every_worker(app, client, world, worker_b):
    with change_in(worker_b):
        course_id, draft_id, version = _submitted(world)
        decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
    assert titles(client, "/courses?q=spreadsheet") == [DETAILS["title"]]
    assert titles(client, "/courses?q=akuntansi") == []
    assert "Rp450.000" in card(client, "/courses?q=spreadsheet", DETAILS["title"])

    new_title = "Akuntansi UMKM dengan Spreadsheet untuk Pemula"
    with change_in(worker_b):
        staff = user(world.staff_id)
        drafts.save_details(
            course(course_id),
            staff,
            {
                **DETAILS,
                "category_id": str(world.category_id),
                "title": new_title,
                "price": "550000",
            },
            world.now,
        )
        submitted = decisions.submit(course(course_id), staff, world.now)
        draft_id, version = submitted.id, submitted.version
    # Submitted, not approved yet: the listed version is still the one shown.
    assert titles(client, "/courses?q=spreadsheet") == [DETAILS["title"]]

    with change_in(worker_b):
        decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
    assert titles(client, "/courses?q=spreadsheet") == [new_title]
    assert titles(client, "/courses?q=akuntansi") == [new_title]
    assert "Rp550.000" in card(client, "/courses?q=spreadsheet", new_title)

    # A text fix goes live at once (no curation), and shows at once too.
    with change_in(worker_b):
        fixed = {
            **DETAILS,
            "category_id": str(world.category_id),
            "title": new_title,
            "price": "550000",
            "description": DETAILS["description"] + " Termasuk templat kaligrafi.",
        }
        drafts.save_details(course(course_id), user(world.staff_id), fixed, world.now)
        drafts.publish_text_fixes(course(course_id), user(world.staff_id), world.now)
    assert titles(client, "/courses?q=kaligrafi") == [new_title]


# --- a participant's review in another worker ------------------------------------------------


def test_a_new_rating_changes_the_card_and_the_order_by_rating(app, client, shop, worker_b):
    shop.course(title="Barista Kopi Dasar", rating_avg=4.5, rating_count=10)
    unrated = shop.course(title="Barista Kopi Lanjutan")
    ((participant_id, order_id),) = completed_orders(app, shop, unrated.id, 1)
    path = "/courses?q=barista&sort=rating"
    assert titles(client, path) == ["Barista Kopi Dasar", "Barista Kopi Lanjutan"]
    assert "Belum ada penilaian" in card(client, path, "Barista Kopi Lanjutan")
    assert "(10 penilaian)" in card(client, path, "Barista Kopi Dasar")
    assert "Materinya jelas" not in page(client, f"/courses/{unrated.slug}")

    with change_in(worker_b):
        reviews.write_review(
            db.session.get(Order, order_id),
            db.session.get(Participant, participant_id),
            5,
            REVIEW,
            shop.now,
        )
    assert titles(client, path) == ["Barista Kopi Lanjutan", "Barista Kopi Dasar"]
    shown = card(client, path, "Barista Kopi Lanjutan")
    assert "5,0" in shown and "(1 penilaian)" in shown
    assert "Materinya jelas" in page(client, f"/courses/{unrated.slug}")  # the review


# --- seats: a purchase, a changed capacity, a cancelled session ------------------------------


def test_seats_shown_follow_purchases_and_session_changes(app, client, shop, worker_b):
    slug = db_slug(app, shop.webinar)
    assert seats(client, slug) == ["30 dari 30", "29 dari 30"]
    assert seats(client, slug) == ["30 dari 30", "29 dari 30"]  # asked again (kept)

    with change_in(worker_b):
        buy(shop, shop.webinar, shop.webinar_session)
    assert seats(client, slug) == ["29 dari 30", "29 dari 30"]

    with change_in(worker_b):
        session = db.session.get(CourseSession, shop.webinar_session_2)
        course_sessions.change(
            session,
            desk(shop.provider_id),
            {
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "place": session.place,
                "capacity": 20,
                "trainer_names": "Budi Santoso",
            },
            shop.now,
        )
    assert seats(client, slug) == ["29 dari 30", "19 dari 20"]

    with change_in(worker_b):
        refunds.cancel_session(
            db.session.get(CourseSession, shop.webinar_session),
            "Pelatih sakit",
            shop.now,
            desk(shop.provider_id),
        )
    assert seats(client, slug) == ["19 dari 20"]


def db_slug(app, course_id: int) -> str:
    with app.app_context():
        return course(course_id).slug


# --- a provider renamed ----------------------------------------------------------------------


def test_a_renamed_provider_shows_on_the_next_request(app, client, factory, worker_b):
    provider = factory.provider("LPK Cahaya Mandiri")
    factory.course("Microsoft Excel untuk Kantor", provider=provider)
    path = "/courses?q=excel"
    assert "LPK Cahaya Mandiri" in card(client, path, "Microsoft Excel untuk Kantor")
    with change_in(worker_b):  # no operation renames a provider yet: the row is changed
        db.session.get(Provider, provider.id).name = "LPK Cahaya Baru"
    shown = card(client, path, "Microsoft Excel untuk Kantor")
    assert "LPK Cahaya Baru" in shown and "LPK Cahaya Mandiri" not in shown


# --- another node: plain SQL on a connection of its own --------------------------------------


def test_plain_sql_from_another_node_shows_on_the_next_request(
    app, client, factory, other_node, statements
):
    provider = factory.provider("LPK Cahaya Mandiri")
    excel = factory.course(
        "Microsoft Excel untuk Kantor",
        provider=provider,
        price=300_000,
        rating_avg=4.0,
        rating_count=3,
    )
    word = factory.course(
        "Microsoft Word untuk Kantor",
        provider=provider,
        method=Method.WEBINAR,
        price=200_000,
        rating_avg=4.5,
        rating_count=8,
    )
    session = factory.session(word.id, capacity=10)
    assert titles(client, "/courses?q=microsoft&sort=rating") == [word.title, excel.title]
    assert titles(client, "/courses") == [word.title, excel.title]
    assert "Rp300.000" in card(client, "/courses?q=microsoft", excel.title)
    assert seats(client, word.slug) == ["10 dari 10"]
    statements.clear()
    titles(client, "/courses?q=microsoft&sort=rating")
    assert statements.listing == []  # kept

    other_node("UPDATE course SET price = 777000 WHERE id = :id", id=excel.id)
    assert "Rp777.000" in card(client, "/courses?q=microsoft", excel.title)

    other_node("UPDATE course SET rating_avg = 4.9 WHERE id = :id", id=excel.id)
    assert titles(client, "/courses?q=microsoft&sort=rating") == [excel.title, word.title]

    other_node("UPDATE course_session SET seats_taken = 4 WHERE id = :id", id=session.id)
    assert seats(client, word.slug) == ["6 dari 10"]

    other_node("UPDATE provider SET name = 'LPK Sinar' WHERE id = :id", id=provider.id)
    assert "LPK Sinar" in card(client, "/courses?q=microsoft", excel.title)

    other_node("UPDATE course SET status = 'archived' WHERE id = :id", id=word.id)
    assert titles(client, "/courses") == [excel.title]
    response = client.get(f"/courses/{word.slug}")
    assert response.status_code == 404

    other_node("DELETE FROM course_session WHERE id = :id", id=session.id)
    other_node("UPDATE course SET status = 'approved' WHERE id = :id", id=word.id)
    assert seats(client, word.slug) == []


def test_a_synonym_added_in_another_worker_is_used_at_once(
    app, client, factory, worker_b, tmp_path
):
    provider = factory.provider("LPK Cahaya Mandiri")
    factory.course("Kaligrafi Modern untuk Pemula", provider=provider)
    factory.course("Hand Lettering Dasar", provider=provider)
    assert titles(client, "/courses?q=lettering") == ["Hand Lettering Dasar"]
    groups = tmp_path / "synonyms.txt"
    groups.write_text("kaligrafi, lettering\n", encoding="utf-8")
    with change_in(worker_b):
        assert synonyms.load(groups).added == 1
    assert sorted(titles(client, "/courses?q=lettering")) == [
        "Hand Lettering Dasar",
        "Kaligrafi Modern untuk Pemula",
    ]


def test_an_index_rebuilt_by_another_process_shows_at_once(
    app, client, factory, worker_b, other_node
):
    provider = factory.provider("LPK Cahaya Mandiri")
    excel = factory.course("Microsoft Excel untuk Kantor", provider=provider)
    # Another node renames the course with plain SQL: the index still holds the old words.
    other_node(
        "UPDATE course SET title = 'Kaligrafi Modern untuk Pemula' WHERE id = :id", id=excel.id
    )
    assert titles(client, "/courses?q=kaligrafi") == []  # kept under the revision
    with change_in(worker_b):  # `flask search rebuild`
        search.rebuild_index()
    assert titles(client, "/courses?q=kaligrafi") == ["Kaligrafi Modern untuk Pemula"]


def test_a_page_past_the_end_kept_as_such_follows_a_change(app, client, factory, world, worker_b):
    provider = factory.provider("LPK Cahaya Mandiri")
    for n in range(20):  # one full page, dearer than the course approved below
        factory.course(f"Spreadsheet Seri {n}", provider=provider, modules=0)
    with change_in(worker_b):
        course_id, draft_id, version = _submitted(world)
    for _ in range(2):  # asked again: answered from what was kept
        assert client.get("/courses?q=spreadsheet&sort=price_desc&page=2").status_code == 404
    with change_in(worker_b):
        decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
    assert titles(client, "/courses?q=spreadsheet&sort=price_desc&page=2") == [DETAILS["title"]]
    with change_in(worker_b):
        decisions.archive(course(course_id), user(world.curator_id), world.now)
    assert client.get("/courses?q=spreadsheet&sort=price_desc&page=2").status_code == 404


def test_a_page_read_in_an_older_snapshot_is_kept_under_the_revision_it_saw(
    app, factory, other_node
):
    """The session's transaction may have begun (the minute's refresh of the filter lists)
    before another worker's commit and before the revision is read on its own connection: on
    SQLite it then reads the older rows, which must not be kept under the newer revision."""
    course = factory.course("Microsoft Excel untuk Pemula", enrolment_count=900)
    factory.course("Desain Grafis Dasar", enrolment_count=10)
    criteria = listing.Criteria(sort="popular")
    with app.test_request_context("/courses"):
        listing.forget_filter_options()
        listing.filter_options()  # the session's transaction reads first
        other_node("UPDATE course SET title = 'Excel Lanjutan' WHERE id = :id", id=course.id)
        listing.list_courses(criteria, keep=True)
        db.session.remove()
    for _ in range(2):
        with app.test_request_context("/courses"):
            kept = listing.list_courses(criteria, keep=True)
            assert kept.items[0].title == "Excel Lanjutan"
            db.session.remove()
