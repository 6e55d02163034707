"""Catalogue benchmark: throughput and latency of the catalogue pages under load.

    .venv/bin/python bench/catalogue.py [--courses 1500|150000] [--duration 10] [--connections 4]

1. Builds (or reuses) bench/out/catalogue-N.db, a SQLite database migrated with `flask db
   upgrade` and filled with `flask seed --courses N`.
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
5. Prints a table and the gzipped size of the catalogue's HTML + CSS, and writes the section for
   this catalogue size in bench/RESULTS.md (the other sizes' sections are kept).

Warm and cold. The app keeps rendered parts of pages (marketplace/web/fragments.py): course
cards under their database row, filter forms under what was typed, and, for a visitor not signed
in and without a session (as wrk is), whole catalogue pages under the language, path, query
string and result rows. Every page is first loaded for --warmup seconds, so the single-URL rows
are warm: after the first request a page is mostly, or wholly, served from what was kept.
The `q + 2 filters` page is also measured on the cold server, which keeps nothing and draws
every part on every request: what a page costs the first time it is asked for. (The cold
server is warmed up too, which only loads its templates and opens its database.)

The realistic mix (bench/catalogue_mix.lua): wrk sends, request after request, the next path
of a list of MIX_REQUESTS (2,000) paths written to bench/out/catalogue-mix-N.txt, each thread
from its own place in the list, starting over at its end. The list is drawn with fixed seeds
from the benchmark database (read-only), so every run at a size sends the same requests.
First MIX_CANDIDATES (20,000) distinct requests are drawn and ranked in the order drawn (the
catalogue without parameters first), each one of: a search (55%) for a word of an approved
course's title (3+ letters, lowercase, common words likelier), sometimes with a second word
of the same title, with that title's category and/or method as filters, a sort (price_asc,
rating, newest) or page 2; a category page (20%), some with a method, a sort or a later page;
the whole catalogue sorted or paged (5%); a course page (20%, the most enrolled likelier). A
request drawn again is skipped, so the lower ranks are mostly searches, which vary the most.
The list then draws from the ranks with a Zipf-like skew, rank k in proportion to 1 / k^0.9:
a few requests come back often, most come once or twice, and there are more distinct pages
than the app keeps whole. Each distinct path is checked once before the measurement; one
that does not answer 200 is replaced by another draw, or dropped, and the benchmark says how
many. The mix is measured warm (after its warm-up, on the server that keeps parts) and cold.

A script that prints figures, not a test: nothing here asserts a timing. All traffic goes to
127.0.0.1, every wrk run is bounded by --duration, and gunicorn is stopped at exit.
"""

from __future__ import annotations

import argparse
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

