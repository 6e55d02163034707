"""Course import benchmark: a 1,500-row CSV file imported in-process against controls.

    .venv/bin/python bench/course_import.py [--rows 1500] [--repeats 5] [--no-write]

1. Builds a fresh SQLite database, bench/out/course-import.db (`flask db upgrade`'s
   migrations, then the least the import needs: a platform, a provider with one member of
   staff, eight categories, the provinces it names, the schemes), and a CSV file of --rows
   courses, every row valid (a third each self-paced, webinar and offline, two to four
   modules each, outcomes on several lines), as a spreadsheet writes it (UTF-8 with a byte
   order mark, CRLF).
2. Measures, in one process, in this order:
   - the controls: the same file parsed by the csv module alone (decode and read every
     row, nothing checked), and the same courses inserted by one sqlite3 `executemany`
     (with their working copies' JSON by a second one, explicit ids, then rolled back):
     the least any import of these rows can cost, the first doing no writing, the second no
     checking;
   - the import (curation.imports.import_courses, then the commit), cold (the first in the
     process: SQLAlchemy's statement cache and the app's lookups empty) and --repeats
     times more, each importing the same file again (so every title's slug is taken and
     numbered, the path a re-import takes) into a catalogue that grows by --rows each time;
   - a file of the same rows with one refused (nothing is written: every row checked, the
     all-or-nothing refusal);
   - the whole request, --repeats times: a signed-in provider posts the file to
     /provider/courses/import with its CSRF token through Flask's test client (multipart
     parsing, the view, the commit by the transaction boundary, the redirect), then opens
     the report page.
   Each timing is wall-clock (time.perf_counter); the SQL statements an import sends are
   counted. The controls run before the cold import and again after the last one, and
   their medians are used.
3. Prints the table and writes its section of bench/RESULTS.md (between
   `<!-- bench:course-import -->` markers; the rest of the file is kept).

A script that prints figures, not a test: nothing here asserts a timing (the tests count
statements instead: tests/curation/test_course_import.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalogue import OUT, REPO, load_average, machine  # noqa: E402 - shared machinery

DATABASE = OUT / "course-import.db"
TASKS = OUT / "course-import-tasks.db"
RESULTS = REPO / "bench" / "RESULTS.md"
MARK_OPEN = "<!-- bench:course-import -->"
MARK_CLOSE = "<!-- /bench:course-import -->"
PASSWORD = "Tolok-ukur-impor-2026!"  # noqa: S105 - the benchmark's own account
STAFF = "impor@example.com"
CATEGORIES = (
    "Penjualan dan Pemasaran",
    "Teknologi Informasi",
    "Keuangan",
    "Kuliner",
    "Fesyen",
    "Pertanian",
    "Bahasa",
    "Manajemen",
)
TOPICS = (
    "Pembukuan UMKM",
    "Pemasaran Digital",
    "Menjahit Busana",
    "Barista Kopi",
    "Analisis Data",
    "Desain Grafis",
    "Bahasa Inggris Kerja",
    "Budidaya Hidroponik",
    "Fotografi Produk",
    "Layanan Pelanggan",
)
AUDIENCES = ("Pelaku UMKM", "Lulusan SMK", "Pencari kerja", "Ibu rumah tangga")
MODULE_SETS = (
    "Pengantar | 60; Praktik | 60",
    "Dasar | 60; Praktik terbimbing | 60; Proyek akhir | 120",
    "Teori | 90; Praktik | 90; Studi kasus | 60; Evaluasi | 120",
)
PROVINCES = (("32", "Jawa Barat", "jawa-barat"), ("35", "Jawa Timur", "jawa-timur"))


# --- the database and the file ----------------------------------------------------------------


def make_app():
    from marketplace import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{DATABASE}",
            "PUBLIC_URL": "http://localhost",
            "SERVER_NAME": None,
            "RATELIMIT_ENABLED": False,
            "TASK_QUEUE_URL": f"sqlite:///{TASKS}",
        }
    )


def build_database(app) -> dict:
    """A migrated database holding what the import needs; the rows' ids and slugs."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from marketplace.catalogue.models import Category, Platform, Provider
    from marketplace.core.models import Province
    from marketplace.extensions import db
    from marketplace.people import accounts
    from marketplace.people.models import Role
    from marketplace.programme import batches

    for path in (DATABASE, TASKS):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"))
        for code, name, slug in PROVINCES:
            if db.session.scalar(sa.select(Province).where(Province.code == code)) is None:
                db.session.add(Province(code=code, name=name, slug=slug))
        db.session.flush()
        province = db.session.scalar(sa.select(Province).where(Province.code == "32"))
        platform = Platform(
            slug="platform-tolok-ukur", name="Platform Tolok Ukur", commission_bp=1500
        )
        db.session.add(platform)
        db.session.flush()
        provider = Provider(
            slug="lpk-tolok-ukur",
            name="LPK Tolok Ukur",
            city="Kota Bandung",
            province_id=province.id,
            platform_id=platform.id,
        )
        db.session.add(provider)
        for number, name in enumerate(CATEGORIES, start=1):
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower())
            db.session.add(Category(slug=slug, name=name, name_en=f"Category {number}"))
        db.session.flush()
        accounts.create_user(
            email=STAFF,
            name="Staf Impor",
            password=PASSWORD,
            role=Role.PROVIDER,
            provider=provider,
            verified=True,
        )
        batches.ensure_schemes()
        db.session.commit()
        categories = list(db.session.scalars(sa.select(Category.slug).order_by(Category.id)))
        return {"provider_id": provider.id, "categories": categories}


