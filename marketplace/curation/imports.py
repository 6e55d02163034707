"""Importing many courses at once: a CSV file of courses, one a row, each made a draft.

The file (the template is `template_rows()`, downloaded from /provider/courses/import):

- UTF-8, with or without a byte order mark (what spreadsheets write as "CSV UTF-8"); any
  other encoding (Latin-1, Windows-1252, UTF-16) is refused naming the problem, as are a
  spreadsheet's own files (.xlsx, .xls) and any file holding NUL bytes. Cells are separated
  by commas, or by semicolons (what a spreadsheet set to Indonesian writes): the header row
  says which. At most MOST_BYTES bytes and MOST_ROWS courses, checked before any row is.
- The first row that is not blank names the columns, in any order: every one of COLUMNS,
  no other, none twice (lower or upper case alike); a column without a name (a
  spreadsheet's trailing empty column) is left out while its cells are blank. Blank lines,
  and rows whose cells are all blank, are skipped. A row's line number is the file's line
  where it starts, the first line being 1 (a cell with line breaks spans several lines).
- The cells, as the editor's fields (drafts.read_details and drafts.read_module check them,
  the same rules as the editor's form; nothing here repeats them):
    title, summary, description, audience, demonstration_brief: text;
    outcomes: one outcome a line (a line break inside the quoted cell, Alt+Enter in a
      spreadsheet), or outcomes separated by " | " on one line;
    category: the category's slug (the import page lists them);
    method: self_paced, webinar or offline; level: beginner, intermediate or advanced;
    price: whole rupiah, digits only (a dot as thousands separator is read too);
    province, city: offline courses only: the province's two-digit Kemendagri code (32) or
      its slug (jawa-barat); for other methods they are left out, with a warning;
    needs_demonstration: yes or no (ya, tidak, 1, 0; blank is no);
    pass_mark (1-100), test_tries (1-10): whole numbers;
    modules: "title | minutes" for each module, modules separated by ";" or by line
      breaks inside the cell, e.g. "Pembukuan dasar | 60; Laporan laba rugi | 60" (the
      title is everything before the last "|"). Lessons and questions are written in the
      editor afterwards.
- Formulas: a spreadsheet runs a cell starting with =, +, - or @ as a formula
  (=HYPERLINK(...) leaks data when the file, or an export of what it held, is opened). A
  text cell, an outcome or a module title starting so (after its leading spaces) is
  refused, not rewritten: the provider sees why and writes it otherwise; no text reaches
  the catalogue starting with a formula. Numbers, choices and slugs are refused by their
  own rules ("-5" is not a price). A control character (escape, NUL, a bidirectional
  override) in any cell is refused as the site's forms refuse it (web/inputs.py).

What it makes: for each accepted row a Course of the provider in status draft, and its
working copy (CourseDraft, state editing, version 1) holding the row's details and modules,
as `drafts.create_course` then `drafts.save_module` would make them, in bulk: the rows are
validated first, then the courses are inserted by one statement sent in batches of many
rows, their drafts by another, and one audit row each ("course.created", as the editor
records); no commit (the request's transaction is the import's). A test holds an imported
course and its working copy equal to those the editor's operations make from the same values.
An imported course is a draft its provider completes: the training standard's findings
(standard.findings) are reported per row as warnings, not refusals, leaving out what no
imported course can have yet (its questions and module quizzes: `Report.questions_needed`).

By default a file with any refused row imports nothing; with `only_valid` the valid rows
are imported and the others reported. The report (accepted rows, refused rows with line,
column and reason as message ids and params, warnings) of an import that made courses is
kept in the audit log (action "course.imported", subject "course-import:<key>"), so its page
can be shown again to the provider's staff, and to nobody else (`report_of`).
"""

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from marketplace.catalogue.models import Category, Course, CourseStatus, Level, Method, Provider
from marketplace.core import N_, DomainError, audit
from marketplace.core.inputs import control_character, formula_like
from marketplace.core.models import AuditEvent, Province
from marketplace.core.slugs import slugify
from marketplace.curation import drafts, standard
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db
from marketplace.people.models import User

