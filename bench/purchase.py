"""Purchase benchmark: purchases per second across distinct cards, against a control POST.

    .venv/bin/python bench/purchase.py [--cards 6000] [--duration 10] [--connections 4]
                                       [--rounds 3] [--profile 200] [--workers 2] [--no-write]

1. Builds a fresh, migrated SQLite database (bench/out/purchase.db) with `flask db upgrade`.
2. Fills it in-process through the services: 4 providers with 16 courses (12 self-paced,
   4 webinars with one session each, seats for every card), `--cards` participants each with
   a 2020 card (Rp1.000.000), and ONE begun purchase per card (`checkout.begin`, the code step,
   with a seeded random source so every code is known without reading mail). Each participant
   gets a session cookie and a CSRF token made by the app itself (Flask-Login's `login_user`
   and Flask-WTF's `generate_csrf` in a request context, signed with the server's key), so
   no password is hashed. One line per card goes to bench/out/purchase-requests.tsv.
3. Serves `purchase:bench_app()` (the real app plus the control route below) with gunicorn,
   2 sync workers, as the other benchmarks, on a free port of 127.0.0.1.
4. Drives wrk with bench/purchase.lua. A purchase is the POST /checkout/confirm that makes the
   order (code checked, rules re-checked, money moved in the ledger, seat taken, order with its
   voucher code, audit, commit, 302 to the receipt); every request is a different card and each
   prepared purchase is used once: each purchase run gets the next unused slice of them. The
   control is POST /_bench/purchase-control with the same form, the same session cookie and
   CSRF token: the same sign-in, role check, participant lookup, CSRF check, form, ONE audit
   row written and committed, the flash and the 302 of the real view, without the purchase.
   In each round the control runs first. After each run the database is counted: a purchase
   run must have made one order per request, a control run one audit row per request.
5. Prints purchases per second and the ratio to the control (median of the rounds), and
   writes bench/RESULTS-purchase.md (notes below its NOTES_MARKER line are kept). With
   --profile N it also times N control requests and N purchases in-process (Flask's test
   client, on a copy of the database, SQL statements counted) and profiles N more purchases
   with cProfile: where the time goes, by part.

A script that prints figures, not a test: nothing here asserts a timing. All traffic goes to
127.0.0.1 and gunicorn is stopped at exit. The codes are valid for 10 minutes from the
preparation: the default run takes about 2 minutes after it.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import pstats
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalogue import (  # noqa: E402 - the shared benchmark machinery
    GUNICORN_WORKERS,
    HOST,
    OUT,
    REPO,
    Server,
    WrkResult,
    flask_env,
    gunicorn_command,
    load_average,
    machine,
    median,
    parse_wrk_output,
    wrk_output,
)

RESULTS = REPO / "bench" / "RESULTS-purchase.md"
LUA = REPO / "bench" / "purchase.lua"
REQUESTS = OUT / "purchase-requests.tsv"
DATABASE = OUT / "purchase.db"
SECRET_KEY = "bench"  # noqa: S105 - flask_env's throwaway key: the cookies are signed with it
USER_AGENT = "purchase-bench"  # as bench/purchase.lua sends it (Flask-Login's session check)
TARGET_RATIO = 0.30
WRK_THREADS = 2
CHUNK = 500  # rows committed at a time while preparing
NOTES_MARKER = "<!-- notes: kept when bench/purchase.py writes this file again -->"


# --- the app under benchmark (imported by gunicorn as `purchase:bench_app()`) ---------------


def bench_app():
    """The real app plus the control route: POST /_bench/purchase-control."""
    from flask import abort, flash, redirect
    from flask_login import current_user, login_required

    from marketplace import create_app
    from marketplace.core import audit
    from marketplace.extensions import db
    from marketplace.people.models import Role
    from marketplace.people.participants import participant_of
    from marketplace.web.checkout.views import ConfirmCodeForm
    from marketplace.web.i18n import gettext

    app = create_app()

    @app.route("/_bench/purchase-control", methods=["POST"])
    @login_required
    def purchase_control():
        """The purchase view's machinery without the purchase: one audit row written."""
        if current_user.role is not Role.PARTICIPANT:
            abort(403)
        participant = participant_of(current_user)
        form = ConfirmCodeForm()
        if participant is None or not form.validate_on_submit():
            abort(400)
        audit.record("bench.control", f"participant:{participant.id}", actor=current_user)
        db.session.commit()
        flash(gettext("Your purchase is complete."), "success")
        return redirect("/account")

    return app


