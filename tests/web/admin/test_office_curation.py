"""The programme office's curation pages (web/admin/curation.py, course_history.py): the queue
of submitted courses, the longest waiting first, with the standard's checks beside each; one
submitted copy read whole (for a listed course, what it changes) and decided once, with a
note to send it back; every change of a course's status in its history. Only the office;
bad input is a 4xx in the page's language and changes nothing. Runs on SQLite and
PostgreSQL."""

from datetime import timedelta
from html import unescape

import pytest
from support.curation_rows import DETAILS, course, curation_world, user, write_course
from support.factories import PASSWORD
from support.learning_rows import events, mails_to

from marketplace.catalogue.models import CourseStatus
from marketplace.core import DomainError
from marketplace.curation import decisions, drafts
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db
from marketplace.people.models import Role
from marketplace.web.admin import curation as curation_views

NOTE = "Tambahkan studi kasus warung pada modul 2 dan contoh laporan arus kas."


@pytest.fixture
def world(app, factory):
    return curation_world(app, factory)


@pytest.fixture
def office(app, world):
    """The curator of `world`, signed in (Indonesian pages unless a test says otherwise)."""
    with app.app_context():
        email = user(world.curator_id).email
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _submitted(app, world, ago=timedelta(0), **details) -> tuple[int, int, int]:
    """(course id, draft id, version) of a course written and submitted `ago`; committed."""
    with app.app_context():
        course_id = write_course(world, **details)
        draft = decisions.submit(course(course_id), user(world.staff_id), world.now - ago)
        found = (course_id, draft.id, draft.version)
        db.session.commit()
    return found


def _form(app, draft_id: int, **values) -> dict:
    """What the decision form sends as rendered: the copy's version and submission time."""
    with app.app_context():
        draft = db.session.get(CourseDraft, draft_id)
        sent = {"version": str(draft.version), "submitted": draft.submitted_at.isoformat()}
    return {**sent, **values}


def _draft(app, draft_id: int):
    with app.app_context():
        found = db.session.get(CourseDraft, draft_id)
        if found is not None:
            db.session.expunge(found)
        return found


def _state(app, course_id: int, draft_id: int) -> tuple:
    """What a refusal must leave as it was."""
    with app.app_context():
        row = course(course_id)
        draft = db.session.get(CourseDraft, draft_id)
        return (
            row.status,
            row.curator_note,
            row.published_at,
            draft.state if draft else None,
            draft.version if draft else None,
            len(events("course.approved")) + len(events("course.rejected")),
        )


# --- who may open the pages -----------------------------------------------------------------