COLUMNS = (
    "title",
    "summary",
    "description",
    "outcomes",
    "audience",
    "category",
    "method",
    "level",
    "price",
    "province",
    "city",
    "needs_demonstration",
    "demonstration_brief",
    "pass_mark",
    "test_tries",
    "modules",
)
# Cells holding words (refused when they start like a formula); modules' titles too.
TEXT_COLUMNS = (
    "title",
    "summary",
    "description",
    "outcomes",
    "audience",
    "city",
    "demonstration_brief",
)
MOST_BYTES = 5 * 1024 * 1024
MOST_ROWS = 5000
# What the report keeps of refused rows' problems and of warnings (the counts are whole).
KEPT_IN_REPORT = 1000
# Echoed values (an unknown slug) are cut to this many characters in a message.
ECHOED = 40
# The editor's field names where they differ from the template's columns.
COLUMN_OF_FIELD = {"category_id": "category", "province_id": "province"}
YES = frozenset({"yes", "ya", "y", "true", "1"})
NO = frozenset({"", "no", "tidak", "n", "false", "0"})
ACTION = "course.imported"
SUBJECT = "course-import:"
KEY_FORM = re.compile(r"[A-Za-z0-9_-]{22}")
_WORD = re.compile(r"[^\W_]")

FORMULA = drafts.FORMULA
CONTROL = N_("A cell can't hold control characters (such as escape or NUL): remove them.")


# --- the report ------------------------------------------------------------------------------


@dataclass
class Problem:
    """Why a row (or one of its cells) was refused, or a warning about it: a message id and
    its params, the CSV column (None: the whole row) and, in the modules cell, the module's
    number."""

    line: int
    column: str | None
    message: str
    params: dict = field(default_factory=dict)
    module: int | None = None

    def as_error(self) -> DomainError:
        """The problem as the DomainError the web layer translates."""
        return DomainError(self.message, field=self.column, **self.params)

    def kept(self) -> list:
        return [self.line, self.column, self.message, self.params, self.module]

    @classmethod
    def from_kept(cls, kept: list) -> "Problem":
        line, column, message, params, module = kept
        return cls(line, column, message, dict(params or {}), module)


@dataclass
class Report:
    """What an import did, or would have done: `accepted` are (line, course id) pairs, the
    ids None when nothing was imported; `refused` every problem of the rows refused."""

    rows: int
    accepted: list[tuple[int, int | None]]
    refused: list[Problem]
    refused_rows: int
    warnings: list[Problem]
    imported: bool
    only_valid: bool
    key: str | None = None
    # What every imported course still needs before it can be submitted.
    questions_needed: int = 0
    quiz_per_module: bool = False
    refused_count: int | None = None
    warnings_count: int | None = None
    provider_id: int | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.refused_count is None:
            self.refused_count = len(self.refused)
        if self.warnings_count is None:
            self.warnings_count = len(self.warnings)

    @property
    def course_ids(self) -> list[int]:
        return [course_id for _line, course_id in self.accepted if course_id is not None]


@dataclass
class _Row:
    """One row of the file, checked: what the editor would store, or why not."""

    line: int
    cells: dict[str, str]
    details: dict | None = None
    modules: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _refuse(message: str, **params) -> DomainError:
    return DomainError(message, field="file", **params)


def _echo(value: str) -> str:
    """A value typed in the file, shown in a message: no control characters, cut short."""
    shown = "".join(char for char in value if not control_character(char))
    shown = " ".join(shown.split())
    return shown if len(shown) <= ECHOED else shown[: ECHOED - 1] + "\u2026"