def rows_of(count: int, categories: list[str]) -> list[dict]:
    """`count` valid courses, varied the way a provider's catalogue is."""
    methods = ("self_paced", "webinar", "offline")
    rows = []
    for number in range(count):
        method = methods[number % 3]
        topic = TOPICS[number % len(TOPICS)]
        rows.append(
            {
                "title": f"{topic} untuk {AUDIENCES[number % 4]} Angkatan {number + 1}",
                "summary": f"{topic}: langkah praktis dari dasar sampai siap dipakai bekerja.",
                "description": (
                    f"Pelatihan {topic.lower()} ini mengajak peserta belajar dari contoh nyata: "
                    "memahami konsep dasar, berlatih dengan kasus sehari-hari, lalu menyusun "
                    f"hasil kerja sendiri yang bisa ditunjukkan kepada pemberi kerja ({number})."
                ),
                "outcomes": "Memahami konsep dasar\nMempraktikkan langkah\nMenyusun hasil kerja",
                "audience": AUDIENCES[number % 4],
                "category": categories[number % len(categories)],
                "method": method,
                "level": ("beginner", "intermediate", "advanced")[number % 3],
                "price": str(150_000 + (number % 20) * 50_000),
                "province": PROVINCES[number % 2][0] if method == "offline" else "",
                "city": "Kota Bandung" if method == "offline" else "",
                "needs_demonstration": "ya" if number % 5 == 0 else "tidak",
                "demonstration_brief": "Unggah hasil kerja Anda." if number % 5 == 0 else "",
                "pass_mark": "60",
                "test_tries": "3",
                "modules": MODULE_SETS[number % 3]
                if method != "offline"
                else "Teori | 120; Praktik | 120",
            }
        )
    return rows


def csv_file(rows: list[dict]) -> bytes:
    from marketplace.curation.imports import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[name] for name in COLUMNS])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


# --- the controls -------------------------------------------------------------------------------


def control_parse(data: bytes) -> float:
    """The file decoded and every row read by the csv module: nothing checked, nothing written."""
    started = time.perf_counter()
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    elapsed = time.perf_counter() - started
    assert len(rows) > 1
    return elapsed