def test_only_the_office_opens_curation(app, client, login, factory, world):
    course_id, draft_id, _version = _submitted(app, world)
    before = _state(app, course_id, draft_id)
    pages = (
        "/admin/curation",
        f"/admin/curation/{draft_id}",
        f"/admin/courses/{course_id}/history",
    )
    decide = f"/admin/curation/{draft_id}/decision"
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(decide, data=_form(app, draft_id, decision="approve")).status_code == 302
    staff = login(Role.PROVIDER, provider=world.provider)
    for other in (login(Role.PARTICIPANT), staff):
        for path in pages:
            assert other.get(path).status_code == 403, path
        response = other.post(decide, data=_form(app, draft_id, decision="approve"))
        assert response.status_code == 403
    assert _state(app, course_id, draft_id) == before


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_is_oldest_first_with_the_checks_beside_each(app, office, factory, world):
    other_provider = factory.provider(name="LPK Tetangga")
    copied = factory.course(
        "Akuntansi Warung",
        provider=other_provider,
        category=world.category,
        description=DETAILS["description"],
    )
    close = factory.course(
        "Membuat Laporan Keuangan UMKM dengan Spreadsheet Dasar",
        provider=world.provider,
        category=world.category,
        description="Deskripsi yang sama sekali berbeda tentang hal lain yang tidak berkaitan.",
    )
    newer = _submitted(app, world, ago=timedelta(hours=5))
    older = _submitted(
        app,
        world,
        ago=timedelta(days=3, hours=1),
        title="Pemasaran Digital untuk Warung Kelontong",
        description=" ".join(f"kata{number}" for number in range(60)),
    )
    office.set_cookie("lang", "en")
    html = _page(office.get("/admin/curation"))
    assert html.index("Pemasaran Digital untuk Warung Kelontong") < html.index(
        "Membuat Laporan Keuangan UMKM dengan Spreadsheet</a>"
    )
    assert (
        f'href="/admin/curation/{older[1]}"' in html
        and f'href="/admin/curation/{newer[1]}"' in html
    )
    assert "2 courses waiting" in html and "3 days" in html and "5 hours" in html
    assert "First listing" in html and world.provider.name in html
    assert "Self-paced video" in html
    # the newer copy's title is close to a course of its provider, its description copied
    assert html.count("⚠ Look at this") == 2
    assert "\u201cMembuat Laporan Keuangan UMKM dengan Spreadsheet Dasar\u201d" in html
    assert f'href="/admin/courses/{close.id}/history"' in html
    assert "100% of it is in \u201cAkuntansi Warung\u201d by LPK Tetangga" in html
    assert f'href="/admin/courses/{copied.id}/history"' in html
    assert "2 hours; the least for its method is 2" in html
    assert "Rp450.000; the scheme's limit is" in html
    indonesian = _page(_client_in(office, "id").get("/admin/curation"))
    assert '<h1 class="page-title">Kurasi</h1>' in indonesian
    assert '<a href="/admin/curation" aria-current="page">Kurasi</a>' in indonesian
    assert "Periksa" in indonesian and "3 hari" in indonesian and "Pengajuan pertama" in indonesian


def _client_in(client, language: str):
    client.set_cookie("lang", language)
    return client


def test_the_queue_pages(app, office, world, monkeypatch):
    first = _submitted(app, world, ago=timedelta(days=2))
    second = _submitted(app, world, ago=timedelta(days=1), title="Pemasaran Digital untuk UMKM")
    monkeypatch.setattr(curation_views, "QUEUE_PER_PAGE", 1)
    one = _page(office.get("/admin/curation"))
    two = _page(office.get("/admin/curation?page=2"))
    assert f"/admin/curation/{first[1]}" in one and f"/admin/curation/{second[1]}" not in one
    assert f"/admin/curation/{second[1]}" in two and 'href="/admin/curation?page=1"' in two
    assert office.get("/admin/curation?page=3").status_code == 404
    refused = office.get("/admin/curation?page=dua")
    assert refused.status_code == 400 and "Nomor halaman" in _page(refused)


def test_an_empty_queue_says_so(office, world):
    office.set_cookie("lang", "en")
    assert "No course is waiting for curation." in _page(office.get("/admin/curation"))


# --- one copy and its decision --------------------------------------------------------------


def test_the_copy_is_shown_whole_with_the_right_answers_marked(app, office, world):
    course_id, draft_id, _version = _submitted(
        app, world, needs_demonstration="on", demonstration_brief="Unggah laporan laba rugi."
    )
    office.set_cookie("lang", "en")
    html = _page(office.get(f"/admin/curation/{draft_id}"))
    assert DETAILS["summary"] in html and DETAILS["audience"] in html
    assert "Module 1" in html and "Modul 2" in html and "60 minutes" in html
    assert "Materi." in html  # the lesson
    assert html.count("Laporan laba rugi</span> <strong>✓ right answer</strong>") == 7
    assert "Unggah laporan laba rugi." in html
    assert "Pass mark: 60 of 100; 3 tries at the post-test." in html
    assert f'name="version" value="{_draft(app, draft_id).version}"' in html
    assert "Submitted for curation" in html  # the history so far
    indonesian = _page(_client_in(office, "id").get(f"/admin/curation/{draft_id}"))
    assert "jawaban benar" in indonesian and "Keputusan Anda" in indonesian


