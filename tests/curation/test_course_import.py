"""The CSV import of many courses (curation/imports.py): every row read by the editor's rules,
a 1,500-row file with bad rows mixed in refused whole by default and imported but for its
bad rows when asked, hostile files refused saying why, and the drafts made real working
copies. Runs on SQLite and PostgreSQL."""

import codecs

import pytest
import sqlalchemy as sa
from support.course_import_rows import BAD_ROWS, big_file, csv_bytes, good_row, lines_of
from support.curation_rows import curation_world, user

from marketplace.catalogue.models import Course, CourseStatus, Provider
from marketplace.core import DomainError
from marketplace.core.models import AuditEvent
from marketplace.curation import drafts, imports
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db
from marketplace.people.models import Role

FORMULA = imports.FORMULA


@pytest.fixture
def world(app, factory):
    found = curation_world(app, factory)
    found.category_slug = found.category.slug
    found.province = factory.province("32", "Jawa Barat")
    return found


def _run(world, data: bytes, only_valid: bool = False, provider_id=None) -> imports.Report:
    provider = db.session.get(Provider, provider_id or world.provider_id)
    return imports.import_courses(
        provider, user(world.staff_id), data, world.now, only_valid=only_valid
    )


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _refused(data: bytes, world) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _run(world, data)
    assert refused.value.field == "file"
    return refused.value


# --- the big file ----------------------------------------------------------------------------


def test_a_1500_row_file_with_bad_rows_changes_nothing_by_default(app, world):
    data, expected = big_file(world.category_slug)
    with app.app_context():
        report = _run(world, data)
        assert not report.imported and report.key is None
        assert report.rows == 1500
        assert report.refused_rows == len(BAD_ROWS)
        found = {problem.line: (problem.column, problem.message) for problem in report.refused}
        assert found == expected
        assert len(report.accepted) == 1500 - len(BAD_ROWS)
        assert report.course_ids == []
        assert _count(Course) == 0 and _count(CourseDraft) == 0
        assert _count(AuditEvent) == 0


def test_the_valid_rows_are_imported_when_asked_as_real_drafts(app, world):
    data, expected = big_file(world.category_slug)
    with app.app_context():
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        report = _run(world, data, only_valid=True)
        db.session.commit()
        imported = 1500 - len(BAD_ROWS)
        # Few statements a row: the batched INSERTs and one audit row a course.
        assert len(statements) < 1.2 * imported
        assert report.imported and len(report.course_ids) == imported
        assert {problem.line for problem in report.refused} == set(expected)
        assert _count(Course) == imported and _count(CourseDraft) == imported

        first = db.session.get(Course, report.course_ids[0])
        assert first.provider_id == world.provider_id and first.status is CourseStatus.DRAFT
        assert first.title == "Pembukuan UMKM dengan Spreadsheet Angkatan 0"
        draft = drafts.draft_of(first)
        assert draft.state is DraftState.EDITING and draft.updated_by_id == world.staff_id
        copy = drafts.working_copy(first)
        assert [(m["title"], m["minutes"], m["quiz"]) for m in copy["modules"]] == [
            ("Mencatat transaksi", 60, []),
            ("Laporan laba rugi", 60, []),
        ]
        assert copy["outcomes"] == "Mencatat transaksi harian\nMenyusun laporan laba rugi"
        assert copy["questions"] == [] and copy["category_id"] == world.category_id
        # The editor takes the imported draft on: a module added after the imported ones.
        drafts.save_module(
            first, user(world.staff_id), None, {"title": "Arus kas", "minutes": "60"}, world.now
        )
        assert len(drafts.working_copy(first)["modules"]) == 3
        # Each course is audited as created, and the import's report is kept.
        created = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "course.created")
        )
        assert created == imported
        kept = imports.report_of(report.key, db.session.get(Provider, world.provider_id))
        assert kept.accepted == report.accepted
        assert [p.kept() for p in kept.refused] == [p.kept() for p in report.refused]
        # Every imported course still needs its questions, which is said once, not per row.
        assert report.questions_needed >= 1 and report.quiz_per_module
        assert not [w for w in report.warnings if w.column == "questions"]


