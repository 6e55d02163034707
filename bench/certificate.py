"""Certificate benchmark: throughput of /certificates/<code> against a bare Flask control.

    .venv/bin/python bench/certificate.py [--duration 5] [--connections 4] [--rounds 3]
                                          [--warmup 2] [--courses 200] [--rebuild] [--no-write]

1. Builds (or reuses) bench/out/certificate.db: `flask db upgrade` and `flask seed --courses N`
   (the demo, whose participants complete courses through learning/completion and so hold
   certificates issued the real way), then the programme office (admin@example.com) revokes
   the newest certificate through certificates/revocation.revoke, so both states are served.
   The seed's and the revocation's mail is queued in bench/out/certificate-tasks.db, never
   delivered.
2. Writes bench/out/certificate-mix.txt, what visitors of certificates send (`mix_lines`): per
   certificate, valid and revoked, and language, the page six times (four asking for gzip
   as browsers do, two not), a /verify lookup of its code (302) and its address in lower
   case (301); checks each request answers its status once.
3. Serves, with the catalogue benchmark's gunicorn settings (bench/catalogue.py's
   gunicorn_command: 2 sync workers of 1 thread): bench/benchapp.py (the real app plus an
   in-app control); bench/bareapp.py (a bare Flask app outside the project, no extension,
   returning a static document of the same byte size as the valid Indonesian page); and
   bench/certificate_cold.py (the app keeping nothing: BENCH_KEEP_PARTS=0, and its QR drawings
   forgotten before every request), the cold server.
4. In each of --rounds rounds, for every measured page, runs the in-app control, the bare Flask
   control and then the page with wrk (bench/catalogue.py's wrk_output), so each page's ratio
   is to the controls of its own round. The mix (bench/certificate_mix.lua) sends the lines
   of the list in turn with the `lang` cookie. Medians over the rounds are reported.
5. Prints the table and writes its section of bench/RESULTS.md (between
   `<!-- bench:certificate -->` markers; the rest of the file is kept).

Warm and cold: a certificate's page is kept whole per address, language and encoding for
visitors without a session and answered before the app after one read of the certificate's
revocation time (web/certificates/kept.py); the page's QR code is drawn by segno and kept per
address (`views.qr_svg`); the base layout's `kept` blocks are kept per language. The warm
rows run after a warm-up, so all are kept; the cold row keeps none of them and draws the QR
code afresh on every request. The mix's redirects and /verify lookups go through the app in
both.

A script that prints figures, not a test: nothing here asserts a timing. All traffic goes to
127.0.0.1, every wrk run is bounded by --duration, and gunicorn is stopped at exit.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalogue import (  # noqa: E402 - the shared benchmark machinery
    GUNICORN_THREADS,
    GUNICORN_WORKER_CLASS,
    GUNICORN_WORKERS,
    OUT,
    REPO,
    Server,
    WrkResult,
    bare_gunicorn_command,
    flask_env,
    fmt_ms,
    gunicorn_command,
    load_average,
    machine,
    median,
    parse_wrk_output,
    run_wrk,
    seed_fingerprint,
    wrk_output,
)

DATABASE = OUT / "certificate.db"
TASKS = OUT / "certificate-tasks.db"
MIX_FILE = OUT / "certificate-mix.txt"
PAGES_FILE = OUT / "certificate-pages.txt"
CONTROL_FILE = OUT / "certificate-control.html"  # the controls' body: the page's own bytes
MIX_LUA = REPO / "bench" / "certificate_mix.lua"
LOG = OUT / "gunicorn-certificate.log"
MARK_OPEN = "<!-- bench:certificate -->"
MARK_CLOSE = "<!-- /bench:certificate -->"
TARGET_RATIO = 0.60  # of the bare Flask control's req/s (issue 13)
REVOKER = "admin@example.com"
REASON = "Tolok ukur: sertifikat ini dicabut untuk mengukur halaman sertifikat yang dicabut."
LANGUAGES = ("id", "en")


# --- the database ----------------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    """bench/catalogue.py's environment on this benchmark's database, its queued mail kept in
    a task file of its own."""
    env = flask_env(DATABASE)
    env["TASK_QUEUE_URL"] = f"sqlite:///{TASKS}"
    return env


def revoke_newest(env: dict[str, str]) -> None:
    """The programme office revokes the newest certificate, by the real operation."""
    script = (
        "import sqlalchemy as sa\n"
        "from marketplace import create_app\n"
        "from marketplace.certificates import revocation\n"
        "from marketplace.certificates.models import Certificate\n"
        "from marketplace.core.base import utcnow\n"
        "from marketplace.extensions import db\n"
        "from marketplace.people.models import User\n"
        "import sys\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    newest = db.session.scalar(sa.select(Certificate).order_by(Certificate.id.desc()))\n"
        "    office = db.session.scalar(sa.select(User).where(User.email == sys.argv[1]))\n"
        "    revocation.revoke(newest, office, sys.argv[2], utcnow())\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script, REVOKER, REASON], cwd=REPO, env=env, check=True)


def ensure_database(courses: int, rebuild: bool = False) -> Path:
    """bench/out/certificate.db, seeded and with one certificate revoked; reused while the
    migrations and the seed code are unchanged (bench/catalogue.py's seed_fingerprint)."""
    OUT.mkdir(parents=True, exist_ok=True)
    ready = DATABASE.with_suffix(".ready")
    fingerprint = f"{seed_fingerprint()}-{courses}"
    fresh = not rebuild and DATABASE.exists() and ready.exists()
    if fresh and ready.read_text().split()[0] == fingerprint:
        print(f"Reusing {DATABASE.relative_to(REPO)}")
        return DATABASE
    for stale in (DATABASE, ready, TASKS, Path(f"{DATABASE}-wal"), Path(f"{DATABASE}-shm")):
        stale.unlink(missing_ok=True)
    env = bench_env()
    flask = [sys.executable, "-m", "flask"]
    print(f"Building {DATABASE.relative_to(REPO)} (demo seed, {courses} courses) ...", flush=True)
    started = time.monotonic()
    subprocess.run([*flask, "db", "upgrade"], cwd=REPO, env=env, check=True)
    subprocess.run([*flask, "seed", "--courses", str(courses)], cwd=REPO, env=env, check=True)
    revoke_newest(env)
    ready.write_text(f"{fingerprint} built in {time.monotonic() - started:.0f} s\n")
    return DATABASE


def grouped(code: str) -> str:
    """A stored code as its page's address shows it (issuing.shown: groups of four)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def certificates(db_path: Path) -> list[tuple[str, bool]]:
    """(grouped code, revoked) of every certificate, oldest first."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT code, revoked_at IS NOT NULL FROM certificate ORDER BY id"
        ).fetchall()
    return [(grouped(code), bool(revoked)) for code, revoked in rows]