# --- the database --------------------------------------------------------------------------


class SeededDraws:
    """The random source `checkout.begin` takes (randbelow, token_urlsafe), seeded."""

    def __init__(self, seed: int):
        self._random = random.Random(seed)

    def randbelow(self, limit: int) -> int:
        return self._random.randrange(limit)

    def token_urlsafe(self, nbytes: int) -> str:
        return base64.urlsafe_b64encode(self._random.randbytes(nbytes)).rstrip(b"=").decode()


def fresh_database(path: Path = DATABASE) -> Path:
    """An empty, migrated database: each prepared purchase can be made once only."""
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=REPO,
        env=flask_env(path),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return path


def local_app(db_path: Path):
    """The app in this process, on the benchmark's database, with the server's secret key."""
    from marketplace import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SECRET_KEY": SECRET_KEY,
            "PUBLIC_URL": f"http://{HOST}",
        }
    )


def _catalogue(cards: int, now: datetime) -> list[tuple[object, object | None]]:
    """16 approved courses of 4 providers; (course, its session or None) each."""
    from marketplace.catalogue import search
    from marketplace.catalogue.models import (
        Category,
        Course,
        CourseSession,
        CourseStatus,
        Level,
        Method,
        Platform,
        Provider,
    )
    from marketplace.core.models import Province
    from marketplace.extensions import db

    province = Province(code="31", name="DKI Jakarta", slug="dki-jakarta")
    platform = Platform(slug="platform-bench", name="Platform Bench", commission_bp=1500)
    category = Category(slug="bench", name="Kategori Bench", name_en="Bench category")
    db.session.add_all([province, platform, category])
    db.session.flush()
    offers = []
    for p in range(4):
        provider = Provider(
            slug=f"lpk-bench-{p}",
            name=f"LPK Bench {p}",
            city="Jakarta Selatan",
            province_id=province.id,
            platform_id=platform.id,
        )
        db.session.add(provider)
        db.session.flush()
        for c in range(4):
            webinar = c == 3
            course = Course(
                slug=f"pelatihan-bench-{p}-{c}",
                title=f"Pelatihan Bench {p}-{c}",
                summary="Ringkasan pelatihan",
                description="Deskripsi pelatihan.",
                outcomes="Memahami dasar",
                provider_id=provider.id,
                platform_id=platform.id,
                category_id=category.id,
                method=Method.WEBINAR if webinar else Method.SELF_PACED,
                level=Level.BEGINNER,
                status=CourseStatus.APPROVED,
                price=300_000 + 100_000 * c,
                hours=10,
                published_at=now,
            )
            db.session.add(course)
            db.session.flush()
            session = None
            if webinar:
                session = CourseSession(
                    course_id=course.id,
                    starts_at=now + timedelta(days=14),
                    ends_at=now + timedelta(days=14, hours=3),
                    place="Zoom Meeting",
                    capacity=cards,
                    seats_taken=0,
                )
                db.session.add(session)
                db.session.flush()
            offers.append((course, session))
    search.index_courses([course.id for course, _ in offers])
    return offers


