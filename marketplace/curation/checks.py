"""What the curator sees beside a submitted course, worked out once when it is submitted.

- the standard's figures: hours against the least for its method, price against the
  scheme's limit, modules, questions in the tests' bank, and every finding
  (curation/standard.py: none, since a course with findings can't be submitted, unless the
  standard changed since);
- sessions (webinar, offline): each upcoming session's capacity per trainer named against
  the standard's ratio;
- a title too close to another course of the same provider: the two titles, folded (lower
  case, no accents, spaces squeezed), compared by difflib's ratio (twice the characters
  they have in common in order, over both lengths); TITLE_CLOSE or more is flagged;
- a description largely copied from another course: the share of its five-word sequences
  ("shingles") that the other description has too (of the smaller set of the two): a
  rewritten description shares almost none, a pasted one most. DESCRIPTION_COPIED or more
  is flagged. Compared with the same provider's courses and every listed course of the
  same category (where a copy would compete);
- outcomes missing.
Stored as JSON in `CourseDraft.checks`; `work_out` says its keys.
"""

import re
from difflib import SequenceMatcher
from typing import NamedTuple

import sqlalchemy as sa

from marketplace.catalogue.models import Course, CourseSession, CourseStatus, Method, Provider
from marketplace.catalogue.search import fold
from marketplace.core.base import utcnow
from marketplace.curation import standard
from marketplace.curation.models import TrainingStandard
from marketplace.extensions import db
from marketplace.programme.models import Scheme

TITLE_CLOSE = 0.85
DESCRIPTION_COPIED = 0.5
SHINGLE = 5  # words
SHOWN = 3  # flagged courses shown per kind, the closest first
_WORD = re.compile(r"\w+")


def folded(text: str) -> str:
    return " ".join(fold(text or "").split())


def title_closeness(first: str, second: str) -> float:
    """How close two titles are, 0 to 1 (see the module's docstring)."""
    return SequenceMatcher(None, folded(first), folded(second), autojunk=False).ratio()


def close_title(first: str, second: str) -> float | None:
    """Their closeness when TITLE_CLOSE or more, else None. difflib's cheap upper bounds of
    the ratio rule most pairs out before the ratio itself is worked out."""
    matcher = SequenceMatcher(None, folded(first), folded(second), autojunk=False)
    if matcher.real_quick_ratio() < TITLE_CLOSE or matcher.quick_ratio() < TITLE_CLOSE:
        return None
    closeness = matcher.ratio()
    return closeness if closeness >= TITLE_CLOSE else None


def shingles(text: str) -> set[tuple[str, ...]]:
    """The text's five-word sequences, folded; a shorter text is its one sequence."""
    words = _WORD.findall(fold(text or ""))
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[index : index + SHINGLE]) for index in range(len(words) - SHINGLE + 1)}


def copied_share(first: set, second: set) -> float:
    """The share of the smaller set of shingles that the other has too, 0 to 1."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


class Neighbour(NamedTuple):
    """A course a submitted one is compared with, and its description's shingles."""

    id: int
    title: str
    provider_name: str
    provider_id: int
    shingles: set


def _neighbour_statement():
    return sa.select(
        Course.id, Course.title, Course.description, Provider.name, Course.provider_id
    ).join(Provider, Provider.id == Course.provider_id)


def _as_neighbours(rows) -> list[Neighbour]:
    return [Neighbour(row[0], row[1], row[3], row[4], shingles(row[2])) for row in rows]


def neighbours_of(course: Course, category_id: int | None) -> list[Neighbour]:
    """The courses compared with `course`: the same provider's and every listed course of
    the category."""
    listed_in_category = sa.and_(
        Course.category_id == category_id, Course.status == CourseStatus.APPROVED
    )
    return _as_neighbours(
        db.session.execute(
            _neighbour_statement().where(
                Course.id != course.id,
                sa.or_(Course.provider_id == course.provider_id, listed_in_category),
            )
        )
    )


class Neighbourhoods:
    """The courses compared with many submitted ones (the demo's seeding), each category's
    listed courses read and cut into shingles once rather than for every course."""

    def __init__(self) -> None:
        self.category_id: int | None = None
        self.listed: list[Neighbour] = []

    def of(self, course: Course, category_id: int | None) -> list[Neighbour]:
        if category_id != self.category_id:
            self.category_id = category_id
            self.listed = _as_neighbours(
                db.session.execute(
                    _neighbour_statement().where(
                        Course.category_id == category_id,
                        Course.status == CourseStatus.APPROVED,
                    )
                )
            )
        own = _as_neighbours(
            db.session.execute(
                _neighbour_statement().where(
                    Course.provider_id == course.provider_id,
                    sa.not_(
                        sa.and_(
                            Course.category_id == category_id,
                            Course.status == CourseStatus.APPROVED,
                        )
                    ),
                )
            )
        )
        return [other for other in self.listed + own if other.id != course.id]


def work_out(
    course: Course,
    content: dict,
    rules: TrainingStandard,
    scheme: Scheme,
    neighbours: list[Neighbour] | None = None,
) -> dict:
    """The checks of `content` (the course's working copy), stored with it when it is
    submitted (decisions.submit). `neighbours`: the courses to compare it with, when the
    caller has them (`Neighbourhoods`), else read here (`neighbours_of`)."""
    method = Method(content["method"])
    modules = content.get("modules") or []
    minutes = sum(module["minutes"] for module in modules)
    ratio = standard.trainees_per_trainer(rules, method)
    sessions = []
    if ratio is not None:
        for session in db.session.scalars(
            sa.select(CourseSession)
            .where(CourseSession.course_id == course.id, CourseSession.starts_at > utcnow())
            .order_by(CourseSession.starts_at)
        ):
            trainers = standard.trainer_count(session.trainer_names)
            sessions.append(
                {
                    "starts_at": session.starts_at.isoformat(),
                    "capacity": session.capacity,
                    "trainers": trainers,
                    "within": bool(trainers) and session.capacity <= ratio * trainers,
                }
            )
    titles, copies = [], []
    mine = shingles(content.get("description", ""))
    if neighbours is None:
        neighbours = neighbours_of(course, content.get("category_id"))
    for other in neighbours:
        if other.provider_id == course.provider_id:
            closeness = close_title(content.get("title", ""), other.title)
            if closeness is not None:
                titles.append({"course_id": other.id, "title": other.title, "closeness": closeness})
        share = copied_share(mine, other.shingles)
        if share >= DESCRIPTION_COPIED:
            copies.append(
                {
                    "course_id": other.id,
                    "title": other.title,
                    "provider": other.provider_name,
                    "share": share,
                }
            )
    titles.sort(key=lambda found: -found["closeness"])
    copies.sort(key=lambda found: -found["share"])
    return {
        "hours": minutes / 60,
        "least_hours": standard.least_hours(rules, method),
        "price": content.get("price"),
        "price_limit": standard.price_limit(scheme),
        "modules": len(modules),
        "least_modules": rules.min_modules,
        "questions": len(content.get("questions") or []),
        "least_questions": rules.min_test_questions,
        "trainees_per_trainer": ratio,
        "sessions": sessions,
        "findings": [
            {"field": found.field, "message": found.message, "params": found.params}
            for found in standard.findings(content, rules, scheme)
        ],
        "close_titles": titles[:SHOWN],
        "copied_descriptions": copies[:SHOWN],
        "outcomes_missing": not (content.get("outcomes") or "").strip(),
    }