# --- the pages -------------------------------------------------------------------------------


@dataclass
class Measured:
    """A row of the table: a single page (lang, path), the mix (path None) or a control."""

    key: str
    label: str
    server: str  # "app", "bare" or "cold"
    path: str | None = None
    lang: str = "id"
    mix: Path | None = None  # the list a mix row sends (bench/certificate_mix.lua)
    target: bool = True  # whether TARGET_RATIO applies (the page's own rows)
    size: int = 0
    rounds: list[WrkResult] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # to the in-app control
    bare_ratios: list[float] = field(default_factory=list)  # to the bare Flask control


def fetch(base: str, path: str, lang: str) -> bytes:
    """One GET with the `lang` cookie; anything but 200 stops the benchmark."""
    request = urllib.request.Request(base + path, headers={"Cookie": f"lang={lang}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            if response.status != 200 or response.geturl() != base + path:
                raise SystemExit(f"GET {path} ({lang}) did not answer 200 itself")
            return response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"GET {path} ({lang}) answered {error.code}") from None


@dataclass(frozen=True)
class MixLine:
    """A request of the mix: its language cookie, whether it asks for gzip, its path and the
    status it must answer."""

    lang: str
    gzip: bool
    path: str
    status: int


def mix_lines(codes: list[tuple[str, bool]]) -> list[MixLine]:
    """What visitors of certificates send, per certificate and language, in turn (8 requests):
    the page 6 times, 4 of them asking for gzip as browsers do and 2 not, as link checkers
    and scripts; the code typed on /verify once (302 to the page); the address typed in
    lower case once (301 to the grouped one). So 1 request in 4 is answered by the app
    itself, whatever it keeps."""
    lines = []
    for code, _revoked in codes:
        page = f"/certificates/{code}"
        for lang in LANGUAGES:
            lines += [MixLine(lang, True, page, 200), MixLine(lang, False, page, 200)] * 2
            lines += [
                MixLine(lang, True, page, 200),
                MixLine(lang, True, f"/verify?code={code.lower()}", 302),
                MixLine(lang, True, page, 200),
                MixLine(lang, True, f"/certificates/{code.lower()}", 301),
            ]
    return lines


def write_mix(lines: list[MixLine], path: Path) -> None:
    path.write_text("".join(f"{m.lang} {'gzip' if m.gzip else '-'} {m.path}\n" for m in lines))


def answer(base: str, line: MixLine) -> bytes:
    """One request of the mix, not following redirects; a status other than the line's
    stops the benchmark. The body as sent (gzipped when asked)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Cookie": f"lang={line.lang}"}
    if line.gzip:
        headers["Accept-Encoding"] = "gzip"
    try:
        connection.request("GET", line.path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != line.status:
        raise SystemExit(f"GET {line.path} ({line.lang}) answered {response.status}")
    return body


def run(row: Measured, bases: dict[str, str], duration: int, connections: int) -> WrkResult:
    if row.path is not None:
        if row.lang == "id":
            return run_wrk(bases[row.server] + row.path, duration, connections)
        single = OUT / f"certificate-{row.key}.txt"
        single.write_text(f"{row.lang} - {row.path}\n")
        mix = single
    else:
        mix = row.mix
    env = {"BENCH_MIX": str(mix), "BENCH_THREADS": str(max(1, min(2, connections)))}
    output = wrk_output(
        bases[row.server] + "/certificates/", duration, connections, script=MIX_LUA, env=env
    )
    return parse_wrk_output(output)


def cold_command(port: int) -> list[str]:
    return gunicorn_command(port, "certificate_cold:app")


# --- figures ---------------------------------------------------------------------------------


def table(rows: list[Measured]) -> list[str]:
    header = (
        "| page | request | bytes | req/s | req/s by round | p50 ms | p95 ms | p99 ms "
        "| vs in-app control | vs bare Flask | errors | target |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for row in rows:
        runs = [r.rps for r in row.rounds]
        if row.key in ("control", "bare"):
            by_round = f"{min(runs):.0f}–{max(runs):.0f} ({len(runs)} runs)" if runs else ""
        else:
            by_round = " / ".join(f"{rps:.0f}" for rps in runs)
        p95s = [r.p95_ms for r in row.rounds if r.p95_ms is not None]
        ratio = "1.00" if row.key == "control" else f"{median(row.ratios):.2f}"
        bare = median(row.bare_ratios)
        bare_text = "1.00" if row.key == "bare" else f"{bare:.2f}"
        target = ""
        if row.key not in ("control", "bare") and row.target:
            target = f"≥ {TARGET_RATIO:.2f}: {'met' if bare >= TARGET_RATIO else 'NOT met'}"
        request = f"`{row.path}`, lang={row.lang}" if row.path else f"`{row.mix.relative_to(REPO)}`"
        lines.append(
            f"| {row.label} | {request} | {row.size:,} | {median(runs):.0f} | {by_round} "
            f"| {fmt_ms(median([r.p50_ms for r in row.rounds]))} "
            f"| {fmt_ms(median(p95s) if p95s else None)} "
            f"| {fmt_ms(median([r.p99_ms for r in row.rounds]))} "
            f"| {ratio} | {bare_text} | {sum(r.errors for r in row.rounds)} | {target} |"
        )
    return lines


# Its own file, as the purchase and registration benchmarks have: bench/catalogue.py rewrites
# RESULTS.md whole.
RESULTS = REPO / "bench" / "RESULTS.md"  # its own section, between MARK_OPEN and MARK_CLOSE


def write_section(section: str, results: Path = RESULTS) -> None:
    """Replace (or append) this benchmark's section of bench/RESULTS.md, keeping the rest (the
    catalogue's sections; bench/catalogue.py keeps this one in turn)."""
    block = f"{MARK_OPEN}\n{section.rstrip()}\n{MARK_CLOSE}\n"
    text = results.read_text() if results.exists() else ""
    pattern = re.compile(re.escape(MARK_OPEN) + r".*?" + re.escape(MARK_CLOSE) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results.write_text(text)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=200, help="demo catalogue size (seeded)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent wrk connections")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (median is reported)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per row")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the seeded database")
    parser.add_argument("--no-write", action="store_true", help="don't update bench/RESULTS.md")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 120:
        parser.error("--duration must be between 1 and 120 seconds")
    if not 1 <= args.connections <= 64:
        parser.error("--connections must be between 1 and 64")
    if not 1 <= args.rounds <= 9:
        parser.error("--rounds must be between 1 and 9")
    return args


