"""Deterministic demo data for `flask seed`: reference tables, providers, courses, accounts.

`seed()` fills an empty catalogue, then the demo programme (demo/journeys.py).
Every random choice comes from `random.Random(seed)`, so the
same seed gives the same providers, courses, prices and texts on any database; only the dates
of webinar and offline sessions follow the day the seed runs, so that they are upcoming.

Reference rows (provinces, platforms, categories) are upserted by their code or slug, providers
and demo accounts are reused when they already exist, and when the catalogue already has
courses nothing is done at all: running the seed twice is safe.

The bulk of the work (courses, modules, sessions, question banks) is composed as plain rows
with explicit primary keys and written with chunked executemany calls straight through the
driver, so that 150,000 courses are written in about half a minute on SQLite (the search index
rebuild at the end takes longer). The service flushes but never commits; its caller owns the
transaction.

Every course gets a question bank for its pre-test and post-test, and every self-paced module
a lesson and a short quiz, written in Indonesian by `seed_data.lessons` from the category's
vocabulary. Their draws come from a random generator of their own, seeded from the seed
number, so that the catalogue (titles, prices, modules) is what the seed made before lessons
existed.

The demo agrees with itself, by the domain's rules rather than by luck: a session's seats are
taken only by the demo programme's orders (every seat written here is free), a course's
modules add up to its hours (`catalogue.courses.spread_minutes`), deadlines end a day in WIB
(demo/journeys.py) and places are shown by `core.indonesia.place_name`. `seed()` checks the
first two on what it wrote before it returns, and that every course has questions for its
tests and every self-paced module a lesson.
"""

import json
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

import sqlalchemy as sa

from marketplace.catalogue import courses as course_rules
from marketplace.catalogue import enrolments, search
from marketplace.catalogue.models import (
    Category,
    Course,
    CourseSession,
    CourseStatus,
    Level,
    Method,
    Module,
    Platform,
    Provider,
    Question,
    SessionStatus,
)
from marketplace.core import database
from marketplace.core.base import utcnow
from marketplace.core.models import Province
from marketplace.core.slugs import slugify
from marketplace.demo import curation, journeys
from marketplace.demo import incentives as demo_incentives
from marketplace.extensions import db
from marketplace.orders import seats
from marketplace.people import invitations
from marketplace.people.accounts import create_user, find_by_email
from marketplace.people.models import Role, User
from marketplace.seed_data import DEMO_PASSWORD, load_provinces, places
from marketplace.seed_data import lessons as learning_text
from marketplace.seed_data import organisations as org
from marketplace.seed_data import vocabulary as vocab

DEFAULT_SEED = 2020
DEFAULT_COURSES = 1500
PROVIDER_COUNT = 150
CHUNK_SIZE = 5000
# Courses besides the approved ones (draft, submitted, rejected, archived), as a share, and
# at most EXTRA_MOST: a large catalogue (the benchmark's) gets a queue the office could work
# through, and seeding its submitted courses' checks (each compared with its category's
# listed courses) stays within the time `flask seed --courses 150000` has.
EXTRA_SHARE = 0.03
EXTRA_MOST = 300
# The first approved courses all belong to the demo provider, so its portal has listings:
# (method, price) of each, so that whatever the seed, the demo programme's purchases
# (demo/journeys.py) and the README's walk find a webinar with sessions to book and cancel
# and self-paced courses to buy and redeem, within a card's balance.
DEMO_SHOWCASE: tuple[tuple[Method, int], ...] = (
    (Method.WEBINAR, 300_000),
    (Method.SELF_PACED, 250_000),
    (Method.SELF_PACED, 199_000),
    (Method.OFFLINE, 450_000),
    (Method.SELF_PACED, 349_000),
    (Method.WEBINAR, 150_000),
)
# The showcase course (an index of DEMO_SHOWCASE, self-paced) that asks for a skill
# demonstration: the demo programme leaves one waiting for the demo provider's decision.
DEMONSTRATION_SHOWCASE = 4
# The catalogue's life so far: from the programme's launch to the newest course.
CATALOGUE_START = datetime(2020, 4, 11)
CATALOGUE_END = datetime(2026, 11, 1)
_CATALOGUE_SECONDS = int((CATALOGUE_END - CATALOGUE_START).total_seconds())
# Session starts, in UTC: 09:00, 13:00 and 19:00 WIB.
SESSION_HOURS_UTC = (2, 6, 12)

_METHODS = (Method.SELF_PACED, Method.WEBINAR, Method.OFFLINE)
_METHOD_CUM = list(accumulate((60, 25, 15)))
_LEVELS = (Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED)
_LEVEL_CUM = list(accumulate((55, 35, 10)))
# Extra (non-approved) statuses and their weights; archived courses were once approved.
_EXTRA_STATUSES = (
    CourseStatus.DRAFT,
    CourseStatus.SUBMITTED,
    CourseStatus.REJECTED,
    CourseStatus.ARCHIVED,
)
_EXTRA_CUM = list(accumulate((35, 35, 20, 10)))
_SELF_PACED = Method.SELF_PACED.value
_SCHEDULED = SessionStatus.SCHEDULED.value


