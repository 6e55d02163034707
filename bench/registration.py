"""Registration benchmark: sign-ups per second against a control that only hashes the password.

    .venv/bin/python bench/registration.py [--duration 10] [--connections 4] [--rounds 3]

1. Builds a fresh, migrated SQLite database (bench/out/registration.db) with `flask db upgrade`.
2. Serves bench/benchapp.py with gunicorn (2 sync workers, as the catalogue benchmark) on a free
   port of 127.0.0.1, with the per-address rate limit off (every sign-up comes from 127.0.0.1).
3. Takes one session cookie and CSRF token from GET /register, then drives wrk with
   bench/register.lua: each request POSTs /register with a new email address (a whole sign-up:
   checks, the argon2id hash, the account row, the verification mail in the outbox, the new
   session). In each round the control runs first: the same POSTs to /_bench/password-hash,
   which only computes the same argon2id hash.
4. Prints sign-ups per second, the ratio to the control, and how many such 2-core machines the
   real programme's peak minute (80,000 sign-ups) would need; writes bench/RESULTS-registration.md.

A script that prints figures, not a test: nothing here asserts a timing. All traffic goes to
127.0.0.1 and gunicorn is stopped at exit.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import math
import re
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalogue import (  # noqa: E402 - the shared benchmark machinery
    OUT,
    REPO,
    Server,
    WrkResult,
    flask_env,
    load_average,
    machine,
    median,
    parse_wrk_output,
    wrk_output,
)

RESULTS = REPO / "bench" / "RESULTS-registration.md"
LUA = REPO / "bench" / "register.lua"
PASSWORD = "Belajar-Terus-2026"  # noqa: S105 - a test sign-up password, the same for each
TARGET_RATIO = 0.80
TARGET_SIGNUPS = 20.0
PEAK_MINUTE = 80_000  # sign-ups in the real programme's busiest minute
FIRST_DAY = (1_430_000, 21)  # 1.43 million sign-ups in its first 21 hours


def fresh_database() -> Path:
    """An empty, migrated database: sign-ups need unique emails, so it is rebuilt every run."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "registration.db"
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    env = flask_env(path)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=REPO, env=env, check=True)
    return path


def session_and_token(base: str) -> tuple[str, str]:
    """The session cookie and CSRF token of one visit to /register."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/register", timeout=30) as response:
        html = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if token is None:
        raise SystemExit("no CSRF token on /register")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token.group(1)


def run_wrk(base: str, mode: str, run: str, cookie: str, token: str, args) -> WrkResult:
    """One bounded wrk run of sign-ups (mode "register") or control hashes (mode "control")."""
    env = {
        "BENCH_MODE": mode,
        "BENCH_RUN": run,
        "BENCH_COOKIE": cookie,
        "BENCH_CSRF": urllib.parse.quote(token, safe=""),
        "BENCH_PASSWORD": urllib.parse.quote(PASSWORD, safe=""),
    }
    return parse_wrk_output(
        wrk_output(base, args.duration, args.connections, script=LUA, env=env, timeout="30s")
    )


def count_accounts(db_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT count(*) FROM user_account").fetchone()[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (median is reported)")
    parser.add_argument("--no-write", action="store_true", help="don't write the results file")
    args = parser.parse_args(argv)

    db_path = fresh_database()
    log = OUT / "gunicorn-registration.log"
    server = Server(db_path, 0, log, extra_env={"BENCH_RATE_LIMITS": "0"})
    controls: list[WrkResult] = []
    signups: list[WrkResult] = []
    load_before = load_average()
    try:
        cookie, token = session_and_token(server.base)
        stamp = datetime.now(UTC).strftime("%H%M%S")
        # A short warm-up of each, not counted.
        warm = argparse.Namespace(duration=2, connections=args.connections)
        run_wrk(server.base, "control", f"w{stamp}", cookie, token, warm)
        run_wrk(server.base, "register", f"w{stamp}", cookie, token, warm)
        for round_number in range(1, args.rounds + 1):
            for mode, results in (("control", controls), ("register", signups)):
                result = run_wrk(server.base, mode, f"r{round_number}-{stamp}", cookie, token, args)
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

    ratios = [s.rps / c.rps for s, c in zip(signups, controls, strict=True) if c.rps]
    signup_rps = median([s.rps for s in signups])
    control_rps = median([c.rps for c in controls])
    ratio = median(ratios)
    errors = sum(s.errors for s in signups)
    machines = math.ceil(PEAK_MINUTE / 60 / signup_rps) if signup_rps else 0
    first_day_rate = FIRST_DAY[0] / (FIRST_DAY[1] * 3600)
    accounts = count_accounts(db_path)
    verdict_ratio = "met" if ratio >= TARGET_RATIO else "NOT met"
    verdict_rate = "met" if signup_rps >= TARGET_SIGNUPS else "NOT met"
    info = machine()
    lines = [
        "# Registration benchmark results",
        "",
        textwrap.fill(
            "Written by `bench/registration.py`. Each sign-up request is a whole registration "
            "(POST /register: the checks, the argon2id hash with OWASP's minimum parameters, "
            "the account row, the verification mail in the outbox, a new session); the control "
            "only computes the same argon2id hash, on the same server in the same run. Both go "
            "through gunicorn with 2 sync workers on a 2-core machine; wrk runs on the same "
            "machine. The per-address rate limit is off for the run (every request comes from "
            "127.0.0.1). Figures are medians over the rounds.",
            width=100,
        ),
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {info['nproc']} cores ({info['cpu']}), {info['memory']}, {info['os']}",
        f"- Software: Python {info['python']}, SQLite {info['sqlite']}, {info['gunicorn']}, "
        f"{info['wrk']}",
        f"- Command: `.venv/bin/python bench/registration.py --duration {args.duration} "
        f"--connections {args.connections} --rounds {args.rounds}`",
        f"- Load average (1 min) before and after: {load_before}, {load_after}",
        "",
        "| | req/s by round | median req/s | vs control | errors |",
        "|---|---|---|---|---|",
        f"| control: argon2id hash only | {' / '.join(f'{c.rps:.1f}' for c in controls)} | "
        f"{control_rps:.1f} | 1.00 | {sum(c.errors for c in controls)} |",
        f"| sign-up (POST /register) | {' / '.join(f'{s.rps:.1f}' for s in signups)} | "
        f"{signup_rps:.1f} | {ratio:.2f} | {errors} |",
        "",
        f"- Sign-ups vs control: **{ratio:.2f}** (target ≥ {TARGET_RATIO:.2f}: {verdict_ratio})",
        f"- Sign-ups per second on 2 cores: **{signup_rps:.1f}** (target ≥ {TARGET_SIGNUPS:.0f}, "
        f"the real programme's average over its first 21 hours, {first_day_rate:.1f}/s: "
        f"{verdict_rate})",
        f"- The real programme's peak minute, {PEAK_MINUTE:,} sign-ups ({PEAK_MINUTE / 60:.0f}/s), "
        f"would need **{machines}** such 2-core machines for the web tier (the database then "
        "has to be PostgreSQL shared by all of them; SQLite serves one machine).",
        f"- Accounts created during the run: {accounts:,}",
        "",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
        print(f"Wrote {RESULTS.relative_to(REPO)}")
    time.sleep(0)


if __name__ == "__main__":
    main()
