"""The provider's course editor (/provider/courses/...): a course created, filled with
modules and questions, held to the training standard on the page before it is submitted;
the list by status with counts and search; a listed course edited without leaving the
catalogue; text fixes; archiving and deleting; sessions; another provider's ids; bad input;
both languages."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from support.curation_rows import DETAILS, course, curation_world, question, user, write_course
from support.factories import PASSWORD

from marketplace.catalogue import listing
from marketplace.catalogue.models import (
    Course,
    CourseSession,
    CourseStatus,
    SessionStatus,
)
from marketplace.core.base import utcnow
from marketplace.core.indonesia import in_jakarta, rupiah
from marketplace.curation import decisions, drafts, standard
from marketplace.curation.models import DraftState
from marketplace.extensions import db
from marketplace.people.models import Role
from marketplace.web.i18n import gettext

# --- rows and helpers ------------------------------------------------------------------------


def _sign_in(app, email: str, english: bool = False):
    client = app.test_client()
    if english:
        client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _said(app, language: str, message: str, **params) -> str:
    """A message as a page in `language` says it."""
    with app.test_request_context(), force_locale(language):
        return gettext(message, **params)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _details(world, **changes) -> dict:
    return {**DETAILS, "category_id": str(world.category_id), **changes}


def _version(app, course_id: int) -> str:
    """The working copy's version, as a form drawn now carries it."""
    with app.app_context():
        return str(drafts.copy_version(course(course_id)))


def _form(app, course_id: int, **data) -> dict:
    """A form that changes the working copy, with the version a page drawn now carries."""
    return {"version": _version(app, course_id), **data}


def _version_on(page) -> str:
    """The version a page's forms carry (each of them the same one)."""
    found = set(re.findall(r'name="version" value="([^"]*)"', _text(page)))
    assert len(found) == 1, found
    return found.pop()


@pytest.fixture
def editor(app, factory):
    """The curation world (a provider, its staff signed in, a category, the schemes) and a
    rival provider with a webinar course and a session of its own."""
    world = curation_world(app, factory)
    rival = factory.provider(name="LPK Saingan")
    rival_staff = factory.user(Role.PROVIDER, provider=rival)
    rival_world = SimpleNamespace(
        provider_id=rival.id,
        staff_id=rival_staff.id,
        category_id=world.category_id,
        now=world.now,
    )
    with app.app_context():
        email = user(world.staff_id).email
        rival_course = write_course(rival_world, method="webinar", title="Kursus Lembaga Saingan")
        db.session.commit()
    rival_session = factory.session(rival_course).id
    return SimpleNamespace(
        world=world,
        client=_sign_in(app, email),
        email=email,
        rival_course=rival_course,
        rival_session=rival_session,
    )


def _course_id(response) -> int:
    found = re.search(r"/provider/courses/(\d+)$", response.headers["Location"])
    assert found, response.headers.get("Location")
    return int(found.group(1))


def _approved(app, world, **details) -> int:
    """A course written, submitted and approved by the office: listed."""
    with app.app_context():
        course_id = write_course(world, **details)
        draft = decisions.submit(course(course_id), user(world.staff_id), world.now)
        decisions.decide(draft.id, draft.version, user(world.curator_id), True, None, world.now)
        db.session.commit()
    return course_id


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- create, fill, see the standard, submit --------------------------------------------------