def test_approval_lists_the_course_and_search_finds_it(app, office, client, world):
    course_id, draft_id, _version = _submitted(app, world)
    assert "Spreadsheet" not in _page(client.get("/courses?q=spreadsheet"))
    response = office.post(
        f"/admin/curation/{draft_id}/decision", data=_form(app, draft_id, decision="approve")
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/curation"
    assert "ada di katalog sekarang" in _page(office.get("/admin/curation"))
    with app.app_context():
        assert course(course_id).status is CourseStatus.APPROVED
        assert db.session.get(CourseDraft, draft_id) is None
    found = _page(client.get("/courses?q=spreadsheet"))
    assert DETAILS["title"] in found


def test_sending_back_needs_a_note_and_the_provider_reads_it(app, office, world):
    course_id, draft_id, _version = _submitted(app, world)
    before = _state(app, course_id, draft_id)
    url = f"/admin/curation/{draft_id}/decision"
    refused = office.post(url, data=_form(app, draft_id, decision="reject", note="  "))
    assert refused.status_code == 400
    assert "paling sedikit 10 karakter" in _page(refused)
    office.set_cookie("lang", "en")
    refused = office.post(url, data=_form(app, draft_id, decision="reject", note="no"))
    assert refused.status_code == 400
    assert "Write the provider what to change (at least 10 characters)." in _page(refused)
    missing = office.post(url, data=_form(app, draft_id, note=NOTE))
    assert missing.status_code == 400
    assert "Choose whether to approve the course or send it back." in _page(missing)
    assert _state(app, course_id, draft_id) == before
    sent = office.post(url, data=_form(app, draft_id, decision="reject", note=NOTE))
    assert sent.status_code == 302
    with app.app_context():
        assert course(course_id).status is CourseStatus.REJECTED
        assert course(course_id).curator_note == NOTE
        assert db.session.get(CourseDraft, draft_id).state is DraftState.REJECTED
        staff_mail = mails_to(user(world.staff_id).email)[-1]
        assert NOTE in staff_mail.body and "/provider/courses" in staff_mail.body
    history = _page(office.get(f"/admin/courses/{course_id}/history"))
    assert NOTE in history and "Sent back" in history
    with app.app_context():
        staff_email = user(world.staff_id).email
    provider = app.test_client()
    assert (
        provider.post("/login", data={"email": staff_email, "password": PASSWORD}).status_code
        == 302
    )
    assert NOTE in _page(provider.get("/provider/courses"))


def test_the_second_curator_is_told_it_was_decided(app, office, login, world):
    course_id, draft_id, _version = _submitted(app, world)
    form = _form(app, draft_id, decision="approve")
    second = login(Role.ADMIN)
    page = office.get(f"/admin/curation/{draft_id}")
    assert page.status_code == 200 and second.get(f"/admin/curation/{draft_id}").status_code == 200
    assert office.post(f"/admin/curation/{draft_id}/decision", data=form).status_code == 302
    with app.app_context():
        approved_at = course(course_id).published_at
    late = second.post(
        f"/admin/curation/{draft_id}/decision", data={**form, "decision": "reject", "note": NOTE}
    )
    assert late.status_code == 409
    html = _page(late)
    assert "Pelatihan ini sudah diputuskan" in html and 'href="/admin/curation"' in html
    with app.app_context():
        row = course(course_id)
        assert row.status is CourseStatus.APPROVED and row.curator_note is None
        assert row.published_at == approved_at
        assert len(events("course.approved")) == 1 and events("course.rejected") == []
    # the copy is gone once approved: its page is not found
    assert second.get(f"/admin/curation/{draft_id}").status_code == 404


def test_a_copy_sent_back_is_not_decided_again(app, office, world):
    course_id, draft_id, _version = _submitted(app, world)
    form = _form(app, draft_id, decision="reject", note=NOTE)
    url = f"/admin/curation/{draft_id}/decision"
    assert office.post(url, data=form).status_code == 302
    before = _state(app, course_id, draft_id)
    again = office.post(url, data={**form, "decision": "approve"})
    assert again.status_code == 409 and "sudah diputuskan" in _page(again)
    assert _state(app, course_id, draft_id) == before
    shown = office.get(f"/admin/curation/{draft_id}")
    assert shown.status_code == 404 and "sudah diputuskan" in _page(shown)


def test_a_copy_changed_since_it_was_read_is_not_decided(app, office, world):
    """The provider withdrew the copy, changed it and submitted it again: the form read the
    earlier version, so it decides nothing."""
    course_id, draft_id, _version = _submitted(app, world)
    stale = _form(app, draft_id, decision="approve")
    with app.app_context():
        staff = user(world.staff_id)
        decisions.withdraw(course(course_id), staff, world.now)
        drafts.save_details(
            course(course_id),
            staff,
            {**DETAILS, "category_id": str(world.category_id), "price": "400000"},
            world.now,
        )
        decisions.submit(course(course_id), staff, world.now + timedelta(minutes=1))
        db.session.commit()
    before = _state(app, course_id, draft_id)
    response = office.post(f"/admin/curation/{draft_id}/decision", data=stale)
    assert response.status_code == 409
    assert _state(app, course_id, draft_id) == before


def test_a_rule_refusing_the_approval_changes_nothing(app, office, world, monkeypatch):
    """Writing the copy onto the course may be refused after the copy was marked decided (a
    module learners started since): the page says why, and the refusal rolls it all back."""
    course_id, draft_id, _version = _submitted(app, world)
    before = _state(app, course_id, draft_id)

    def refused(_course, _content):
        raise DomainError(
            "Module \u201c%(title)s\u201d has participants' progress and can't be removed.",
            title="Modul 1",
        )

    monkeypatch.setattr(drafts, "publish", refused)
    office.set_cookie("lang", "en")
    response = office.post(
        f"/admin/curation/{draft_id}/decision", data=_form(app, draft_id, decision="approve")
    )
    assert response.status_code == 409
    html = _page(response)
    assert "Nothing was decided" in html and "has participants' progress" in html
    assert f'href="/admin/curation/{draft_id}"' in html
    assert _state(app, course_id, draft_id) == before
    assert office.get(f"/admin/curation/{draft_id}").status_code == 200


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({"version": "x"}, 400),
        ({"version": ""}, 400),
        ({"version": "99999"}, 409),
        ({"submitted": "2020-01-01T00:00:00"}, 409),
        ({"decision": "publish"}, 400),
        ({"note": "x" * 2001}, 400),
    ],
)
def test_bad_input_changes_nothing(app, office, world, values, status):
    course_id, draft_id, _version = _submitted(app, world)
    before = _state(app, course_id, draft_id)
    office.set_cookie("lang", "en")
    data = {**_form(app, draft_id, decision="approve"), **values}
    response = office.post(f"/admin/curation/{draft_id}/decision", data=data)
    assert response.status_code == status
    assert _state(app, course_id, draft_id) == before
    if status == 400:
        html = _page(response)
        assert "There is a problem" in html and "Terjadi masalah" not in html