def test_another_provider_never_reads_the_report(app, world, factory):
    data = csv_bytes([good_row(1, world.category_slug)])
    other = factory.provider()
    with app.app_context():
        report = _run(world, data)
        db.session.commit()
        assert imports.report_of(report.key, db.session.get(Provider, world.provider_id))
        assert imports.report_of(report.key, db.session.get(Provider, other.id)) is None
        assert imports.report_of("x" * 22, db.session.get(Provider, world.provider_id)) is None
        assert imports.imported_courses(db.session.get(Provider, other.id), report.course_ids) == {}


def test_nothing_is_imported_when_no_row_is_valid_even_when_asked(app, world):
    data = csv_bytes([good_row(1, world.category_slug, price="gratis")])
    with app.app_context():
        report = _run(world, data, only_valid=True)
        assert not report.imported and _count(Course) == 0
        assert [(p.line, p.column) for p in report.refused] == [(2, "price")]


# --- the imported rows are the editor's ------------------------------------------------------


def test_an_imported_course_is_the_one_the_editor_makes(app, world):
    """The bulk path makes the same row and working copy as drafts.create_course followed by
    drafts.save_module, from the same values."""
    row = good_row(
        1,
        world.category_slug,
        method="offline",
        province="jawa-barat",
        city="Kota  Bandung",
        needs_demonstration="ya",
        demonstration_brief="Unggah foto hasil jahitan.",
        modules="Pola | 120\nMenjahit | 120",
    )
    with app.app_context():
        report = _run(world, csv_bytes([row]))
        imported = db.session.get(Course, report.course_ids[0])
        values = {
            name: row[name]
            for name in ("title", "summary", "description", "outcomes", "audience", "city")
        }
        values.update(
            category_id=str(world.category_id),
            method="offline",
            level="beginner",
            price="450000",
            province_id=str(world.province.id),
            needs_demonstration="y",
            demonstration_brief=row["demonstration_brief"],
            pass_mark="60",
            test_tries="3",
        )
        staff = user(world.staff_id)
        made = drafts.create_course(
            db.session.get(Provider, world.provider_id), staff, values, world.now
        )
        for title in ("Pola", "Menjahit"):
            drafts.save_module(made, staff, None, {"title": title, "minutes": "120"}, world.now)
        columns = [c.key for c in Course.__table__.columns if c.key not in ("id", "slug")]
        assert {c: getattr(imported, c) for c in columns} == {c: getattr(made, c) for c in columns}
        assert imported.city == "Kota Bandung" and imported.needs_demonstration
        assert drafts.working_copy(imported) == drafts.working_copy(made)
        assert made.slug == imported.slug + "-2"


def test_slugs_stay_unique_across_imports_and_within_a_file(app, world):
    same = good_row(1, world.category_slug, title="Dasar Akuntansi")
    data = csv_bytes([same, dict(same), good_row(2, world.category_slug)])
    with app.app_context():
        first = _run(world, data)
        second = _run(world, data)
        slugs = [
            db.session.get(Course, course_id).slug
            for course_id in first.course_ids + second.course_ids
        ]
        assert slugs[:2] == ["dasar-akuntansi", "dasar-akuntansi-2"]
        assert slugs[3:5] == ["dasar-akuntansi-3", "dasar-akuntansi-4"]
        assert len(set(slugs)) == 6
        # The second row of the same title is told so, as a warning.
        second_line = lines_of([same, same])[1]
        warned = [(w.line, w.column) for w in first.warnings if w.column == "title"]
        assert warned == [(second_line, "title")]


def test_the_standards_findings_are_warnings_per_row(app, world):
    rows = [
        good_row(1, world.category_slug, price="0"),
        good_row(2, world.category_slug, method="offline", modules="A | 120; B | 120"),
        good_row(3, world.category_slug, method="webinar", province="32", city="Bandung"),
        good_row(4, world.category_slug, modules="Satu-satunya modul | 45", outcomes=""),
    ]
    with app.app_context():
        report = _run(world, csv_bytes(rows))
        assert report.imported and not report.refused
        lines = lines_of(rows)
        warned = {(w.line, w.column) for w in report.warnings}
        assert warned == {
            (lines[0], "price"),
            (lines[1], "city"),
            (lines[2], "province"),
            (lines[3], "modules"),
            (lines[3], "outcomes"),
        }
        webinar = db.session.get(Course, report.course_ids[2])
        assert webinar.province_id is None and webinar.city is None