def test_a_course_is_created_filled_checked_on_the_page_and_submitted(app, editor):
    client, world = editor.client, editor.world
    page = client.get("/provider/courses/new")
    assert page.status_code == 200
    for name in ("title", "summary", "description", "outcomes", "audience", "category_id"):
        assert f'name="{name}"' in page.get_data(as_text=True)

    created = client.post("/provider/courses/new", data=_details(world))
    assert created.status_code == 302
    course_id = _course_id(created)
    with app.app_context():
        row = course(course_id)
        assert row.provider_id == world.provider_id
        assert row.status is CourseStatus.DRAFT
        assert drafts.draft_of(row).content["audience"] == DETAILS["audience"]

    # Before anything else, the page shows what the standard still asks, beside its part.
    overview = _text(client.get(f"/provider/courses/{course_id}"))
    assert 'id="finding-modules"' in overview and 'id="finding-questions"' in overview
    assert _said(app, "id", "A course has at least %(count)s modules.", count=2) in overview
    with app.app_context():
        _rules, scheme = standard.in_force()
        limit = rupiah(standard.price_limit(scheme))
    assert limit in overview  # the standard's figures are on the page
    refused = client.post(f"/provider/courses/{course_id}/submit")
    assert refused.status_code == 409
    assert _said(app, "id", "A course has at least %(count)s modules.", count=2) in _text(refused)
    with app.app_context():
        assert course(course_id).status is CourseStatus.DRAFT

    for number in (1, 2):
        version = _version_on(client.get(f"/provider/courses/{course_id}/modules/new"))
        added = client.post(
            f"/provider/courses/{course_id}/modules/new",
            data={
                "title": f"Modul {number}",
                "minutes": "60",
                "lesson": "## Isi\n- satu",
                "version": version,
            },
        )
        assert added.status_code == 302
        assert added.headers["Location"].endswith(f"/provider/courses/{course_id}/modules/{number}")
        page = client.get(f"/provider/courses/{course_id}/modules/{number}/questions/new")
        quiz = client.post(
            f"/provider/courses/{course_id}/modules/{number}/questions/new",
            data={
                "version": _version_on(page),
                "prompt": "Apa itu laba?",
                "answer_1": "Pendapatan dikurangi biaya",
                "answer_2": "Semua uang masuk",
                "correct": "1",
            },
        )
        assert quiz.status_code == 302
    module_page = _text(client.get(f"/provider/courses/{course_id}/modules/1"))
    assert "Apa itu laba?" in module_page and "<h3>Isi</h3>" in module_page
    for number in range(1, 6):
        asked = question(number)
        answered = client.post(
            f"/provider/courses/{course_id}/questions/new",
            data={
                "version": _version(app, course_id),
                "prompt": asked["prompt"],
                "answer_1": asked["choices"][0],
                "answer_3": asked["choices"][1],  # a blank box between answers is skipped
                "answer_4": asked["choices"][2],
                "correct": "3",
            },
        )
        assert answered.status_code == 302
    with app.app_context():
        content = drafts.working_copy(course(course_id))
        assert len(content["modules"]) == 2 and len(content["questions"]) == 5
        assert content["questions"][0]["choices"] == question(1)["choices"]
        assert content["questions"][0]["correct"] == 1  # the third box, the second answer

    ready = _text(client.get(f"/provider/courses/{course_id}"))
    assert 'id="finding-' not in ready
    assert _said(app, "id", "The course meets every rule of the training standard.") in ready

    submitted = client.post(f"/provider/courses/{course_id}/submit")
    assert submitted.status_code == 302
    with app.app_context():
        assert course(course_id).status is CourseStatus.SUBMITTED
        assert drafts.draft_of(course(course_id)).state is DraftState.SUBMITTED

    # Waiting for curation, the copy can't change: a 409 that says what to do.
    for path in ("/details", "/modules/new", "/modules/1/questions/1", "/questions/new"):
        answer = client.get(f"/provider/courses/{course_id}{path}")
        assert answer.status_code == 409, path
        assert _said(app, "id", drafts.EDITED_WHILE_SUBMITTED) in _text(answer)
    refused = client.post(
        f"/provider/courses/{course_id}/details",
        data=_form(app, course_id, **_details(world)),
    )
    assert refused.status_code == 409
    assert _said(app, "id", drafts.EDITED_WHILE_SUBMITTED) in _text(refused)
    assert (
        client.post(
            f"/provider/courses/{course_id}/modules/1/move",
            data=_form(app, course_id, direction="down"),
        ).status_code
        == 409
    )

    withdrawn = client.post(f"/provider/courses/{course_id}/withdraw")
    assert withdrawn.status_code == 302
    with app.app_context():
        assert course(course_id).status is CourseStatus.DRAFT


def test_modules_move_up_and_down_and_are_removed_after_a_check(app, editor):
    client = editor.client
    with app.app_context():
        course_id = write_course(editor.world, modules=3)
        db.session.commit()
    version = _version_on(client.get(f"/provider/courses/{course_id}"))
    moved = client.post(
        f"/provider/courses/{course_id}/modules/1/move",
        data={"direction": "down", "version": version},
    )
    assert moved.status_code == 302
    client.post(
        f"/provider/courses/{course_id}/modules/3/move",
        data=_form(app, course_id, direction="up"),
    )
    with app.app_context():
        titles = [m["title"] for m in drafts.working_copy(course(course_id))["modules"]]
    assert titles == ["Modul 2", "Modul 3", "Modul 1"]
    assert (
        client.post(
            f"/provider/courses/{course_id}/modules/1/move",
            data=_form(app, course_id, direction="up"),
        )
    ).status_code == 409
    assert (
        client.post(
            f"/provider/courses/{course_id}/modules/1/move",
            data=_form(app, course_id, direction="x"),
        )
    ).status_code == 400
    check = client.get(f"/provider/courses/{course_id}/modules/2/remove")
    assert check.status_code == 200 and "Modul 3" in _text(check)
    with app.app_context():
        assert len(drafts.working_copy(course(course_id))["modules"]) == 3
    assert (
        client.post(
            f"/provider/courses/{course_id}/modules/2/remove", data={"version": _version_on(check)}
        ).status_code
        == 302
    )
    assert client.get(f"/provider/courses/{course_id}/modules/3").status_code == 404
    removed = client.post(
        f"/provider/courses/{course_id}/questions/5/remove",
        data={"version": _version_on(client.get(f"/provider/courses/{course_id}"))},
    )
    assert removed.status_code == 302
    with app.app_context():
        content = drafts.working_copy(course(course_id))
    assert [m["title"] for m in content["modules"]] == ["Modul 2", "Modul 1"]
    assert len(content["questions"]) == 4

    page = client.get(f"/provider/courses/{course_id}/modules/1")
    edited = client.post(
        f"/provider/courses/{course_id}/modules/1",
        data={
            "title": "Modul Baru",
            "minutes": "90",
            "lesson": "Teks",
            "version": _version_on(page),
        },
    )
    assert edited.status_code == 302
    page = client.get(f"/provider/courses/{course_id}/questions/1")
    changed = client.post(
        f"/provider/courses/{course_id}/questions/1",
        data={
            "prompt": "Diubah?",
            "answer_1": "Ya",
            "answer_2": "Tidak",
            "correct": "2",
            "version": _version_on(page),
        },
    )
    assert changed.status_code == 302
    with app.app_context():
        content = drafts.working_copy(course(course_id))
    assert content["modules"][0]["title"] == "Modul Baru"
    assert content["modules"][0]["minutes"] == 90
    assert content["questions"][0] == {
        **content["questions"][0],
        "prompt": "Diubah?",
        "choices": ["Ya", "Tidak"],
        "correct": 1,
    }


