"""Curation's operations (curation/drafts.py, standard.py, decisions.py, checks.py): a course
written through the editor, held to the training standard, submitted, decided once, listed
and searchable; an approved course changed without leaving the catalogue; text fixes live at
once; archiving and deleting. Runs on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.curation_rows import DETAILS, course, curation_world, user, write_course

from marketplace.catalogue import listing
from marketplace.catalogue.models import CourseStatus, Method, Provider, Question
from marketplace.core import DomainError
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.curation import checks, decisions, drafts, standard
from marketplace.curation.models import CourseDraft, DraftState, TrainingStandard
from marketplace.extensions import db


@pytest.fixture
def world(app, factory):
    return curation_world(app, factory)


def _fields(error: DomainError) -> set:
    return {found.field for found in error.errors}


def _submitted(world) -> tuple[int, int, int]:
    """(course id, draft id, version) of a course written and submitted."""
    course_id = write_course(world)
    draft = decisions.submit(course(course_id), user(world.staff_id), world.now)
    return course_id, draft.id, draft.version


def _found_by_search(title_word: str) -> list[int]:
    criteria = listing.Criteria(q=title_word)
    return [item.id for item in listing.list_courses(criteria).items]


# --- what was typed -------------------------------------------------------------------------


def test_details_are_refused_field_by_field_and_nothing_is_made(app, world):
    with app.app_context():
        bad = {
            **DETAILS,
            "title": "abc",
            "price": "4,5 juta",
            "method": "telepathy",
            "category_id": "999999",
            "pass_mark": "0",
        }
        with pytest.raises(DomainError) as refused:
            drafts.create_course(
                db.session.get(Provider, world.provider_id),
                user(world.staff_id),
                bad,
                world.now,
            )
        assert _fields(refused.value) == {"title", "price", "method", "category_id", "pass_mark"}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseDraft)) == 0


def test_a_module_and_a_question_are_checked_as_typed(app, world):
    with app.app_context():
        course_id = write_course(world, modules=0, questions=0)
        staff = user(world.staff_id)
        with pytest.raises(DomainError) as refused:
            drafts.save_module(
                course(course_id), staff, None, {"title": "", "minutes": "7"}, world.now
            )
        assert _fields(refused.value) == {"title", "minutes"}
        with pytest.raises(DomainError):
            drafts.save_question(
                course(course_id),
                staff,
                None,
                None,
                {"prompt": "Apa?", "choices": ["Ya", "ya"], "correct": "0"},
                world.now,
            )
        assert drafts.working_copy(course(course_id))["modules"] == []


def test_modules_move_and_are_removed_in_the_working_copy(app, world):
    with app.app_context():
        course_id = write_course(world, modules=3)
        staff = user(world.staff_id)
        drafts.move_module(course(course_id), staff, 3, -1, world.now)
        titles = [m["title"] for m in drafts.working_copy(course(course_id))["modules"]]
        assert titles == ["Modul 1", "Modul 3", "Modul 2"]
        with pytest.raises(DomainError):
            drafts.move_module(course(course_id), staff, 1, -1, world.now)
        drafts.remove_module(course(course_id), staff, 1, world.now)
        titles = [m["title"] for m in drafts.working_copy(course(course_id))["modules"]]
        assert titles == ["Modul 3", "Modul 2"]


# --- the training standard ------------------------------------------------------------------


def test_the_standard_is_data_per_scheme_and_every_finding_names_its_field(app, world):
    with app.app_context():
        course_id = write_course(world, modules=1, minutes=45, questions=2, outcomes="")
        rules, scheme = standard.in_force()
        assert db.session.get(TrainingStandard, rules.id).scheme_id == scheme.id
        found = standard.findings(drafts.working_copy(course(course_id)), rules, scheme)
        assert _fields(DomainError.several(found)) == {"modules", "questions", "outcomes"}
        rules.min_modules = 1
        rules.min_test_questions = 2
        rules.min_hours_self_paced = 1
        db.session.flush()
        found = standard.findings(drafts.working_copy(course(course_id)), rules, scheme)
        # 45 minutes are not whole hours; outcomes still missing
        assert _fields(DomainError.several(found)) == {"modules", "outcomes"}


def test_the_price_limit_is_the_schemes(app, world):
    with app.app_context():
        rules, scheme = standard.in_force()
        course_id = write_course(world, price=str(standard.price_limit(scheme) + 1))
        found = standard.findings(drafts.working_copy(course(course_id)), rules, scheme)
        assert [error.field for error in found] == ["price"]


def test_a_session_is_held_to_the_ratio_and_to_time(app, world):
    with app.app_context():
        rules, _scheme = standard.in_force()
        now = world.now
        found = standard.session_findings(
            Method.OFFLINE,
            now - timedelta(hours=1),
            now - timedelta(hours=2),
            61,
            "Ani, Budi",
            now,
            rules,
        )
        assert [error.field for error in found] == ["starts_at", "ends_at", "capacity"]
        assert found[2].params["needed"] == 3
        fine = standard.session_findings(
            Method.WEBINAR,
            now + timedelta(days=1),
            now + timedelta(days=1, hours=3),
            100,
            "Ani, Budi",
            now,
            rules,
        )
        assert fine == []


def test_submission_is_refused_with_every_finding(app, world):
    with app.app_context():
        course_id = write_course(world, questions=1)
        with pytest.raises(DomainError) as refused:
            decisions.submit(course(course_id), user(world.staff_id), world.now)
        assert "questions" in _fields(refused.value)
        assert course(course_id).status is CourseStatus.DRAFT


# --- submitting and deciding ----------------------------------------------------------------


def test_an_approved_course_is_listed_searchable_and_its_rows_are_the_copy(app, world):
    with app.app_context():
        course_id, draft_id, version = _submitted(world)
        assert course(course_id).status is CourseStatus.SUBMITTED
        assert course_id not in _found_by_search("spreadsheet")
        decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
        db.session.commit()
        approved = course(course_id)
        assert approved.status is CourseStatus.APPROVED and approved.published_at == world.now
        assert approved.hours == 2
        assert [m.title for m in approved.modules] == ["Modul 1", "Modul 2"]
        bank = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Question)
            .where(Question.course_id == course_id, Question.module_id.is_(None))
        )
        assert bank == 5
        assert db.session.get(CourseDraft, draft_id) is None
        assert course_id in _found_by_search("spreadsheet")
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject == f"course:{course_id}")
        ).all()
        assert actions[-2:] == ["course.submitted", "course.approved"]


def test_a_rejection_needs_a_note_that_reaches_the_provider(app, world):
    with app.app_context():
        course_id, draft_id, version = _submitted(world)
        curator = user(world.curator_id)
        with pytest.raises(DomainError) as refused:
            decisions.decide(draft_id, version, curator, False, "no", world.now)
        assert _fields(refused.value) == {"note"}
        decisions.decide(
            draft_id, version, curator, False, "Tambahkan studi kasus pada modul 2.", world.now
        )
        rejected = course(course_id)
        assert rejected.status is CourseStatus.REJECTED
        assert rejected.curator_note == "Tambahkan studi kasus pada modul 2."
        assert db.session.get(CourseDraft, draft_id).state is DraftState.REJECTED
        mail = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id.desc())).first()
        assert "Tambahkan studi kasus pada modul 2." in mail.body
        assert "/provider/courses" in mail.body


def test_the_second_decision_is_told_it_was_decided(app, world):
    with app.app_context():
        _course_id, draft_id, version = _submitted(world)
        curator = user(world.curator_id)
        decisions.decide(draft_id, version, curator, False, "Perbaiki deskripsinya.", world.now)
        with pytest.raises(DomainError) as refused:
            decisions.decide(draft_id, version, curator, True, "", world.now)
        assert refused.value.message == decisions.DECIDED_ALREADY


def test_a_copy_withdrawn_and_changed_is_not_decided_as_read(app, world):
    with app.app_context():
        course_id, draft_id, version = _submitted(world)
        staff = user(world.staff_id)
        with pytest.raises(DomainError):
            drafts.save_details(
                course(course_id),
                staff,
                {**DETAILS, "category_id": str(world.category_id)},
                world.now,
            )
        decisions.withdraw(course(course_id), staff, world.now)
        with pytest.raises(DomainError) as refused:
            decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
        assert refused.value.message == decisions.DECIDED_ALREADY


# --- changing a listed course ---------------------------------------------------------------


def _approved(world) -> int:
    course_id, draft_id, version = _submitted(world)
    decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
    return course_id


def test_a_listed_course_stays_as_approved_until_its_change_is(app, world):
    with app.app_context():
        course_id = _approved(world)
        staff = user(world.staff_id)
        module_ids = [m.id for m in course(course_id).modules]
        drafts.save_details(
            course(course_id),
            staff,
            {**DETAILS, "category_id": str(world.category_id), "price": "550000"},
            world.now,
        )
        drafts.save_module(
            course(course_id), staff, 2, {"title": "Modul 2 baru", "minutes": "120"}, world.now
        )
        assert drafts.needs_curation(course(course_id), drafts.working_copy(course(course_id)))
        with pytest.raises(DomainError):
            drafts.publish_text_fixes(course(course_id), staff, world.now)
        draft = decisions.submit(course(course_id), staff, world.now)
        listed = course(course_id)
        assert listed.status is CourseStatus.APPROVED and listed.price == 450000
        decisions.decide(draft.id, draft.version, user(world.curator_id), True, "", world.now)
        changed = course(course_id)
        assert changed.price == 550000 and changed.hours == 3
        assert [m.id for m in changed.modules] == module_ids  # updated in place
        assert changed.modules[1].title == "Modul 2 baru"


def test_text_fixes_go_live_at_once(app, world):
    with app.app_context():
        course_id = _approved(world)
        drafts.save_details(
            course(course_id),
            user(world.staff_id),
            {
                **DETAILS,
                "category_id": str(world.category_id),
                "summary": DETAILS["summary"] + " Ringkas.",
            },
            world.now,
        )
        assert not drafts.needs_curation(course(course_id), drafts.working_copy(course(course_id)))
        with pytest.raises(DomainError):
            decisions.submit(course(course_id), user(world.staff_id), world.now)
        drafts.publish_text_fixes(course(course_id), user(world.staff_id), world.now)
        assert course(course_id).summary.endswith("Ringkas.")
        assert drafts.draft_of(course(course_id)) is None


def test_a_module_participants_started_stays_and_the_course_cant_be_deleted(app, factory, shop):
    from support.learning_rows import buy_for, order, signed_in_buyer, start, take, write_bank

    from marketplace.learning import lessons
    from marketplace.learning.models import AssessmentKind
    from marketplace.people.models import Role

    participant_id, _client = signed_in_buyer(app, factory, shop)
    with app.app_context():
        write_bank(shop.self_paced)
        db.session.commit()
    order_id = buy_for(app, shop, participant_id, shop.self_paced)
    with app.app_context():
        bought = order(order_id)
        start(bought, shop.now)
        take(bought, AssessmentKind.PRE_TEST, shop.now)
        lessons.open_module(bought, bought.participant, bought.course.modules[0], shop.now)
        db.session.commit()
    staff = factory.user(Role.PROVIDER, provider=db_provider(app, shop.provider_id))
    with app.app_context():
        listed = course(shop.self_paced)
        with pytest.raises(DomainError) as refused:
            drafts.remove_module(listed, user(staff.id), 1, shop.now)
        assert "started" in refused.value.message
        drafts.remove_module(course(shop.self_paced), user(staff.id), 2, shop.now)
        with pytest.raises(DomainError) as refused:
            decisions.delete(course(shop.self_paced), user(staff.id))
        assert "archive" in refused.value.message


def db_provider(app, provider_id):
    from marketplace.catalogue.models import Provider

    with app.app_context():
        provider = db.session.get(Provider, provider_id)
        db.session.expunge(provider)
        return provider


def test_archiving_keeps_learners_and_deleting_needs_no_orders(app, world):
    with app.app_context():
        course_id = _approved(world)
        decisions.archive(course(course_id), user(world.curator_id), world.now)
        assert course(course_id).status is CourseStatus.ARCHIVED
        assert course_id not in _found_by_search("spreadsheet")
        with pytest.raises(DomainError):
            drafts.save_details(
                course(course_id),
                user(world.staff_id),
                {**DETAILS, "category_id": str(world.category_id)},
                world.now,
            )
        other = write_course(world)
        decisions.delete(course(other), user(world.staff_id))
        assert course(other) is None


# --- the curator's checks -------------------------------------------------------------------


def test_close_titles_and_copied_descriptions_are_flagged(app, world, factory):
    provider, category = world.provider, world.category
    factory.course(
        "Membuat Laporan Keuangan UMKM dengan Spreadsheet Dasar",
        provider=provider,
        category=category,
        description="Deskripsi yang sama sekali berbeda tentang hal lain yang tidak berkaitan.",
    )
    copied = factory.course(
        "Akuntansi Sederhana",
        category=category,
        description=DETAILS["description"],
    )
    with app.app_context():
        course_id = write_course(world)
        rules, scheme = standard.in_force()
        found = checks.work_out(
            course(course_id), drafts.working_copy(course(course_id)), rules, scheme
        )
        assert [t["title"] for t in found["close_titles"]] == [
            "Membuat Laporan Keuangan UMKM dengan Spreadsheet Dasar"
        ]
        assert [c["course_id"] for c in found["copied_descriptions"]] == [copied.id]
        assert found["copied_descriptions"][0]["share"] == 1.0
        assert found["hours"] == 2 and found["least_hours"] == rules.min_hours_self_paced
        assert (
            checks.copied_share(
                checks.shingles("satu dua tiga empat lima enam"),
                checks.shingles("tujuh delapan sembilan sepuluh sebelas"),
            )
            == 0
        )


def test_a_copy_approved_and_gone_never_lends_its_id_to_the_next(app, world):
    """A curator's form names a copy by id and version: a new copy must not take an old id."""
    with app.app_context():
        course_id, draft_id, version = _submitted(world)
        decisions.decide(draft_id, version, user(world.curator_id), True, "", world.now)
        db.session.commit()
        other = write_course(world)
        assert drafts.draft_of(course(other)).id > draft_id