def test_an_unknown_or_unsubmitted_copy_is_not_found(app, office, world):
    with app.app_context():
        course_id = write_course(world)
        editing = drafts.draft_of(course(course_id)).id
        db.session.commit()
    assert office.get(f"/admin/curation/{editing}").status_code == 404
    assert office.get("/admin/curation/999999").status_code == 404
    assert office.post("/admin/curation/999999/decision", data={}).status_code == 404
    assert office.get("/admin/courses/999999/history").status_code == 404


# --- a change of a listed course ------------------------------------------------------------


def test_a_changed_copy_of_a_listed_course_shows_what_it_changes(app, office, world):
    course_id, draft_id, version = _submitted(app, world)
    with app.app_context():
        decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
        staff = user(world.staff_id)
        drafts.save_details(
            course(course_id),
            staff,
            {**DETAILS, "category_id": str(world.category_id), "price": "550000"},
            world.now,
        )
        drafts.save_module(
            course(course_id), staff, 2, {"title": "Modul 2 baru", "minutes": "120"}, world.now
        )
        drafts.save_module(
            course(course_id), staff, None, {"title": "Modul 3", "minutes": "60"}, world.now
        )
        drafts.save_question(
            course(course_id),
            staff,
            3,
            None,
            {
                "prompt": "Apa itu arus kas?",
                "choices": ["Uang masuk dan keluar", "Stok"],
                "correct": "0",
            },
            world.now,
        )
        changed = decisions.submit(course(course_id), staff, world.now)
        changed_id = changed.id
        db.session.commit()
    office.set_cookie("lang", "en")
    queue = _page(office.get("/admin/curation"))
    assert "Change of a listed course" in queue and "First listing" not in queue
    html = _page(office.get(f"/admin/curation/{changed_id}"))
    assert "What this version changes" in html
    changes = html[html.index("What this version changes") : html.index("The course as submitted")]
    assert "Rp450.000" in changes and "Rp550.000" in changes
    assert "Modul 2 baru" in changes and "Title listed now:</li>" not in changes
    assert 'Title listed now: <span lang="id">Modul 2</span>' in changes
    assert "Minutes: 60 listed now, 120 in this version" in changes
    assert "Added</strong> Module 3" in changes
    assert "Summary" not in changes  # unchanged details are not listed as changes
    indonesian = _page(_client_in(office, "id").get(f"/admin/curation/{changed_id}"))
    assert "Perubahan pelatihan yang sudah tayang" in indonesian