# --- two members of staff at once ------------------------------------------------------------


@pytest.fixture
def colleague(app, editor, factory):
    """A second member of the provider's staff, signed in on a client of their own."""
    staff = factory.user(Role.PROVIDER, provider=editor.world.provider)
    return _sign_in(app, staff.email)


def _content(app, course_id: int) -> tuple[dict, int]:
    with app.app_context():
        row = course(course_id)
        return drafts.working_copy(row), drafts.copy_version(row)


def test_a_form_from_before_a_colleagues_change_is_refused(app, editor, colleague):
    client = editor.client
    with app.app_context():
        course_id = write_course(editor.world, modules=4)
        db.session.commit()
    base = f"/provider/courses/{course_id}"
    # The colleague opens module 3 ("Modul 3"), the overview and a quiz question's form.
    third = colleague.get(f"{base}/modules/3")
    assert third.status_code == 200 and "Modul 3" in _text(third)
    old_module = _version_on(third)
    old_overview = _version_on(colleague.get(f"{base}"))
    old_question = _version_on(colleague.get(f"{base}/modules/3/questions/1"))
    assert old_module == old_overview == old_question

    # Meanwhile the other removes module 2: "module 3" is "Modul 4" now.
    check = client.get(f"{base}/modules/2/remove")
    removed = client.post(f"{base}/modules/2/remove", data={"version": _version_on(check)})
    assert removed.status_code == 302
    before, version = _content(app, course_id)
    assert [m["title"] for m in before["modules"]] == ["Modul 1", "Modul 3", "Modul 4"]

    changed_since = _said(app, "id", drafts.CHANGED_SINCE)
    refusals = {
        "save module 3": (
            f"{base}/modules/3",
            {"title": "Modul 3 yang diperbaiki", "minutes": "45", "lesson": "Teks baru"},
            old_module,
        ),
        "move module 3 up": (f"{base}/modules/3/move", {"direction": "up"}, old_overview),
        "remove question 3": (f"{base}/questions/3/remove", {}, old_overview),
        "remove module 3": (f"{base}/modules/3/remove", {}, old_overview),
        "save quiz question 1 of module 3": (
            f"{base}/modules/3/questions/1",
            {"prompt": "Diubah?", "answer_1": "Ya", "answer_2": "Tidak", "correct": "1"},
            old_question,
        ),
        "remove quiz question 1 of module 3": (
            f"{base}/modules/3/questions/1/remove",
            {},
            old_overview,
        ),
        "add a module": (
            f"{base}/modules/new",
            {"title": "Modul Tambahan", "minutes": "30", "lesson": "Teks"},
            old_overview,
        ),
        "add a question": (
            f"{base}/questions/new",
            {"prompt": "Baru?", "answer_1": "Ya", "answer_2": "Tidak", "correct": "1"},
            old_overview,
        ),
        "save the details": (f"{base}/details", _details(editor.world), old_overview),
    }
    for what, (path, data, old) in refusals.items():
        refused = colleague.post(path, data={**data, "version": old})
        assert refused.status_code == 409, what
        assert changed_since in _text(refused), what
        assert _content(app, course_id) == (before, version), what

    # Drawn again, the forms carry the new version and go through.
    fresh = colleague.get(f"{base}/modules/3")
    assert "Modul 4" in _text(fresh) and _version_on(fresh) == str(version)
    saved = colleague.post(
        f"{base}/modules/3",
        data={"title": "Modul 4 Baru", "minutes": "60", "lesson": "Teks", "version": str(version)},
    )
    assert saved.status_code == 302
    after, _ = _content(app, course_id)
    assert [m["title"] for m in after["modules"]] == ["Modul 1", "Modul 3", "Modul 4 Baru"]


