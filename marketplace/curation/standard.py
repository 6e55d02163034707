"""The training standard: what a course must meet to be submitted, and so to be listed.

The figures are data (`TrainingStandard`, one row per scheme); the rules reading them live
here and nowhere else. The provider's editor shows every finding beside its field before
submitting; `decisions.submit` refuses a course with any; the curation queue shows them too.
Each finding is a DomainError naming its field, so a form shows it where it belongs.

- price: whole rupiah, more than 0, at most the scheme's limit (`max_course_price`, or the
  whole training balance when the scheme sets none);
- hours (the modules' minutes added up): at least the standard's least hours for the
  course's method;
- modules: at least `min_modules`; every module of a self-paced course has a quiz question
  (a module is done when its quiz is passed, learning/journey.py);
- the pre-test and post-test bank: at least `min_test_questions` questions;
- outcomes written; an offline course says its province and city, an online one neither;
  a course asking for a skill demonstration says what it asks (its brief);
- a session (webinar, offline): it starts in the future and ends after it starts; its
  capacity per trainer named is at most the standard's ratio for the method.
"""

from datetime import datetime

import sqlalchemy as sa

from marketplace.catalogue.courses import MINUTES_PER_HOUR
from marketplace.catalogue.models import Method
from marketplace.core import N_, DomainError
from marketplace.curation.models import TrainingStandard
from marketplace.extensions import db
from marketplace.programme import batches
from marketplace.programme.models import Scheme

# The standard of a new scheme until the office says otherwise (the 2020 programme's figures).
DEFAULTS = {
    "min_hours_self_paced": 2,
    "min_hours_webinar": 2,
    "min_hours_offline": 4,
    "min_modules": 2,
    "min_test_questions": 5,
    "trainees_per_trainer_webinar": 50,
    "trainees_per_trainer_offline": 30,
}


def _newest_scheme() -> Scheme | None:
    """The latest edition of the programme, by its code ("2023" after "2020")."""
    return db.session.scalar(sa.select(Scheme).order_by(Scheme.code.desc()).limit(1))


def shown() -> tuple[TrainingStandard | None, Scheme | None]:
    """The standard in force as a page shows it, writing nothing: the newest scheme's row,
    or that scheme's DEFAULTS (a row not added) when it has none yet; (None, None) without
    any scheme. `in_force` chooses the same."""
    scheme = _newest_scheme()
    if scheme is None:
        return None, None
    standard = db.session.scalar(
        sa.select(TrainingStandard).where(TrainingStandard.scheme_id == scheme.id)
    )
    return standard or TrainingStandard(scheme_id=scheme.id, **DEFAULTS), scheme


def in_force() -> tuple[TrainingStandard, Scheme]:
    """The standard new and changed courses are held to: that of the newest scheme, its row
    made with DEFAULTS when it has none yet (and the schemes made when there are none)."""
    batches.ensure_schemes()
    standard, scheme = shown()
    if standard.id is None:
        db.session.add(standard)
        db.session.flush()
    return standard, scheme


def price_limit(scheme: Scheme) -> int:
    """The most a course may cost under `scheme`, in whole rupiah."""
    return scheme.max_course_price or scheme.training_balance


def least_hours(standard: TrainingStandard, method: Method) -> int:
    return {
        Method.SELF_PACED: standard.min_hours_self_paced,
        Method.WEBINAR: standard.min_hours_webinar,
        Method.OFFLINE: standard.min_hours_offline,
    }[method]


def trainees_per_trainer(standard: TrainingStandard, method: Method) -> int | None:
    """The most participants one trainer may teach at once; None for self-paced courses."""
    return {
        Method.WEBINAR: standard.trainees_per_trainer_webinar,
        Method.OFFLINE: standard.trainees_per_trainer_offline,
    }.get(method)


def findings(content: dict, standard: TrainingStandard, scheme: Scheme) -> list[DomainError]:
    """Every way the course in `content` (curation/drafts.py's shape) falls short of the
    standard, each naming its field; empty when it meets it."""
    found: list[DomainError] = []
    method = Method(content["method"])
    price = content.get("price")
    limit = price_limit(scheme)
    if not isinstance(price, int) or isinstance(price, bool) or not 0 < price <= limit:
        found.append(
            DomainError(
                N_("The price is in whole rupiah, more than 0 and at most %(limit)s."),
                field="price",
                limit=limit,
            )
        )
    modules = content.get("modules") or []
    minutes = sum(module["minutes"] for module in modules)
    hours = minutes // MINUTES_PER_HOUR
    least = least_hours(standard, method)
    if minutes % MINUTES_PER_HOUR or hours < least:
        found.append(
            DomainError(
                N_(
                    "The modules add up to %(minutes)s minutes: a course taught this way lasts "
                    "at least %(hours)s whole hours."
                ),
                field="modules",
                minutes=minutes,
                hours=least,
            )
        )
    if len(modules) < standard.min_modules:
        found.append(
            DomainError(
                N_("A course has at least %(count)s modules."),
                field="modules",
                count=standard.min_modules,
            )
        )
    if method is Method.SELF_PACED:
        for number, module in enumerate(modules, start=1):
            if not module.get("quiz"):
                found.append(
                    DomainError(
                        N_("Module %(number)s needs at least one quiz question."),
                        field="modules",
                        number=number,
                    )
                )
    questions = len(content.get("questions") or [])
    if questions < standard.min_test_questions:
        found.append(
            DomainError(
                N_(
                    "The pre-test and post-test draw from at least %(count)s questions; "
                    "the course has %(have)s."
                ),
                field="questions",
                count=standard.min_test_questions,
                have=questions,
            )
        )
    if not (content.get("outcomes") or "").strip():
        found.append(
            DomainError(
                N_("Write what participants will be able to do after the course."),
                field="outcomes",
            )
        )
    offline = method is Method.OFFLINE
    if offline and not (content.get("province_id") and (content.get("city") or "").strip()):
        found.append(DomainError(N_("An offline course says its province and city."), field="city"))
    if (
        content.get("needs_demonstration")
        and not (content.get("demonstration_brief") or "").strip()
    ):
        found.append(
            DomainError(
                N_("Say what the skill demonstration asks participants to show."),
                field="demonstration_brief",
            )
        )
    return found


def trainer_count(trainer_names: str) -> int:
    """How many trainers a comma-separated list names."""
    return len([name for name in (trainer_names or "").split(",") if name.strip()])


def session_findings(
    method: Method,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    trainer_names: str,
    now: datetime,
    standard: TrainingStandard,
) -> list[DomainError]:
    """Every way a session falls short of the standard, each naming its field."""
    found: list[DomainError] = []
    if starts_at <= now:
        found.append(DomainError(N_("A session starts in the future."), field="starts_at"))
    if ends_at <= starts_at:
        found.append(DomainError(N_("A session ends after it starts."), field="ends_at"))
    trainers = trainer_count(trainer_names)
    if trainers == 0:
        found.append(
            DomainError(N_("Name the session's trainer, or trainers."), field="trainer_names")
        )
    ratio = trainees_per_trainer(standard, method)
    if ratio is not None and trainers and capacity > ratio * trainers:
        found.append(
            DomainError(
                N_(
                    "One trainer teaches at most %(ratio)s participants at once: %(capacity)s "
                    "seats need %(needed)s trainers."
                ),
                field="capacity",
                ratio=ratio,
                capacity=capacity,
                needed=-(-capacity // ratio),
            )
        )
    return found
