"""Catalogue benchmark: throughput and latency of the catalogue pages under load.

    .venv/bin/python bench/catalogue.py [--courses 1500|150000] [--duration 10] [--connections 4]

1. Builds (or reuses) bench/out/catalogue-N.db, a SQLite database migrated with `flask db
   upgrade` and filled with `flask seed --courses N`; the seed's time is recorded with the
   database (bench/out/catalogue-N.ready) and reported (issue 16: under 3 minutes at 150,000).
2. Builds the realistic mix (below) and checks each of its paths once on a first server.
3. Serves bench/benchapp.py (the real app plus a static control page of the same size as the
   measured catalogue page) with gunicorn on a free port of 127.0.0.1; bench/bareapp.py (a
   bare Flask app, nothing of the project, serving the same control page) with a second
   gunicorn of the same settings; and bench/benchapp.py with BENCH_KEEP_PARTS=0 (the app
   created with KEEP_RENDERED_PARTS off) with a third, the same again: the cold server.
4. Drives load from a second process with wrk, in rounds; in each round it measures both
   controls (on the first two servers) before every page, so each page is compared with the
   in-app control and with the bare Flask control of its own round. The figures reported are
   medians over the rounds.
5. Prints a table with each row's target at this size (met or not met), the gzipped size of
   the catalogue's HTML + CSS, and writes the section for this catalogue size in
   bench/RESULTS.md (the other sizes' sections are kept).

Warm and cold. The app keeps rendered parts of pages (marketplace/web/fragments.py) and
search results; the single-URL rows are loaded for --warmup seconds first, so they are warm.
The cold server keeps nothing (KEEP_RENDERED_PARTS off turns every such cache off): each
request there costs what the first request of its URL costs. (The cold server is warmed up
too, which only loads its templates, opens its database and reads its search vocabulary.)

The realistic mix (bench/catalogue_mix.lua): wrk sends, request after request, the next path
of a list of MIX_REQUESTS (2,000) paths written to bench/out/catalogue-mix-N.txt, each thread
from its own place in the list, starting over at its end. The list is drawn with fixed seeds
from the benchmark database (read-only), so every run at a size sends the same requests:

- searches (62%): a pool of MIX_QUERIES distinct queries built from the catalogue's own
  vocabulary: title words, two-word phrases of titles, affixed Indonesian forms of title roots
  (me-/pe-/di-/-kan/-an; found in the courses' texts, or formed by the usual rules, each one
  that Sastrawi's stemmer takes back to its root), typos of 5+ letter title words (a letter
  dropped or two swapped) and the phrases of marketplace/seed_data/search_synonyms.txt
  (medsos, umkm, bhs inggris, ms excel...). A query's popularity is the number of titles with
  it times how concentrated they are in one category (topic words over template words), less
  for phrases, affixed forms, typos and synonyms, times a seeded random factor; the k-th most
  popular is searched for in proportion to 1 / k^MIX_QUERY_ZIPF. Each search adds 0, 1 or 2
  filters at random (category, method, max_price, min_rating, province; category, method and
  province mostly those of a course the query finds), a sort (relevance, the default, half the
  time) and a page from 1 to 5 (page 1 most often);
- category pages (13%), some with a method, a sort or a later page;
- the whole catalogue (8%): /courses without parameters, or sorted or paged;
- course pages (17%, the most enrolled likelier).

Every distinct path is checked once before the measurement; one that does not answer 200 (a
page past the last, or an error of the app) is replaced by another draw of the same kind, or
dropped, and the benchmark says how many, with their statuses (the paths refused are written
to bench/out/catalogue-mix-N-refused.txt, the query pool to bench/out/catalogue-queries-N.txt).
The mix is measured warm, on the server that keeps parts, after every distinct path has been
asked once and the mix sent for the --warmup seconds, and at least MIX_WARMUP (10): each
worker keeps its own rendered pages, and ten passes or so over the list let both see each
path, as workers serving such traffic for a while have; and cold, on the cold server.

A script that prints figures, not a test: nothing here asserts a timing. All traffic goes to
127.0.0.1, every wrk run is bounded by --duration, and gunicorn is stopped at exit.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import hashlib
import itertools
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
OUT = BENCH / "out"
RESULTS = BENCH / "RESULTS.md"
LUA_REPORT = BENCH / "wrk_report.lua"
MIX_LUA = BENCH / "catalogue_mix.lua"
HOST = "127.0.0.1"
PAGE_SIZE = 20  # CATALOGUE_PAGE_SIZE in marketplace/config.py

# Gunicorn as the benchmark serves both the control and the pages.
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 1
GUNICORN_WORKER_CLASS = "sync"

PREFERRED_QUERY = ("excel", "teknologi-informasi", "self_paced")
# A common broad query (issue 16): many matches at every size.
BROAD_QUERY = "/courses?q=pemasaran&method=webinar&max_price=500000"


@dataclass(frozen=True)
class Target:
    """One figure a row is judged against: `measure` is "control" (req/s as a share of the
    in-app control's), "bare" (of the bare Flask control's) or "p95" (milliseconds, at most)."""

    measure: str
    value: float

    def text(self) -> str:
        if self.measure == "p95":
            return f"p95 ≤ {self.value:.0f} ms"
        name = "in-app control" if self.measure == "control" else "bare Flask"
        return f"≥ {self.value:.0%} of {name}"


# What the figures are judged against: {catalogue size: {row key: targets}}. `q + 2 filters`
# keeps its first targets (against the in-app control); the others are issue 16's, against
# the bare Flask control, with 4 concurrent clients on the 2-core machine.
TARGETS: dict[int, dict[str, tuple[Target, ...]]] = {
    1500: {
        "q2f": (Target("control", 0.40),),
        "mix": (Target("bare", 0.40),),
        "course": (Target("bare", 0.50),),
    },
    150_000: {
        "q2f": (Target("control", 0.15), Target("p95", 50.0)),
        "mix": (Target("p95", 50.0), Target("bare", 0.15)),
        "mix_cold": (Target("p95", 150.0),),
        "course": (Target("bare", 0.35),),
        "all": (Target("bare", 0.30),),
    },
}
TARGET_SEED_SECONDS = {150_000: 180.0}  # `flask seed --courses N`, when the database is built
TARGET_GZIP_KB = 60.0
KB = 1000  # bytes in a KB, as printed


# --- wrk output --------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


@dataclass
class WrkResult:
    """One wrk run: requests per second, latency percentiles in milliseconds, errors."""

    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float | None
    p99_ms: float
    non_2xx: int = 0
    socket_errors: int = 0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def parse_wrk_output(text: str) -> WrkResult:
    """Parse wrk's `--latency` output, plus the BENCH-JSON line of bench/wrk_report.lua if any.

    The Lua line gives exact percentiles (p95 included); without it p50, p90 and p99 come from
    wrk's latency distribution and p95 is None.
    """
    rps_match = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    if not rps_match:
        raise ValueError("no 'Requests/sec' line in wrk output")
    rps = float(rps_match.group(1))

    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", text, re.MULTILINE)
    requests = int(total.group(1)) if total else 0
    duration_s = _to_ms(total.group(2), total.group(3)) / 1000 if total else 0.0

    distribution = {
        int(p): _to_ms(v, u)
        for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
    }
    p95: float | None = None
    json_match = re.search(r"^BENCH-JSON (\{.*\})\s*$", text, re.MULTILINE)
    if json_match:
        report = json.loads(json_match.group(1))
        distribution.update(
            {p: report[f"p{p}_us"] / 1000 for p in (50, 90, 99) if f"p{p}_us" in report}
        )
        p95 = report["p95_us"] / 1000
        requests = int(report.get("requests", requests))
        if report.get("duration_us"):
            duration_s = report["duration_us"] / 1_000_000
    if not all(p in distribution for p in (50, 90, 99)):
        raise ValueError("no latency distribution in wrk output (run wrk with --latency)")

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return WrkResult(
        requests=requests,
        duration_s=duration_s,
        rps=rps,
        p50_ms=distribution[50],
        p90_ms=distribution[90],
        p95_ms=p95,
        p99_ms=distribution[99],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def run_wrk(url: str, duration: int, connections: int) -> WrkResult:
    """One bounded wrk run against a loopback URL."""
    return parse_wrk_output(wrk_output(url, duration, connections))


def wrk_output(
    url: str,
    duration: int,
    connections: int,
    *,
    threads: int = 2,
    script: Path = LUA_REPORT,
    env: dict[str, str] | None = None,
    timeout: str = "10s",
) -> str:
    """What wrk prints for one bounded run against a loopback URL (its Lua `script` given
    `env`); every benchmark's runs go through here."""
    if not url.startswith(f"http://{HOST}:"):
        raise ValueError(f"refusing to load a non-loopback URL: {url}")
    command = [
        "wrk",
        f"-t{max(1, min(threads, connections))}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        timeout,
        "--latency",
        "-s",
        str(script),
        url,
    ]
    if env is not None:
        env = {"PATH": "/usr/bin:/bin:/usr/local/bin", **env}
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=duration + 60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return completed.stdout


# --- the database --------------------------------------------------------------------------