def test_a_move_or_a_removal_from_an_old_overview_is_refused(app, editor, colleague):
    client = editor.client
    with app.app_context():
        course_id = write_course(editor.world, modules=3)
        db.session.commit()
    base = f"/provider/courses/{course_id}"
    seen = _version_on(colleague.get(base))
    # The other moves module 1 down, then removes question 1.
    mine = _version_on(client.get(base))
    assert client.post(f"{base}/modules/1/move", data={"direction": "down", "version": mine})
    mine = _version_on(client.get(base))
    assert client.post(f"{base}/questions/1/remove", data={"version": mine}).status_code == 302
    before, version = _content(app, course_id)
    assert [m["title"] for m in before["modules"]] == ["Modul 2", "Modul 1", "Modul 3"]
    assert len(before["questions"]) == 4

    # The colleague's "module 2 up" meant Modul 2; "question 2" meant the second question.
    moved = colleague.post(f"{base}/modules/2/move", data={"direction": "up", "version": seen})
    assert moved.status_code == 409
    assert _said(app, "id", drafts.CHANGED_SINCE) in _text(moved)
    gone = colleague.post(f"{base}/questions/2/remove", data={"version": seen})
    assert gone.status_code == 409
    assert _content(app, course_id) == (before, version)


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_form_without_a_readable_version_is_refused(app, editor, language):
    client = _sign_in(app, editor.email, english=language == "en")
    with app.app_context():
        course_id = write_course(editor.world, modules=3)
        db.session.commit()
    before = _content(app, course_id)
    base = f"/provider/courses/{course_id}"
    missing = _said(
        app,
        language,
        "This form doesn't say which version of the course it was opened on, so nothing was "
        "saved. Open the course again and make your change again.",
    )
    forms = (
        (f"{base}/details", _details(editor.world, title="Judul yang Baru Sekali")),
        (f"{base}/modules/1", {"title": "Modul Baru", "minutes": "60", "lesson": "Teks"}),
        (f"{base}/modules/new", {"title": "Modul Baru", "minutes": "60", "lesson": "Teks"}),
        (f"{base}/modules/1/move", {"direction": "down"}),
        (f"{base}/modules/1/remove", {}),
        (f"{base}/questions/1", {"prompt": "Baru?", "answer_1": "Ya", "answer_2": "Tidak"}),
        (f"{base}/questions/new", {"prompt": "Baru?", "answer_1": "Ya", "answer_2": "Tidak"}),
        (f"{base}/questions/1/remove", {}),
        (f"{base}/modules/1/questions/1", {"prompt": "Baru?", "answer_1": "Ya"}),
        (f"{base}/modules/1/questions/new", {"prompt": "Baru?", "answer_1": "Ya"}),
        (f"{base}/modules/1/questions/1/remove", {}),
    )
    for path, data in forms:
        for version in (None, "", "satu", "-1", "1.0", "²", "9" * 400):
            sent = data if version is None else {**data, "version": version}
            refused = client.post(path, data=sent)
            assert refused.status_code == 400, (path, version, refused.status_code)
            assert missing in _text(refused), (path, version)
    assert _content(app, course_id) == before


# --- the list ------------------------------------------------------------------------------


def test_the_list_counts_each_status_and_searches_titles(app, editor):
    client, world = editor.client, editor.world
    with app.app_context():
        drafted = write_course(world, title="Dasar Desain Grafis untuk Pemula")
        waiting = write_course(world, title="Menulis Konten Pemasaran")
        decisions.submit(course(waiting), user(world.staff_id), world.now)
        sent_back = write_course(world, title="Fotografi Produk dengan Ponsel")
        draft = decisions.submit(course(sent_back), user(world.staff_id), world.now)
        decisions.decide(
            draft.id,
            draft.version,
            user(world.curator_id),
            False,
            "Tambahkan modul praktik memotret.",
            world.now,
        )
        archived = write_course(world, title="Kursus Lama yang Diarsipkan")
        decisions.archive(course(archived), user(world.staff_id), world.now)
        db.session.commit()
    listed = _approved(app, world, title="Excel untuk Administrasi Kantor")

    page = _text(client.get("/provider/courses"))
    for status, number in (
        ("Draft", 1),
        ("Waiting for curation", 1),
        ("Approved", 1),
        ("Sent back", 1),
        ("Archived", 1),
    ):
        assert f"{_said(app, 'id', status)} ({number})" in page, status
    assert f"{_said(app, 'id', 'All')} (5)" in page
    assert "Tambahkan modul praktik memotret." in page  # the curator's note
    for course_id in (drafted, waiting, sent_back, archived, listed):
        assert f'href="/provider/courses/{course_id}"' in page
    assert "Kursus Lembaga Saingan" not in page  # another provider's

    approved_only = _text(client.get("/provider/courses?status=approved"))
    assert f'/provider/courses/{listed}"' in approved_only
    assert f'/provider/courses/{drafted}"' not in approved_only

    found = _text(client.get("/provider/courses?q=pemasaran"))
    assert f'/provider/courses/{waiting}"' in found
    assert f'/provider/courses/{drafted}"' not in found
    assert f"{_said(app, 'id', 'All')} (1)" in found
    # The working copy's title is what is searched (and shown).
    client.post(
        f"/provider/courses/{drafted}/details",
        data=_form(app, drafted, **_details(world, title="Ilustrasi Digital untuk Pemula")),
    )
    found = _text(client.get("/provider/courses?q=ilustrasi"))
    assert f'/provider/courses/{drafted}"' in found and "Ilustrasi Digital untuk Pemula" in found
    # LIKE's wildcards are plain characters in a search.
    assert f'/provider/courses/{drafted}"' not in _text(client.get("/provider/courses?q=%25"))

    assert client.get("/provider/courses?status=deleted").status_code == 400
    too_long = client.get("/provider/courses?q=" + "x" * 201)
    assert too_long.status_code == 400
    assert _said(app, "id", "Search with at most %(longest)s characters.", longest=200) in _text(
        too_long
    )
    assert client.get("/provider/courses?page=2").status_code == 404