def test_a_rewritten_text_or_a_new_demonstration_brief_goes_to_curation(app, world):
    """A text fix keeps most of the text; a description pasted over it is curated (where the
    copied-description check runs), and so is the demonstration brief."""
    with app.app_context():
        course_id = _approved(world)
        staff = user(world.staff_id)
        values = {**DETAILS, "category_id": str(world.category_id)}
        pasted = "Deskripsi lain sama sekali yang diambil dari pelatihan lembaga lain. " * 3
        drafts.save_details(course(course_id), staff, {**values, "description": pasted}, world.now)
        assert drafts.needs_curation(course(course_id), drafts.working_copy(course(course_id)))
        with pytest.raises(DomainError) as refused:
            drafts.publish_text_fixes(course(course_id), staff, world.now)
        assert "rewrites" in refused.value.message
        drafts.save_details(
            course(course_id),
            staff,
            {**values, "needs_demonstration": "y", "demonstration_brief": "Tunjukkan laporan."},
            world.now,
        )
        assert drafts.needs_curation(course(course_id), drafts.working_copy(course(course_id)))


def test_a_form_read_from_an_older_copy_changes_nothing(app, world):
    """Modules are named by their place: a form read before another member of staff moved
    or removed one is refused, not written onto the wrong module."""
    with app.app_context():
        course_id = write_course(world, modules=3)
        staff = user(world.staff_id)
        read = drafts.copy_version(course(course_id))
        drafts.remove_module(course(course_id), staff, 2, world.now, version=read)
        with pytest.raises(DomainError) as refused:
            drafts.save_module(
                course(course_id), staff, 2, {"title": "Lama", "minutes": "60"}, world.now, read
            )
        assert refused.value.message == drafts.CHANGED_SINCE
        titles = [m["title"] for m in drafts.working_copy(course(course_id))["modules"]]
        assert titles == ["Modul 1", "Modul 3"]