def flask_env(db_path: Path) -> dict[str, str]:
    """The environment of the seed commands and of gunicorn: the bench database, a fixed key.

    Rate limits stay in each worker's memory (RATELIMIT_ALLOW_PER_WORKER, see gunicorn.conf.py):
    the benchmark measures pages, not the limits.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"FLASK_DEBUG", "TEST_DATABASE_URL"}}
    env.update(
        SECRET_KEY="bench",  # noqa: S106 - a throwaway key for a local benchmark
        DATABASE_URL=f"sqlite:///{db_path}",
        PUBLIC_URL=f"http://{HOST}",
        RATELIMIT_ALLOW_PER_WORKER="1",
        FLASK_APP="wsgi.py",
        PYTHONUNBUFFERED="1",
    )
    return env


def seed_fingerprint() -> str:
    """A digest of the migrations, the seed code and data and the search index's code; a
    cached database is rebuilt on a change."""
    digest = hashlib.sha256()
    sources = [
        *sorted((REPO / "migrations" / "versions").glob("*.py")),
        *sorted((REPO / "marketplace" / "seed_data").glob("*")),
        *sorted((REPO / "marketplace" / "demo").glob("*.py")),
        REPO / "marketplace" / "catalogue" / "models.py",
        REPO / "marketplace" / "catalogue" / "search.py",
    ]
    for source in sources:
        if source.is_file():
            digest.update(source.relative_to(REPO).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Build:
    """How the benchmark database was built, as recorded in bench/out/catalogue-N.ready."""

    seed_s: float | None = None  # `flask seed --courses N`, seconds
    upgrade_s: float | None = None  # `flask db upgrade`, seconds
    built: str = ""  # when (UTC)
    load: str = ""  # the 1-minute load average before and after the seed
    reused: bool = False

    def line(self, courses: int) -> str:
        """The section's line on the database build and its target."""
        command = f"`flask seed --courses {courses}`"
        if self.seed_s is None:
            return (
                f"{command}: time not recorded (the database was built before the benchmark "
                "timed it; `--rebuild` times it)"
            )
        when = "when the database was built" if self.reused else "for this run"
        text = (
            f"{command} took {self.seed_s:.0f} s ({when}, {self.built}; load average "
            f"{self.load}), after `flask db upgrade` {self.upgrade_s or 0:.0f} s"
        )
        target = TARGET_SEED_SECONDS.get(courses)
        if target is not None:
            met = "met" if self.seed_s <= target else "not met"
            text += f"; target under {target / 60:.0f} minutes: {met}"
        return text


def read_build(ready: Path) -> Build:
    """The build recorded in a .ready file: its fingerprint, then a JSON object (older files
    hold a sentence instead, without the seed's own time)."""
    parts = ready.read_text().split(maxsplit=1)
    if len(parts) == 2 and parts[1].lstrip().startswith("{"):
        try:
            fields = json.loads(parts[1])
        except ValueError:
            return Build(reused=True)
        return Build(
            seed_s=fields.get("seed_s"),
            upgrade_s=fields.get("upgrade_s"),
            built=fields.get("built", ""),
            load=fields.get("load", ""),
            reused=True,
        )
    return Build(reused=True)