def test_the_list_has_pages(app, editor, factory):
    provider = editor.world.provider
    for number in range(23):
        factory.course(f"Pelatihan Nomor {number}", provider=provider, status=CourseStatus.DRAFT)
    first = _text(editor.client.get("/provider/courses"))
    assert 'rel="next" href="/provider/courses?page=2"' in first
    second = editor.client.get("/provider/courses?page=2")
    assert second.status_code == 200
    assert len(re.findall(r'href="/provider/courses/\d+"', _text(second))) == 3
    assert editor.client.get("/provider/courses?page=3").status_code == 404
    assert editor.client.get("/provider/courses?page=x").status_code == 400


# --- a listed course -----------------------------------------------------------------------


def test_editing_a_listed_course_keeps_it_listed_until_approved(app, editor):
    client, world = editor.client, editor.world
    course_id = _approved(app, world)
    changed = client.post(
        f"/provider/courses/{course_id}/details",
        data=_form(
            app,
            course_id,
            **_details(
                world,
                price="500000",
                # what a browser may add: none of it is read
                status="archived",
                provider_id=str(editor.rival_course),
                rating_avg="5",
                published_at="",
            ),
        ),
    )
    assert changed.status_code == 302
    with app.app_context():
        row = course(course_id)
        assert row.status is CourseStatus.APPROVED and row.price == 450_000
        assert row.provider_id == world.provider_id and row.rating_avg == 0
        assert drafts.draft_of(row).content["price"] == 500_000
        assert course_id in [item.id for item in listing.list_courses(listing.Criteria()).items]
    overview = _text(client.get(f"/provider/courses/{course_id}"))
    assert _said(app, "id", "Changes not submitted yet") in overview
    assert _said(app, "id", "Submit the changes for curation") in overview
    assert _said(app, "id", "Publish the text fixes now") not in overview
    assert client.post(f"/provider/courses/{course_id}/text-fixes").status_code == 409
    # How a listed course is taught can't change.
    refused = client.post(
        f"/provider/courses/{course_id}/details",
        data=_form(app, course_id, **_details(world, method="webinar")),
    )
    assert refused.status_code == 400
    assert _said(app, "id", drafts.METHOD_FIXED) in _text(refused)

    assert client.post(f"/provider/courses/{course_id}/submit").status_code == 302
    with app.app_context():
        row = course(course_id)
        assert row.status is CourseStatus.APPROVED and row.price == 450_000
        assert drafts.draft_of(row).state is DraftState.SUBMITTED
    listed = _text(client.get("/provider/courses?status=approved"))
    assert _said(app, "id", "Changes waiting for curation") in listed


def test_text_fixes_of_a_listed_course_go_live_and_say_what_changed(app, editor):
    client, world = editor.client, editor.world
    course_id = _approved(app, world)
    new_summary = DETAILS["summary"].replace("usaha kecil", "usaha kecil dan menengah")
    details = _details(world, summary=new_summary)
    client.post(f"/provider/courses/{course_id}/details", data=_form(app, course_id, **details))
    overview = _text(client.get(f"/provider/courses/{course_id}"))
    assert _said(app, "id", "Publish the text fixes now") in overview
    said = _said(app, "id", "Changed since it was approved:")
    assert f"{said} {_said(app, 'id', 'Summary')}." in overview
    with app.app_context():
        assert course(course_id).summary == DETAILS["summary"]
    assert client.post(f"/provider/courses/{course_id}/text-fixes").status_code == 302
    with app.app_context():
        assert course(course_id).summary == new_summary
        assert drafts.draft_of(course(course_id)) is None
    # Nothing left to fix.
    again = client.post(f"/provider/courses/{course_id}/text-fixes")
    assert again.status_code == 409