# --- the history ----------------------------------------------------------------------------


def test_the_history_lists_every_change_with_who_when_and_the_note(app, office, world):
    course_id, draft_id, version = _submitted(app, world)
    with app.app_context():
        curator = user(world.curator_id)
        decisions.decide(draft_id, version, curator, False, NOTE, world.now)
        staff = user(world.staff_id)
        drafts.save_details(
            course(course_id),
            staff,
            {**DETAILS, "category_id": str(world.category_id), "outcomes": "Membaca arus kas"},
            world.now,
        )
        again = decisions.submit(course(course_id), staff, world.now)
        decisions.decide(again.id, again.version, curator, True, "Sudah baik.", world.now)
        decisions.archive(course(course_id), curator, world.now)
        staff_name, curator_name = staff.name, curator.name
        db.session.commit()
    office.set_cookie("lang", "en")
    html = _page(office.get(f"/admin/courses/{course_id}/history"))
    order = [
        "Created",
        "Submitted for curation",
        "Sent back",
        "Submitted for curation",
        "Approved",
        "Archived",
    ]
    table = html[html.index("<tbody>") :]
    positions = []
    start = 0
    for label in order:
        start = table.index(f"{label}</strong>", start) + 1
        positions.append(start)
    assert positions == sorted(positions)
    assert NOTE in table and "Sudah baik." in table
    assert staff_name in table and curator_name in table
    assert "WIB" in table
    assert "6 changes, oldest first" in html and "Archived</strong>" in html
    indonesian = _page(_client_in(office, "id").get(f"/admin/courses/{course_id}/history"))
    assert "Riwayat pelatihan" in indonesian and "Dikembalikan" in indonesian
    assert office.get(f"/admin/courses/{course_id}/history?page=x").status_code == 400
    assert office.get(f"/admin/courses/{course_id}/history?page=2").status_code == 404


def test_a_deleted_course_keeps_its_history(app, office, world):
    with app.app_context():
        course_id = write_course(world, title="Pelatihan yang Dihapus Saja")
        decisions.delete(course(course_id), user(world.staff_id))
        db.session.commit()
    office.set_cookie("lang", "en")
    html = _page(office.get(f"/admin/courses/{course_id}/history"))
    assert "Pelatihan yang Dihapus Saja" in html and "Deleted</strong>" in html