def test_an_approved_price_change_voids_purchases_started_at_the_old_price(app, world, factory):
    from support.checkout_rows import card_holders

    from marketplace.orders import checkout
    from marketplace.orders.models import PurchaseCode
    from marketplace.people.models import Participant

    with app.app_context():
        course_id = _approved(world)
        db.session.commit()
    buyer = card_holders(app, 1, world.now)[0]
    with app.app_context():
        started, _code = checkout.begin(
            db.session.get(Participant, buyer), course(course_id), None, world.now
        )
        staff = user(world.staff_id)
        values = {**DETAILS, "category_id": str(world.category_id), "price": "550000"}
        drafts.save_details(course(course_id), staff, values, world.now)
        draft = decisions.submit(course(course_id), staff, world.now)
        decisions.decide(draft.id, draft.version, user(world.curator_id), True, "", world.now)
        db.session.expire_all()
        assert db.session.get(PurchaseCode, started.id).voided_at == world.now


def test_a_listed_course_is_never_deleted(app, world):
    with app.app_context():
        course_id = _approved(world)
        assert not decisions.may_delete(course(course_id))
        with pytest.raises(DomainError):
            decisions.delete(course(course_id), user(world.staff_id))


def test_the_next_copy_of_a_listed_course_does_not_start_at_an_old_version(app, world):
    from datetime import timedelta

    with app.app_context():
        course_id = _approved(world)
        staff = user(world.staff_id)
        values = {**DETAILS, "category_id": str(world.category_id)}
        fixed = {**values, "summary": DETAILS["summary"] + " Praktis."}
        drafts.save_details(course(course_id), staff, fixed, world.now)
        old = drafts.copy_version(course(course_id))
        drafts.publish_text_fixes(course(course_id), staff, world.now)
        later = world.now + timedelta(minutes=5)
        drafts.save_details(course(course_id), staff, values, later)
        assert drafts.copy_version(course(course_id)) > old