# --- archive and delete ----------------------------------------------------------------------


def test_a_course_nobody_bought_is_deleted_after_a_check(app, editor):
    client = editor.client
    with app.app_context():
        course_id = write_course(editor.world)
        db.session.commit()
    check = client.get(f"/provider/courses/{course_id}/delete")
    assert check.status_code == 200
    assert _said(app, "id", "Deleting can't be undone.") in _text(check)
    assert _count(app, Course) == 2
    deleted = client.post(f"/provider/courses/{course_id}/delete")
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith("/provider/courses")
    assert client.get(f"/provider/courses/{course_id}").status_code == 404
    assert _count(app, Course) == 1


def test_a_bought_course_is_archived_not_deleted(app, factory, shop):
    from support.checkout_rows import buy

    with app.app_context():
        buy(shop, shop.self_paced)
        db.session.commit()
        provider = db.session.get(Course, shop.self_paced).provider
        db.session.expunge(provider)
    staff = factory.user(Role.PROVIDER, provider=provider)
    client = _sign_in(app, staff.email, english=True)
    check = _text(client.get(f"/provider/courses/{shop.self_paced}/delete"))
    assert "so it can't be deleted: archive it instead" in check
    refused = client.post(f"/provider/courses/{shop.self_paced}/delete")
    assert refused.status_code == 409
    assert _count(app, Course) == 4

    archive_check = client.get(f"/provider/courses/{shop.self_paced}/archive")
    assert archive_check.status_code == 200
    with app.app_context():
        assert course(shop.self_paced).status is CourseStatus.APPROVED
    assert client.post(f"/provider/courses/{shop.self_paced}/archive").status_code == 302
    with app.app_context():
        assert course(shop.self_paced).status is CourseStatus.ARCHIVED
    overview = client.get(f"/provider/courses/{shop.self_paced}")
    assert "This course is archived" in _text(overview)
    assert client.get(f"/provider/courses/{shop.self_paced}/details").status_code == 409
    assert client.get(f"/provider/courses/{shop.self_paced}/archive").status_code == 409


# --- sessions -------------------------------------------------------------------------------


def _session_form(start, hours=3, **changes) -> dict:
    local = in_jakarta(start)
    end = in_jakarta(start + timedelta(hours=hours))
    return {
        "starts_date": local.strftime("%d/%m/%Y"),
        "starts_time": local.strftime("%H.%M"),
        "ends_date": end.strftime("%d/%m/%Y"),
        "ends_time": end.strftime("%H.%M"),
        "place": "https://zoom.us/j/123456",
        "capacity": "40",
        "trainer_names": "Budi Santoso",
        **changes,
    }