def ensure_database(courses: int, rebuild: bool = False) -> Path:
    """bench/out/catalogue-N.db, built with `flask db upgrade` and `flask seed --courses N`.

    Reused while the migrations and the seed code are unchanged (bench/out/catalogue-N.ready
    holds their fingerprint and the build's times, see read_build); rebuilt otherwise, or with
    --rebuild.
    """
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / f"catalogue-{courses}.db"
    ready = db_path.with_suffix(".ready")
    fingerprint = seed_fingerprint()
    if not rebuild and db_path.exists() and ready.exists():
        if ready.read_text().split()[0] == fingerprint:
            print(f"Reusing {db_path.relative_to(REPO)}")
            return db_path
        print(
            "The migrations, the seed or the search index code changed since the database "
            "was built."
        )
    for stale in (db_path, ready, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    env = flask_env(db_path)
    flask = [sys.executable, "-m", "flask"]
    print(f"Building {db_path.relative_to(REPO)} with {courses:,} courses ...", flush=True)
    started = time.monotonic()
    subprocess.run([*flask, "db", "upgrade"], cwd=REPO, env=env, check=True)
    upgraded = time.monotonic()
    load_before = load_average()
    subprocess.run([*flask, "seed", "--courses", str(courses)], cwd=REPO, env=env, check=True)
    seeded = time.monotonic()
    build = {
        "seed_s": round(seeded - upgraded, 1),
        "upgrade_s": round(upgraded - started, 1),
        "built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": f"{load_before}, {load_average()}",
        "courses": courses,
    }
    ready.write_text(f"{fingerprint} {json.dumps(build)}\n")
    print(f"Seeded in {seeded - upgraded:.0f} s (`flask db upgrade` {upgraded - started:.0f} s)")
    return db_path


COLD = "cold (nothing kept)"


@dataclass
class Page:
    """A measured page: a short name, its path and the server it is measured on ("app", the
    app keeping rendered parts; "bare", the bare Flask control; "cold", the app keeping
    nothing). A page with a `mix` is the realistic mix: wrk sends the mix's paths in turn
    (`path` names their list) and `size` is their mean size."""

    key: str
    label: str
    path: str
    server: str = "app"
    mix: Mix | None = None
    new_lists: list[Path] = field(default_factory=list)  # the new draws: one list a round
    size: int = 0
    rounds: list[WrkResult] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    bare_ratios: list[float] = field(default_factory=list)  # to the bare Flask control
    refused: str = ""  # why the page is not measured: what its check answered instead of 200


def choose_pages(db_path: Path, args: argparse.Namespace) -> tuple[list[Page], str]:
    """The controls and the catalogue pages (the `q + 2 filters` page and the broad query
    twice, warm and cold), with slugs that exist in this database; the realistic mix is added
    by measure()."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        q, category, method = args.q, args.category, args.method

        def matches(cat: str, meth: str) -> int:
            return connection.execute(
                "SELECT count(*) FROM course JOIN category ON category.id = course.category_id "
                "WHERE course.status = 'approved' AND category.slug = ? AND course.method = ? "
                "AND lower(course.title) LIKE ?",
                (cat, meth, f"%{q.lower()}%"),
            ).fetchone()[0]

        if category is None or method is None:
            if matches(PREFERRED_QUERY[1], PREFERRED_QUERY[2]) and q == PREFERRED_QUERY[0]:
                category, method = PREFERRED_QUERY[1], PREFERRED_QUERY[2]
            else:
                best = connection.execute(
                    "SELECT category.slug, course.method, count(*) AS n FROM course "
                    "JOIN category ON category.id = course.category_id "
                    "WHERE course.status = 'approved' AND lower(course.title) LIKE ? "
                    "GROUP BY 1, 2 ORDER BY n DESC LIMIT 1",
                    (f"%{q.lower()}%",),
                ).fetchone()
                if not best:
                    sys.exit(
                        f"No approved course title contains {q!r}: pass --q, --category, --method"
                    )
                category, method = best[0], best[1]
        expected = matches(category, method)

        largest, largest_count = connection.execute(
            "SELECT category.slug, count(*) AS n FROM course "
            "JOIN category ON category.id = course.category_id "
            "WHERE course.status = 'approved' GROUP BY 1 ORDER BY n DESC LIMIT 1"
        ).fetchone()
        page_number = min(5, max(1, math.ceil(largest_count / PAGE_SIZE)))
        listed = connection.execute(
            "SELECT count(*) FROM course WHERE status = 'approved'"
        ).fetchone()[0]
        middle_slug = connection.execute(
            "SELECT slug FROM course WHERE status = 'approved' ORDER BY id LIMIT 1 OFFSET ?",
            (listed // 2,),
        ).fetchone()[0]

    note = (
        f"`q={q}` matches {expected} approved titles in category `{category}` with method "
        f"`{method}` (by title alone; the search also reads summaries and descriptions). "
        f"Page {page_number} of the largest category, `{largest}` ({largest_count} courses). "
        f"{listed:,} approved courses listed."
    )
    pages = [
        Page("control", "control (static, same size)", "/_bench/control"),
        Page("bare", "bare Flask control (static, same size)", "/_bench/control", "bare"),
        Page("q2f", "q + 2 filters", f"/courses?q={q}&category={category}&method={method}"),
        Page(
            "q2f_cold",
            f"q + 2 filters, {COLD}",
            f"/courses?q={q}&category={category}&method={method}",
            "cold",
        ),
        Page("broad", "broad query", BROAD_QUERY),
        Page("broad_cold", f"broad query, {COLD}", BROAD_QUERY, "cold"),
        Page("all", "catalogue, no parameters", "/courses"),
        Page("q", "plain q", f"/courses?q={q}"),
        Page(
            "page5",
            f"page {page_number} of a filter",
            f"/courses?category={largest}&page={page_number}",
        ),
        Page("course", "a course page", f"/courses/{middle_slug}"),
    ]
    return pages, note


# --- the realistic mix -----------------------------------------------------------------------

MIX_REQUESTS = 2000  # paths in the list wrk sends, in order
MIX_QUERIES = 600  # distinct search queries in the pool the searches are drawn from
MIX_QUERY_ZIPF = 1.0  # the k-th most popular query is searched for in proportion to 1 / k^1.0
MIX_MIN_QUERIES = 200  # distinct queries the list must hold (issue 16); fewer is reported
MIX_SEED = 20261206  # fixed: every run draws the same requests in the same order
MIX_TRIES = 5  # draws to replace a path that does not answer 200
MIX_WARMUP = 10  # seconds the warm server is sent the mix before the rounds, at least
MIX_NEW_REQUESTS = 15_000  # paths in each list of new draws, at least
MIX_NEW_RATE = 3_000  # ... and as many per second of a run: more than the warm server answers
MIX_BODY_SAMPLE = 5000  # courses whose texts are read for affixed forms of title roots
# The kinds of request and their shares of the list.
MIX_KINDS = {
    "search": ("searches", 0.62),
    "browse": ("category pages", 0.13),
    "catalogue": ("the whole catalogue", 0.08),
    "course": ("course pages", 0.17),
}
# The kinds of query in the pool: (name, popularity factor, how many at most); synonyms: all.
MIX_QUERY_KINDS = {
    "word": ("title words", 1.0, 260),
    "phrase": ("two-word phrases", 0.6, 140),
    "affixed": ("affixed forms", 0.35, 80),
    "typo": ("typos", 0.2, 70),
    "synonym": ("synonyms and abbreviations", 0.5, None),
}
MIX_FILTER_COUNTS = ((0, 0.5), (1, 0.3), (2, 0.2))  # filters a search adds, and how often
MIX_FILTERS = ("category", "method", "max_price", "min_rating", "province")
MIX_HOME_FILTER = 0.7  # how often category, method, province are those of a course found
MIX_SORTS = (
    (None, 0.5),  # relevance, the default
    ("popular", 0.08),
    ("rating", 0.12),
    ("price_asc", 0.14),
    ("price_desc", 0.06),
    ("newest", 0.10),
)
MIX_PAGES = ((1, 0.68), (2, 0.14), (3, 0.08), (4, 0.05), (5, 0.05))
MIX_MAX_PRICES = (
    (100_000, 1),
    (150_000, 1),
    (200_000, 2),
    (250_000, 2),
    (300_000, 2),
    (500_000, 3),
    (750_000, 1),
    (1_000_000, 1),
)
MIX_MIN_RATINGS = ("3", "3.5", "4", "4.5")
MIX_BROWSE_SORTS = ("price_asc", "rating", "newest")
# The order of a search's parameters in its path, as the filter form sends them.
MIX_PARAMETER_ORDER = (
    "q",
    "category",
    "method",
    "province",
    "max_price",
    "min_rating",
    "sort",
    "page",
)
# Words of titles that nobody searches for on their own.
MIX_SKIPPED_WORDS = frozenset(
    {"dan", "dari", "dalam", "dengan", "untuk", "bagi", "yang", "para", "atau", "pada", "the"}
)
SYNONYMS_FILE = REPO / "marketplace" / "seed_data" / "search_synonyms.txt"


def _weighted(rng: random.Random, pairs):
    """One value of (value, weight) pairs, drawn by weight."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Query:
    """A search query of the pool: its text, kind (MIX_QUERY_KINDS), popularity, and the
    catalogue rows (indexes) of courses it is about, for its filters."""

    text: str
    kind: str
    popularity: float
    home: list[int]


@dataclass
class Mix:
    """The realistic mix: the paths wrk sends, in order, and how the list came out."""

    file: Path
    paths: list[str]
    kinds: Counter  # requests by kind (MIX_KINDS)
    query_kinds: dict[str, str]  # the pool's queries: text -> kind
    mean_bytes: int
    replaced: int  # distinct paths drawn that did not answer 200, replaced by other draws
    dropped: int  # ... and those for which no other draw answered 200 either
    refused: Counter  # the statuses of the paths replaced or dropped

    @property
    def distinct(self) -> int:
        return len(set(self.paths))

    def searches(self) -> list[dict[str, str]]:
        """The parameters of every search of the list (paths with a q), in order."""
        found = []
        for path in self.paths:
            if "?" in path:
                params = dict(urllib.parse.parse_qsl(path.split("?", 1)[1]))
                if "q" in params:
                    found.append(params)
        return found

    @property
    def distinct_queries(self) -> int:
        return len({params["q"] for params in self.searches()})

    def description(self) -> str:
        counts = Counter(self.paths)
        top_path, top_count = counts.most_common(1)[0]
        once = sum(1 for n in counts.values() if n == 1)
        twice = sum(1 for n in counts.values() if n == 2)
        total = len(self.paths)
        searches = self.searches()
        queries = Counter(params["q"] for params in searches)
        by_kind = Counter(self.query_kinds.get(text, "word") for text in queries)
        kinds_text = ", ".join(
            f"{by_kind[kind]} {name}" for kind, (name, _f, _n) in MIX_QUERY_KINDS.items()
        )
        top_query, top_query_count = queries.most_common(1)[0] if queries else ("", 0)
        filters = Counter(sum(1 for name in MIX_FILTERS if name in params) for params in searches)
        pages = Counter(int(params.get("page", 1)) for params in searches)
        n = max(1, len(searches))
        filters_text = " / ".join(f"{filters[k] / n:.0%}" for k in (0, 1, 2))
        pages_text = " / ".join(f"{pages[k] / n:.0%}" for k in range(1, 6))
        kinds = ", ".join(
            f"{name} {self.kinds[kind] / total:.0%}" for kind, (name, _share) in MIX_KINDS.items()
        )
        bare = counts.get("/courses", 0)
        refused = ", ".join(
            f"{n} × {status or 'no answer'}" for status, n in sorted(self.refused.items())
        )
        enough = "met" if len(queries) >= MIX_MIN_QUERIES else "not met"
        return (
            f"`{self.file.relative_to(REPO)}`: {total:,} requests, {self.distinct:,} distinct "
            f"paths ({once:,} sent once, {twice:,} twice; the most frequent, `{top_path}`, "
            f"{top_count} times); {kinds} (`/courses` alone {bare / total:.0%}). "
            f"Searches: {len(queries)} distinct queries (at least {MIX_MIN_QUERIES}: {enough}): "
            f"{kinds_text}; the most frequent, `{top_query}`, {top_query_count} times of "
            f"{len(searches):,}; 0 / 1 / 2 filters {filters_text}; pages 1 to 5 {pages_text}. "
            f"Mean body {self.mean_bytes:,} bytes. "
            f"{self.replaced + self.dropped} distinct paths drawn did not answer 200: "
            f"{self.replaced} replaced by another draw of the same kind, {self.dropped} "
            f"dropped; answers other than 200 among all paths checked: {refused or 'none'} "
            f"(the paths: `bench/out/{self.file.stem}-refused.txt`)."
        )


@dataclass
class _TitleRow:
    words: tuple[str, ...]  # the title's words, in order, lower case
    category: str
    method: str
    province: str  # slug, or "" (offline courses only)


@dataclass
class _Catalogue:
    """What the mix is drawn from: the words of approved titles, categories, courses."""

    rows: list[_TitleRow]
    rows_with: dict[str, list[int]]  # word or two-word phrase -> rows whose title has it
    categories_of: dict[str, Counter]  # word or phrase -> its titles by category
    body_words: set[str]  # words of the texts (summary, description, outcomes) of a sample
    categories: list[str]
    category_weights: list[int]  # cumulative
    sizes: Counter  # approved courses by category, and by (category, method)
    methods: list[str]
    provinces: list[str]  # provinces of offline courses, most courses first
    province_weights: list[int]  # cumulative
    slugs: list[str]  # approved courses, most enrolled first
    slug_weights: list[int]  # cumulative
    listed: int

    def frequency(self, term: str) -> int:
        return len(self.rows_with.get(term, ()))

    def score(self, term: str) -> float:
        """How much a word or phrase of titles is searched for: the titles with it, times the
        share of them in its most common category (a topic over a template word)."""
        by_category = self.categories_of.get(term)
        if not by_category:
            return 0.0
        total = sum(by_category.values())
        return total * max(by_category.values()) / total


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def read_catalogue(connection: sqlite3.Connection) -> _Catalogue:
    """The approved courses' title words and phrases, categories, methods, provinces and
    slugs, and the words of a sample of their texts."""
    rows: list[_TitleRow] = []
    rows_with: dict[str, list[int]] = {}
    categories_of: dict[str, Counter] = {}
    sizes: Counter = Counter()
    offline: Counter = Counter()
    body_words: set[str] = set()
    query = (
        "SELECT course.title, category.slug, course.method, coalesce(province.slug, ''), "
        "CASE WHEN course.id <= ? THEN course.summary || ' ' || course.description || ' ' "
        "|| course.outcomes ELSE '' END "
        "FROM course JOIN category ON category.id = course.category_id "
        "LEFT JOIN province ON province.id = course.province_id "
        "WHERE course.status = 'approved' ORDER BY course.id"
    )
    first_id = connection.execute("SELECT min(id) FROM course").fetchone()[0] or 0
    for title, category, method, province, body in connection.execute(
        query, (first_id + MIX_BODY_SAMPLE,)
    ):
        words = tuple(_words(title))
        useful = [w for w in words if len(w) >= 3 and w not in MIX_SKIPPED_WORDS]
        phrases = [
            f"{a} {b}"
            for a, b in itertools.pairwise(words)
            if len(a) >= 3 and len(b) >= 3 and not {a, b} & MIX_SKIPPED_WORDS
        ]
        for term in dict.fromkeys([*useful, *phrases]):
            rows_with.setdefault(term, []).append(len(rows))
            categories_of.setdefault(term, Counter())[category] += 1
        if body:
            body_words.update(_words(body))
        sizes[category] += 1
        sizes[category, method] += 1
        if province:
            offline[province] += 1
        rows.append(_TitleRow(words, category, method, province))
    categories = sorted({row.category for row in rows}, key=lambda slug: (-sizes[slug], slug))
    provinces = sorted(offline, key=lambda slug: (-offline[slug], slug)) or [
        slug for (slug,) in connection.execute("SELECT slug FROM province ORDER BY code")
    ]
    slugs = [
        slug
        for (slug,) in connection.execute(
            "SELECT slug FROM course WHERE status = 'approved' "
            "ORDER BY enrolment_count DESC, id LIMIT 5000"
        )
    ]
    return _Catalogue(
        rows=rows,
        rows_with=rows_with,
        categories_of=categories_of,
        body_words=body_words,
        categories=categories,
        category_weights=list(itertools.accumulate(sizes[slug] for slug in categories)),
        sizes=sizes,
        methods=sorted({row.method for row in rows}),
        provinces=provinces,
        province_weights=list(itertools.accumulate(offline[slug] or 1 for slug in provinces)),
        slugs=slugs,
        slug_weights=list(itertools.accumulate(len(slugs) - i for i in range(len(slugs)))),
        listed=len(rows),
    )


def _nasal(prefix: str, root: str) -> str:
    """meN- or peN- (prefix "me" or "pe") before a root, with Indonesian's sound changes:
    pasar -> memasar, tulis -> menulis, kelola -> mengelola, susun -> menyusun, buat ->
    membuat, desain -> mendesain, ajar -> mengajar, latih -> melatih."""
    first = root[0]
    if first == "p":
        return f"{prefix}m{root[1:]}"
    if first == "t":
        return f"{prefix}n{root[1:]}"
    if first == "k":
        return f"{prefix}ng{root[1:]}"
    if first == "s":
        return f"{prefix}ny{root[1:]}"
    if first in "bfv":
        return f"{prefix}m{root}"
    if first in "dcjz":
        return f"{prefix}n{root}"
    if first in "gh" or first in "aiueo":
        return f"{prefix}ng{root}"
    return f"{prefix}{root}"


def _affixed_queries(catalogue: _Catalogue, words: list[str]) -> list[tuple[str, float, str]]:
    """Affixed forms of the roots of title words: (form, popularity, the title word it comes
    from). Forms found in the courses' texts come first, then forms made by the rules
    (meN-...-kan, peN-, di-...-kan, ...-an); each one Sastrawi's stemmer takes back to the
    root, none a title word. Empty without Sastrawi."""
    try:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    except ImportError:
        print("Note: Sastrawi is not installed: the mix has no affixed forms")
        return []
    factory = StemmerFactory()
    dictionary = set(factory.get_words())
    stemmer = factory.create_stemmer()
    roots: dict[str, tuple[float, str]] = {}  # root -> (popularity, its best title word)
    for word in words:
        if len(word) < 4:
            continue
        root = stemmer.stem(word)
        if len(root) < 4 or root not in dictionary:
            continue
        score = catalogue.score(word)
        best = roots.get(root)
        roots[root] = (
            (best[0] if best else 0.0) + score,
            best[1] if best and catalogue.score(best[1]) >= score else word,
        )
    title_words = {word for word in catalogue.rows_with if " " not in word}
    forms: dict[str, list[str]] = {}
    affixed = re.compile(r"^(?:me|pe|di)|(?:kan|an)$")
    for word in sorted(catalogue.body_words):
        if len(word) < 5 or word in title_words or word.endswith("nya") or not affixed.search(word):
            continue
        root = stemmer.stem(word)
        if root != word and root in roots:
            forms.setdefault(root, []).append(word)
    # Forms are made by rule only for a root that the catalogue uses with meN-, peN- or di-
    # (pasar: pemasaran), not for a noun that takes none (inggris, komputer).
    known_words = sorted(title_words | catalogue.body_words)

    def attested(prefix: str) -> bool:
        at = bisect.bisect_left(known_words, prefix)
        return at < len(known_words) and known_words[at].startswith(prefix)

    found: list[tuple[str, float, str]] = []
    for root, (score, source) in roots.items():
        verbal = any(
            attested(prefix) for prefix in (_nasal("me", root), _nasal("pe", root), f"di{root}")
        )
        made = [
            form
            for form in (
                f"{_nasal('me', root)}kan",
                _nasal("pe", root),
                f"di{root}kan",
                f"{root}an",
            )
            if verbal and form not in title_words and stemmer.stem(form) == root
        ]
        real = forms.get(root, [])
        candidates = [(form, score) for form in real[:2]]
        candidates += [(form, score * 0.5) for form in made if form not in real][:2]
        found += [(form, popularity, source) for form, popularity in candidates[:3]]
    return found


def _typo(rng: random.Random, word: str) -> str:
    """The word with one letter dropped (never the first) or two neighbours swapped."""
    if rng.random() < 0.5:
        at = rng.randrange(1, len(word))
        return word[:at] + word[at + 1 :]
    places = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
    if not places:
        return word[:-1]
    at = rng.choice(places)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _synonym_groups() -> list[list[str]]:
    """The phrase groups of marketplace/seed_data/search_synonyms.txt (none if missing)."""
    if not SYNONYMS_FILE.exists():
        return []
    groups = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            groups.append([phrase.strip().lower() for phrase in line.split(",") if phrase.strip()])
    return groups


def build_queries(rng: random.Random, catalogue: _Catalogue) -> list[Query]:
    """The pool of search queries, the most popular first (see the module's docstring)."""

    def limit(kind: str) -> int | None:
        return MIX_QUERY_KINDS[kind][2]

    def factor(kind: str) -> float:
        return MIX_QUERY_KINDS[kind][1]

    terms = sorted(catalogue.rows_with, key=lambda term: (-catalogue.score(term), term))
    words = [term for term in terms if " " not in term]
    phrases = [term for term in terms if " " in term]
    pool: dict[str, Query] = {}

    def add(text: str, kind: str, score: float, source: str | None) -> None:
        if text and text not in pool and score > 0:
            home = catalogue.rows_with.get(source or text, [])
            pool[text] = Query(text, kind, score * factor(kind), home)

    for word in words[: limit("word")]:
        add(word, "word", catalogue.score(word), word)
    for phrase in phrases[: limit("phrase")]:
        add(phrase, "phrase", catalogue.score(phrase), phrase)
    affixed = sorted(_affixed_queries(catalogue, words), key=lambda item: (-item[1], item[0]))
    for form, score, source in affixed[: limit("affixed")]:
        add(form, "affixed", score, source)
    known = set(catalogue.rows_with) | catalogue.body_words
    typos = 0
    for word in (word for word in words if len(word) >= 5):
        if typos >= limit("typo"):
            break
        typo = _typo(rng, word)
        if typo not in known and typo not in pool:
            add(typo, "typo", catalogue.score(word), word)
            typos += 1
    floor = statistics.median([catalogue.score(word) for word in words[:200]] or [1.0])
    for group in _synonym_groups():
        # A group is as popular as its most searched phrase that titles hold (at least a
        # middling title word), and its phrases are about that phrase's courses.
        held = [phrase for phrase in group if phrase in catalogue.rows_with]
        best = max(held, key=catalogue.score, default=None)
        score = max(floor, catalogue.score(best)) if best else floor
        for phrase in group:
            add(phrase, "synonym", score, best)
    # A seeded random factor (log-normal) mixes the kinds: the ranks follow the catalogue's
    # frequencies only roughly, as people's searches do.
    ranked = sorted(
        pool.values(),
        key=lambda query: (-query.popularity * math.exp(rng.gauss(0, 0.7)), query.text),
    )
    return ranked[:MIX_QUERIES]


def _search_request(rng: random.Random, catalogue: _Catalogue, query: Query) -> tuple[str, str]:
    """A search for `query` with 0-2 filters at random, a sort and a page from 1 to 5."""
    params: dict[str, str | int] = {"q": query.text}
    home = catalogue.rows[rng.choice(query.home)] if query.home else None
    count = _weighted(rng, MIX_FILTER_COUNTS)
    for name in rng.sample(MIX_FILTERS, count):
        at_home = home is not None and rng.random() < MIX_HOME_FILTER
        if name == "category":
            params[name] = (
                home.category
                if at_home
                else rng.choices(catalogue.categories, cum_weights=catalogue.category_weights)[0]
            )
        elif name == "method":
            params[name] = home.method if at_home else rng.choice(catalogue.methods)
        elif name == "province":
            params[name] = (
                home.province
                if at_home and home.province
                else rng.choices(catalogue.provinces, cum_weights=catalogue.province_weights)[0]
            )
        elif name == "max_price":
            params[name] = _weighted(rng, MIX_MAX_PRICES)
        else:
            params[name] = rng.choice(MIX_MIN_RATINGS)
    sort = _weighted(rng, MIX_SORTS)
    if sort:
        params["sort"] = sort
    page = _weighted(rng, MIX_PAGES)
    if page > 1:
        params["page"] = page
    ordered = {name: params[name] for name in MIX_PARAMETER_ORDER if name in params}
    return "search", f"/courses?{urllib.parse.urlencode(ordered)}"


def _mix_request(
    rng: random.Random,
    catalogue: _Catalogue,
    queries: list[Query],
    query_weights: list[float],
    kind: str | None = None,
) -> tuple[str, str]:
    """One request someone might make: its kind (MIX_KINDS, drawn by share unless given) and
    path. A search's query is drawn from the pool by popularity (`query_weights`,
    cumulative)."""
    if kind is None:
        kind = _weighted(rng, [(name, share) for name, (_label, share) in MIX_KINDS.items()])
    params: dict[str, str | int] = {}
    if kind == "search":
        query = rng.choices(queries, cum_weights=query_weights)[0]
        return _search_request(rng, catalogue, query)
    if kind == "browse":
        category = rng.choices(catalogue.categories, cum_weights=catalogue.category_weights)[0]
        params["category"] = category
        size = catalogue.sizes[category]
        if rng.random() < 0.2:
            params["method"] = method = rng.choice(catalogue.methods)
            size = catalogue.sizes[category, method]
        if rng.random() < 0.3:
            params["sort"] = rng.choice(MIX_BROWSE_SORTS)
        pages = math.ceil(size / PAGE_SIZE)
        if pages > 1 and rng.random() < 0.3:
            params["page"] = rng.randint(2, min(pages, 5))
    elif kind == "catalogue":
        # Most often the catalogue as it opens; else sorted or paged.
        if rng.random() < 0.6:
            return kind, "/courses"
        pages = math.ceil(catalogue.listed / PAGE_SIZE)
        if pages > 1 and rng.random() < 0.4:
            params["page"] = rng.randint(2, min(pages, 5))
        if not params or rng.random() < 0.5:
            params["sort"] = rng.choice(MIX_BROWSE_SORTS)
    else:
        slug = rng.choices(catalogue.slugs, cum_weights=catalogue.slug_weights)[0]
        return "course", f"/courses/{urllib.parse.quote(slug)}"
    return kind, f"/courses?{urllib.parse.urlencode(params)}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer other than 200, not followed


_PROBE = urllib.request.build_opener(_NoRedirect)


def probe_path(base: str, path: str) -> tuple[int, int]:
    """(status, body bytes) of one GET of a loopback path, redirects not followed; status 0
    when no answer came (the connection failed or the request timed out)."""
    try:
        with _PROBE.open(f"{base}{path}", timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, 0


def probe_all(base: str, paths: list[str]) -> list[tuple[int, int]]:
    """probe_path for each path, GUNICORN_WORKERS at a time."""
    with ThreadPoolExecutor(GUNICORN_WORKERS) as pool:
        return list(pool.map(lambda path: probe_path(base, path), paths))


def _mix_sources(db_path: Path) -> tuple[random.Random, _Catalogue, list[Query], list[float]]:
    """What the mix is drawn from: the seeded generator (after drawing the query pool), the
    catalogue, the query pool and its cumulative popularity weights."""
    rng = random.Random(MIX_SEED)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        catalogue = read_catalogue(connection)
    queries = build_queries(rng, catalogue)
    if not queries:
        raise SystemExit("no search query could be built from the catalogue's titles")
    query_weights = list(
        itertools.accumulate(1 / rank**MIX_QUERY_ZIPF for rank in range(1, len(queries) + 1))
    )
    return rng, catalogue, queries, query_weights


def new_list_length(duration: int) -> int:
    """How many requests a list of new draws holds for a run of `duration` seconds."""
    return max(MIX_NEW_REQUESTS, duration * MIX_NEW_RATE)


def draw_new_lists(db_path: Path, courses: int, count: int, duration: int) -> list[Path]:
    """`count` more lists of requests (MIX_NEW_REQUESTS, or MIX_NEW_RATE per second of a run
    of `duration` if more: wrk never comes back to a path it sent), drawn like the mix from
    the same query pool, each with a seed of its own, and not checked (a check would show
    them to the warm server first). Sent to the warm server one list a round, they are
    traffic it has not seen, but for the popular paths any draw brings back. A path past the
    last page answers 404, counted among the errors."""
    _rng, catalogue, queries, query_weights = _mix_sources(db_path)
    files = []
    for number in range(1, count + 1):
        drawer = random.Random(MIX_SEED + 100 + number)
        paths = [
            _mix_request(drawer, catalogue, queries, query_weights)[1]
            for _ in range(new_list_length(duration))
        ]
        file = OUT / f"catalogue-mix-{courses}-new-{number}.txt"
        file.write_text("".join(f"{path}\n" for path in paths))
        files.append(file)
    return files


def build_mix(db_path: Path, courses: int, base: str) -> Mix:
    """The realistic mix for this database, each distinct path checked once on `base`.

    MIX_REQUESTS requests are drawn (seeded) by kind and, for searches, from the query pool by
    popularity (build_queries). A distinct path that does not answer 200 is replaced
    everywhere by another draw of the same kind that does (MIX_TRIES tries, from a second
    seeded generator), or dropped.
    """
    rng, catalogue, queries, query_weights = _mix_sources(db_path)
    drawn = [_mix_request(rng, catalogue, queries, query_weights) for _ in range(MIX_REQUESTS)]
    distinct = list(dict.fromkeys(drawn))
    answers = probe_all(base, [path for _kind, path in distinct])
    seen = {path for _kind, path in distinct}
    spare = random.Random(MIX_SEED + 1)
    kept: dict[tuple[str, str], tuple[str, str, int]] = {}
    refused: Counter = Counter()
    refused_paths: list[str] = []
    replaced = dropped = 0
    for (kind, path), (status, size) in zip(distinct, answers, strict=True):
        original = (kind, path)
        if status != 200:
            refused[status] += 1
            refused_paths.append(f"{status or 'no answer'} {path}")
            for _ in range(MIX_TRIES):
                _kind, path = _mix_request(spare, catalogue, queries, query_weights, kind)
                if path in seen:
                    continue
                seen.add(path)
                status, size = probe_path(base, path)
                if status == 200:
                    break
                refused[status] += 1
                refused_paths.append(f"{status or 'no answer'} {path}")
            if status != 200:
                dropped += 1
                continue
            replaced += 1
        kept[original] = (kind, path, size)
    errors = sum(n for status, n in refused.items() if status == 0 or status >= 500)
    if errors:
        print(
            f"Note: {errors} paths of the mix got an error or no answer from the app (see "
            f"bench/out/catalogue-mix-{courses}-refused.txt and the gunicorn log)"
        )
    chosen = [kept[request] for request in drawn if request in kept]
    if not chosen:
        raise SystemExit("no path of the realistic mix answered 200")
    mix_file = OUT / f"catalogue-mix-{courses}.txt"
    mix_file.write_text("".join(f"{path}\n" for _, path, _ in chosen))
    (OUT / f"catalogue-mix-{courses}-refused.txt").write_text(
        "".join(f"{line}\n" for line in refused_paths)
    )
    searched = Counter(
        dict(urllib.parse.parse_qsl(path.split("?", 1)[1])).get("q")
        for kind, path, _ in chosen
        if kind == "search"
    )
    (OUT / f"catalogue-queries-{courses}.txt").write_text(
        "# rank, kind, searches in the mix, query\n"
        + "".join(
            f"{rank}\t{query.kind}\t{searched.get(query.text, 0)}\t{query.text}\n"
            for rank, query in enumerate(queries, start=1)
        )
    )
    return Mix(
        file=mix_file,
        paths=[path for _, path, _ in chosen],
        kinds=Counter(kind for kind, _, _ in chosen),
        query_kinds={query.text: query.kind for query in queries},
        mean_bytes=round(statistics.mean(size for _, _, size in chosen)),
        replaced=replaced,
        dropped=dropped,
        refused=refused,
    )


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, app: str = "benchapp:app") -> list[str]:
    """gunicorn serving `app` (module:variable in bench/) with the benchmark's settings."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--threads",
        str(GUNICORN_THREADS),
        "--worker-class",
        GUNICORN_WORKER_CLASS,
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--chdir",
        str(REPO),
        "--pythonpath",
        str(BENCH),
        app,
    ]


def bare_gunicorn_command(port: int) -> list[str]:
    """gunicorn serving the bare Flask control (bench/bareapp.py), settings as for the app."""
    return gunicorn_command(port, "bareapp:app")


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class ResultsStore:
    """A redis-server on a free loopback port, no persistence: the warm server's shared
    store of result pages (RESULTS_STORE_URL, marketplace/catalogue/shared_results.py), as a
    deployment of several workers has. `url` is None (and the warm server keeps results per
    worker only, as the section then says) without Debian's redis-server (`make redis`)."""

    def __init__(self, directory: Path) -> None:
        self.url: str | None = None
        self.process: subprocess.Popen | None = None
        if not os.access(REDIS_SERVER, os.X_OK):
            print("Note: no redis-server (`make redis`): results are kept per worker only")
            return
        port = free_port()
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly",
             "no", "--dir", str(directory), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, port), 1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        self.url = f"redis://{HOST}:{port}/0"
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer in 10 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class Server:
    """gunicorn serving bench/benchapp.py (or the app `command` names, given the port) on a
    free loopback port; stopped by stop()."""

    def __init__(
        self,
        db_path: Path,
        control_bytes: int,
        log: Path,
        extra_env: dict | None = None,
        command=gunicorn_command,
    ):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        env = flask_env(db_path)
        env["BENCH_CONTROL_BYTES"] = str(control_bytes)
        env.update(extra_env or {})
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            command(self.port),
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}); see {self._log.name}"
                )
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f} s")

    def get(self, path: str) -> tuple[int, bytes]:
        """(status, body) of one GET of a page; status 0 when no answer came."""
        try:
            with urllib.request.urlopen(f"{self.base}{path}", timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b""
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, b""

    def fetch(self, path: str) -> bytes:
        """GET a page once; anything but 200 stops the benchmark."""
        try:
            with urllib.request.urlopen(f"{self.base}{path}", timeout=60) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            raise SystemExit(
                f"GET {path} answered {error.code}: nothing to measure (see {self._log.name})"
            ) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
        self._log.close()


# --- figures ---------------------------------------------------------------------------------


def stylesheets(html: str) -> list[str]:
    """The stylesheet paths a page links to, in order."""
    links = re.findall(r"<link\b[^>]*>", html, re.IGNORECASE)
    found = []
    for link in links:
        if re.search(r"rel=[\"']?stylesheet", link, re.IGNORECASE):
            href = re.search(r"href=[\"']([^\"']+)", link)
            if href:
                found.append(href.group(1))
    return found


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    wrk_lines = (wrk.stdout or wrk.stderr).strip().splitlines()
    wrk_version = wrk_lines[0].split(" [")[0] if wrk_lines else "wrk"
    gunicorn = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    gunicorn = re.sub(r"\(version ([^)]+)\)", r"\1", gunicorn)
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": gunicorn,
        "wrk": wrk_version,
    }