def prepare(db_path: Path, cards: int) -> int:
    """Card holders with one begun purchase each; writes REQUESTS. Returns the line count."""
    from flask import g
    from flask import session as flask_session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from marketplace.catalogue.models import Course, CourseSession
    from marketplace.core.base import utcnow
    from marketplace.extensions import db
    from marketplace.money import cards as card_service
    from marketplace.money import ledger
    from marketplace.orders import checkout
    from marketplace.people.models import Education, Employment, Participant, Role, Sex, User
    from marketplace.programme import batches

    app = local_app(db_path)
    draws = SeededDraws(20260310)
    chooser = random.Random(7)
    with app.app_context():
        now = utcnow().replace(microsecond=0)
        offers = [
            (course.id, session.id if session is not None else None)
            for course, session in _catalogue(cards, now)
        ]
        ledger.allocate_budget(cards * 1_000_000, "APBN bench")
        batches.ensure_schemes()
        batch = batches.create_batch(
            1, now - timedelta(days=20), now - timedelta(days=12), cards, "2020", None, None
        )
        province_id = db.session.get(Course, offers[0][0]).provider.province_id
        db.session.commit()
        ids = []
        for n in range(1, cards + 1):
            user = User(
                email=f"peserta{n}@bench.example",
                name=f"Peserta {n}",
                password_hash="not-a-password-hash",  # noqa: S106 - never signs in by password
                role=Role.PARTICIPANT,
                locale=None,
                verified_at=now - timedelta(days=30),
            )
            db.session.add(user)
            db.session.flush()
            participant = Participant(
                user_id=user.id,
                nik=f"3101{n:012d}",
                kk=f"3102{n:012d}",
                full_name=f"Peserta Nomor {n}",
                birth_date=date(1995, 5, 17),
                sex=Sex.FEMALE,
                phone=f"+62812{n:08d}",
                province_id=province_id,
                city="Kota Contoh",
                education=Education.SMA,
                employment=Employment.JOB_SEEKER,
            )
            db.session.add(participant)
            db.session.flush()
            card_service.issue(participant, batch, now)
            ids.append(participant.id)
            if n % CHUNK == 0:
                db.session.commit()
        db.session.commit()
        db.session.expunge_all()

        # The code step, as late as possible: the codes are valid for 10 minutes.
        serializer = app.session_interface.get_signing_serializer(app)
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        lines = []
        for index, participant_id in enumerate(ids, start=1):
            participant = db.session.get(Participant, participant_id)
            course_id, session_id = chooser.choice(offers)
            course = db.session.get(Course, course_id)
            session = db.session.get(CourseSession, session_id) if session_id else None
            row, code = checkout.begin(participant, course, session, utcnow(), rng=draws)
            with app.test_request_context(
                "/", headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": HOST}
            ):
                flask_session.clear()
                login_user(participant.user)
                g.pop("csrf_token", None)  # g outlives this request: one token per session
                token = generate_csrf()
                cookie = f"{cookie_name}={serializer.dumps(dict(flask_session))}"
            fields = (cookie, token, row.purchase_key, code, course.slug)
            lines.append("\t".join(urllib.parse.quote(value, safe="=.-_~") for value in fields))
            if index % CHUNK == 0:
                db.session.commit()
                db.session.expunge_all()
        db.session.commit()
        db.engine.dispose()
    REQUESTS.write_text("\n".join(lines) + "\n")
    return len(lines)