def test_sessions_are_scheduled_and_changed_within_the_standard(app, editor):
    client, world = editor.client, editor.world
    with app.app_context():
        course_id = write_course(world, method="webinar")
        self_paced = write_course(world)
        db.session.commit()
    start = (utcnow() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    assert client.get(f"/provider/courses/{course_id}/sessions/new").status_code == 200
    made = client.post(f"/provider/courses/{course_id}/sessions/new", data=_session_form(start))
    assert made.status_code == 302
    with app.app_context():
        row = db.session.scalar(
            sa.select(CourseSession).where(CourseSession.course_id == course_id)
        )
        assert row.starts_at == start and row.ends_at == start + timedelta(hours=3)
        assert (row.capacity, row.trainer_names, row.place) == (
            40,
            "Budi Santoso",
            "https://zoom.us/j/123456",
        )
        session_id = row.id
    overview = _text(client.get(f"/provider/courses/{course_id}"))
    assert "Budi Santoso" in overview
    assert f"/provider/courses/{course_id}/sessions/{session_id}/edit" in overview

    # The standard: 50 participants per trainer on a webinar, a start in the future, an end
    # after the start; and dates that can't be read.
    too_many = client.post(
        f"/provider/courses/{course_id}/sessions/new", data=_session_form(start, capacity="120")
    )
    assert too_many.status_code == 400
    assert "120" in _text(too_many) and _said(
        app,
        "id",
        "One trainer teaches at most %(ratio)s participants at once: %(capacity)s seats need "
        "%(needed)s trainers.",
        ratio=50,
        capacity=120,
        needed=3,
    ) in _text(too_many)
    past = client.post(
        f"/provider/courses/{course_id}/sessions/new",
        data=_session_form(utcnow() - timedelta(days=2)),
    )
    assert past.status_code == 400
    assert _said(app, "id", "A session starts in the future.") in _text(past)
    backwards = client.post(
        f"/provider/courses/{course_id}/sessions/new", data=_session_form(start, hours=-2)
    )
    assert backwards.status_code == 400
    assert _said(app, "id", "A session ends after it starts.") in _text(backwards)
    unreadable = client.post(
        f"/provider/courses/{course_id}/sessions/new",
        data=_session_form(start, starts_date="31/02/2027", capacity="banyak", trainer_names=""),
    )
    assert unreadable.status_code == 400
    shown = _text(unreadable)
    assert _said(app, "id", "Enter the capacity as a whole number of seats, like 30") in shown
    assert _said(app, "id", "Name the session's trainer, or trainers.") in shown
    assert 'value="31/02/2027"' in shown  # what was typed is shown back
    assert _count(app, CourseSession) == 2  # the rival's and the one made above

    # Change the session: two trainers for 80 seats.
    edited = client.post(
        f"/provider/courses/{course_id}/sessions/{session_id}/edit",
        data=_session_form(start, capacity="80", trainer_names="Budi Santoso, Sari Dewi"),
    )
    assert edited.status_code == 302
    with app.app_context():
        row = db.session.get(CourseSession, session_id)
        assert row.capacity == 80 and row.trainer_names == "Budi Santoso, Sari Dewi"

    # A self-paced course has no sessions; another provider's session is not found here.
    assert client.get(f"/provider/courses/{self_paced}/sessions/new").status_code == 409
    assert (
        client.get(f"/provider/courses/{course_id}/sessions/{editor.rival_session}/edit")
    ).status_code == 404


def test_an_offline_session_says_its_city(app, editor):
    from marketplace.core.models import Province

    client, world = editor.client, editor.world
    with app.app_context():
        province_id = db.session.scalar(sa.select(Province.id).limit(1))
        course_id = write_course(
            world, method="offline", province_id=str(province_id), city="Kota Bandung"
        )
        db.session.commit()
    page = _text(client.get(f"/provider/courses/{course_id}/sessions/new"))
    assert 'name="city" type="text" value="Kota Bandung"' in page  # the course's city
    start = (utcnow() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    form = _session_form(start, place="Jl. Melati No. 11", capacity="30")
    refused = client.post(f"/provider/courses/{course_id}/sessions/new", data={**form, "city": " "})
    assert refused.status_code == 400
    assert _said(
        app, "id", "Write the city of the session, at most %(longest)s characters.", longest=80
    ) in _text(refused)
    # 30 seats a trainer offline: 31 need two.
    crowded = client.post(
        f"/provider/courses/{course_id}/sessions/new",
        data={**form, "city": "Kota Bandung", "capacity": "31"},
    )
    assert crowded.status_code == 400
    made = client.post(
        f"/provider/courses/{course_id}/sessions/new", data={**form, "city": "Kota Bandung"}
    )
    assert made.status_code == 302
    with app.app_context():
        row = db.session.scalar(
            sa.select(CourseSession).where(CourseSession.course_id == course_id)
        )
        assert (row.place, row.city, row.capacity) == ("Jl. Melati No. 11", "Kota Bandung", 30)


def test_a_session_with_seats_keeps_its_time_and_at_least_its_seats(app, factory, shop):
    from support.checkout_rows import buy

    with app.app_context():
        for _ in range(1):
            buy(shop, shop.webinar, shop.webinar_session)
        db.session.commit()
        provider = db.session.get(Course, shop.webinar).provider
        session = db.session.get(CourseSession, shop.webinar_session)
        start = session.starts_at
        hours = (session.ends_at - session.starts_at).total_seconds() / 3600
        db.session.expunge(provider)
    staff = factory.user(Role.PROVIDER, provider=provider)
    client = _sign_in(app, staff.email, english=True)
    path = f"/provider/courses/{shop.webinar}/sessions/{shop.webinar_session}/edit"
    page = client.get(path)
    assert page.status_code == 200
    assert "1 seat is taken" in _text(page)
    # The page shows the stored time to the minute: sent back unchanged, it is unchanged.
    kept = client.post(path, data=_session_form(start, hours=hours, capacity="1"))
    assert kept.status_code == 302, _text(kept)[:2000]
    moved = client.post(path, data=_session_form(start + timedelta(days=1), hours=hours))
    assert moved.status_code == 400
    assert "Participants have bought seats at this time" in _text(moved)
    with app.app_context():
        assert db.session.get(CourseSession, shop.webinar_session).starts_at == start
        db.session.get(CourseSession, shop.webinar_session).capacity = 5
        db.session.get(CourseSession, shop.webinar_session).seats_taken = 3
        db.session.commit()
    fewer = client.post(path, data=_session_form(start, hours=hours, capacity="2"))
    assert fewer.status_code == 400
    assert "3 seats are taken already: the capacity can't be less than that." in _text(fewer)
    with app.app_context():
        assert db.session.get(CourseSession, shop.webinar_session).capacity == 5
        db.session.get(CourseSession, shop.webinar_session).status = SessionStatus.CANCELLED
        db.session.commit()
    cancelled = client.get(path)
    assert cancelled.status_code == 409
    assert "This session was cancelled, so it can't be changed." in _text(cancelled)


# --- access ---------------------------------------------------------------------------------


def _editor_rules(app):
    return [
        rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/provider/courses/<")
    ]


def test_another_providers_course_is_not_found_on_every_route(app, editor):
    with app.app_context():
        own = write_course(editor.world, method="webinar")
        db.session.commit()
    rules = _editor_rules(app)
    assert len(rules) >= 19
    values = {"number": 1, "module_number": 1, "session_id": editor.rival_session}
    for course_id in (editor.rival_course, 2_000_000_000):
        for rule in rules:
            path = rule.rule
            for name, value in {"course_id": course_id, **values}.items():
                path = re.sub(rf"<id:{name}>", str(value), path)
            for method in sorted(rule.methods & {"GET", "POST"}):
                answer = editor.client.open(path, method=method, data=_details(editor.world))
                assert answer.status_code == 404, (method, path, answer.status_code)
    with app.app_context():
        rival = course(editor.rival_course)
        assert rival.title == "Kursus Lembaga Saingan" and rival.status is CourseStatus.DRAFT
        assert len(drafts.working_copy(rival)["modules"]) == 2
    # Own course, the rival's session: not found either.
    answer = editor.client.get(f"/provider/courses/{own}/sessions/{editor.rival_session}/edit")
    assert answer.status_code == 404


def test_only_providers_staff_open_the_editor(app, editor, login):
    anonymous = app.test_client().get("/provider/courses")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(Role.PARTICIPANT).get("/provider/courses").status_code == 403
    assert login(Role.ADMIN).post("/provider/courses/new", data={}).status_code == 403
    assert _count(app, Course) == 1


# --- bad input, both languages --------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_bad_input_is_refused_field_by_field_in_the_page_language(app, editor, language):
    client = _sign_in(app, editor.email, english=language == "en")
    bad = _details(editor.world, title="abc", price="4,5 juta", pass_mark="0", category_id="999999")
    refused = client.post("/provider/courses/new", data=bad)
    assert refused.status_code == 400
    page = _text(refused)
    for message, params in (
        ("Write %(shortest)s to %(longest)s characters.", {"shortest": 5, "longest": 200}),
        ("Type the price in whole rupiah, digits only (for example 450000).", {}),
        (
            "The pass mark is a whole number from %(lowest)s to %(highest)s.",
            {"lowest": 1, "highest": 100},
        ),
        ("Choose a category.", {}),
    ):
        assert _said(app, language, message, **params) in page, message
    assert 'href="#title"' in page and 'href="#price"' in page  # the summary links each field
    assert "<title>" + _said(app, language, "Error:") in page
    assert _count(app, Course) == 1  # only the rival's

    with app.app_context():
        course_id = write_course(editor.world, modules=1, questions=1)
        db.session.commit()
        before = drafts.draft_of(course(course_id)).version
    module = client.post(
        f"/provider/courses/{course_id}/modules/1",
        data=_form(app, course_id, title="", minutes="7"),
    )
    assert module.status_code == 400
    assert _said(
        app,
        language,
        "A module lasts at least %(shortest)s minutes, in steps of %(step)s minutes.",
        shortest=15,
        step=5,
    ) in _text(module)
    one_answer = client.post(
        f"/provider/courses/{course_id}/questions/new",
        data=_form(app, course_id, prompt="Satu jawaban?", answer_1="Ya", correct="1"),
    )
    assert one_answer.status_code == 400
    assert _said(app, language, "Give %(fewest)s to %(most)s answers.", fewest=2, most=6) in _text(
        one_answer
    )
    no_right = client.post(
        f"/provider/courses/{course_id}/questions/new",
        data=_form(
            app, course_id, prompt="Yang benar?", answer_1="Ya", answer_2="Tidak", correct="5"
        ),
    )
    assert no_right.status_code == 400
    assert _said(app, language, "Choose the right answer.") in _text(no_right)
    with app.app_context():
        assert drafts.draft_of(course(course_id)).version == before

    overview = _text(client.get(f"/provider/courses/{course_id}"))
    for heading in ("The training standard", "Modules", "Questions for the pre-test and post-test"):
        assert f">{_said(app, language, heading)}</h2>" in overview
    if language == "id":
        assert ">Standar pelatihan</h2>" in overview


def test_the_provider_portal_links_to_the_courses(app, editor):
    index = _text(editor.client.get("/provider"))
    assert 'href="/provider/courses"' in index
    nav = _text(editor.client.get("/provider/courses"))
    assert re.search(r'<a href="/provider/courses" aria-current="page">Pelatihan Anda</a>', nav)
    assert 'href="/provider/courses/new"' in nav and 'href="/provider/courses/import"' in nav