def command_line(args: argparse.Namespace) -> str:
    return (
        f".venv/bin/python bench/certificate.py --courses {args.courses} "
        f"--duration {args.duration} --connections {args.connections} "
        f"--rounds {args.rounds} --warmup {args.warmup}"
    )


def measure(args: argparse.Namespace) -> None:
    db_path = ensure_database(args.courses, args.rebuild)
    codes = certificates(db_path)
    valid = [code for code, revoked in codes if not revoked]
    revoked = [code for code, revoked in codes if revoked]
    if not valid or not revoked:
        sys.exit(f"{db_path} needs a valid and a revoked certificate: run with --rebuild")
    mix = mix_lines(codes)
    write_mix(mix, MIX_FILE)
    page_lines = [line for line in mix if line.status == 200]
    write_mix(page_lines, PAGES_FILE)
    pages = [(line.lang, line.path) for line in page_lines]
    rows = [
        Measured("control", "in-app control (the page's bytes)", "app", "/_bench/control"),
        Measured("bare", "bare Flask control (the page's bytes)", "bare", "/_bench/control"),
        Measured(
            "valid", "valid certificate, Indonesian (kept)", "app", f"/certificates/{valid[0]}"
        ),
        Measured(
            "revoked",
            "revoked certificate, English (kept)",
            "app",
            f"/certificates/{revoked[0]}",
            "en",
        ),
        Measured(
            "pages",
            f"the pages (kept): {len(codes)} certificates × 2 languages, gzipped or not",
            "app",
            mix=PAGES_FILE,
        ),
        Measured(
            "mix",
            "visitors' mix: the pages, /verify lookups, other spellings",
            "app",
            mix=MIX_FILE,
            target=False,
        ),
        Measured(
            "mix_cold",
            "visitors' mix, cold (nothing kept, QR drawn)",
            "cold",
            mix=MIX_FILE,
            target=False,
        ),
    ]
    LOG.write_bytes(b"")
    env = {"TASK_QUEUE_URL": f"sqlite:///{TASKS}"}
    probe = Server(db_path, 0, LOG, extra_env=env)
    try:
        bodies = {(lang, path): fetch(probe.base, path, lang) for lang, path in pages}
        sent = {line: len(answer(probe.base, line)) for line in mix}
    finally:
        probe.stop()
    page_bytes = len(bodies["id", rows[2].path])
    # Both controls send the valid Indonesian page's own bytes (saved once, read at import).
    CONTROL_FILE.write_bytes(bodies["id", rows[2].path])
    env = {**env, "BENCH_CONTROL_FILE": str(CONTROL_FILE)}
    for row in rows:
        row.size = len(bodies[row.lang, row.path]) if row.path in {p for _, p in pages} else 0
        if row.key in ("control", "bare"):
            row.size = page_bytes
        elif row.path is None:
            lines = page_lines if row.mix == PAGES_FILE else mix
            row.size = round(sum(sent[line] for line in lines) / len(lines))

    load_before = load_average()
    servers: list[Server] = []
    try:
        servers.append(Server(db_path, page_bytes, LOG, extra_env=env))
        servers.append(
            Server(
                db_path,
                page_bytes,
                LOG,
                extra_env={"BENCH_CONTROL_FILE": str(CONTROL_FILE)},
                command=bare_gunicorn_command,
            )
        )
        servers.append(
            Server(
                db_path,
                page_bytes,
                LOG,
                extra_env={**env, "BENCH_KEEP_PARTS": "0"},
                command=cold_command,
            )
        )
        bases = dict(zip(("app", "bare", "cold"), (s.base for s in servers), strict=True))
        for served_by in servers[:2]:
            if served_by.fetch("/_bench/control") != CONTROL_FILE.read_bytes():
                raise RuntimeError("the control page is not the certificate page's bytes")
        for lang, path in dict.fromkeys(pages):
            if fetch(bases["cold"], path, lang) != bodies[lang, path]:
                print(f"Note: the cold server's {path} ({lang}) differs from the warm one's")
        if args.warmup:
            print(f"Warming up ({args.warmup} s per row) ...", flush=True)
            for row in rows:
                run(row, bases, args.warmup, args.connections)
        control, bare = rows[0], rows[1]
        for number in range(1, args.rounds + 1):
            for page in rows[2:]:
                for row in (control, bare, page):
                    result = run(row, bases, args.duration, args.connections)
                    row.rounds.append(result)
                    print(
                        f"round {number}/{args.rounds} {row.label:<44} {result.rps:8.1f} req/s  "
                        f"p50 {fmt_ms(result.p50_ms):>6} ms  p99 {fmt_ms(result.p99_ms):>6} ms  "
                        f"errors {result.errors}",
                        flush=True,
                    )
                page.ratios.append(page.rounds[-1].rps / control.rounds[-1].rps)
                page.bare_ratios.append(page.rounds[-1].rps / bare.rounds[-1].rps)
                control.bare_ratios.append(control.rounds[-1].rps / bare.rounds[-1].rps)
                bare.ratios.append(bare.rounds[-1].rps / control.rounds[-1].rps)
    finally:
        for started in reversed(servers):
            started.stop()
    load_after = load_average()

    info = machine()
    lines = table(rows)
    section = "\n".join(
        [
            "## Certificate page (`/certificates/<code>`, issue 13)",
            "",
            "Written by `bench/certificate.py` (see its docstring); replaced when it runs again.",
            "",
            f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- Machine: {info['nproc']} cores ({info['cpu']}), {info['memory']} memory, "
            f"{info['os']}; Python {info['python']}, SQLite {info['sqlite']}, "
            f"{info['gunicorn']}, {info['wrk']}",
            f"- Command: `{command_line(args)}`",
            f"- Load average (1 min) before and after the measured runs: {load_before}, "
            f"{load_after} (on {info['nproc']} cores; above about 1 the benchmark shared the "
            "machine with other work, e.g. another test run, and its figures are noisier)",
            f"- Config: the catalogue benchmark's gunicorn settings ({GUNICORN_WORKERS} workers "
            f"× {GUNICORN_THREADS} thread, `--worker-class {GUNICORN_WORKER_CLASS}`) for all "
            "three servers: `bench/benchapp.py`, `bench/bareapp.py` (bare Flask, the same "
            "number of bytes as the valid Indonesian page) and `bench/certificate_cold.py`; "
            f"wrk `-c{args.connections} -d{args.duration}s` per row and round, "
            f"{args.rounds} rounds, {args.warmup} s warm-up per row; the demo seed "
            f"(`flask seed --courses {args.courses}`, {len(codes)} certificates issued by "
            f"completing courses, {len(revoked)} then revoked by the office)",
            "",
            *lines,
            "",
            f"Target (issue 13): the certificate page ≥ {TARGET_RATIO:.0%} of the bare Flask "
            "control's req/s, measured in the same run: its own rows and the pages in turn. "
            "Those rows are warm: every request is answered from the kept page after one read "
            "of the certificate's revocation time on SQLite (on PostgreSQL that read is a "
            "round trip); the cold row draws every page afresh. Both controls send the valid "
            "Indonesian page's own bytes. "
            "The visitors' mix, in which 1 request in 4 is a /verify lookup or an address in "
            "another spelling that the app answers itself (a redirect), is reported without a "
            "target, warm and cold.",
        ]
    )
    print()
    print("\n".join(lines))
    if not args.no_write:
        write_section(section)
        print(f"\nWrote the certificate section of {RESULTS.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make bench` installs Debian's wrk package")
    # SIGTERM ends the run through the finally blocks, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    measure(args)


if __name__ == "__main__":
    main()