def counts(db_path: Path) -> tuple[int, int]:
    """(orders, control audit rows) in the database now."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        orders = connection.execute("SELECT count(*) FROM course_order").fetchone()[0]
        controls = connection.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'bench.control'"
        ).fetchone()[0]
    return orders, controls


def verify_books(db_path: Path) -> list[str]:
    """`ledger.verify()` on the database after the run (what `flask ledger verify` runs)."""
    from marketplace.extensions import db
    from marketplace.money import ledger

    app = local_app(db_path)
    with app.app_context():
        problems = ledger.verify()
        db.engine.dispose()
    return problems


# --- the server and wrk --------------------------------------------------------------------


def purchase_server(db_path: Path, log: Path, workers: int = GUNICORN_WORKERS) -> Server:
    """gunicorn serving `purchase:bench_app()` (2 sync workers) on a free loopback port."""

    def command(port: int) -> list[str]:
        line = [*gunicorn_command(port)[:-1], "purchase:bench_app()"]
        line[line.index("--workers") + 1] = str(workers)
        return line

    return Server(db_path, 0, log, command=command)


def run_wrk(base: str, mode: str, first: int, last: int, duration: int, connections: int):
    """One bounded wrk run of purchases (lines first..last) or of the control; (the result,
    how many wrk threads ran out of prepared purchases)."""
    threads = max(1, min(WRK_THREADS, connections))
    env = {
        "BENCH_MODE": mode,
        "BENCH_REQUESTS": str(REQUESTS),
        "BENCH_FROM": str(first),
        "BENCH_TO": str(last),
        "BENCH_THREADS": str(threads),
    }
    output = wrk_output(
        base, duration, connections, threads=threads, script=LUA, env=env, timeout="30s"
    )
    exhausted = re.search(r"^BENCH-EXHAUSTED (\d+)$", output, re.MULTILINE)
    return parse_wrk_output(output), int(exhausted.group(1)) if exhausted else 0


class Pool:
    """The prepared purchases, cut into one block per purchase run (by its seconds), and the
    profile's block at the end. A wrk thread takes every other line of its run's block, so a
    block is never shared: whatever a run leaves unused stays unused."""

    def __init__(self, size: int, seconds: list[int], reserved: int):
        usable = size - reserved
        total = sum(seconds)
        self.blocks = []
        first = 1
        for number, run_seconds in enumerate(seconds):
            last = (
                size - reserved
                if number == len(seconds) - 1
                else first - 1 + (usable * run_seconds // total)
            )
            self.blocks.append((first, last))
            first = last + 1
        self.reserved_from = size - reserved + 1

    def take(self) -> tuple[int, int]:
        return self.blocks.pop(0)


def measured_run(server, db_path, pool, mode, duration, connections) -> WrkResult:
    """One wrk run, checked against the database: one order (or control row) per request."""
    orders_before, controls_before = counts(db_path)
    first, last = pool.take() if mode == "purchase" else (1, 0)
    result, exhausted = run_wrk(server.base, mode, first, last, duration, connections)
    orders_after, controls_after = counts(db_path)
    made = orders_after - orders_before if mode == "purchase" else controls_after - controls_before
    if exhausted:
        raise SystemExit(
            f"{mode}: {exhausted} wrk threads used up their {last - first + 1} prepared "
            "purchases before the end of the run: run with more --cards"
        )
    # wrk counts the responses it read; requests still in flight when it stops were served too.
    if result.errors or not result.requests <= made <= result.requests + connections:
        raise SystemExit(
            f"{mode}: wrk counted {result.requests} requests ({result.errors} errors) but "
            f"{made} were made: see {server._log.name}"
        )
    return result


# --- the profile ---------------------------------------------------------------------------


# Parts of a purchase, by (file, function) as cProfile names them; indented: inside the above.
PARTS = (
    ("the view (web/checkout/views.py confirm), all of it", "views.py", "confirm"),
    ("  the service (checkout.confirm), all of it", "checkout.py", "confirm"),
    ("    the purchase in its SAVEPOINT (checkout._purchase)", "checkout.py", "_purchase"),
    ("      the rules checked again (checkout._check_rules)", "checkout.py", "_check_rules"),
    ("      the money (ledger.transfer)", "ledger.py", "transfer"),
    ("      the provider's account looked up (ledger.account)", "ledger.py", "account"),
    (
        "      the card's first purchase (cards.mark_first_purchase)",
        "cards.py",
        "mark_first_purchase",
    ),
    ("      the seat, webinars only (checkout._take_seat)", "checkout.py", "_take_seat"),
    (
        "  the course for the error page (catalogue.get_listed_course)",
        "catalogue.py",
        "get_listed_course",
    ),
    ("  the participant (participants.participant_of)", "participants.py", "participant_of"),
    ("  the form and its CSRF check (validate_on_submit)", "form.py", "validate_on_submit"),
    ("every ORM statement (Session._execute_internal)", "session.py", "_execute_internal"),
    ("every flush (Session.flush)", "session.py", "flush"),
    (
        "SQLite itself (sqlite3 Cursor.execute)",
        "~",
        "<method 'execute' of 'sqlite3.Cursor' objects>",
    ),
    (
        "the commit (sqlite3 Connection.commit)",
        "~",
        "<method 'commit' of 'sqlite3.Connection' objects>",
    ),
)


def _part_times(profiler: cProfile.Profile, number: int) -> dict[tuple[str, str], float]:
    """Cumulative ms a request of each (file name, function) that PARTS names."""
    wanted = {(filename, function) for _, filename, function in PARTS}
    found: dict[tuple[str, str], float] = {}
    for (filename, _line, function), row in pstats.Stats(profiler).stats.items():
        key = (Path(filename).name, function)
        if key in wanted:
            found[key] = max(found.get(key, 0.0), row[3] / number * 1000)
    return found


def profile(db_path: Path, number: int, first: int) -> list[str]:
    """Where a purchase's time goes, in-process: timed, counted and profiled.

    On a copy of the database, through Flask's test client with the same cookies and forms:
    `number` control requests and `number` purchases timed without a profiler, with their SQL
    statements counted; then `number` more purchases under cProfile. Uses 2 × `number`
    prepared purchases from line `first` on. Returns the lines to print and record.
    """
    import sqlalchemy as sa

    copy = OUT / "purchase-profile.db"
    for stale in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        stale.unlink(missing_ok=True)
    with sqlite3.connect(db_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    lines = REQUESTS.read_text().splitlines()[first - 1 : first - 1 + 2 * number]
    if len(lines) < 2 * number:
        return [f"(profile skipped: only {len(lines)} prepared purchases left)"]
    rows = [line.split("\t") for line in lines]
    timed, profiled = rows[:number], rows[number:]
    app = bench_app_on(copy)
    client = app.test_client()
    statements = [0]

    from marketplace.extensions import db

    with app.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        statements[0] += 1

    def send(path: str, fields: list[str]) -> int:
        cookie, token, key, code, slug = (urllib.parse.unquote(value) for value in fields)
        name, _, value = cookie.partition("=")
        client.set_cookie(name, value)  # the test client sends its own jar, not a Cookie header
        response = client.post(
            path,
            data={"csrf_token": token, "purchase_key": key, "code": code, "course": slug},
            headers={"User-Agent": USER_AGENT},
            environ_base={"REMOTE_ADDR": HOST},
        )
        return response.status_code

    control_path, purchase_path = "/_bench/purchase-control", "/checkout/confirm"
    for row in timed[:20]:  # warm-up: the control uses nothing a purchase needs
        send(control_path, row)
    measured = {}
    for label, path in (("control", control_path), ("purchase", purchase_path)):
        statements[0] = 0
        started = time.perf_counter()
        statuses = [send(path, row) for row in timed]
        elapsed = (time.perf_counter() - started) / number * 1000
        if set(statuses) != {302}:
            return [f"(profile failed: {label} answered {sorted(set(statuses))})"]
        measured[label] = (elapsed, statements[0] / number)
    profiler = cProfile.Profile()
    profiler.enable()
    statuses = [send(purchase_path, row) for row in profiled]
    profiler.disable()
    if set(statuses) != {302}:
        return [f"(profile failed: purchase answered {sorted(set(statuses))})"]
    with app.app_context():
        db.engine.dispose()

    (control_ms, control_sql), (purchase_ms, purchase_sql) = (
        measured["control"],
        measured["purchase"],
    )
    parts = _part_times(profiler, number)
    profiled_ms = pstats.Stats(profiler).total_tt / number * 1000
    out = [
        f"In-process (Flask test client, no server, no network), {number} requests each, "
        "without a profiler:",
        "",
        "| | ms a request | SQL statements a request |",
        "|---|---|---|",
        f"| control | {control_ms:.2f} | {control_sql:.1f} |",
        f"| purchase | {purchase_ms:.2f} | {purchase_sql:.1f} |",
        "",
        f"Purchase / control in-process: {purchase_ms / control_ms:.1f}× the time, a rate ratio "
        f"of {control_ms / purchase_ms:.2f}.",
        "",
        f"Then {number} more purchases under cProfile: {profiled_ms:.1f} ms a purchase with the "
        "profiler's overhead, so read the parts as shares rather than absolute times. "
        "Cumulative ms a purchase; an indented part is inside the one above it:",
        "",
        "| part | ms a purchase (profiled) | share |",
        "|---|---|---|",
    ]
    for label, filename, function in PARTS:
        value = parts.get((filename, function))
        if value is not None:
            indent = "· " * ((len(label) - len(label.lstrip())) // 2)
            out.append(f"| {indent}{label.strip()} | {value:.2f} | {value / profiled_ms:.0%} |")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.strip_dirs().sort_stats("tottime").print_stats(12)
    out += ["", "Top 12 functions by own time (profiled purchases):", "", "```"]
    out += [line for line in text.getvalue().splitlines()[4:] if line.strip()]
    out += ["```"]
    return out


def bench_app_on(db_path: Path):
    """bench_app() on another database (the profile's copy)."""
    import os

    saved = {name: os.environ.get(name) for name in ("DATABASE_URL", "SECRET_KEY")}
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["SECRET_KEY"] = SECRET_KEY
    try:
        return bench_app()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=6000, help="card holders (one purchase each)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (median is reported)")
    parser.add_argument("--profile", type=int, default=0, help="also profile N purchases")
    parser.add_argument(
        "--workers", type=int, default=GUNICORN_WORKERS, help="gunicorn sync workers"
    )
    parser.add_argument("--no-write", action="store_true", help="don't write the results file")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make wrk` installs Debian's wrk package")

    started = time.monotonic()
    db_path = fresh_database()
    print(f"Preparing {args.cards:,} card holders with a begun purchase each ...", flush=True)
    prepared = prepare(db_path, args.cards)
    pool = Pool(prepared, [2] + [args.duration] * args.rounds, 2 * args.profile)
    prepared_in = time.monotonic() - started
    print(f"Prepared in {prepared_in:.0f} s", flush=True)

    log = OUT / "gunicorn-purchase.log"
    log.write_bytes(b"")
    controls: list[WrkResult] = []
    purchases: list[WrkResult] = []
    load_before = load_average()
    server = purchase_server(db_path, log, args.workers)
    try:
        # A short warm-up of each, not counted.
        for mode in ("control", "purchase"):
            measured_run(server, db_path, pool, mode, 2, args.connections)
        for round_number in range(1, args.rounds + 1):
            for mode, results in (("control", controls), ("purchase", purchases)):
                result = measured_run(server, db_path, pool, mode, args.duration, args.connections)
                results.append(result)
                print(
                    f"round {round_number}/{args.rounds} {mode:<8} {result.rps:7.1f} req/s  "
                    f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  "
                    f"errors {result.errors}",
                    flush=True,
                )
    finally:
        server.stop()
    load_after = load_average()
    problems = verify_books(db_path)
    orders, _ = counts(db_path)
    profile_lines = profile(db_path, args.profile, pool.reserved_from) if args.profile else []

    ratios = [p.rps / c.rps for p, c in zip(purchases, controls, strict=True) if c.rps]
    purchase_rps = median([p.rps for p in purchases])
    control_rps = median([c.rps for c in controls])
    ratio = median(ratios)
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    info = machine()
    command = (
        f".venv/bin/python bench/purchase.py --cards {args.cards} --duration {args.duration} "
        f"--connections {args.connections} --rounds {args.rounds}"
        + (f" --profile {args.profile}" if args.profile else "")
        + (f" --workers {args.workers}" if args.workers != GUNICORN_WORKERS else "")
    )
    lines = [
        "# Purchase benchmark results",
        "",
        textwrap.fill(
            "Written by `bench/purchase.py`. A purchase is the POST /checkout/confirm that makes "
            "the order: the code checked, every purchase rule checked again inside a SAVEPOINT "
            "that locks the card, the price moved card → provider payable in the ledger, a "
            "session seat taken for a webinar, the order with its voucher code, the code marked "
            "used, the card's first purchase, the audit events, the commit and the 302 to the "
            "receipt. Every request is a different card (one begun purchase per card, prepared "
            "with `checkout.begin` beforehand; each is confirmed once). Figures are medians over "
            "the rounds; each run is checked against the database (one order per request).",
            width=100,
        ),
        "",
        textwrap.fill(
            "The control, POST /_bench/purchase-control, is the purchase view without the "
            "purchase: the same form with the same session cookie and CSRF token, so the same "
            "session loading, sign-in (the user read by Flask-Login), role check, participant "
            "lookup, CSRF check and form parsing; then ONE write (an audit row) in its own "
            "transaction (on SQLite a POST's transaction begins IMMEDIATE, taking the write "
            "lock, as the purchase's does), the commit, the same flash message in the session "
            "and the same 302. It is the honest control for a page that writes: a static page "
            "or GET would charge the purchase for the session, sign-in, CSRF and commit "
            "machinery every POST pays, and the registration control (an argon2 hash) "
            "measures something a purchase does not do. What the ratio shows is the cost of "
            "the purchase itself: its reads, its writes and its rules.",
            width=100,
        ),
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {info['nproc']} cores ({info['cpu']}), {info['memory']}, {info['os']}",
        f"- Software: Python {info['python']}, SQLite {info['sqlite']}, {info['gunicorn']}, "
        f"{info['wrk']}",
        f"- Server: gunicorn, {args.workers} sync workers of 1 thread, `purchase:bench_app()`; wrk "
        f"`-t{max(1, min(WRK_THREADS, args.connections))} -c{args.connections} "
        f"-d{args.duration}s` on the same machine; a 2 s warm-up of each, not counted",
        f"- Command: `{command}`",
        f"- Prepared: {args.cards:,} card holders (2020 scheme, Rp1.000.000), 16 courses "
        f"(12 self-paced, 4 webinars), one begun purchase each, in {prepared_in:.0f} s",
        f"- Load average (1 min) before and after: {load_before}, {load_after}",
        "",
        "| | req/s by round | median req/s | p50 ms | p99 ms | vs control | errors |",
        "|---|---|---|---|---|---|---|",
        f"| control: same POST, one audit row | "
        f"{' / '.join(f'{c.rps:.1f}' for c in controls)} | {control_rps:.1f} | "
        f"{median([c.p50_ms for c in controls]):.1f} | "
        f"{median([c.p99_ms for c in controls]):.1f} | 1.00 | "
        f"{sum(c.errors for c in controls)} |",
        f"| purchase (POST /checkout/confirm) | "
        f"{' / '.join(f'{p.rps:.1f}' for p in purchases)} | {purchase_rps:.1f} | "
        f"{median([p.p50_ms for p in purchases]):.1f} | "
        f"{median([p.p99_ms for p in purchases]):.1f} | {ratio:.2f} | "
        f"{sum(p.errors for p in purchases)} |",
        "",
        f"- Purchases vs control: **{ratio:.2f}** (target ≥ {TARGET_RATIO:.2f}: {verdict})",
        f"- Purchases per second on {info['nproc']} cores (SQLite, one writer at a time): "
        f"**{purchase_rps:.1f}**",
        f"- Orders made during the run (warm-up included): {orders:,}; "
        f"`ledger.verify()` afterwards: "
        + ("no problems" if not problems else f"{len(problems)} problems: {problems[:3]}"),
        "",
    ]
    if profile_lines:
        lines += ["## Where the time goes", "", *profile_lines, ""]
    text = "\n".join(lines)
    print()
    print(text)
    if not args.no_write:
        # Notes written by hand below the marker are kept; the figures above it are replaced.
        old = RESULTS.read_text() if RESULTS.exists() else ""
        notes = old[old.index(NOTES_MARKER) :] if NOTES_MARKER in old else ""
        RESULTS.write_text(text + ("\n" + notes if notes else ""))
        print(f"Wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