def test_each_cell_is_refused_by_the_editors_rules_with_its_column(app, world):
    rows = [
        good_row(1, world.category_slug, title="abc", level="guru"),
        good_row(2, world.category_slug, method="offline", province="99", city="X"),
        good_row(3, world.category_slug, needs_demonstration="mungkin", test_tries="11"),
        good_row(4, world.category_slug, modules="Tanpa menit; Modul | 60"),
        {**good_row(5, world.category_slug, audience="Peserta \x1b[31m"), "category": ""},
        good_row(6, world.category_slug, modules="; ".join(f"M{n} | 15" for n in range(41))),
    ]
    with app.app_context():
        report = _run(world, csv_bytes(rows))
        lines = lines_of(rows)
        found = {(p.line, p.column, p.module) for p in report.refused}
        assert found == {
            (lines[0], "title", None),
            (lines[0], "level", None),
            (lines[1], "province", None),
            (lines[2], "needs_demonstration", None),
            (lines[2], "test_tries", None),
            (lines[3], "modules", 1),
            (lines[4], "audience", None),
            (lines[4], "category", None),
            (lines[5], "modules", None),
        }
        province = next(p for p in report.refused if p.column == "province")
        assert province.params == {"value": "99"}
        audience = next(p for p in report.refused if p.column == "audience")
        assert audience.message == imports.CONTROL


def test_formulas_are_refused_in_every_text_cell_but_not_inside_it(app, world):
    rows = [
        good_row(1, world.category_slug, audience="  @Pelaku UMKM"),
        good_row(2, world.category_slug, demonstration_brief='=HYPERLINK("x")'),
        good_row(3, world.category_slug, outcomes="Menghitung | =1+1"),
        good_row(4, world.category_slug, description="Bisa 1+1=2 dan a@b " * 5),
        # a list item's dash with a space after it is not a formula
        good_row(5, world.category_slug, outcomes="- Mencatat transaksi | - Menyusun laporan"),
    ]
    with app.app_context():
        report = _run(world, csv_bytes(rows), only_valid=True)
        lines = lines_of(rows)
        assert [(p.line, p.column, p.message) for p in report.refused] == [
            (lines[0], "audience", FORMULA),
            (lines[1], "demonstration_brief", FORMULA),
            (lines[2], "outcomes", FORMULA),
        ]
        assert [line for line, _id in report.accepted] == [lines[3], lines[4]]


# --- the file ----------------------------------------------------------------------------------


def test_a_utf8_bom_semicolons_blank_lines_and_line_breaks_in_cells_are_read(app, world):
    rows = [
        good_row(1, world.category_slug, title="Kue Tradisional Nusantara: Klepon & Onde-onde"),
        good_row(2, world.category_slug, outcomes="Satu | Dua | Tiga"),
        good_row(3, world.category_slug, price="1.250.000"),
    ]
    data = csv_bytes(rows, bom=True, delimiter=";", blank_lines_after=frozenset({0}))
    data = data[:3] + b"\r\n;;\r\n" + data[3:]  # blank lines before the header too
    with app.app_context():
        report = _run(world, data)
        assert report.imported and report.rows == 3
        # Lines 1 and 2 are blank, the header is line 3; row 1 spans 2 lines, then a blank one.
        assert [line for line, _id in report.accepted] == [4, 7, 8]
        first, second, third = (db.session.get(Course, i) for i in report.course_ids)
        assert first.title.startswith("Kue Tradisional")
        assert drafts.working_copy(second)["outcomes"] == "Satu\nDua\nTiga"
        assert third.price == 1_250_000


