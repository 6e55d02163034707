"""Row factories for tests: every call builds complete rows with sensible defaults and
commits them in its own app context, as a request would. The `factory` fixture of
tests/conftest.py hands one to each test; tests outside an app context build their world
with it instead of copying rows between files.

    from support.factories import PASSWORD   # the password of every user the factory makes
"""

import functools
import itertools
from datetime import timedelta

import sqlalchemy as sa

from marketplace.catalogue import listing, search
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
)
from marketplace.core.base import utcnow
from marketplace.core.models import Province
from marketplace.extensions import db
from marketplace.money import cards
from marketplace.people import accounts
from marketplace.people.models import Participant, Role
from support.programme_rows import closed_batch, fund, make_participant

PASSWORD = "Prakerja2020!"


def _in_own_context(method):
    """Run a factory method in its own app context and commit, like a request would.

    Returned objects keep their loaded attributes (expire_on_commit is off for that
    session), so tests can read ids and slugs without holding a database snapshot open.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._depth:
            return method(self, *args, **kwargs)
        with self.app.app_context():
            db.session().expire_on_commit = False
            self._depth += 1
            try:
                result = method(self, *args, **kwargs)
                db.session.commit()
            finally:
                self._depth -= 1
            listing.forget_filter_options()
            return result

    return wrapper


class Factory:
    """Builds rows with sensible defaults; every call commits in its own app context."""

    def __init__(self, app):
        self.app = app
        self._n = itertools.count(1)
        self._depth = 0

    def _next(self) -> int:
        return next(self._n)

    @_in_own_context
    def province(self, code="31", name="DKI Jakarta") -> Province:
        found = db.session.scalar(sa.select(Province).where(Province.code == code))
        if found:
            return found
        province = Province(code=code, name=name, slug=name.lower().replace(" ", "-"))
        db.session.add(province)
        db.session.flush()
        return province

    @_in_own_context
    def platform(self, name=None) -> Platform:
        n = self._next()
        name = name or f"Platform {n}"
        platform = Platform(slug=name.lower().replace(" ", "-"), name=name, commission_bp=1500)
        db.session.add(platform)
        db.session.flush()
        return platform

    @_in_own_context
    def category(self, name=None, name_en=None) -> Category:
        n = self._next()
        name = name or f"Kategori {n}"
        category = Category(
            slug=name.lower().replace(" ", "-"), name=name, name_en=name_en or f"Category {n}"
        )
        db.session.add(category)
        db.session.flush()
        return category

    @_in_own_context
    def provider(self, name=None, platform=None, province=None) -> Provider:
        n = self._next()
        name = name or f"LPK Contoh {n}"
        provider = Provider(
            slug=name.lower().replace(" ", "-"),
            name=name,
            city="Jakarta Selatan",
            province=province or self.province(),
            platform=platform or self.platform(),
        )
        db.session.add(provider)
        db.session.flush()
        return provider

    @_in_own_context
    def course(
        self,
        title=None,
        *,
        provider=None,
        category=None,
        status=CourseStatus.APPROVED,
        method=Method.SELF_PACED,
        price=500_000,
        modules=2,
        sessions=0,
        **fields,
    ) -> Course:
        n = self._next()
        title = title or f"Pelatihan Contoh {n}"
        provider = provider or self.provider()
        course = Course(
            slug=fields.pop("slug", None) or f"{title.lower().replace(' ', '-')}-{n}",
            title=title,
            summary=fields.pop("summary", f"Ringkasan {title}"),
            description=fields.pop("description", f"Deskripsi lengkap {title}.\n\nParagraf dua."),
            outcomes=fields.pop("outcomes", "Memahami dasar\nMempraktikkan langsung"),
            provider=provider,
            platform=provider.platform,
            category=category or self.category(),
            method=method,
            level=fields.pop("level", Level.BEGINNER),
            status=status,
            price=price,
            hours=fields.pop("hours", 10),
            published_at=fields.pop("published_at", utcnow()),
            **fields,
        )
        db.session.add(course)
        db.session.flush()
        for position in range(1, modules + 1):
            db.session.add(
                Module(course=course, position=position, title=f"Modul {position}", minutes=45)
            )
        for index in range(sessions):
            self.session(course, utcnow() + timedelta(days=7 + index), seats_taken=index)
        db.session.flush()
        search.index_courses([course.id])
        return course

    @_in_own_context
    def session(
        self, course, starts_at=None, *, hours=3, place="Zoom Meeting", capacity=30, **fields
    ) -> CourseSession:
        """A session of `course` (a webinar's or an offline course's), a week ahead unless
        `starts_at` says otherwise; `course` may be a row or its id."""
        starts_at = starts_at or utcnow() + timedelta(days=7)
        row = CourseSession(
            course_id=getattr(course, "id", course),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            place=place,
            capacity=capacity,
            **fields,
        )
        db.session.add(row)
        db.session.flush()
        return row

    @_in_own_context
    def user(self, role=Role.PARTICIPANT, email=None, provider=None):
        n = self._next()
        user = accounts.create_user(
            email=email or f"{role.value}{n}@example.com",
            name=f"Pengguna {n}",
            password=PASSWORD,
            role=role,
            provider=provider,
            verified=True,
        )
        return user

    @_in_own_context
    def card_holder(self, issued_at, *, scheme="2020", locale="en", funded=True) -> Participant:
        """A participant who can sign in (PASSWORD; English mail unless `locale` says
        otherwise) holding a card of `scheme` issued at `issued_at`, from a batch of their own
        that closed before then. The programme fund is topped up by the card's balance unless
        `funded` is False (a test that counts the fund tops it up itself)."""
        user = self.user(role=Role.PARTICIPANT)
        user.locale = locale
        participant = make_participant(user=user)
        batch = closed_batch(issued_at, scheme)
        if funded:
            fund(batch.scheme.training_balance)
        cards.issue(participant, batch, issued_at)
        assert participant.user is user  # loaded now, so tests can read it after the commit
        return participant
