"""The course catalogue: platforms, providers, categories, courses, modules and sessions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.base import enum_column, utcnow
from marketplace.core.indonesia import place_name
from marketplace.extensions import db


class Method(enum.Enum):
    SELF_PACED = "self_paced"
    WEBINAR = "webinar"
    OFFLINE = "offline"


class Level(enum.Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class CourseStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class SessionStatus(enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Platform(db.Model):
    """One of the programme's digital platform partners, where courses are sold."""

    __tablename__ = "platform"
    __table_args__ = (
        sa.CheckConstraint(
            "commission_bp >= 0 AND commission_bp <= 10000", name="commission_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Commission in basis points (1/100 of a percent), an integer like all money maths.
    commission_bp: Mapped[int] = mapped_column(default=0)
    # Where participants open it (https://…): the order page and its mail link to it.
    url: Mapped[str | None] = mapped_column(sa.String(200))


class Provider(db.Model):
    """A training provider (lembaga pelatihan) that lists courses."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    city: Mapped[str] = mapped_column(sa.String(80))
    province_id: Mapped[int] = mapped_column(sa.ForeignKey("province.id"))
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("platform.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    province = relationship("Province")
    platform = relationship("Platform")
    users = relationship("User", back_populates="provider")

    @property
    def location(self) -> str:
        """Its city and province, each said once ("Bandung, Jawa Barat"; "Kota Jambi")."""
        return place_name(self.city, self.province.name if self.province else None)


class Category(db.Model):
    """A course category such as Penjualan dan Pemasaran."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))


class Course(db.Model):
    """A course a provider offers; only approved courses are listed in the catalogue."""

    __tablename__ = "course"
    __table_args__ = (
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("hours > 0", name="hours_positive"),
        sa.CheckConstraint("rating_count >= 0", name="rating_count_not_negative"),
        sa.CheckConstraint("rating_avg >= 0 AND rating_avg <= 5", name="rating_range"),
        # Listing indexes: every catalogue sort starts from the approved courses.
        sa.Index("ix_course_listed_popular", "status", "enrolment_count", "id"),
        sa.Index("ix_course_listed_rating", "status", "rating_avg", "id"),
        sa.Index("ix_course_listed_price", "status", "price", "id"),
        # Rating and price filters together, counted and sorted from the index alone.
        sa.Index(
            "ix_course_listed_rating_price", "status", "rating_avg", "price", "enrolment_count"
        ),
        sa.Index("ix_course_listed_newest", "status", "published_at", "id"),
        # What a search's matches are filtered and sorted by, reached by id from the search
        # index: narrower than the course's rows (descriptions and all), so a broad search
        # with a price or rating filter, or a sort other than relevance, reads it alone
        # (listing.SORT_KEYS_INDEX) and only the page's rows from the table.
        sa.Index(
            "ix_course_sort_keys",
            "id",
            "price",
            "rating_avg",
            "rating_count",
            "enrolment_count",
            "published_at",
        ),
        sa.Index("ix_course_category_status", "category_id", "status"),
        # A provider's listed courses counted, and the most enrolled found first (a course
        # page's "more from this provider"), without sorting all of them.
        sa.Index("ix_course_provider_listed", "provider_id", "status", "enrolment_count", "id"),
        sa.Index("ix_course_province_status", "province_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text)
    # Learning outcomes, one per line.
    outcomes: Mapped[str] = mapped_column(sa.Text, default="")
    # Who the course is for ("Pelaku UMKM yang ..."), as its provider writes it.
    audience: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"))
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("platform.id"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    method: Mapped[Method] = mapped_column(enum_column(Method))
    level: Mapped[Level] = mapped_column(enum_column(Level))
    status: Mapped[CourseStatus] = mapped_column(
        enum_column(CourseStatus), default=CourseStatus.DRAFT
    )
    price: Mapped[int]  # whole rupiah
    hours: Mapped[int]
    # Offline courses take place in a city of a province; online ones have neither.
    city: Mapped[str | None] = mapped_column(sa.String(80))
    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("province.id"))
    rating_avg: Mapped[float] = mapped_column(sa.Float, default=0.0)
    rating_count: Mapped[int] = mapped_column(default=0)
    enrolment_count: Mapped[int] = mapped_column(default=0)
    # The programme office's last note on the course (curation/decisions.py): why it was sent
    # back, or what the approval said.
    curator_note: Mapped[str | None] = mapped_column(sa.Text)
    # Webinar and offline courses: how many days of its session a participant must attend to
    # complete it; None means every day (learning/attendance.py reads it).
    attendance_days_required: Mapped[int | None]
    # Whether completing the course needs a passed skill demonstration ("unjuk
    # keterampilan"; learning/demonstrations.py).
    needs_demonstration: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # What the skill demonstration asks the participant to show, as the provider writes it.
    demonstration_brief: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The post-test's pass mark (of 100) and how many tries a participant has at it; module
    # quizzes use the same pass mark (learning/assessments.py).
    pass_mark: Mapped[int] = mapped_column(default=60, server_default="60")
    test_tries: Mapped[int] = mapped_column(default=3, server_default="3")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    provider = relationship("Provider")
    platform = relationship("Platform")
    category = relationship("Category")
    province = relationship("Province")
    modules = relationship(
        "Module", order_by="Module.position", back_populates="course", cascade="all, delete-orphan"
    )
    sessions = relationship(
        "CourseSession",
        order_by="CourseSession.starts_at",
        back_populates="course",
        cascade="all, delete-orphan",
    )

    @property
    def outcome_list(self) -> list[str]:
        """The learning outcomes as a list, blank lines dropped."""
        return [line.strip() for line in self.outcomes.splitlines() if line.strip()]

    @property
    def location(self) -> str:
        """Where an offline course takes place, city and province each said once; "" online."""
        if not self.city:
            return ""
        return place_name(self.city, self.province.name if self.province else None)


class Module(db.Model):
    """One ordered module of a course. The course's hours are its modules' minutes added up:
    `catalogue.courses.set_modules` writes both."""

    __tablename__ = "module"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "position", name="uq_module_course_position"),
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    minutes: Mapped[int]
    # The lesson, in the plain form learning/lessons.py reads: "## " starts a heading, "- " a
    # list item, a blank line ends a paragraph. Self-paced courses only. Deferred: the
    # catalogue's pages list modules by title and minutes, only a lesson's page reads it.
    lesson: Mapped[str] = mapped_column(sa.Text, default="", server_default="", deferred=True)

    course = relationship("Course", back_populates="modules")


class Question(db.Model):
    """A multiple-choice question of a course's bank: with a module, one of that module's quiz
    questions; without, one the pre-test and post-test draw from (learning/assessments.py)."""

    __tablename__ = "course_question"
    __table_args__ = (
        sa.CheckConstraint("correct_choice >= 0", name="correct_choice_index"),
        sa.Index("ix_course_question_course_module", "course_id", "module_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id", ondelete="CASCADE"))
    prompt: Mapped[str] = mapped_column(sa.Text)
    choices: Mapped[list] = mapped_column(sa.JSON)  # list of strings, shown in this order
    correct_choice: Mapped[int]  # index into choices


class CourseSession(db.Model):
    """A scheduled run of a webinar or offline course, with a fixed number of seats."""

    __tablename__ = "course_session"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_course_session_course_starts", "course_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]  # UTC
    ends_at: Mapped[datetime]  # UTC
    place: Mapped[str] = mapped_column(sa.String(200))
    city: Mapped[str | None] = mapped_column(sa.String(80))
    capacity: Mapped[int]
    # Who teaches it: the standard's ratio of participants to trainers is counted per trainer
    # named here, comma-separated (curation/standard.py).
    trainer_names: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    seats_taken: Mapped[int] = mapped_column(default=0)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus), default=SessionStatus.SCHEDULED
    )

    course = relationship("Course", back_populates="sessions")

    @property
    def seats_left(self) -> int:
        """Seats still free."""
        return self.capacity - self.seats_taken

    @property
    def location(self) -> str:
        """Its place and city, each said once ("Jl. Melati No. 11, Bandung")."""
        return place_name(self.place, self.city)