@pytest.mark.parametrize(
    "encoding, words",
    [("latin-1", "not in UTF-8"), ("cp1252", "not in UTF-8"), ("utf-16", "UTF-16")],
)
def test_a_file_in_another_encoding_is_refused_naming_it(app, world, encoding, words):
    rows = [good_row(1, world.category_slug), good_row(2, world.category_slug, city="Café")]
    data = csv_bytes(rows, encoding=encoding)
    if encoding == "utf-16":
        assert data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)
    with app.app_context():
        refused = _refused(data, world)
        assert words in refused.message
        if encoding != "utf-16":
            assert refused.params == {"line": 5, "byte": "0xE9"}
        assert _count(Course) == 0


def test_utf16_without_a_bom_and_spreadsheet_files_are_refused(app, world):
    with app.app_context():
        plain = csv_bytes([good_row(1, world.category_slug)], encoding="utf-16-le")
        assert "UTF-16" in _refused(plain, world).message
        assert ".xlsx" in _refused(b"PK\x03\x04" + b"\x00" * 40, world).message


def test_too_large_or_too_long_files_are_refused_before_any_row_is_read(app, world, monkeypatch):
    def never(*_args):
        raise AssertionError("a row was checked")

    monkeypatch.setattr(imports, "_check", never)
    with app.app_context():
        huge = b"title\n" + b"x" * imports.MOST_BYTES
        assert _refused(huge, world).params == {"most": 5}
        row = ",".join("x" for _ in imports.COLUMNS) + "\n"
        many = (",".join(imports.COLUMNS) + "\n" + row * 5001).encode()
        assert _refused(many, world).params == {"most": imports.MOST_ROWS}


def test_unknown_missing_and_doubled_columns_are_named(app, world):
    columns = [c for c in imports.COLUMNS if c not in ("price", "modules")]
    columns += ["Harga", "title", "catatan"]
    data = csv_bytes([good_row(1, world.category_slug)], columns=columns)
    with app.app_context():
        refused = _refused(data, world)
        params = [error.params for error in refused.errors]
        assert params == [
            {"columns": "harga, catatan"},
            {"columns": "price, modules"},
            {"columns": "title"},
        ]


def test_a_trailing_column_without_a_name_is_left_out_while_blank(app, world):
    columns = [*imports.COLUMNS, ""]
    rows = [good_row(1, world.category_slug), {**good_row(2, world.category_slug), "": "x"}]
    with app.app_context():
        report = _run(world, csv_bytes(rows, columns=columns), only_valid=True)
        lines = lines_of(rows)
        assert [line for line, _id in report.accepted] == [lines[0]]
        assert [(p.line, p.column) for p in report.refused] == [(lines[1], None)]


def test_unreadable_empty_and_ragged_files(app, world):
    header = ",".join(imports.COLUMNS)
    with app.app_context():
        assert _refused(b"", world).message.startswith("The file holds no course")
        assert _refused((header + "\r\n\r\n").encode(), world).message.startswith(
            "The file holds no course"
        )
        opened = _refused((header + '\r\n"never closed,a\r\n').encode(), world)
        assert opened.params == {"line": 2}
        ragged = _run(world, (header + "\r\nonly,three,cells\r\n").encode())
        assert [(p.line, p.column, p.params) for p in ragged.refused] == [
            (2, None, {"cells": 3, "columns": len(imports.COLUMNS)})
        ]


def test_the_template_imports_as_it_is(app, world):
    with app.app_context():
        rows = imports.template_rows()
        assert rows[0] == list(imports.COLUMNS) and len(rows) == 3
        header, *examples = rows
        data = csv_bytes([dict(zip(header, example, strict=True)) for example in examples])
        report = _run(world, data)
        assert report.imported and not report.refused and not report.warnings
        methods = {db.session.get(Course, i).method.value for i in report.course_ids}
        assert methods == {"self_paced", "offline"}


def test_the_staff_acts_for_its_own_provider_only(app, world, factory):
    """The provider is the caller's (the signed-in staff's); the rows can't name another."""
    other = factory.provider()
    factory.user(Role.PROVIDER, provider=other)
    row = good_row(1, world.category_slug)
    with app.app_context():
        report = _run(world, csv_bytes([row]))
        made = db.session.get(Course, report.course_ids[0])
        assert made.provider_id == world.provider_id
        assert made.platform_id == db.session.get(Provider, world.provider_id).platform_id