def load_average() -> str:
    """The 1-minute load average: other work on the machine skews the figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_ms(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def judge(page: Page, courses: int) -> tuple[str, bool | None]:
    """The targets this page is judged against at this size (TARGETS), in words with "met" or
    "not met", and whether all are met (None when it has no target)."""
    targets = TARGETS.get(courses, {}).get(page.key)
    if not targets:
        return "", None
    if page.refused or not page.rounds:
        return f"{', '.join(t.text() for t in targets)}: not measured", False
    met = True
    for target in targets:
        if target.measure == "p95":
            p95s = [r.p95_ms for r in page.rounds if r.p95_ms is not None]
            met &= bool(p95s) and median(p95s) <= target.value
        else:
            ratios = page.ratios if target.measure == "control" else page.bare_ratios
            met &= bool(ratios) and median(ratios) >= target.value
    return f"{', '.join(t.text() for t in targets)}: {'met' if met else 'not met'}", met


def targets_line(pages: list[Page], courses: int, build: Build) -> str:
    """The targets at this size, met or not, in one sentence."""
    judged = [(page, *judge(page, courses)) for page in pages]
    judged = [(page, text, met) for page, text, met in judged if met is not None]
    seed_target = TARGET_SEED_SECONDS.get(courses)
    if seed_target is not None:
        seed_met = build.seed_s is not None and build.seed_s <= seed_target
        judged.append((None, f"the seed under {seed_target / 60:.0f} minutes", seed_met))
    if not judged:
        return f"No target is set for {courses:,} courses."
    missed = [page.label if page else text for page, text, met in judged if not met]
    met_count = sum(1 for *_rest, met in judged if met)
    text = f"Targets at {courses:,} courses: {met_count} of {len(judged)} met"
    return text + (f"; not met: {'; '.join(missed)}." if missed else ".")


def table(pages: list[Page], courses: int) -> list[str]:
    header = (
        "| page | path | bytes | req/s | req/s by round | p50 ms | p95 ms | p99 ms "
        "| vs control | vs bare Flask | errors | target |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for page in pages:
        path, size = f"`{page.path}`", f"{page.size:,}"
        if page.new_lists:
            path += " (one list a round)"
            size = f"{page.size:,} (mean of the replayed list)"
        elif page.mix is not None:
            path += f" ({len(page.mix.paths):,} paths in turn)"
            size += " (mean)"
        if page.refused:
            lines.append(
                f"| {page.label} | {path} |  |  | not measured: {page.refused} |  |  |  |  |  "
                f"|  | {judge(page, courses)[0]} |"
            )
            continue
        rps = median([r.rps for r in page.rounds])
        if page.key in ("control", "bare"):
            runs = [r.rps for r in page.rounds]
            by_round = f"{min(runs):.0f}–{max(runs):.0f} ({len(runs)} runs)" if runs else ""
        else:
            by_round = " / ".join(f"{r.rps:.0f}" for r in page.rounds)
        p95s = [r.p95_ms for r in page.rounds if r.p95_ms is not None]
        ratio = "1.00" if page.key == "control" else f"{median(page.ratios):.2f}"
        bare_ratio = "1.00" if page.key == "bare" else f"{median(page.bare_ratios):.2f}"
        lines.append(
            f"| {page.label} | {path} | {size} | {rps:.0f} | {by_round} "
            f"| {fmt_ms(median([r.p50_ms for r in page.rounds]))} "
            f"| {fmt_ms(median(p95s) if p95s else None)} "
            f"| {fmt_ms(median([r.p99_ms for r in page.rounds]))} "
            f"| {ratio} | {bare_ratio} | {sum(r.errors for r in page.rounds)} "
            f"| {judge(page, courses)[0]} |"
        )
    return lines


def zipf_text() -> str:
    """1 / k^s in words."""
    return "1 / k" if MIX_QUERY_ZIPF == 1 else f"1 / k^{MIX_QUERY_ZIPF:g}"


def mix_shares() -> str:
    """The kinds of request of the mix and their shares, in words."""
    details = {
        "browse": "some with a method, a sort or a later page",
        "catalogue": "mostly `/courses` without parameters, else sorted or paged",
        "course": "the most enrolled likelier",
    }
    return ", ".join(
        f"{name} {share:.0%}" + (f" ({details[kind]})" if kind in details else "")
        for kind, (name, share) in MIX_KINDS.items()
    )


def write_results(courses: int, section: str) -> None:
    """Replace (or add) this size's section in bench/RESULTS.md, keeping the others."""
    intro = (
        "\n\n".join(
            textwrap.fill(paragraph, width=100, break_on_hyphens=False)
            for paragraph in (
                "# Catalogue benchmark results",
                "Written by `bench/catalogue.py` (`make bench`, or "
                "`make bench BENCH_ARGS='--courses 150000'`); one section per catalogue size, "
                "replaced when the benchmark runs again at that size.",
                "How it measures: gunicorn serves `bench/benchapp.py`, the real app plus "
                "`/_bench/control`, a static HTML page of the same byte size as the "
                "`q + 2 filters` page, through the same server, workers and Flask request "
                "handling. wrk, in a second process on the same machine, loads one URL at a "
                "time on 127.0.0.1 (but for the realistic mix, below). In each round "
                "the control runs just before every page, and a page's *vs control* is its req/s "
                "divided by the req/s of that control run. Figures are medians over the rounds "
                "(the "
                "control's over all its runs); p95 comes from wrk's own latency record "
                "(`bench/wrk_report.lua`). Sizes are gzip level 6; 1 KB = 1,000 bytes.",
                "The bare Flask control: `bench/bareapp.py`, a minimal Flask app outside the "
                "project (no extension, no configuration) returning the same bytes as the "
                "in-app control, served by a second gunicorn with the same settings and measured "
                "just before every page, in the same run. A page's *vs bare Flask* is its req/s "
                "divided by that run's: what the page costs against the least a Flask page can.",
                "Server: gunicorn with 2 sync workers of 1 thread, one worker per core of the "
                "2-core machine, for the control and the pages alike: the pages are CPU-bound "
                "(templates, SQLite in-process) and wrk needs some of the same two cores (other "
                "settings were not compared on a quiet machine). Most of the spread between "
                "runs comes from other work on the machine: each section records the load "
                "average, and the ratio to the control run just before a page cancels much of it.",
                "Warm and cold: the app keeps rendered parts of pages "
                "(`marketplace/web/fragments.py`: course cards, filter forms and, for a visitor "
                "without a session as wrk is, whole catalogue and course pages) and search "
                "results, which the warm server's two workers also share through a "
                "redis-server on 127.0.0.1 (`RESULTS_STORE_URL`, "
                "`marketplace/catalogue/shared_results.py`), as a "
                "deployment of several workers does. The single-URL rows are loaded for the "
                "warm-up time before the rounds, so they are warm. The *cold (nothing kept)* "
                "rows are measured on a third gunicorn, the same settings again, serving "
                "`bench/benchapp.py` with `BENCH_KEEP_PARTS=0`: the app created with "
                "`KEEP_RENDERED_PARTS` off, which turns all of that off, so every request costs "
                "what the first request of its URL costs. Their ratios are to the same "
                "controls, run just before them on the other two servers.",
                "The realistic mix: `bench/catalogue_mix.lua` makes wrk send, request after "
                f"request, the next path of a list of {MIX_REQUESTS:,} "
                "(`bench/out/catalogue-mix-N.txt`; each wrk thread starts at its own place and "
                "starts over at the end), drawn with fixed seeds from the benchmark database: "
                f"{mix_shares()}. Searches draw from a pool of up to {MIX_QUERIES} queries made "
                "from the catalogue's vocabulary (`bench/out/catalogue-queries-N.txt`): title "
                "words and two-word phrases, affixed forms of title roots (me-/pe-/di-/-kan/-an, "
                "e.g. memasarkan, pemasar; each one Sastrawi's stemmer takes back to its root), "
                "typos of 5+ letter title words (a letter dropped or two swapped) and the "
                "phrases of `marketplace/seed_data/search_synonyms.txt` (medsos, umkm, bhs "
                "inggris, ms excel). Ranked by popularity (the titles holding them, topic words "
                "first, times a seeded random factor), the k-th is drawn in proportion to "
                f"{zipf_text()}: a few very common, a long tail; at least {MIX_MIN_QUERIES} "
                "distinct queries. Each search adds 0, 1 or 2 filters "
                f"({' / '.join(f'{w:.0%}' for _n, w in MIX_FILTER_COUNTS)}) of category, "
                "method, max_price, min_rating and province, a sort (the default, relevance, "
                f"{MIX_SORTS[0][1]:.0%} of the time) and a page from 1 to 5 (page 1 in "
                f"{MIX_PAGES[0][1]:.0%}). Every distinct path is checked once before the rounds; "
                "one that does not answer 200 (a page past the last, or an error) is replaced "
                "by another draw of the same kind or dropped, as each section reports "
                "(`bench/out/catalogue-mix-N-refused.txt`). Its *bytes* are the mean body size. "
                "It is measured warm (every distinct path asked once, then the mix sent for the "
                f"warm-up time and at least {MIX_WARMUP} s, some ten passes over the list, so "
                "that each of the two workers, which keep their rendered pages apart, has seen "
                "each path) and cold. Warm, it is a replay: nearly every answer is a page the "
                "server keeps. So it is also measured on *new draws*: after all the other "
                "rounds, the warm server is sent, one list a round, requests drawn the same "
                f"way with other seeds and never asked before ({MIX_NEW_REQUESTS:,} a list, or "
                f"{MIX_NEW_RATE:,} per second of the run if more, so that wrk never comes back "
                "to a path; `bench/out/catalogue-mix-N-new-R.txt`); only their popular paths "
                "(the catalogue, common words) come back from the replayed list. They are not "
                "checked first (that would show them to the server): a page past the last "
                "answers 404, counted in *errors* with any other answer but 2xx, and they are "
                "not compared with the cold rows, whose paths all answer 200. Real traffic, "
                "with a long tail, lies between the two warm rows; no target applies to the "
                "new draws.",
                "Targets (issue 16; 2 workers, 4 concurrent clients; shares of the bare Flask "
                "control's req/s unless said): at 150,000 courses, the mix p95 ≤ 50 ms and ≥ "
                "15%, the mix cold p95 ≤ 150 ms, a course page ≥ 35%, `/courses` without "
                "parameters ≥ 30%, `flask seed --courses 150000` under 3 minutes (timed when "
                "the benchmark builds its database, and kept with it), and, as before, `q + 2 "
                "filters` ≥ 15% of the in-app control with p95 ≤ 50 ms; at 1,500 courses, the "
                "mix ≥ 40%, a course page ≥ 50% and `q + 2 filters` ≥ 40% of the in-app "
                "control; at every size, the catalogue page's HTML + CSS ≤ 60 KB gzipped. The "
                "*target* column says met or not met; the line under the table counts them.",
            )
        )
        + "\n"
    )
    sections: dict[int, str] = {}
    if RESULTS.exists():
        for match in re.finditer(
            r"<!-- bench:courses=(\d+) -->\n(.*?)<!-- /bench:courses=\1 -->",
            RESULTS.read_text(),
            re.DOTALL,
        ):
            sections[int(match.group(1))] = match.group(2)
    sections[courses] = section
    body = "".join(
        f"\n<!-- bench:courses={n} -->\n{sections[n]}<!-- /bench:courses={n} -->\n"
        for n in sorted(sections)
    )
    # What follows the catalogue's sections (bench/certificate.py's section and the notes
    # written by hand under it) is kept as it is.
    others = ""
    if RESULTS.exists():
        found = re.search(r"<!-- bench:(?!courses=)[\w-]+ -->", RESULTS.read_text())
        if found is not None:
            others = "\n" + RESULTS.read_text()[found.start() :]
    RESULTS.write_text(intro + body + others)


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=1500, help="catalogue size (seeded)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent wrk connections")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (median is reported)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per page")
    parser.add_argument("--q", default=PREFERRED_QUERY[0], help="search word of the q pages")
    parser.add_argument("--category", help="category slug of the q + 2 filters page")
    parser.add_argument("--method", help="method of the q + 2 filters page")
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
    parts = [
        ".venv/bin/python bench/catalogue.py",
        f"--courses {args.courses}",
        f"--duration {args.duration}",
        f"--connections {args.connections}",
        f"--rounds {args.rounds}",
        f"--warmup {args.warmup}",
    ]
    if args.q != PREFERRED_QUERY[0]:
        parts.append(f"--q {args.q}")
    if args.category:
        parts.append(f"--category {args.category}")
    if args.method:
        parts.append(f"--method {args.method}")
    return " ".join(parts)