# --- reading the file ------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8, a byte order mark dropped; anything else refused, saying why."""
    if len(data) > MOST_BYTES:
        raise _refuse(
            N_("The file is larger than %(most)s MB: split it into smaller files."),
            most=MOST_BYTES // (1024 * 1024),
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            N_(
                "This is a spreadsheet file (.xlsx or .xls), not a CSV file. In your "
                "spreadsheet choose Save as, then \u201cCSV UTF-8\u201d, and upload that file."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise _refuse(
            N_(
                "The file is in UTF-16 (or holds NUL bytes), not UTF-8. Save it from your "
                "spreadsheet as \u201cCSV UTF-8\u201d and upload it again."
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _refuse(
            N_(
                "The file is not in UTF-8: line %(line)s holds a byte (%(byte)s) that UTF-8 "
                "doesn't use, as a file saved in Latin-1 or Windows-1252 does. Save it from "
                "your spreadsheet as \u201cCSV UTF-8\u201d and upload it again."
            ),
            line=data.count(b"\n", 0, error.start) + 1,
            byte=f"0x{data[error.start]:02X}",
        ) from None


def _header(names: list[str]) -> list[str]:
    """The header row's column names, checked: every column, no other, none twice (blank
    names are kept blank: those columns are left out)."""
    columns = [name.strip().lower() for name in names]
    errors = []
    unknown = [name for name in dict.fromkeys(columns) if name and name not in COLUMNS]
    if unknown:
        errors.append(
            _refuse(
                N_("The file has columns this import doesn't know: %(columns)s."),
                columns=", ".join(_echo(name) for name in unknown),
            )
        )
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        errors.append(
            _refuse(
                N_("The file lacks these columns of the template: %(columns)s."),
                columns=", ".join(missing),
            )
        )
    twice = [name for name in dict.fromkeys(columns) if name and columns.count(name) > 1]
    if twice:
        errors.append(
            _refuse(
                N_("These columns appear more than once: %(columns)s."),
                columns=", ".join(_echo(name) for name in twice),
            )
        )
    if errors:
        raise DomainError.several(errors)
    return columns


def read_rows(data: bytes) -> list[tuple[int, dict[str, str], Problem | None]]:
    """The file's rows as (line, {column: cell}, what is wrong with the row's shape or
    None), blank ones skipped; the file refused (DomainError on "file") when it can't be
    read, lacks or has unknown columns, or holds no course or more than MOST_ROWS.

    A column without a name (a spreadsheet's trailing empty column) is left out, so long as
    its cells are blank."""
    text = decode(data)
    # The header's line (the first with a letter) says how cells are separated.
    found = _WORD.search(text)
    head = text.rfind("\n", 0, found.start()) + 1 if found else 0
    tail = text.find("\n", head)
    header_line = text[head : tail if tail >= 0 else len(text)]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: list[str] | None = None
    rows: list[tuple[int, dict[str, str], Problem | None]] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _header(cells)
                continue
            if len(rows) >= MOST_ROWS:
                raise _refuse(
                    N_(
                        "The file has more than %(most)s courses: split it into files of at "
                        "most %(most)s."
                    ),
                    most=MOST_ROWS,
                )
            rows.append((start, *_shaped(start, columns, cells)))
    except csv.Error:
        raise _refuse(
            N_(
                "Line %(line)s can't be read as CSV: a quote is left open or misplaced, or a "
                "cell is far too long. Save the file from your spreadsheet as \u201cCSV "
                "UTF-8\u201d."
            ),
            line=line,
        ) from None
    if columns is None or not rows:
        raise _refuse(
            N_("The file holds no course: it needs the header row and a course on each row.")
        )
    return rows


def _shaped(line: int, columns: list[str], cells: list[str]):
    """A row's cells by column, and what is wrong with its shape (or None): as many cells
    as the header has columns, none filled under a column without a name."""
    if len(cells) != len(columns):
        return {}, Problem(
            line,
            None,
            N_(
                "This row has %(cells)s cells where the header has %(columns)s: a quote or a "
                "separator may be missing."
            ),
            {"cells": len(cells), "columns": len(columns)},
        )
    if any(cell.strip() for name, cell in zip(columns, cells, strict=True) if not name):
        return {}, Problem(
            line,
            None,
            N_(
                "This row has a value under a column without a name: name the column or "
                "remove the value."
            ),
        )
    return {name: cell for name, cell in zip(columns, cells, strict=True) if name}, None


# --- checking a row --------------------------------------------------------------------------


@dataclass
class _Lookups:
    """What rows name by slug or code, read once per import (and kept referenced, so the
    editor's rules find them in the session's identity map without a query a row)."""

    categories: dict[str, Category]
    provinces: dict[str, Province]

    @classmethod
    def read(cls) -> "_Lookups":
        categories = db.session.scalars(sa.select(Category)).all()
        provinces = db.session.scalars(sa.select(Province)).all()
        by_code = {province.code: province for province in provinces}
        by_slug = {province.slug.lower(): province for province in provinces}
        return cls(
            categories={category.slug.lower(): category for category in categories},
            provinces={**by_slug, **by_code},
        )


def _formula(text: str) -> bool:
    return formula_like(text)


def _outcomes(cell: str) -> list[str]:
    """The outcomes of a cell: one a line, or separated by " | "."""
    lines = re.split(r"\r\n|\r|\n|\s\|\s", cell)
    return [line.strip() for line in lines if line.strip()]


def _modules(row: _Row, cell: str) -> None:
    """The modules of the cell, each read by the editor's rules (drafts.read_module)."""
    items = [item for item in re.split(r";|\r\n|\r|\n", cell) if item.strip()]
    if len(items) > drafts.MOST_MODULES:
        row.problems.append(
            Problem(
                row.line,
                "modules",
                N_("A course has at most %(most)s modules."),
                {"most": drafts.MOST_MODULES},
            )
        )
        return
    for number, item in enumerate(items, start=1):
        title, bar, minutes = item.rpartition("|")
        if not bar:
            row.problems.append(
                Problem(
                    row.line,
                    "modules",
                    N_(
                        "Write each module as its title, a bar and its minutes, like "
                        "\u201cPembukuan dasar | 60\u201d."
                    ),
                    module=number,
                )
            )
            continue
        if _formula(title):
            row.problems.append(Problem(row.line, "modules", FORMULA, module=number))
            continue
        try:
            module = drafts.read_module({"title": title, "minutes": minutes, "lesson": ""})
        except DomainError as refused:
            row.problems.extend(
                Problem(row.line, "modules", error.message, dict(error.params), module=number)
                for error in refused.errors
            )
            continue
        row.modules.append({"id": None, "quiz": [], **module})


def _check(line: int, cells: dict[str, str], shape: Problem | None, lookups: _Lookups) -> _Row:
    """One row read by the editor's rules: its details and modules, or its problems."""
    row = _Row(line, cells)
    if shape is not None:
        row.problems.append(shape)
        return row
    refused_columns = set()
    outcomes = _outcomes(cells["outcomes"])
    for column, cell in cells.items():
        if control_character(cell.replace("\t", "")):
            row.problems.append(Problem(line, column, CONTROL))
            refused_columns.add(column)
        elif column in TEXT_COLUMNS and (
            _formula(cell) or (column == "outcomes" and any(_formula(item) for item in outcomes))
        ):
            row.problems.append(Problem(line, column, FORMULA))
            refused_columns.add(column)

    method = cells["method"].strip().lower()
    values = {
        name: cells[name]
        for name in ("title", "summary", "description", "audience", "city", "demonstration_brief")
        if name not in refused_columns
    }
    values["outcomes"] = "\n".join(outcomes)
    values["method"] = method
    values["level"] = cells["level"].strip().lower()
    values["price"] = cells["price"]
    values["pass_mark"] = cells["pass_mark"]
    values["test_tries"] = cells["test_tries"]

    slug = cells["category"].strip().lower()
    category = lookups.categories.get(slug)
    values["category_id"] = str(category.id) if category else ""
    if slug and category is None and "category" not in refused_columns:
        row.problems.append(
            Problem(
                line,
                "category",
                N_(
                    "No category has the slug \u201c%(value)s\u201d: use a slug listed on the "
                    "import page."
                ),
                {"value": _echo(cells["category"])},
            )
        )
        refused_columns.add("category")

    place = cells["province"].strip().lower()
    if method == Method.OFFLINE.value and place:
        province = lookups.provinces.get(place)
        values["province_id"] = str(province.id) if province else ""
        if province is None and "province" not in refused_columns:
            row.problems.append(
                Problem(
                    line,
                    "province",
                    N_(
                        "No province has the code or slug \u201c%(value)s\u201d: use one listed "
                        "on the import page."
                    ),
                    {"value": _echo(cells["province"])},
                )
            )
            refused_columns.add("province")
    elif method != Method.OFFLINE.value and (place or cells["city"].strip()):
        row.warnings.append(
            Problem(
                line,
                "province" if place else "city",
                N_("Province and city are for offline courses only: they were left out."),
            )
        )

    demonstration = cells["needs_demonstration"].strip().lower()
    if demonstration in YES:
        values["needs_demonstration"] = "y"
    elif demonstration not in NO and "needs_demonstration" not in refused_columns:
        row.problems.append(
            Problem(
                line,
                "needs_demonstration",
                N_("Write yes or no (ya or tidak), or leave it blank for no."),
            )
        )

    try:
        row.details = drafts.read_details(values)
    except DomainError as refused:
        for error in refused.errors:
            column = COLUMN_OF_FIELD.get(error.field, error.field)
            if column not in refused_columns:
                row.problems.append(Problem(line, column, error.message, dict(error.params)))
    if "modules" not in refused_columns:
        _modules(row, cells["modules"])
    return row


def _warnings(row: _Row, rule, scheme, titles: dict[str, int]) -> None:
    """The standard's findings on what the row says, as warnings: those the provider can fix
    in the file. What no imported course has yet (questions, module quizzes) is left out:
    the findings are worked out as if those were written (`Report.questions_needed`)."""
    written = {"prompt": "", "choices": [], "correct": 0}
    content = {
        **row.details,
        "modules": [{**module, "quiz": [written]} for module in row.modules],
        "questions": [written] * rule.min_test_questions,
    }
    for finding in standard.findings(content, rule, scheme):
        row.warnings.append(Problem(row.line, finding.field, finding.message, finding.params))
    title = row.details["title"].casefold()
    if title in titles:
        row.warnings.append(
            Problem(
                row.line,
                "title",
                N_(
                    "The same title as line %(line)s: participants would see two courses of one "
                    "name."
                ),
                {"line": titles[title]},
            )
        )
    else:
        titles[title] = row.line


# --- making the courses ----------------------------------------------------------------------


def _free_slugs(titles: list[str]) -> list[str]:
    """A slug for each title, in the editor's form (drafts.create_course: the title's slug,
    else "kursus"; taken ones get -2, -3 ...), none taken by a course nor by another title of
    the list. Looked up by equality in batches (the unique index answers), not by LIKE."""
    bases = [slugify(title, max_length=180) or "kursus" for title in titles]
    taken: set[str] = set()

    def look_up(candidates: set[str]) -> None:
        wanted = sorted(candidates - taken)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            taken.update(db.session.scalars(sa.select(Course.slug).where(Course.slug.in_(chunk))))

    look_up(set(bases))
    checked = set(bases)  # looked up in the database
    chosen: list[str | None] = [None] * len(bases)
    assigned: set[str] = set()
    numbers: dict[str, int] = {}  # each base's next number to try (1: the base itself)
    pending = list(range(len(bases)))
    window = 4
    while pending:
        still = []
        for index in pending:
            base = bases[index]
            number = numbers.get(base, 1)
            while True:
                slug = base if number == 1 else f"{base}-{number}"
                if slug not in checked:
                    still.append(index)
                    break
                number += 1
                if slug not in taken and slug not in assigned:
                    chosen[index] = slug
                    assigned.add(slug)
                    break
            numbers[base] = number
        if still:
            # Each title still without a slug proposes its next numbers; one query a batch.
            proposals = {
                f"{bases[index]}-{number}"
                for index in still
                for number in range(numbers[bases[index]], numbers[bases[index]] + window)
                if number > 1
            }
            look_up(proposals)
            checked |= proposals
            window *= 2
        pending = still
    return [slug for slug in chosen if slug is not None]


def course_values(provider: Provider, details: dict, slug: str, now: datetime) -> dict:
    """The course row drafts.create_course makes from the same details, as the values of an
    INSERT (a test holds the two alike)."""
    return {
        "slug": slug,
        "title": details["title"],
        "summary": details["summary"],
        "description": details["description"],
        "outcomes": details["outcomes"],
        "audience": details["audience"],
        "provider_id": provider.id,
        "platform_id": provider.platform_id,
        "category_id": details["category_id"],
        "method": Method(details["method"]),
        "level": Level(details["level"]),
        "status": CourseStatus.DRAFT,
        "price": details["price"],
        "hours": 1,  # as create_course: the least a row holds until approval sets it
        "city": details["city"] or None,
        "province_id": details["province_id"],
        "needs_demonstration": details["needs_demonstration"],
        "demonstration_brief": details["demonstration_brief"],
        "pass_mark": details["pass_mark"],
        "test_tries": details["test_tries"],
        "created_at": now,
    }


def _create(provider: Provider, actor: User, rows: list[_Row], key: str, now: datetime):
    """Every row's course and working copy, each kind by one INSERT executed for all the
    rows (SQLAlchemy sends them in batches of many rows), and a "course.created" audit row
    each (audit.record, one INSERT a course); their ids, in the rows' order.

    The INSERT of the courses returns each id with its slug (unique, chosen here), which
    pairs them with their rows: asking the database to return them in the rows' order would
    make SQLAlchemy insert one row a statement on SQLite."""
    slugs = _free_slugs([row.details["title"] for row in rows])
    courses, copies = Course.__table__, CourseDraft.__table__
    connection = db.session.connection()
    returned = connection.execute(
        courses.insert().returning(courses.c.id, courses.c.slug),
        [
            course_values(provider, row.details, slug, now)
            for row, slug in zip(rows, slugs, strict=True)
        ],
    ).all()
    id_of = {slug: course_id for course_id, slug in returned}
    ids = [id_of[slug] for slug in slugs]
    connection.execute(
        copies.insert(),
        [
            {
                "course_id": course_id,
                "content": {**row.details, "modules": row.modules, "questions": []},
                "state": DraftState.EDITING,
                "version": 1,
                "updated_at": now,
                "updated_by_id": actor.id,
            }
            for course_id, row in zip(ids, rows, strict=True)
        ],
    )
    for course_id, row in zip(ids, rows, strict=True):
        audit.record(
            "course.created", f"course:{course_id}", actor, title=row.details["title"], imported=key
        )
    return ids


# --- the import ------------------------------------------------------------------------------


def import_courses(
    provider: Provider, actor: User, data: bytes, now: datetime, only_valid: bool = False
) -> Report:
    """Import the CSV file `data` for `provider`: every row checked by the editor's rules;
    nothing made when any row is refused, unless `only_valid`, when the valid rows are. A
    file that can't be read is refused (DomainError on "file", several at once for the
    header). Flushes; the caller's transaction commits."""
    read = read_rows(data)
    rule, scheme = standard.in_force()
    lookups = _Lookups.read()
    rows = [_check(line, cells, shape, lookups) for line, cells, shape in read]
    titles: dict[str, int] = {}
    for row in rows:
        if not row.problems:
            _warnings(row, rule, scheme, titles)
    valid = [row for row in rows if not row.problems]
    refused = [row for row in rows if row.problems]
    report = Report(
        rows=len(rows),
        accepted=[(row.line, None) for row in valid],
        refused=[problem for row in refused for problem in row.problems],
        refused_rows=len(refused),
        warnings=[warning for row in valid for warning in row.warnings],
        imported=False,
        only_valid=only_valid,
        questions_needed=rule.min_test_questions,
        quiz_per_module=any(row.details["method"] == Method.SELF_PACED.value for row in valid),
        provider_id=provider.id,
        created_at=now,
    )
    if not valid or (refused and not only_valid):
        return report
    report.key = secrets.token_urlsafe(16)
    ids = _create(provider, actor, valid, report.key, now)
    report.accepted = [(row.line, course_id) for row, course_id in zip(valid, ids, strict=True)]
    report.imported = True
    audit.record(
        ACTION,
        SUBJECT + report.key,
        actor,
        provider_id=provider.id,
        only_valid=only_valid,
        rows=report.rows,
        accepted=[list(pair) for pair in report.accepted],
        refused_rows=report.refused_rows,
        refused_count=report.refused_count,
        refused=[problem.kept() for problem in report.refused[:KEPT_IN_REPORT]],
        warnings_count=report.warnings_count,
        warnings=[warning.kept() for warning in report.warnings[:KEPT_IN_REPORT]],
        questions_needed=report.questions_needed,
        quiz_per_module=report.quiz_per_module,
    )
    return report


def report_of(key: str, provider: Provider) -> Report | None:
    """The report of import `key`, if it imported courses for `provider`; else None."""
    if not KEY_FORM.fullmatch(key or ""):
        return None
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.subject == SUBJECT + key, AuditEvent.action == ACTION
        )
    )
    detail = event.detail if event is not None else None
    if not detail or detail.get("provider_id") != provider.id:
        return None
    return Report(
        rows=detail["rows"],
        accepted=[(line, course_id) for line, course_id in detail["accepted"]],
        refused=[Problem.from_kept(kept) for kept in detail["refused"]],
        refused_rows=detail["refused_rows"],
        refused_count=detail["refused_count"],
        warnings=[Problem.from_kept(kept) for kept in detail["warnings"]],
        warnings_count=detail["warnings_count"],
        imported=True,
        only_valid=detail["only_valid"],
        key=key,
        questions_needed=detail["questions_needed"],
        quiz_per_module=detail["quiz_per_module"],
        provider_id=provider.id,
        created_at=event.created_at,
    )


def imported_courses(provider: Provider, ids: list[int]) -> dict[int, Course]:
    """The provider's courses among `ids` (an imported course since deleted is left out)."""
    found: dict[int, Course] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            (course.id, course)
            for course in db.session.scalars(
                sa.select(Course).where(Course.id.in_(chunk), Course.provider_id == provider.id)
            )
        )
    return found


def reference() -> tuple[list[Category], list[Province]]:
    """What rows may name: the categories (by name) and the provinces (by code)."""
    return (
        list(db.session.scalars(sa.select(Category).order_by(Category.name))),
        list(db.session.scalars(sa.select(Province).order_by(Province.code))),
    )


# --- the template ----------------------------------------------------------------------------


def template_rows() -> list[list[str]]:
    """The template: the header and two example rows, a self-paced course and an offline one,
    naming a category and a province that exist (reads only)."""
    category = db.session.scalar(sa.select(Category.slug).order_by(Category.id).limit(1))
    province = db.session.scalar(
        sa.select(Province.code).order_by(Province.code != "32", Province.code).limit(1)
    )
    examples = [
        {
            "title": "Membuat Laporan Keuangan UMKM dengan Spreadsheet",
            "summary": "Menyusun laporan laba rugi dan arus kas usaha kecil dengan spreadsheet.",
            "description": (
                "Pelatihan ini mengajak pelaku usaha kecil menyusun laporan keuangan "
                "sederhana: mencatat transaksi harian, menyusun laporan laba rugi bulanan, dan "
                "membaca arus kas untuk mengambil keputusan usaha."
            ),
            "outcomes": "Mencatat transaksi harian\nMenyusun laporan laba rugi bulanan",
            "audience": "Pelaku UMKM yang belum pernah menyusun laporan keuangan",
            "method": Method.SELF_PACED.value,
            "level": Level.BEGINNER.value,
            "price": "450000",
            "province": "",
            "city": "",
            "needs_demonstration": "tidak",
            "demonstration_brief": "",
            "modules": "Mencatat transaksi harian | 60; Laporan laba rugi | 60",
        },
        {
            "title": "Teknik Menjahit Busana Muslim untuk Usaha Rumahan",
            "summary": "Praktik langsung menjahit gamis dan kemeja koko di bengkel jahit.",
            "description": (
                "Pelatihan tatap muka di bengkel jahit: membaca pola, memotong kain, menjahit "
                "gamis dan kemeja koko dengan mesin jahit, lalu menghitung harga jual agar "
                "usaha rumahan memberi untung."
            ),
            "outcomes": "Membaca dan membuat pola busana | Menjahit gamis dengan rapi",
            "audience": "Ibu rumah tangga dan lulusan SMK yang ingin membuka usaha jahit",
            "method": Method.OFFLINE.value,
            "level": Level.INTERMEDIATE.value,
            "price": "750000",
            "province": province or "",
            "city": "Kota Bandung",
            "needs_demonstration": "ya",
            "demonstration_brief": "Unggah foto gamis yang Anda jahit sendiri.",
            "modules": "Membaca pola | 120\nMenjahit gamis | 120",
        },
    ]
    shared = {"category": category or "", "pass_mark": "60", "test_tries": "3"}
    for example in examples:
        example.update(shared)
    return [list(COLUMNS), *([example[name] for name in COLUMNS] for example in examples)]