class SearchSynonym(db.Model):
    """A group of phrases that mean the same to a searcher ("medsos, media sosial"): a query
    holding any of them also finds courses with any other. The office edits them
    (/admin/search/synonyms); defaults in seed_data/search_synonyms.txt."""

    __tablename__ = "search_synonym"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The phrases as the office wrote them, joined by ", " (folded when searching).
    phrases: Mapped[str] = mapped_column(sa.String(600))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def phrase_list(self) -> list[str]:
        return [phrase.strip() for phrase in self.phrases.split(",") if phrase.strip()]


class SearchTerm(db.Model):
    """A word or root the search index holds, and about how many listed courses use it: the
    vocabulary a misspelt query word is corrected against (catalogue/search.py). Written with
    the index: a rebuild counts every term exactly; in between, a course's new words are
    added as they come and the counts of words already held stay as they were."""

    __tablename__ = "search_term"

    term: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    documents: Mapped[int] = mapped_column(default=0)


class EnrolmentChange(db.Model):
    """One purchase (+1) or refund (-1) of a course, not yet counted in its
    `enrolment_count` (catalogue/enrolments.py). Rows are only added, by checkout and refunds,
    and taken away by the fold that counts them: concurrent purchases never wait on one
    another here, and the course row, which the catalogue's revision watches, is written once
    a fold, not once a purchase (a session's seat, also watched, is written by its purchase)."""

    __tablename__ = "course_enrolment_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    change: Mapped[int] = mapped_column(sa.SmallInteger)


class CatalogueRevision(db.Model):
    """A counter that database triggers raise whenever anything a catalogue page shows
    changes (a course, its sessions, modules or reviews, a provider, category, platform or
    synonym), by any process. Their sum is the catalogue's revision: results kept under it
    are right for as long as it stays the same. Several rows ("stripes") so that concurrent
    writers on PostgreSQL rarely wait on one another."""

    __tablename__ = "catalogue_revision"

    stripe: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0)