def run_page(page: Page, bases: dict[str, str], duration: int, connections: int) -> WrkResult:
    """One bounded wrk run of a page on its server (the mix through bench/catalogue_mix.lua)."""
    if page.mix is None:
        return run_wrk(bases[page.server] + page.path, duration, connections)
    mix_file = page.mix.file
    if page.new_lists:
        mix_file = page.new_lists[len(page.rounds) % len(page.new_lists)]
    env = {
        "BENCH_MIX": str(mix_file),
        "BENCH_THREADS": str(max(1, min(2, connections))),
    }
    output = wrk_output(
        bases[page.server] + "/courses", duration, connections, script=MIX_LUA, env=env
    )
    return parse_wrk_output(output)


def ratio_line(pages: list[Page]) -> str:
    """The pages measured warm and cold against the controls, in words."""
    by_key = {page.key: page for page in pages}

    def measured(key: str) -> Page | None:
        page = by_key.get(key)
        return page if page is not None and not page.refused and page.ratios else None

    sentences = []
    for warm_key, cold_key, name in (
        ("q2f", "q2f_cold", "`q + 2 filters`"),
        ("broad", "broad_cold", "the broad query"),
        ("mix", "mix_cold", "the realistic mix"),
    ):
        warm, cold = measured(warm_key), measured(cold_key)
        if warm is None or cold is None:
            continue
        speedup = median(warm.ratios) / median(cold.ratios)
        sentences.append(
            f"{name} runs at {median(warm.ratios):.2f} of the in-app control and "
            f"{median(warm.bare_ratios):.2f} of bare Flask warm, {median(cold.ratios):.2f} and "
            f"{median(cold.bare_ratios):.2f} cold (nothing kept): {speedup:.1f}× as fast warm"
        )
    if not sentences:
        return "No page was measured both warm and cold."
    return "Warm and cold: " + "; ".join(sentences) + "."


