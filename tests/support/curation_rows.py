"""Rows for tests of curation: a provider with a member of staff, an office curator, and a
course written through the real editing operations until it meets the training standard."""

from types import SimpleNamespace

import sqlalchemy as sa

from marketplace.catalogue.models import Course
from marketplace.core.base import utcnow
from marketplace.curation import drafts
from marketplace.extensions import db
from marketplace.people.models import Role, User
from marketplace.programme import batches

DETAILS = {
    "title": "Membuat Laporan Keuangan UMKM dengan Spreadsheet",
    "summary": "Menyusun laporan laba rugi dan arus kas usaha kecil dengan spreadsheet.",
    "description": (
        "Pelatihan ini mengajak pelaku usaha kecil menyusun laporan keuangan sederhana: "
        "mencatat transaksi harian, menyusun laporan laba rugi bulanan, dan membaca arus kas "
        "untuk mengambil keputusan usaha yang lebih baik."
    ),
    "outcomes": "Mencatat transaksi harian\nMenyusun laporan laba rugi",
    "audience": "Pelaku UMKM yang belum pernah menyusun laporan keuangan",
    "method": "self_paced",
    "level": "beginner",
    "price": "450000",
    "pass_mark": "60",
    "test_tries": "3",
}


def curation_world(app, factory) -> SimpleNamespace:
    """A provider with one member of staff, an office curator, a category; the schemes."""
    provider = factory.provider()
    category = factory.category()
    staff = factory.user(Role.PROVIDER, provider=provider)
    curator = factory.user(Role.ADMIN)
    with app.app_context():
        batches.ensure_schemes()
        db.session.commit()
    return SimpleNamespace(
        provider=provider,
        category=category,
        provider_id=provider.id,
        category_id=category.id,
        staff_id=staff.id,
        curator_id=curator.id,
        now=utcnow().replace(microsecond=0),
    )


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def course(course_id: int) -> Course:
    return db.session.get(Course, course_id)


def question(number: int) -> dict:
    return {
        "prompt": f"Pertanyaan {number}: laporan mana yang menunjukkan laba?",
        "choices": ["Laporan laba rugi", "Daftar hadir", "Kartu stok"],
        "correct": "0",
    }


def write_course(world, *, modules: int = 2, minutes: int = 60, questions: int = 5, **details):
    """A new course (in the caller's app context), written through the editing operations
    with `modules` modules of `minutes` each, a quiz question per module and `questions` in
    the tests' bank; its id. Flushed, not committed."""
    from marketplace.catalogue.models import Provider

    staff = user(world.staff_id)
    provider = db.session.get(Provider, world.provider_id)
    values = {**DETAILS, "category_id": str(world.category_id), **details}
    made = drafts.create_course(provider, staff, values, world.now)
    for number in range(1, modules + 1):
        drafts.save_module(
            made,
            staff,
            None,
            {"title": f"Modul {number}", "minutes": str(minutes), "lesson": "## Isi\nMateri."},
            world.now,
        )
        drafts.save_question(made, staff, number, None, question(number), world.now)
    for number in range(1, questions + 1):
        drafts.save_question(made, staff, None, None, question(number), world.now)
    return made.id


def staff_of(provider_id: int) -> list[User]:
    return db.session.scalars(sa.select(User).where(User.provider_id == provider_id)).all()