def control_insert(data: bytes, provider: dict) -> float:
    """The same courses and their working copies inserted by two sqlite3 executemany calls
    (explicit ids, the values already typed), then rolled back: writing, no checking."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    records = list(reader)
    connection = sqlite3.connect(DATABASE, isolation_level=None)
    try:
        category_ids = dict(connection.execute("SELECT slug, id FROM category"))
        province_ids = dict(connection.execute("SELECT code, id FROM province"))
        platform_id = connection.execute(
            "SELECT platform_id FROM provider WHERE id = ?", (provider["provider_id"],)
        ).fetchone()[0]
        staff_id = connection.execute(
            "SELECT id FROM user_account WHERE email = ?", (STAFF,)
        ).fetchone()[0]
        first = (connection.execute("SELECT coalesce(max(id), 0) FROM course").fetchone()[0]) + 1
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        courses, copies = [], []
        for offset, row in enumerate(records):
            course_id = first + offset
            province = province_ids.get(row["province"]) if row["province"] else None
            courses.append(
                (
                    course_id, f"kontrol-{course_id}", row["title"], row["summary"],
                    row["description"], row["outcomes"], row["audience"], provider["provider_id"],
                    platform_id, category_ids[row["category"]], row["method"], row["level"],
                    "draft", int(row["price"]), 1, row["city"] or None, province,
                    row["needs_demonstration"] == "ya", row["demonstration_brief"],
                    int(row["pass_mark"]), int(row["test_tries"]), now,
                )
            )  # fmt: skip
            modules = [
                {
                    "id": None,
                    "quiz": [],
                    "title": title.strip(),
                    "minutes": int(minutes),
                    "lesson": "",
                }
                for title, minutes in (item.rsplit("|", 1) for item in row["modules"].split(";"))
            ]
            copies.append((course_id, json.dumps({**row, "modules": modules, "questions": []}),
                           "editing", 1, now, staff_id))  # fmt: skip
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO course (id, slug, title, summary, description, outcomes, audience, "
            "provider_id, platform_id, category_id, method, level, status, price, hours, city, "
            "province_id, needs_demonstration, demonstration_brief, pass_mark, test_tries, "
            "created_at, rating_avg, rating_count, enrolment_count) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)",
            courses,
        )
        connection.executemany(
            "INSERT INTO course_draft (course_id, content, state, version, updated_at, "
            "updated_by_id) VALUES (?, ?, ?, ?, ?, ?)",
            copies,
        )
        elapsed = time.perf_counter() - started
        connection.execute("ROLLBACK")
        return elapsed
    finally:
        connection.close()


# --- the import ---------------------------------------------------------------------------------


class Statements:
    """Counts the SQL statements the app's engine sends."""

    def __init__(self, engine) -> None:
        import sqlalchemy as sa

        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def import_once(app, data: bytes, provider_id: int, statements: Statements) -> dict:
    """import_courses then the commit, in a fresh app context, timed."""
    import sqlalchemy as sa

    from marketplace.catalogue.models import Provider
    from marketplace.core.base import utcnow
    from marketplace.curation import imports
    from marketplace.extensions import db
    from marketplace.people.models import User

    with app.app_context():
        before = statements.count
        started = time.perf_counter()
        provider = db.session.get(Provider, provider_id)
        staff = db.session.scalar(sa.select(User).where(User.email == STAFF))
        report = imports.import_courses(provider, staff, data, utcnow())
        checked = time.perf_counter()
        db.session.commit()
        finished = time.perf_counter()
        return {
            "seconds": finished - started,
            "commit": finished - checked,
            "imported": len(report.course_ids),
            "refused": report.refused_rows,
            "statements": statements.count - before,
        }


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on `path`, as a browser would send it back."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not found:
        raise RuntimeError(f"no CSRF token on {path}")
    return found.group(1)


def signed_in_client(app):
    client = app.test_client()
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"csrf_token": token, "email": STAFF, "password": PASSWORD})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return client


def request_once(app, client, data: bytes) -> dict:
    """The whole request: POST the file (multipart, CSRF), follow to the report page."""
    token = csrf_token(client, "/provider/courses/import")
    started = time.perf_counter()
    answer = client.post(
        "/provider/courses/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "pelatihan.csv")},
        content_type="multipart/form-data",
    )
    posted = time.perf_counter()
    if answer.status_code != 302:
        raise RuntimeError(f"the import answered {answer.status_code}")
    report = client.get(answer.headers["Location"])
    finished = time.perf_counter()
    if report.status_code != 200:
        raise RuntimeError(f"the report answered {report.status_code}")
    return {"seconds": posted - started, "report_page": finished - posted}


# --- the report ---------------------------------------------------------------------------------