def measure(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make bench` installs Debian's wrk package")
    began = time.time()
    db_path = ensure_database(args.courses, args.rebuild)
    ready = db_path.with_suffix(".ready")
    build = read_build(ready)
    build.reused = ready.stat().st_mtime < began
    pages, note = choose_pages(db_path, args)
    by_key = {page.key: page for page in pages}
    log = OUT / f"gunicorn-{args.courses}.log"
    log.write_bytes(b"")

    # First start: fetch the pages once, for their sizes and the control's size, and check
    # every path of the realistic mix. A page that does not answer 200 is not measured.
    probe = Server(db_path, 0, log)
    try:
        bodies: dict[str, bytes] = {}
        for page in pages:
            if page.server != "app" or page.key == "control":
                continue
            status, body = probe.get(page.path)
            if status == 200:
                bodies[page.key] = body
            else:
                page.refused = f"answered {status}" if status else "no answer"
                print(f"Note: GET {page.path} {page.refused}: not measured (see {log.name})")
        reference = next((key for key in ("q2f", "all", "q") if key in bodies), None)
        if reference is None:
            raise SystemExit(f"no catalogue page answered 200: nothing to measure (see {log})")
        html = bodies[reference].decode("utf-8")
        css_paths = stylesheets(html) or ["/static/css/site.css"]
        css = b"".join(probe.fetch(path) for path in css_paths)
        print("Checking the paths of the realistic mix ...", flush=True)
        mix = build_mix(db_path, args.courses, probe.base)
    finally:
        probe.stop()
    mix_path = str(mix.file.relative_to(REPO))
    mix_label = f"realistic mix ({mix.distinct:,} distinct URLs, {mix.distinct_queries} queries)"
    new_lists = draw_new_lists(db_path, args.courses, args.rounds, args.duration)
    pages += [
        Page("mix", mix_label, mix_path, mix=mix),
        Page(
            "mix_new",
            "realistic mix, new draws (warm server, paths mostly not asked before)",
            str(new_lists[0].relative_to(REPO)).replace("-new-1.txt", "-new-R.txt"),
            mix=mix,
            new_lists=new_lists,
        ),
        Page("mix_cold", f"{mix_label}, {COLD}", mix_path, "cold", mix=mix),
    ]
    mix_note = mix.description()
    control_bytes = len(bodies[reference])
    for page in pages:
        page.size = mix.mean_bytes if page.mix else len(bodies.get(page.key, b"")) or control_bytes
    control, bare = pages[0], pages[1]
    measured_pages = pages[2:]

    reference_name = by_key[reference].label
    html_gz, css_gz = gzip_size(bodies[reference]), gzip_size(css)
    total_kb = (html_gz + css_gz) / KB
    size_line = (
        f"Catalogue page (`{reference_name}`) gzipped: HTML {html_gz / KB:.1f} KB "
        f"({len(bodies[reference]) / KB:.1f} KB raw) + CSS {css_gz / KB:.1f} KB "
        f"({len(css) / KB:.1f} KB raw, {', '.join(f'`{p}`' for p in css_paths)}) = "
        f"**{total_kb:.1f} KB**; target ≤ {TARGET_GZIP_KB:.0f} KB: "
        f"{'met' if total_kb <= TARGET_GZIP_KB else 'not met'}"
    )
    build_line = build.line(args.courses)
    print(note)
    print(f"Realistic mix: {mix_note}".replace("`", ""))
    print(f"Database: {build_line}".replace("`", ""))
    print(size_line.replace("**", ""))

    load_before = load_average()
    store = ResultsStore(OUT)
    shared = {"RESULTS_STORE_URL": store.url} if store.url else None
    server = bare_server = cold_server = None
    try:
        server = Server(db_path, control_bytes, log, extra_env=shared)
        bare_server = Server(db_path, control_bytes, log, command=bare_gunicorn_command)
        cold_server = Server(db_path, control_bytes, log, extra_env={"BENCH_KEEP_PARTS": "0"})
        bases = {"app": server.base, "bare": bare_server.base, "cold": cold_server.base}
        for served_by in (server, bare_server):
            served = len(served_by.fetch("/_bench/control"))
            if served != control_bytes:
                raise RuntimeError(f"control page is {served} bytes, expected {control_bytes}")
        for page in pages:
            if page.server != "cold" or page.mix is not None:
                continue
            warm = by_key.get(page.key.removesuffix("_cold"))
            status, body = cold_server.get(page.path)
            if status != 200:
                page.refused = f"answered {status}" if status else "no answer"
                print(f"Note: GET {page.path} on the cold server {page.refused}: not measured")
                continue
            page.size = len(body)
            if warm is not None and warm.key in bodies and body != bodies[warm.key]:
                print(f"Note: the cold server's `{warm.label}` page differs from the warm one's")
        # The warm server has been asked for every distinct path of the mix once, as a server
        # that has been serving such traffic for a while has.
        print("Asking the warm server for every distinct path of the mix once ...", flush=True)
        distinct = list(dict.fromkeys(mix.paths))
        answers = probe_all(server.base, distinct)
        others = Counter(status for status, _size in answers if status != 200)
        if others:
            print(
                "Note: on the warm server, "
                + ", ".join(f"{n} × {s or 'no answer'}" for s, n in sorted(others.items()))
                + f" of {len(distinct):,} paths of the mix did not answer 200"
            )
        measured_pages = [page for page in measured_pages if not page.refused]
        # The cold server is warmed up too: it keeps no rendered part, but its workers have
        # loaded their templates and opened the database like the others'.
        print(
            f"Warming up ({args.warmup} s per page, the mix on the warm server at least "
            f"{MIX_WARMUP} s) ...",
            flush=True,
        )
        for page in [control, bare, *measured_pages]:
            if page.new_lists:
                continue  # new draws stay new
            seconds = args.warmup
            if page.mix is not None and page.server != "cold":
                # Each of the warm server's workers keeps its own rendered pages, and the paths
                # asked once above went to whichever worker took them: the mix is sent over and
                # over (some ten times in all) so that both have seen each.
                seconds = max(seconds, MIX_WARMUP)
            if seconds:
                run_page(page, bases, seconds, args.connections)
        # The new draws come after every round of the others: the pages they make the warm
        # server keep would push the mix's own out of its stores.
        rounds = [
            (number, page)
            for later in (False, True)
            for number in range(1, args.rounds + 1)
            for page in measured_pages
            if bool(page.new_lists) is later
        ]
        for number, page in rounds:
            # Interleaved: both controls run just before each page, and the page's ratios are
            # to those runs, so a change in the machine's speed affects all three alike.
            for measured in (control, bare, page):
                result = run_page(measured, bases, args.duration, args.connections)
                measured.rounds.append(result)
                if measured.new_lists and result.requests > new_list_length(args.duration):
                    print(
                        f"Note: the new draws sent {result.requests:,} requests, more than "
                        "their list holds: some went to paths the server had seen"
                    )
                print(
                    f"round {number}/{args.rounds} {measured.label:<28} "
                    f"{result.rps:8.1f} req/s  p50 {fmt_ms(result.p50_ms):>6} ms  "
                    f"p95 {fmt_ms(result.p95_ms):>6} ms  p99 {fmt_ms(result.p99_ms):>6} ms  "
                    f"errors {result.errors}",
                    flush=True,
                )
            if control.rounds[-1].rps:
                page.ratios.append(page.rounds[-1].rps / control.rounds[-1].rps)
            if bare.rounds[-1].rps:
                page.bare_ratios.append(page.rounds[-1].rps / bare.rounds[-1].rps)
                control.bare_ratios.append(control.rounds[-1].rps / bare.rounds[-1].rps)
            if control.rounds[-1].rps:
                bare.ratios.append(bare.rounds[-1].rps / control.rounds[-1].rps)
    finally:
        for started in (cold_server, bare_server, server):
            if started is not None:
                started.stop()
        store.stop()

    load_after = load_average()
    info = machine()
    rows = table(pages, args.courses)
    ratios = ratio_line(pages)
    verdict = targets_line(pages, args.courses, build)
    config = (
        f"gunicorn {GUNICORN_WORKERS} workers × {GUNICORN_THREADS} thread, "
        f"`--worker-class {GUNICORN_WORKER_CLASS}`, on 127.0.0.1, serving both the control and "
        f"the pages, a second gunicorn with the same settings serving the bare Flask "
        f"control (`bench/bareapp.py`), and a third, the same again, serving the cold pages "
        f"(`bench/benchapp.py` with `BENCH_KEEP_PARTS=0`); "
        + (
            "the first one's two workers share result pages through a redis-server on "
            "127.0.0.1 (`RESULTS_STORE_URL`); "
            if shared
            else "no redis-server: results kept per worker only; "
        )
        + f"wrk `-t{max(1, min(2, args.connections))} -c{args.connections} "
        f"-d{args.duration}s --latency` per page and round, {args.rounds} "
        f"round{'s' if args.rounds != 1 else ''}, "
        f"{args.warmup} s warm-up per page (the mix on the warm server at least {MIX_WARMUP} s, "
        "after every distinct path of it was asked once; the new draws none); "
        "SQLite database `bench/out/catalogue-"
        f"{args.courses}.db` (`flask seed --courses {args.courses}`), SECRET_KEY=bench"
    )
    section_lines = [
        f"## {args.courses:,} courses",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {info['nproc']} cores ({info['cpu']}), {info['memory']} memory, {info['os']}",
        f"- Software: Python {info['python']}, SQLite {info['sqlite']}, {info['gunicorn']}, "
        f"{info['wrk']}",
        f"- Command: `{command_line(args)}`",
        f"- Load average (1 min) before and after the measured runs: {load_before}, "
        f"{load_after} (on {info['nproc']} cores; above about 1 the benchmark shared the "
        "machine with other work and its figures are noisier)",
        f"- Config: {config}",
        f"- Database: {build_line}",
        f"- Pages: {note} The broad query: `{BROAD_QUERY}`.",
        f"- Realistic mix: {mix_note}",
        "",
        *rows,
        "",
        verdict,
        "",
        ratios,
        "",
        size_line,
        "",
    ]
    section = "\n".join(section_lines)
    print()
    print("\n".join(rows))
    print()
    print(verdict.replace("`", ""))
    print()
    print(ratios.replace("`", ""))
    print()
    print(size_line.replace("**", ""))
    if not args.no_write:
        write_results(args.courses, section)
        print(f"\nWrote the {args.courses:,}-course section of {RESULTS.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # SIGTERM ends the run through the finally blocks, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    measure(args)


if __name__ == "__main__":
    main()