def _price_table() -> tuple[tuple[int, ...], list[int]]:
    """Prices (whole rupiah) with their cumulative weights: cheap courses are the most common.

    Round multiples of Rp50.000 from Rp100.000 to Rp1.000.000, plus "charm" prices such as
    Rp149.000 or Rp499.000.
    """
    prices: list[int] = []
    weights: list[int] = []
    for price in range(100_000, 1_000_001, 50_000):
        prices.append(price)
        weights.append(max(2, 40 - price // 25_000))
    for price in (149_000, 199_000, 249_000, 299_000, 349_000, 399_000, 499_000, 749_000, 999_000):
        prices.append(price)
        weights.append(max(4, 24 - price // 50_000))
    return tuple(prices), list(accumulate(weights))


_PRICES, _PRICE_CUM = _price_table()
# Hours of learning by method: (lowest, highest).
_HOURS = {Method.SELF_PACED: (2, 16), Method.WEBINAR: (3, 20), Method.OFFLINE: (8, 40)}
# The longest average module, in hours: a course of 40 hours has at least 8 modules.
MODULE_HOURS = 5


@dataclass(frozen=True)
class DemoAccount:
    """A demo account that `flask seed` creates, all with DEMO_PASSWORD."""

    email: str
    name: str
    role: Role


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("peserta@example.com", "Siti Rahayu", Role.PARTICIPANT),
    DemoAccount("lembaga@example.com", "Budi Santoso", Role.PROVIDER),
    DemoAccount("admin@example.com", "Kantor Program Prakerja", Role.ADMIN),
)


@dataclass(frozen=True)
class SeedReport:
    """What one run of seed() created. All counts are rows created by this run."""

    skipped: bool  # True when the catalogue already had courses and nothing was done
    provinces: int = 0
    platforms: int = 0
    categories: int = 0
    providers: int = 0
    courses: int = 0  # all statuses together
    courses_by_status: dict[str, int] = field(default_factory=dict)  # status value -> count
    modules: int = 0
    lessons: int = 0  # modules with a lesson (self-paced courses')
    questions: int = 0  # the question banks' questions, of tests and quizzes
    sessions: int = 0
    users: int = 0
    indexed: int = 0  # approved courses in the search index after the rebuild
    demo_accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS
    demo_password: str = DEMO_PASSWORD
    demo_provider: str | None = None  # name of the provider lembaga@example.com belongs to
    seed: int | None = None  # the random seed used (None when skipped)
    programme: str | None = None  # the demo programme's summary line
    curation_queue: int = 0  # courses waiting in the office's curation queue

    def describe(self) -> str:
        """A few lines for the command line: what was created, and how to sign in."""
        if self.skipped:
            lines = ["The catalogue already has courses: nothing was seeded."]
        else:
            statuses = ", ".join(
                f"{name} {count}" for name, count in self.courses_by_status.items()
            )
            lines = [
                f"Seeded the demo catalogue (seed {self.seed}):",
                f"  provinces {self.provinces}, platforms {self.platforms}, "
                f"categories {self.categories}, providers {self.providers}",
                f"  courses {self.courses} ({statuses})",
                f"  modules {self.modules} ({self.lessons} with a lesson), "
                f"questions {self.questions}, sessions {self.sessions}, "
                f"search index {self.indexed}, accounts {self.users}",
            ]
            if self.programme:
                lines.append(self.programme)
            lines.append(f"  {self.curation_queue} courses wait in the curation queue")
        lines.append(f"Demo accounts (password {self.demo_password}):")
        for account in self.demo_accounts:
            line = f"  {account.email:<22} {account.role.value:<12} {account.name}"
            if account.role is Role.PROVIDER and self.demo_provider:
                line += f" ({self.demo_provider})"
            lines.append(line)
        return "\n".join(lines)


class _PlannedProvider(NamedTuple):
    name: str
    province_code: str
    city: str
    platform: str  # slug
    categories: tuple[str, ...]  # slugs of the categories it teaches


class _ProviderRef(NamedTuple):
    id: int
    name: str
    city: str
    province_id: int
    province_code: str
    platform_id: int
    categories: tuple[str, ...]


def base36(number: int) -> str:
    """The number in base 36 with lower-case digits: 1500 -> '15o'."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def seed(seed: int = DEFAULT_SEED, courses: int = DEFAULT_COURSES) -> SeedReport:
    """Fill an empty catalogue with deterministic demo data; do nothing if it has courses.

    Creates the 38 provinces, the 8 platforms, the categories, about 150 providers, `courses`
    approved courses (plus about 3% more in draft, submitted, rejected and archived) with their
    modules and upcoming sessions, the three demo accounts, and rebuilds the search index.
    Flushes, never commits.
    """
    if courses < 0:
        raise ValueError("courses must be zero or more")
    if db.session.scalar(sa.select(Course.id).limit(1)) is not None:
        return SeedReport(skipped=True)

    database.widen_cache_for_bulk_writes()  # the whole catalogue in one transaction
    rng = random.Random(seed)
    provinces, provinces_created = _upsert_provinces()
    platforms, platforms_created = _upsert_platforms()
    categories, categories_created = _upsert_categories()
    providers, providers_created = _upsert_providers(rng, provinces, platforms)
    demo_provider = providers[0]
    users_created = _create_demo_accounts(demo_provider.id)
    users_created += _invite_demo_staff(demo_provider.id, utcnow())
    # Lessons and questions draw from their own generator (see the module's docstring).
    texts = random.Random(f"{seed}-lessons")
    catalogue = _CatalogueWriter(rng, providers, categories, provinces, texts)
    catalogue.write(courses)
    _advance_sequences()
    waiting = curation.seed_curation()
    indexed = search.rebuild_index()
    programme = journeys.seed_programme(utcnow(), rng)
    if programme is not None:  # her payout account, survey and payments (issue 15)
        demo_incentives.seed_incentives(utcnow())
    enrolments.fold()  # the demo's purchases counted at once, not at the worker's first run
    _check_agrees_with_itself()
    return SeedReport(
        skipped=False,
        provinces=provinces_created,
        platforms=platforms_created,
        categories=categories_created,
        providers=providers_created,
        courses=sum(catalogue.by_status.values()),
        courses_by_status=dict(catalogue.by_status),
        modules=catalogue.modules,
        lessons=catalogue.lessons,
        questions=catalogue.questions,
        sessions=catalogue.sessions,
        users=users_created + (programme.accounts if programme else 0),
        indexed=indexed,
        demo_provider=demo_provider.name,
        seed=seed,
        programme=programme.describe() if programme else None,
        curation_queue=waiting,
    )


def _check_agrees_with_itself() -> None:
    """Refuse (RuntimeError) demo data that contradicts itself: a session whose seats taken
    are not its orders, a course whose hours are not its modules' minutes added up, a course
    without questions for its tests, or a self-paced module without a lesson."""
    problems = [found.describe() for found in seats.seat_disagreements()[:5]]
    problems += [
        f"course {course_id}: {hours} hours, its modules {minutes} minutes"
        for course_id, hours, minutes in course_rules.hours_disagreements()[:5]
    ]
    problems += [
        f"course {course_id}: no questions for its pre-test and post-test"
        for course_id in db.session.scalars(
            sa.select(Course.id)
            .where(
                Course.published_at.is_not(None),
                ~sa.exists().where(Question.course_id == Course.id, Question.module_id.is_(None)),
            )
            .limit(5)
        )
    ]
    problems += [
        f"module {module_id}: a self-paced course's module without a lesson"
        for module_id in db.session.scalars(
            sa.select(Module.id)
            .join(Course, Course.id == Module.course_id)
            .where(Course.method == Method.SELF_PACED, Module.lesson == "")
            .limit(5)
        )
    ]
    if problems:
        raise RuntimeError("the demo data contradicts itself: " + "; ".join(problems))


# --- reference data -------------------------------------------------------------------------


def _upsert_provinces() -> tuple[dict[str, tuple[int, str]], int]:
    """The 38 provinces by code, as {code: (id, name)}; returns it and how many were created."""
    existing = {row.code: row for row in db.session.scalars(sa.select(Province))}
    created = 0
    for code, name in load_provinces():
        row = existing.get(code)
        if row is None:
            row = Province(code=code, name=name, slug=slugify(name))
            db.session.add(row)
            existing[code] = row
            created += 1
        else:
            row.name = name
    db.session.flush()
    return {code: (row.id, row.name) for code, row in existing.items()}, created


# Where participants open each platform (the order page and the purchase mail link there).
PLATFORM_URLS = {
    "tokopedia": "https://www.tokopedia.com/prakerja",
    "bukalapak": "https://www.bukalapak.com/prakerja",
    "skill-academy": "https://skillacademy.com/prakerja",
    "pintaria": "https://www.pintaria.com/prakerja",
    "sekolahmu": "https://www.sekolah.mu/prakerja",
    "pijar-mahir": "https://pijarmahir.id/prakerja",
    "maubelajarapa": "https://maubelajarapa.com/prakerja",
    "sisnaker": "https://sisnaker.kemnaker.go.id/prakerja",
}


def _upsert_platforms() -> tuple[dict[str, int], int]:
    """The 8 platform partners as {slug: id}; returns it and how many were created."""
    existing = {row.slug: row for row in db.session.scalars(sa.select(Platform))}
    created = 0
    for slug, name, commission_bp in org.PLATFORMS:
        row = existing.get(slug)
        if row is None:
            row = Platform(slug=slug, name=name, commission_bp=commission_bp)
            db.session.add(row)
            existing[slug] = row
            created += 1
        else:
            row.name = name
        row.url = PLATFORM_URLS.get(slug)
    db.session.flush()
    return {slug: row.id for slug, row in existing.items()}, created


def _upsert_categories() -> tuple[list[tuple[int, vocab.CategoryVocabulary]], int]:
    """The categories with their ids, in vocabulary order; and how many were created."""
    existing = {row.slug: row for row in db.session.scalars(sa.select(Category))}
    created = 0
    rows = []
    for words in vocab.CATEGORIES:
        row = existing.get(words.slug)
        if row is None:
            row = Category(slug=words.slug, name=words.name, name_en=words.name_en)
            db.session.add(row)
            created += 1
        else:
            row.name, row.name_en = words.name, words.name_en
        rows.append((row, words))
    db.session.flush()
    return [(row.id, words) for row, words in rows], created


def _provider_names(rng: random.Random, count: int) -> list[_PlannedProvider]:
    """`count` providers with distinct slugs, each with its home and the categories it teaches.

    The first is the demo provider; the next 38 cover every province once, so each province
    has a provider; the rest are spread by PROVINCE_WEIGHTS. A provider named after a field
    ("Akademi Kuliner ...") teaches that field's categories; the others teach a few of any kind.
    Every category ends up with at least one provider.
    """
    codes = list(places.CITIES)
    weights = [places.PROVINCE_WEIGHTS.get(code, 1) for code in codes]
    platform_slugs = [slug for slug, _name, _bp in org.PLATFORMS]
    platform_weights = [org.PLATFORM_WEIGHTS[slug] for slug in platform_slugs]
    category_slugs = [words.slug for words in vocab.CATEGORIES]
    category_weights = [words.weight for words in vocab.CATEGORIES]
    fields = list(org.FIELDS)
    homes = codes + rng.choices(codes, weights=weights, k=max(0, count - 1 - len(codes)))
    result = [_PlannedProvider(*org.DEMO_PROVIDER)]
    slugs = {slugify(org.DEMO_PROVIDER[0])}
    for code in homes[: count - 1]:
        city = rng.choice(places.CITIES[code])
        platform = rng.choices(platform_slugs, weights=platform_weights)[0]
        while True:
            pattern = rng.choice(org.NAME_PATTERNS)
            field_word = rng.choice(fields)
            a, b = rng.sample(org.NAME_WORDS, 2)
            name = pattern.format(
                a=a,
                b=b,
                first=rng.choice(org.COMPANY_FIRST),
                last=rng.choice(org.COMPANY_LAST),
                field=field_word,
                city=city,
            )
            if slugify(name) not in slugs:
                break
        slugs.add(slugify(name))
        if "{field}" in pattern:
            teaches = list(org.FIELDS[field_word])
            extra = rng.randint(0, 1)
        else:
            teaches = []
            extra = rng.randint(5, 8) if pattern.startswith("PT ") else rng.randint(2, 5)
        while extra:
            slug = rng.choices(category_slugs, weights=category_weights)[0]
            if slug not in teaches:
                teaches.append(slug)
                extra -= 1
        result.append(_PlannedProvider(name, code, city, platform, tuple(teaches)))
    for slug in category_slugs:
        if not any(slug in planned.categories for planned in result):
            index = rng.randrange(1, len(result))
            planned = result[index]
            result[index] = planned._replace(categories=(*planned.categories, slug))
    return result


def _upsert_providers(
    rng: random.Random, provinces: dict[str, tuple[int, str]], platforms: dict[str, int]
) -> tuple[list[_ProviderRef], int]:
    """About 150 providers; one whose slug already exists is reused as it is."""
    planned = _provider_names(rng, PROVIDER_COUNT)
    slugs = [slugify(plan.name) for plan in planned]
    existing = {
        row.slug: row
        for row in db.session.scalars(sa.select(Provider).where(Provider.slug.in_(slugs)))
    }
    code_of = {province_id: code for code, (province_id, _name) in provinces.items()}
    rows = []
    for plan, slug in zip(planned, slugs, strict=True):
        # Drawn whether or not the row exists, so later draws don't depend on the database.
        joined = CATALOGUE_START - timedelta(days=rng.randint(1, 30))
        row = existing.get(slug)
        if row is None:
            row = Provider(
                slug=slug,
                name=plan.name,
                city=plan.city,
                province_id=provinces[plan.province_code][0],
                platform_id=platforms[plan.platform],
                created_at=joined,
            )
            db.session.add(row)
        rows.append(row)
    db.session.flush()
    refs = [
        _ProviderRef(
            row.id,
            row.name,
            row.city,
            row.province_id,
            code_of.get(row.province_id, ""),
            row.platform_id,
            plan.categories,
        )
        for row, plan in zip(rows, planned, strict=True)
    ]
    return refs, len(rows) - len(existing)


def _create_demo_accounts(demo_provider_id: int) -> int:
    """The three demo accounts, verified, with DEMO_PASSWORD; existing emails are left alone."""
    emails = [account.email for account in DEMO_ACCOUNTS]
    existing = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    provider = db.session.get(Provider, demo_provider_id)
    created = 0
    for account in DEMO_ACCOUNTS:
        if account.email in existing:
            continue
        create_user(
            email=account.email,
            name=account.name,
            password=DEMO_PASSWORD,
            role=account.role,
            provider=provider if account.role is Role.PROVIDER else None,
            verified=True,
        )
        created += 1
    return created


# The demo provider's second staff member, and a person invited who has not answered yet.
DEMO_STAFF = ("dewi.lestari@example.com", "Dewi Lestari")
DEMO_INVITED = "rudi.hartono@example.com"


def _invite_demo_staff(demo_provider_id: int, now: datetime) -> int:
    """The office (admin@example.com) invites a second staff member of lembaga@example.com's
    provider, who accepts with DEMO_PASSWORD, and invites one more person whose invitation
    stays open (/admin/providers/<id>); through the real operations, mail included. Accounts
    already made are left alone. How many accounts were made (0 or 1)."""
    office = db.session.scalar(sa.select(User).where(User.email == "admin@example.com"))
    provider = db.session.get(Provider, demo_provider_id)
    if office is None or provider is None:
        return 0
    created = 0
    if find_by_email(DEMO_STAFF[0]) is None:
        invited = invitations.invite(provider, DEMO_STAFF[0], office, now - timedelta(days=2))
        invitations.accept(invited.token, DEMO_STAFF[1], DEMO_PASSWORD, now - timedelta(days=1))
        created = 1
    if find_by_email(DEMO_INVITED) is None:
        invitations.invite(provider, DEMO_INVITED, office, now)
    return created


def _next_id(column) -> int:
    """The first id above every id in the column's table."""
    return (db.session.scalar(sa.select(sa.func.max(column))) or 0) + 1


def _advance_sequences() -> None:
    """On PostgreSQL, move the id sequences past the ids that were given explicitly."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in (
        Course.__table__,
        Module.__table__,
        CourseSession.__table__,
        Question.__table__,
    ):
        # Table names come from the models, never from input.
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608  # nosec B608  # table names from the models
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


# --- the catalogue --------------------------------------------------------------------------


class _Dice:
    """Quick draws from one random.Random. Each draw costs one call of rng.random() (in C),
    which is several times cheaper than choice(), randint() or sample() on this hot path."""

    __slots__ = ("random", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random

    def pick(self, seq):
        """One element of a non-empty sequence."""
        return seq[int(self.random() * len(seq))]

    def weighted(self, seq, cum_weights):
        """One element, with probabilities given by cumulative weights."""
        return seq[bisect_right(cum_weights, self.random() * cum_weights[-1])]

    def between(self, low: int, high: int) -> int:
        """An integer from low to high, both included."""
        return low + int(self.random() * (high - low + 1))

    def sample(self, seq, k: int) -> list:
        """k different elements, in random order (a partial Fisher-Yates shuffle)."""
        pool = list(seq)
        size = len(pool)
        for index in range(k):
            other = index + int(self.random() * (size - index))
            pool[index], pool[other] = pool[other], pool[index]
        return pool[:k]


class _BulkInsert:
    """executemany straight through the database driver, in chunks.

    At this scale SQLAlchemy's per-row parameter processing costs as much as the inserts
    themselves, so rows are passed to the driver as they are. They must therefore hold values
    in the database's own form: enum values as strings, datetimes through when(). The
    columns' CHECK constraints still guard every value.
    """

    def __init__(self) -> None:
        self.connection = db.session.connection()
        dialect = self.connection.dialect
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.dates_as_text = dialect.name == "sqlite"
        self.statements: dict[tuple, tuple[str, itemgetter]] = {}

    def when(self, value: datetime) -> datetime | str:
        """A naive UTC datetime as the driver should get it (SQLAlchemy's SQLite text form)."""
        return value.isoformat(" ", "microseconds") if self.dates_as_text else value

    def __call__(self, table: sa.Table, rows: list[dict]) -> None:
        """Insert rows (dicts with the same keys, all of them columns of table) into table."""
        if not rows:
            return
        columns = tuple(rows[0])
        key = (table.name, columns)
        if key not in self.statements:
            unknown = set(columns) - set(table.columns.keys())
            if unknown:
                raise ValueError(f"not columns of {table.name}: {sorted(unknown)}")
            marks = ", ".join([self.mark] * len(columns))
            # Table and column names come from the models (checked above), never from input.
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608  # nosec B608  # names checked against the table; values bound
            self.statements[key] = (sql, itemgetter(*columns))
        sql, values = self.statements[key]
        for start in range(0, len(rows), CHUNK_SIZE):
            chunk = rows[start : start + CHUNK_SIZE]
            self.connection.exec_driver_sql(sql, [values(row) for row in chunk])


class _CatalogueWriter:
    """Composes courses, modules, sessions and question banks from the vocabulary and inserts
    them in chunks. `texts` draws the lessons and questions (`seed_data.lessons`)."""

    def __init__(
        self,
        rng: random.Random,
        providers: list[_ProviderRef],
        categories: list[tuple[int, vocab.CategoryVocabulary]],
        provinces: dict[str, tuple[int, str]],
        texts: random.Random,
    ) -> None:
        self.dice = _Dice(rng)
        self.composer = learning_text.Composer(texts.random)
        self.insert = _BulkInsert()
        self.providers = providers
        self.categories = categories
        self.category_cum = list(accumulate(words.weight for _id, words in categories))
        self.providers_of = {
            words.slug: [ref for ref in providers if words.slug in ref.categories]
            for _id, words in categories
        }
        # The demo provider's own categories, for the courses it is given.
        demo_teaches = providers[0].categories
        self.demo_categories = [
            pair for pair in categories if pair[1].slug in demo_teaches
        ] or list(categories)
        self.audiences = {
            words.slug: words.audiences + vocab.GENERIC_AUDIENCES for _id, words in categories
        }
        self.middles = {
            words.slug: words.modules + vocab.MIDDLE_MODULES for _id, words in categories
        }
        self.outcomes = {
            words.slug: words.outcomes + vocab.GENERIC_OUTCOMES for _id, words in categories
        }
        self.context_titles = {
            context: vocab.title_case(context)
            for _id, words in categories
            for context in words.contexts
        }
        self.province_ids = {code: province_id for code, (province_id, _n) in provinces.items()}
        self.all_cities = [
            (code, city) for code, cities in places.CITIES.items() for city in cities
        ]
        today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        self.session_day_zero = today
        self.by_status: dict[str, int] = {}
        self.modules = 0
        self.lessons = 0
        self.questions = 0
        self.sessions = 0
        self.question_id = 0  # the next question's id, from write()

    def write(self, approved: int) -> None:
        """Insert `approved` approved courses and about 3% more (at most EXTRA_MOST) in the
        other statuses."""
        extra = min(round(approved * EXTRA_SHARE), EXTRA_MOST) + len(_EXTRA_STATUSES)
        total = approved + extra
        course_id = _next_id(Course.id)
        module_id = _next_id(Module.id)
        session_id = _next_id(CourseSession.id)
        self.question_id = _next_id(Question.id)
        for start in range(0, total, CHUNK_SIZE):
            course_rows, module_rows, session_rows, question_rows = [], [], [], []
            for index in range(start, min(start + CHUNK_SIZE, total)):
                status, provider = self._status_and_provider(index, approved)
                showcase = None
                if index < min(approved, len(DEMO_SHOWCASE)):
                    showcase = DEMO_SHOWCASE[index]
                course, words, text = self._course(course_id, status, provider, showcase)
                course["needs_demonstration"] = index == DEMONSTRATION_SHOWCASE and bool(showcase)
                course_rows.append(course)
                first_module = len(module_rows)
                module_id = self._modules(course, words, text, module_id, module_rows)
                self._learning(course, words, text, module_rows[first_module:], question_rows)
                if status is CourseStatus.APPROVED and course["method"] != _SELF_PACED:
                    session_id = self._sessions(course, session_id, session_rows)
                self.by_status[status.value] = self.by_status.get(status.value, 0) + 1
                course_id += 1
            self.insert(Course.__table__, course_rows)
            self.insert(Module.__table__, module_rows)
            self.insert(CourseSession.__table__, session_rows)
            self.insert(Question.__table__, question_rows)
            self.modules += len(module_rows)
            self.sessions += len(session_rows)
            self.questions += len(question_rows)

    def _status_and_provider(
        self, index: int, approved: int
    ) -> tuple[CourseStatus, _ProviderRef | None]:
        """Approved courses first, then the others; the demo provider gets some of each.

        None as the provider means: any provider that teaches the course's category.
        """
        demo = self.providers[0]
        if index < approved:
            return CourseStatus.APPROVED, (demo if index < len(DEMO_SHOWCASE) else None)
        extra_index = index - approved
        if extra_index < len(_EXTRA_STATUSES):
            return _EXTRA_STATUSES[extra_index], demo
        return self.dice.weighted(_EXTRA_STATUSES, _EXTRA_CUM), None

    def _course(
        self,
        course_id: int,
        status: CourseStatus,
        provider: _ProviderRef | None,
        showcase: tuple[Method, int] | None = None,
    ) -> tuple[dict, vocab.CategoryVocabulary, dict]:
        """One course row composed from its category's vocabulary, with the words and the text
        fields that its modules are written from. Without a provider, one that teaches the
        category is picked; `showcase` gives the method and price of a demo provider's course
        (DEMO_SHOWCASE) instead of drawing them."""
        dice = self.dice
        if provider is None:
            category_id, words = dice.weighted(self.categories, self.category_cum)
            provider = dice.pick(self.providers_of[words.slug])
        else:
            category_id, words = dice.pick(self.demo_categories)
        method = showcase[0] if showcase else dice.weighted(_METHODS, _METHOD_CUM)
        level = dice.weighted(_LEVELS, _LEVEL_CUM)
        topic = dice.pick(words.topics)
        context = dice.pick(words.contexts)
        low, high = _HOURS[method]
        hours = dice.between(low, high)
        # A long course has more modules: none averages more than MODULE_HOURS.
        module_count = max(dice.between(3, 8), min(8, -(-hours // MODULE_HOURS)))
        city = province_id = None
        if method is Method.OFFLINE:
            province_code, city = self._offline_place(provider)
            province_id = self.province_ids[province_code]
        text = {
            "topic": topic,
            "audience": dice.pick(self.audiences[words.slug]),
            "context": context,
            "Context": self.context_titles[context],
            "job": dice.pick(words.jobs),
            "category": words.name.lower(),
            "hours": hours,
            "modules": module_count,
            "city": city or "",
            "reason": dice.pick(words.reasons),
        }
        text["level_sentence"] = dice.pick(vocab.LEVEL_SENTENCES[level.value]).format_map(text)
        title = dice.pick(vocab.TITLE_TEMPLATES[level.value]).format_map(text)[:200]
        paragraphs = [
            dice.pick(vocab.INTRO_PARAGRAPHS).format_map(text),
            dice.pick(vocab.METHOD_PARAGRAPHS[method.value]).format_map(text),
        ]
        if dice.random() < 0.7:
            paragraphs.append(dice.pick(vocab.CLOSING_PARAGRAPHS).format_map(text))
        else:
            paragraphs[1] += " " + text["level_sentence"]
        outcomes = [
            line.format_map(text)
            for line in dice.sample(self.outcomes[words.slug], dice.between(3, 5))
        ]
        suffix = "-" + base36(course_id)
        created_at, published_at = self._dates(status)
        rating_avg, rating_count, enrolments = self._popularity(status)
        row = {
            "id": course_id,
            "slug": slugify(title, 200 - len(suffix)) + suffix,
            "title": title,
            "summary": dice.pick(vocab.SUMMARY_TEMPLATES).format_map(text)[:300],
            "description": "\n\n".join(paragraphs),
            "outcomes": "\n".join(outcomes),
            "provider_id": provider.id,
            "platform_id": provider.platform_id,
            "category_id": category_id,
            "method": method.value,
            "level": level.value,
            "status": status.value,
            "price": showcase[1] if showcase else dice.weighted(_PRICES, _PRICE_CUM),
            "hours": hours,
            "city": city,
            "province_id": province_id,
            "rating_avg": rating_avg,
            "rating_count": rating_count,
            "enrolment_count": enrolments,
            "curator_note": (
                dice.pick(vocab.REJECTION_REASONS) if status is CourseStatus.REJECTED else None
            ),
            "created_at": self.insert.when(created_at),
            "published_at": published_at and self.insert.when(published_at),
        }
        return row, words, text

    def _offline_place(self, provider: _ProviderRef) -> tuple[str, str]:
        """(province code, city) of an offline course: mostly the provider's home city."""
        home = provider.province_code
        roll = self.dice.random()
        if home not in places.CITIES or roll >= 0.95:
            return self.dice.pick(self.all_cities)
        if roll < 0.85:
            return home, provider.city
        return home, self.dice.pick(places.CITIES[home])

    def _dates(self, status: CourseStatus) -> tuple[datetime, datetime | None]:
        """created_at and published_at: drafts and submissions are recent, unpublished."""
        dice = self.dice
        if status in (CourseStatus.DRAFT, CourseStatus.SUBMITTED, CourseStatus.REJECTED):
            created = CATALOGUE_END - timedelta(seconds=int(dice.random() * 90 * 86_400))
            return created, None
        created = CATALOGUE_START + timedelta(seconds=int(dice.random() * _CATALOGUE_SECONDS))
        published = created + timedelta(
            days=dice.between(1, 14), seconds=int(dice.random() * 86_400)
        )
        return created, min(published, CATALOGUE_END)

    def _popularity(self, status: CourseStatus) -> tuple[float, int, int]:
        """(rating_avg, rating_count, enrolment_count): many small courses, a few big ones."""
        dice = self.dice
        if status not in (CourseStatus.APPROVED, CourseStatus.ARCHIVED):
            return 0.0, 0, 0
        enrolments = min(int(dice.rng.paretovariate(1.1) * 12) - 12, 40_000)
        if dice.random() < 0.05 or enrolments < 3:
            return 0.0, 0, enrolments
        rating_count = max(1, int(enrolments * (0.25 + 0.45 * dice.random())))
        rating_avg = round(min(5.0, max(3.5, dice.rng.gauss(4.5, 0.3))), 1)
        return rating_avg, rating_count, enrolments

    def _modules(
        self,
        course: dict,
        words: vocab.CategoryVocabulary,
        text: dict,
        module_id: int,
        rows: list[dict],
    ) -> int:
        """Append the course's ordered modules to rows; returns the next free module id.

        Their minutes add up to the course's hours (`catalogue.courses.spread_minutes`, the
        rule `set_modules` keeps), each module a little longer or shorter than the average.
        """
        dice = self.dice
        count = text["modules"]
        middles = self.middles[words.slug]
        # Kept in the vocabulary's order, which runs from basics to practice.
        picked = sorted(dice.sample(range(len(middles)), count - 2))
        templates = [dice.pick(vocab.OPENING_MODULES)]
        templates += [middles[index] for index in picked]
        templates.append(dice.pick(vocab.CLOSING_MODULES))
        shares = [0.7 + 0.6 * dice.random() for _template in templates]
        lengths = course_rules.spread_minutes(course["hours"], shares)
        for position, (template, minutes) in enumerate(zip(templates, lengths, strict=True), 1):
            rows.append(
                {
                    "id": module_id,
                    "course_id": course["id"],
                    "position": position,
                    "title": template.format_map(text)[:200],
                    "minutes": minutes,
                    "lesson": "",  # written by _learning for a self-paced course
                }
            )
            module_id += 1
        return module_id

    def _learning(
        self,
        course: dict,
        words: vocab.CategoryVocabulary,
        text: dict,
        modules: list[dict],
        rows: list[dict],
    ) -> None:
        """The course's question bank for its pre-test and post-test, appended to rows; for a
        self-paced course also each module's lesson (set on its row) and quiz questions."""
        self_paced = course["method"] == _SELF_PACED
        about = learning_text.CourseText(
            words=words,
            text=text,
            outcomes=course["outcomes"].split("\n"),
            modules=[module["title"] for module in modules],
            self_paced=self_paced,
            needs_demonstration=course["needs_demonstration"],
        )
        for question in self.composer.test_questions(about):
            self._question(course["id"], None, question, rows)
        if not self_paced:
            return
        for module in modules:
            lesson, quiz = self.composer.module(about, module["position"])
            module["lesson"] = lesson
            for question in quiz:
                self._question(course["id"], module["id"], question, rows)
        self.lessons += len(modules)

    def _question(
        self,
        course_id: int,
        module_id: int | None,
        question: learning_text.BankQuestion,
        rows: list[dict],
    ) -> None:
        """Append one question row. Its JSON column is passed as JSON text, the form that
        SQLAlchemy itself writes (json.dumps) and that both drivers hand to the database."""
        rows.append(
            {
                "id": self.question_id,
                "course_id": course_id,
                "module_id": module_id,
                "prompt": question.prompt,
                "choices": json.dumps(list(question.choices)),
                "correct_choice": question.correct_choice,
            }
        )
        self.question_id += 1

    def _sessions(self, course: dict, session_id: int, rows: list[dict]) -> int:
        """Append 2-4 upcoming sessions of a webinar or offline course to rows, every seat
        free."""
        dice = self.dice
        offline = course["method"] == Method.OFFLINE.value
        if offline:
            place = "{venue}{street} No. {number}, {city}".format(
                venue=(dice.pick(places.VENUES) + ", ") if dice.random() < 0.4 else "",
                street=dice.pick(places.STREETS),
                number=dice.between(1, 250),
                city=course["city"],
            )
        else:
            place = places.ZOOM_PLACE
        days = sorted(dice.sample(range(3, 61), dice.between(2, 4)))
        for day in days:
            hour = dice.pick(SESSION_HOURS_UTC)
            starts = self.session_day_zero + timedelta(days=day, hours=hour)
            # Evening sessions (19:00 WIB) stay short.
            length = 2 if hour == SESSION_HOURS_UTC[-1] else dice.between(2, 4)
            capacity = 5 * dice.between(4, 20)
            rows.append(
                {
                    "id": session_id,
                    "course_id": course["id"],
                    "starts_at": self.insert.when(starts),
                    "ends_at": self.insert.when(starts + timedelta(hours=length)),
                    "place": place,
                    "city": course["city"] if offline else None,
                    "capacity": capacity,
                    # Seats are taken by orders only (checkout), never written here: the
                    # demo programme's purchases (demo/journeys.py) take the ones it shows.
                    "seats_taken": 0,
                    "status": _SCHEDULED,
                }
            )
            session_id += 1
        return session_id