def write_section(section: str, results: Path = RESULTS) -> None:
    """Replace (or append) this benchmark's section of bench/RESULTS.md, keeping the rest."""
    block = f"{MARK_OPEN}\n{section.rstrip()}\n{MARK_CLOSE}\n"
    text = results.read_text() if results.exists() else ""
    pattern = re.compile(re.escape(MARK_OPEN) + r".*?" + re.escape(MARK_CLOSE) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results.write_text(text)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1500, help="courses in the file")
    parser.add_argument("--repeats", type=int, default=5, help="repeated imports (median)")
    parser.add_argument("--no-write", action="store_true", help="don't update bench/RESULTS.md")
    args = parser.parse_args(argv)
    if not 1 <= args.rows <= 5000:
        parser.error("--rows must be between 1 and 5000 (the import's own limit)")
    if not 1 <= args.repeats <= 20:
        parser.error("--repeats must be between 1 and 20")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_app()
    provider = build_database(app)
    rows = rows_of(args.rows, provider["categories"])
    data = csv_file(rows)
    refused_rows = [dict(row) for row in rows]
    refused_rows[len(rows) // 2]["price"] = "-450000"
    refused_file = csv_file(refused_rows)

    from marketplace.extensions import db

    with app.app_context():
        statements = Statements(db.engine)
    load_before = load_average()
    parse_runs = [control_parse(data) for _ in range(5)]
    insert_runs = [control_insert(data, provider) for _ in range(3)]
    cold = import_once(app, data, provider["provider_id"], statements)
    warm = [
        import_once(app, data, provider["provider_id"], statements) for _ in range(args.repeats)
    ]
    checked_only = [
        import_once(app, refused_file, provider["provider_id"], statements)
        for _ in range(args.repeats)
    ]
    client = signed_in_client(app)
    requests = [request_once(app, client, data) for _ in range(args.repeats)]
    parse_runs += [control_parse(data) for _ in range(5)]
    insert_runs += [control_insert(data, provider) for _ in range(3)]
    load_after = load_average()

    for run in (cold, *warm):
        if run["imported"] != args.rows:
            raise RuntimeError(f"an import made {run['imported']} courses, not {args.rows}")
    if any(run["imported"] or run["refused"] != 1 for run in checked_only):
        raise RuntimeError("the file with a refused row imported something")

    parse = statistics.median(parse_runs)
    insert = statistics.median(insert_runs)
    warm_median = statistics.median(run["seconds"] for run in warm)
    checked_median = statistics.median(run["seconds"] for run in checked_only)
    request_median = statistics.median(run["seconds"] for run in requests)
    report_median = statistics.median(run["report_page"] for run in requests)
    table_rows = [
        ("control: csv module parse only (decode + csv.reader)", parse, parse_runs, None),
        ("control: one executemany of the courses + one of their drafts", insert, insert_runs,
         None),
        ("import, cold (first in the process), + commit", cold["seconds"], [cold["seconds"]],
         cold["statements"]),
        (f"import, repeated ×{args.repeats} (slugs taken, numbered), + commit", warm_median,
         [run["seconds"] for run in warm], statistics.median(run["statements"] for run in warm)),
        ("checked only: one row refused, nothing written", checked_median,
         [run["seconds"] for run in checked_only],
         statistics.median(run["statements"] for run in checked_only)),
        (f"the request: POST /provider/courses/import ×{args.repeats}", request_median,
         [run["seconds"] for run in requests], None),
        ("then the report page (GET, 500 rows drawn)", report_median,
         [run["report_page"] for run in requests], None),
    ]  # fmt: skip
    lines = [
        "| run | median ms | runs (ms) | ÷ csv parse | ÷ executemany | SQL statements |",
        "|---|---|---|---|---|---|",
    ]
    for label, seconds, runs, count in table_rows:
        shown_runs = (
            " / ".join(ms(run) for run in runs)
            if len(runs) <= 6
            else (f"{ms(min(runs))}–{ms(max(runs))} ({len(runs)} runs)")
        )
        lines.append(
            f"| {label} | {ms(seconds)} | {shown_runs} | {seconds / parse:,.1f} "
            f"| {seconds / insert:,.1f} | {'' if count is None else f'{count:,.0f}'} |"
        )
    try:
        info = machine()  # also asks wrk and gunicorn their versions, which this one ignores
    except OSError:
        info = {}
    command = f".venv/bin/python bench/course_import.py --rows {args.rows} --repeats {args.repeats}"
    import sqlalchemy as sa

    with app.app_context():
        total = db.session.scalar(sa.text("SELECT count(*) FROM course"))
    section = "\n".join(
        [
            "## Course import (`/provider/courses/import`, issue 14)",
            "",
            "Written by `bench/course_import.py` (see its docstring); replaced when it runs again.",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {info.get('nproc', '?')} cores ({info.get('cpu', '?')}), "
            f"{info.get('memory', '?')} memory, {info.get('os', '?')}; "
            f"Python {sys.version.split()[0]}, "
            f"SQLite {sqlite3.sqlite_version}",
            f"- Command: `{command}`",
            f"- Load average (1 min) before and after: {load_before}, {load_after} (on "
            f"{info.get('nproc', '?')} cores; above about 1 the benchmark shared the machine "
            "with other work, e.g. another test run, and its figures are noisier; the ratios "
            "to the controls, measured in the same run, cancel some of it)",
            f"- File: {args.rows:,} courses, {len(data):,} bytes (UTF-8 with BOM, CRLF; a third "
            "each self-paced, webinar and offline; 2 to 4 modules; outcomes on 3 lines). "
            f"In-process against the real app on SQLite (`bench/out/course-import.db`, WAL); "
            f"{total:,} courses in it at the end.",
            "",
            *lines,
            "",
            f"A {args.rows:,}-row file imports in {warm_median:,.2f} s "
            f"({cold['seconds']:,.2f} s cold), {warm_median / parse:,.0f}× the csv module's "
            f"parse alone and {warm_median / insert:,.1f}× one bare executemany of the same "
            f"rows; {statistics.median(run['statements'] for run in warm):,.0f} SQL statements "
            "an import (one audit row a course, the rest in batches). The whole request, "
            f"upload to redirect, takes {request_median:,.2f} s.",
        ]
    )
    print(section)
    if not args.no_write:
        write_section(section)
        print(f"\nWritten to {RESULTS}")


if __name__ == "__main__":
    main()