# What the figures are judged against.
TARGET_RATIO = {1500: 0.40, 150_000: 0.15}
TARGET_P95_MS = {150_000: 50.0}
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
    """A digest of the migrations and the seed code; a cached database is rebuilt on a change."""
    digest = hashlib.sha256()
    sources = [
        *sorted((REPO / "migrations" / "versions").glob("*.py")),
        *sorted((REPO / "marketplace" / "seed_data").glob("*")),
        REPO / "marketplace" / "services" / "seeding.py",
    ]
    for source in sources:
        if source.is_file():
            digest.update(source.relative_to(REPO).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def ensure_database(courses: int, rebuild: bool = False) -> Path:
    """bench/out/catalogue-N.db, built with `flask db upgrade` and `flask seed --courses N`.

    Reused while the migrations and the seed code are unchanged (bench/out/catalogue-N.ready
    holds their fingerprint); rebuilt otherwise, or with --rebuild.
    """
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / f"catalogue-{courses}.db"
    ready = db_path.with_suffix(".ready")
    fingerprint = seed_fingerprint()
    if not rebuild and db_path.exists() and ready.exists():
        if ready.read_text().split()[0] == fingerprint:
            print(f"Reusing {db_path.relative_to(REPO)}")
            return db_path
        print("The migrations or the seed code changed since the database was built.")
    for stale in (db_path, ready, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    env = flask_env(db_path)
    flask = [sys.executable, "-m", "flask"]
    print(f"Building {db_path.relative_to(REPO)} with {courses:,} courses ...", flush=True)
    started = time.monotonic()
    subprocess.run([*flask, "db", "upgrade"], cwd=REPO, env=env, check=True)
    subprocess.run([*flask, "seed", "--courses", str(courses)], cwd=REPO, env=env, check=True)
    elapsed = time.monotonic() - started
    ready.write_text(f"{fingerprint} seeded {courses} courses in {elapsed:.0f} s\n")
    print(f"Seeded in {elapsed:.0f} s")
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
    size: int = 0
    rounds: list[WrkResult] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    bare_ratios: list[float] = field(default_factory=list)  # to the bare Flask control


def choose_pages(db_path: Path, args: argparse.Namespace) -> tuple[list[Page], str]:
    """The controls and the catalogue pages (the `q + 2 filters` page twice, warm and cold),
    with slugs that exist in this database; the realistic mix is added by measure()."""
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
MIX_CANDIDATES = 20_000  # distinct requests, most asked-for first, the list is drawn from
MIX_ZIPF_EXPONENT = 0.9  # the k-th most asked-for request is drawn in proportion to 1 / k^0.9
MIX_SEED = 20261205  # fixed: every run draws the same requests in the same order
MIX_SORTS = ("price_asc", "rating", "newest")
MIX_TRIES = 5  # draws to replace a path that does not answer 200
# Words of titles that nobody searches for on their own.
MIX_SKIPPED_WORDS = frozenset(
    {"dan", "dari", "dalam", "dengan", "untuk", "bagi", "yang", "para", "atau", "pada", "the"}
)
MIX_KINDS = {
    "search": "searches",
    "browse": "category pages",
    "catalogue": "the whole catalogue",
    "course": "course pages",
}


@dataclass
class Mix:
    """The realistic mix: the paths wrk sends, in order, and how the list came out."""

    file: Path
    paths: list[str]
    kinds: Counter  # requests by kind (MIX_KINDS)
    mean_bytes: int
    replaced: int  # distinct paths drawn that did not answer 200, replaced by other draws
    dropped: int  # ... and those for which no other draw answered 200 either
    refused: Counter  # the statuses of the paths replaced or dropped

    @property
    def distinct(self) -> int:
        return len(set(self.paths))

    def description(self) -> str:
        counts = Counter(self.paths)
        top_path, top_count = counts.most_common(1)[0]
        once = sum(1 for n in counts.values() if n == 1)
        twice = sum(1 for n in counts.values() if n == 2)
        total = len(self.paths)
        kinds = ", ".join(
            f"{name} {self.kinds[kind] / total:.0%}" for kind, name in MIX_KINDS.items()
        )
        refused = ", ".join(f"{n} × {status}" for status, n in sorted(self.refused.items()))
        return (
            f"`{self.file.relative_to(REPO)}`: {total:,} requests, {self.distinct:,} distinct "
            f"paths ({once:,} sent once, {twice:,} twice; the most frequent, `{top_path}`, "
            f"{top_count} times); {kinds}; mean body {self.mean_bytes:,} bytes. "
            f"{self.replaced + self.dropped} distinct paths drawn did not answer 200"
            f"{f' ({refused})' if refused else ''}: {self.replaced} replaced by another draw, "
            f"{self.dropped} dropped."
        )


@dataclass
class _TitleRow:
    words: frozenset[str]
    category: str
    method: str


@dataclass
class _Catalogue:
    """What the mix is drawn from: the words of approved titles, categories, courses."""

    rows: list[_TitleRow]
    words: list[str]  # most frequent first
    word_weights: list[int]  # cumulative, for random.choices
    rows_with: dict[str, list[int]]  # word -> indexes of the rows whose title has it
    categories: list[str]
    category_weights: list[int]  # cumulative
    sizes: Counter  # approved courses by category, and by (category, method)
    methods: list[str]
    slugs: list[str]  # approved courses, most enrolled first
    slug_weights: list[int]  # cumulative
    listed: int


def read_catalogue(connection: sqlite3.Connection) -> _Catalogue:
    """The approved courses' title words, categories, methods and slugs."""
    rows: list[_TitleRow] = []
    frequency: Counter = Counter()
    rows_with: dict[str, list[int]] = {}
    sizes: Counter = Counter()
    query = (
        "SELECT course.title, category.slug, course.method FROM course "
        "JOIN category ON category.id = course.category_id "
        "WHERE course.status = 'approved' ORDER BY course.id"
    )
    for title, category, method in connection.execute(query):
        words = frozenset(
            word
            for word in re.findall(r"[a-z]+", title.lower())
            if len(word) >= 3 and word not in MIX_SKIPPED_WORDS
        )
        for word in words:
            rows_with.setdefault(word, []).append(len(rows))
        frequency.update(words)
        sizes[category] += 1
        sizes[category, method] += 1
        rows.append(_TitleRow(words, category, method))
    words = [word for word, _ in sorted(frequency.items(), key=lambda item: (-item[1], item[0]))]
    categories = sorted({row.category for row in rows}, key=lambda slug: (-sizes[slug], slug))
    slugs = [
        slug
        for (slug,) in connection.execute(
            "SELECT slug FROM course WHERE status = 'approved' "
            "ORDER BY enrolment_count DESC, id LIMIT 5000"
        )
    ]
    return _Catalogue(
        rows=rows,
        words=words,
        word_weights=list(itertools.accumulate(frequency[word] for word in words)),
        rows_with=rows_with,
        categories=categories,
        category_weights=list(itertools.accumulate(sizes[slug] for slug in categories)),
        sizes=sizes,
        methods=sorted({row.method for row in rows}),
        slugs=slugs,
        slug_weights=list(itertools.accumulate(len(slugs) - i for i in range(len(slugs)))),
        listed=len(rows),
    )


def _mix_request(rng: random.Random, catalogue: _Catalogue) -> tuple[str, str]:
    """One request someone might make: its kind (MIX_KINDS) and path.

    A search is for a title word (the more titles have it, the likelier), sometimes with a
    second word of the same title, and with that title's category and method as filters, so
    it finds something. Page 2 is asked for only where titles alone give more than a page.
    """
    roll = rng.random()
    params: dict[str, str | int] = {}
    if roll < 0.55:
        kind = "search"
        word = rng.choices(catalogue.words, cum_weights=catalogue.word_weights)[0]
        candidates = catalogue.rows_with[word]
        row = catalogue.rows[rng.choice(candidates)]
        terms = [word]
        others = sorted(row.words - {word})
        if others and rng.random() < 0.25:
            terms.append(rng.choice(others))
        params["q"] = " ".join(terms)
        if rng.random() < 0.3:
            params["category"] = row.category
        if rng.random() < 0.25:
            params["method"] = row.method
        if rng.random() < 0.25:
            params["sort"] = rng.choice(MIX_SORTS)
        if rng.random() < 0.2:
            found = sum(
                1
                for index in candidates
                if set(terms) <= catalogue.rows[index].words
                and params.get("category", catalogue.rows[index].category)
                == catalogue.rows[index].category
                and params.get("method", catalogue.rows[index].method)
                == catalogue.rows[index].method
            )
            if found > PAGE_SIZE:
                params["page"] = 2
    elif roll < 0.75:
        kind = "browse"
        category = rng.choices(catalogue.categories, cum_weights=catalogue.category_weights)[0]
        params["category"] = category
        size = catalogue.sizes[category]
        if rng.random() < 0.2:
            params["method"] = method = rng.choice(catalogue.methods)
            size = catalogue.sizes[category, method]
        if rng.random() < 0.3:
            params["sort"] = rng.choice(MIX_SORTS)
        pages = math.ceil(size / PAGE_SIZE)
        if pages > 1 and rng.random() < 0.3:
            params["page"] = rng.randint(2, min(pages, 5))
    elif roll < 0.8:
        kind = "catalogue"
        pages = math.ceil(catalogue.listed / PAGE_SIZE)
        if pages > 1 and rng.random() < 0.4:
            params["page"] = rng.randint(2, min(pages, 5))
        if not params or rng.random() < 0.5:
            params["sort"] = rng.choice(MIX_SORTS)
    else:
        slug = rng.choices(catalogue.slugs, cum_weights=catalogue.slug_weights)[0]
        return "course", f"/courses/{urllib.parse.quote(slug)}"
    return kind, f"/courses?{urllib.parse.urlencode(params)}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer other than 200, not followed


_PROBE = urllib.request.build_opener(_NoRedirect)


def probe_path(base: str, path: str) -> tuple[int, int]:
    """(status, body bytes) of one GET of a loopback path, redirects not followed."""
    try:
        with _PROBE.open(f"{base}{path}", timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def build_mix(db_path: Path, courses: int, base: str) -> Mix:
    """The realistic mix for this database, each distinct path checked once on `base`.

    MIX_CANDIDATES distinct requests are drawn (seeded) and ranked in the order drawn, the
    catalogue without parameters first; MIX_REQUESTS paths are then drawn from them with a
    Zipf-like skew (rank k in proportion to 1 / k^MIX_ZIPF_EXPONENT), in that order. A
    distinct path that does not answer 200 is replaced everywhere by another draw that does
    (MIX_TRIES tries, from a second seeded generator), or dropped.
    """
    rng = random.Random(MIX_SEED)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        catalogue = read_catalogue(connection)
    candidates = [("catalogue", "/courses")]
    seen = {"/courses"}
    for _ in range(MIX_CANDIDATES * 20):
        if len(candidates) >= MIX_CANDIDATES:
            break
        kind, path = _mix_request(rng, catalogue)
        if path not in seen:
            seen.add(path)
            candidates.append((kind, path))
    zipf = itertools.accumulate(
        1 / rank**MIX_ZIPF_EXPONENT for rank in range(1, len(candidates) + 1)
    )
    drawn = rng.choices(range(len(candidates)), cum_weights=list(zipf), k=MIX_REQUESTS)
    ranks = list(dict.fromkeys(drawn))
    with ThreadPoolExecutor(GUNICORN_WORKERS) as pool:
        answers = list(pool.map(lambda rank: probe_path(base, candidates[rank][1]), ranks))
    spare = random.Random(MIX_SEED + 1)
    kept: dict[int, tuple[str, str, int]] = {}
    replaced = dropped = 0
    refused: Counter = Counter()
    for rank, (status, size) in zip(ranks, answers, strict=True):
        kind, path = candidates[rank]
        if status != 200:
            refused[status] += 1
            for _ in range(MIX_TRIES):
                kind, path = _mix_request(spare, catalogue)
                if path in seen:
                    continue
                seen.add(path)
                status, size = probe_path(base, path)
                if status == 200:
                    break
            if status != 200:
                dropped += 1
                continue
            replaced += 1
        kept[rank] = (kind, path, size)
    chosen = [kept[rank] for rank in drawn if rank in kept]
    if not chosen:
        raise SystemExit("no path of the realistic mix answered 200")
    mix_file = OUT / f"catalogue-mix-{courses}.txt"
    mix_file.write_text("".join(f"{path}\n" for _, path, _ in chosen))
    return Mix(
        file=mix_file,
        paths=[path for _, path, _ in chosen],
        kinds=Counter(kind for kind, _, _ in chosen),
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


def targets_for(courses: int) -> tuple[float | None, float | None]:
    return TARGET_RATIO.get(courses), TARGET_P95_MS.get(courses)


def judge(page: Page, courses: int) -> str:
    """The target this page is judged against at this size, and whether the figures meet it."""
    if page.key != "q2f":
        return ""
    ratio_target, p95_target = targets_for(courses)
    if ratio_target is None and p95_target is None:
        return f"no target set for {courses:,} courses"
    parts, met = [], True
    ratio = median(page.ratios)
    if ratio_target is not None:
        parts.append(f"≥ {ratio_target:.0%} of control")
        met &= ratio >= ratio_target
    if p95_target is not None:
        p95 = median([r.p95_ms for r in page.rounds if r.p95_ms is not None])
        parts.append(f"p95 ≤ {p95_target:.0f} ms")
        met &= p95 <= p95_target
    return f"{', '.join(parts)}: {'met' if met else 'NOT met'}"


def table(pages: list[Page], courses: int) -> list[str]:
    header = (
        "| page | path | bytes | req/s | req/s by round | p50 ms | p95 ms | p99 ms "
        "| vs control | vs bare Flask | errors | target |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for page in pages:
        rps = median([r.rps for r in page.rounds])
        if page.key in ("control", "bare"):
            runs = [r.rps for r in page.rounds]
            by_round = f"{min(runs):.0f}–{max(runs):.0f} ({len(runs)} runs)" if runs else ""
        else:
            by_round = " / ".join(f"{r.rps:.0f}" for r in page.rounds)
        p95s = [r.p95_ms for r in page.rounds if r.p95_ms is not None]
        ratio = "1.00" if page.key == "control" else f"{median(page.ratios):.2f}"
        bare_ratio = "1.00" if page.key == "bare" else f"{median(page.bare_ratios):.2f}"
        path, size = f"`{page.path}`", f"{page.size:,}"
        if page.mix is not None:
            path += f" ({len(page.mix.paths):,} paths in turn)"
            size += " (mean)"
        lines.append(
            f"| {page.label} | {path} | {size} | {rps:.0f} | {by_round} "
            f"| {fmt_ms(median([r.p50_ms for r in page.rounds]))} "
            f"| {fmt_ms(median(p95s) if p95s else None)} "
            f"| {fmt_ms(median([r.p99_ms for r in page.rounds]))} "
            f"| {ratio} | {bare_ratio} | {sum(r.errors for r in page.rounds)} "
            f"| {judge(page, courses)} |"
        )
    return lines


def write_results(courses: int, section: str) -> None:
    """Replace (or add) this size's section in bench/RESULTS.md, keeping the others."""
    intro = (
        "\n\n".join(
            textwrap.fill(paragraph, width=100)
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
                "(`marketplace/web/fragments.py`): course cards under their database row, "
                "filter forms under what was typed and, "
                "for a visitor not signed in and without a session (as wrk is), whole "
                "catalogue pages under the language, path, query string and result rows. Every "
                "page is loaded for the warm-up time before the rounds, so the single-URL rows "
                "are warm: served mostly, or wholly, from what was kept. The *cold (nothing "
                "kept)* rows are measured on a third gunicorn, the same settings again, serving "
                "`bench/benchapp.py` with `BENCH_KEEP_PARTS=0` (the app created with "
                "`KEEP_RENDERED_PARTS` off): every part is drawn afresh on every request, as "
                "for a page asked for the first time. Their ratios are to the same controls, "
                "run just before them on the other two servers.",
                "The realistic mix: `bench/catalogue_mix.lua` makes wrk send, request after "
                "request, the next path of a list of 2,000 (`bench/out/catalogue-mix-N.txt`, "
                "each thread from its own place in it, starting over at its end), not one URL. "
                "The list is drawn with fixed seeds from the benchmark database, so runs at a "
                "size send the same requests: 20,000 distinct requests ranked in the order "
                "drawn (the catalogue without parameters first): searches (55%) for words of "
                "approved course titles (3+ letters, lowercase, common words likelier), "
                "sometimes two words of one title, some with that title's category and/or "
                "method as filters, a sort (`price_asc`, `rating`, `newest`) or page 2; "
                "category pages (20%), some with a method, sort or later page; the whole "
                "catalogue sorted or paged (5%); course pages (20%, the most enrolled "
                "likelier); a request drawn again is skipped, so the lower ranks are mostly "
                "searches, which vary the most. The 2,000 are drawn from the ranks with a "
                "Zipf-like skew (rank k in "
                "proportion to 1 / k^0.9): a few come back often, most once or twice, more "
                "distinct pages than the app keeps whole. Every distinct path is checked once "
                "before the rounds; one that does not answer 200 is replaced by another draw "
                "or dropped (each section says how many). Its *bytes* are the mean body size. "
                "It is measured warm, after its warm-up, and cold, on the cold server.",
                "Targets: at 1,500 courses, `q + 2 filters` (warm) ≥ 40% of the control's "
                "req/s; at "
                "150,000 courses, its p95 ≤ 50 ms with 4 concurrent clients and ≥ 15% of the "
                "control's req/s; the catalogue page's HTML + CSS ≤ 60 KB gzipped.",
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
    env = {
        "BENCH_MIX": str(page.mix.file),
        "BENCH_THREADS": str(max(1, min(2, connections))),
    }
    output = wrk_output(
        bases[page.server] + "/courses", duration, connections, script=MIX_LUA, env=env
    )
    return parse_wrk_output(output)


def ratio_line(pages: list[Page]) -> str:
    """The cold `q + 2 filters` page and the mix against the controls, in words."""
    by_key = {page.key: page for page in pages}

    def ratios(key: str) -> str:
        page = by_key[key]
        return (
            f"{median(page.ratios):.2f} of the in-app control and "
            f"{median(page.bare_ratios):.2f} of bare Flask"
        )

    warm, cold = by_key["q2f"], by_key["q2f_cold"]
    speedup = median(warm.ratios) / median(cold.ratios) if cold.ratios else float("nan")
    mix = by_key["mix"].mix
    return (
        f"Cold, with nothing kept (`KEEP_RENDERED_PARTS` off), `q + 2 filters` runs at "
        f"{ratios('q2f_cold')}, against {ratios('q2f')} warm: kept parts make it "
        f"{speedup:.1f}× as fast. The realistic mix ({mix.distinct:,} distinct URLs in "
        f"{len(mix.paths):,} requests, Zipf) runs at {ratios('mix')} warm, and at "
        f"{ratios('mix_cold')} cold."
    )


def measure(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make bench` installs Debian's wrk package")
    db_path = ensure_database(args.courses, args.rebuild)
    pages, note = choose_pages(db_path, args)
    log = OUT / f"gunicorn-{args.courses}.log"
    log.write_bytes(b"")

    # First start: fetch the pages once, for their sizes and the control's size, and check
    # every path of the realistic mix.
    probe = Server(db_path, 0, log)
    try:
        bodies = {
            page.key: probe.fetch(page.path)
            for page in pages
            if page.server == "app" and page.key != "control"
        }
        html = bodies["q2f"].decode("utf-8")
        css_paths = stylesheets(html) or ["/static/css/site.css"]
        css = b"".join(probe.fetch(path) for path in css_paths)
        print("Checking the paths of the realistic mix ...", flush=True)
        mix = build_mix(db_path, args.courses, probe.base)
    finally:
        probe.stop()
    mix_path = str(mix.file.relative_to(REPO))
    mix_label = f"realistic mix ({mix.distinct:,} distinct URLs, Zipf)"
    pages += [
        Page("mix", mix_label, mix_path, mix=mix),
        Page("mix_cold", f"{mix_label}, {COLD}", mix_path, "cold", mix=mix),
    ]
    mix_note = mix.description()
    control_bytes = len(bodies["q2f"])
    for page in pages:
        page.size = mix.mean_bytes if page.mix else len(bodies.get(page.key, b"")) or control_bytes
    control, bare = pages[0], pages[1]
    measured_pages = pages[2:]

    html_gz, css_gz = gzip_size(bodies["q2f"]), gzip_size(css)
    total_kb = (html_gz + css_gz) / KB
    size_line = (
        f"Catalogue page (`q + 2 filters`) gzipped: HTML {html_gz / KB:.1f} KB "
        f"({len(bodies['q2f']) / KB:.1f} KB raw) + CSS {css_gz / KB:.1f} KB "
        f"({len(css) / KB:.1f} KB raw, {', '.join(f'`{p}`' for p in css_paths)}) = "
        f"**{total_kb:.1f} KB**; target ≤ {TARGET_GZIP_KB:.0f} KB: "
        f"{'met' if total_kb <= TARGET_GZIP_KB else 'NOT met'}"
    )
    print(note)
    print(f"Realistic mix: {mix_note}".replace("`", ""))
    print(size_line.replace("**", ""))

    load_before = load_average()
    server = Server(db_path, control_bytes, log)
    bare_server = cold_server = None
    try:
        bare_server = Server(db_path, control_bytes, log, command=bare_gunicorn_command)
        cold_server = Server(db_path, control_bytes, log, extra_env={"BENCH_KEEP_PARTS": "0"})
        bases = {"app": server.base, "bare": bare_server.base, "cold": cold_server.base}
        for served_by in (server, bare_server):
            served = len(served_by.fetch("/_bench/control"))
            if served != control_bytes:
                raise RuntimeError(f"control page is {served} bytes, expected {control_bytes}")
        cold_q2f = next(page for page in pages if page.key == "q2f_cold")
        cold_body = cold_server.fetch(cold_q2f.path)
        cold_q2f.size = len(cold_body)
        if cold_body != bodies["q2f"]:
            print("Note: the cold server's `q + 2 filters` page differs from the warm one's")
        if args.warmup:
            # The cold server is warmed up too: it keeps no rendered part, but its workers
            # have loaded their templates and opened the database like the others'.
            print(f"Warming up ({args.warmup} s per page) ...", flush=True)
            for page in pages:
                run_page(page, bases, args.warmup, args.connections)
        for number in range(1, args.rounds + 1):
            # Interleaved: both controls run just before each page, and the page's ratios are
            # to those runs, so a change in the machine's speed affects all three alike.
            for page in measured_pages:
                for measured in (control, bare, page):
                    result = run_page(measured, bases, args.duration, args.connections)
                    measured.rounds.append(result)
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
        for started in (cold_server, bare_server):
            if started is not None:
                started.stop()
        server.stop()

    load_after = load_average()
    info = machine()
    rows = table(pages, args.courses)
    ratios = ratio_line(pages)
    config = (
        f"gunicorn {GUNICORN_WORKERS} workers × {GUNICORN_THREADS} thread, "
        f"`--worker-class {GUNICORN_WORKER_CLASS}`, on 127.0.0.1, serving both the control and "
        f"the pages, a second gunicorn with the same settings serving the bare Flask "
        f"control (`bench/bareapp.py`), and a third, the same again, serving the cold pages "
        f"(`bench/benchapp.py` with `BENCH_KEEP_PARTS=0`); "
        f"wrk `-t{max(1, min(2, args.connections))} -c{args.connections} "
        f"-d{args.duration}s --latency` per page and round, {args.rounds} rounds, "
        f"{args.warmup} s warm-up per page; SQLite database `bench/out/catalogue-"
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
        f"- Pages: {note}",
        f"- Realistic mix: {mix_note}",
        "",
        *rows,
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
