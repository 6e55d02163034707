"""Rows for the programme's tests (batches, selection, cards), built straight through models.

Use inside an app context; everything is flushed, nothing committed.
    from support.programme_rows import make_participant, ...   # tests/ is on sys.path under pytest
"""

import itertools
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from marketplace.core.models import Province
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.people.models import Education, Employment, Participant, Role, Sex, User
from marketplace.programme import batches
from marketplace.programme.models import Batch, TestAttempt

# A fixed moment: the batch of `open_batch_row` is open at NOW and closes a week later.
NOW = datetime(2026, 3, 10, 3, 0)
CLOSES = NOW + timedelta(days=7)
AFTER_CLOSE = CLOSES + timedelta(days=1)


_serial = itertools.count(1)


def province(code: str = "31", name: str | None = None) -> Province:
    found = db.session.scalar(sa.select(Province).where(Province.code == code))
    if found is not None:
        return found
    name = name or f"Provinsi {code}"
    found = Province(code=code, name=name, slug=f"provinsi-{code}")
    db.session.add(found)
    db.session.flush()
    return found


def make_user(
    email: str | None = None, verified: bool = True, locale: str | None = "en", role=None
) -> User:
    """A user (English mail by default, so tests read the texts as written; locale=None
    gives the site's default, Indonesian)."""
    n = next(_serial)
    user = User(
        email=email or f"peserta{n}@example.com",
        name=f"Peserta {n}",
        password_hash="not-a-real-hash",
        role=role or Role.PARTICIPANT,
        locale=locale,
        verified_at=NOW - timedelta(days=30) if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_participant(
    *,
    user: User | None = None,
    kk: str | None = None,
    birth_date: date = date(1995, 5, 17),
    employment: Employment = Employment.JOB_SEEKER,
    province_code: str = "31",
    locale: str | None = "en",
    blocked: bool = False,
    name: str | None = None,
) -> Participant:
    """A participant with a verified user and a complete profile."""
    n = next(_serial)
    user = user or make_user(locale=locale)
    participant = Participant(
        user_id=user.id,
        nik=f"{province_code}01{n:012d}",
        kk=kk or f"{province_code}02{n:012d}",
        full_name=name or f"Peserta Nomor {n}",
        birth_date=birth_date,
        sex=Sex.FEMALE,
        phone=f"+62812{n:08d}",
        province_id=province(province_code).id,
        city="Kota Contoh",
        education=Education.SMA,
        employment=employment,
        blocked_at=NOW - timedelta(days=1) if blocked else None,
        blocked_reason="duplicate identity" if blocked else None,
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def make_attempt(participant: Participant, batch: Batch, score: int | None = 12) -> TestAttempt:
    """A submitted online test for the batch (score None: started, not submitted)."""
    attempt = TestAttempt(
        participant_id=participant.id,
        batch_id=batch.id,
        question_ids=[],
        started_at=NOW - timedelta(hours=1),
        deadline_at=NOW - timedelta(minutes=35),
        submitted_at=NOW - timedelta(minutes=40) if score is not None else None,
        score=score,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def open_batch_row(
    number: int = 1,
    quota: int = 10,
    scheme: str = "2020",
    opens: datetime | None = None,
    closes: datetime | None = None,
    province_quotas: dict[int, int] | None = None,
) -> Batch:
    """A batch open at NOW (unless other times are given); schemes inserted when missing."""
    batches.ensure_schemes()
    return batches.create_batch(
        number,
        opens or NOW - timedelta(days=3),
        closes or CLOSES,
        quota,
        scheme,
        province_quotas,
        actor=None,
    )


def closed_batch(before: datetime, scheme: str = "2020") -> Batch:
    """A batch of `scheme` numbered after the last one, which opened and closed before
    `before` (cards of it are issued then); schemes inserted when missing."""
    number = (db.session.scalar(sa.select(sa.func.max(Batch.number))) or 0) + 1
    return open_batch_row(
        number,
        scheme=scheme,
        opens=before - timedelta(days=10 * number + 10),
        closes=before - timedelta(days=10 * number + 2),
    )


def fund(amount: int = 100_000_000) -> None:
    """Allocate state budget to the programme fund."""
    ledger.allocate_budget(amount, "APBN test")


def applicant(batch: Batch, score: int = 12, joined_at: datetime | None = None, **fields):
    """A participant who took the batch's test and joined it; returns the application."""
    participant = make_participant(**fields)
    make_attempt(participant, batch, score)
    return batches.join(participant, batch, joined_at or NOW, actor=participant.user)
