"""Batches (gelombang): schemes, creating batches, joining them, and selection.

A participant joins the open batch once their email is verified, their profile (with NIK)
is complete and they have submitted the online test for that batch. After the batch
closes, the programme office runs selection once.

Selection
---------
Every application of the batch is ranked, best first, by:

1. employment status: laid off, then job seeker, then micro or small business owner,
   then worker (the programme serves those who lost work first);
2. online test score, highest first;
3. the earlier join time;
4. the application number (so the order is fully deterministic).

Going down the ranking, an application is rejected, with a reason code, when the
participant

- is blocked by the programme office ("blocked");
- already has a card, from any batch ("has_card");
- is not 18 to 64 years old on the selection day, by the Jakarta calendar ("age");
- shares a family card (KK) number with 2 participants already accepted in any batch,
  including earlier in this ranking ("kk_limit");
- comes after the batch's quota is filled ("quota");
- lives in a province whose quota for the batch is filled ("province_quota").

Everyone else is accepted and gets a card with the scheme's balance. A province quota is
a cap, not a reservation: provinces without one are capped only by the batch quota, and
the province quotas may add up to more than the batch quota.

A participant not selected may join a later batch; after MAX_REJECTIONS rejections they
may not join again.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.indonesia import jakarta_date, rupiah
from marketplace.core.inputs import read_number
from marketplace.core.models import Province
from marketplace.core.paging import MAX_PAGE
from marketplace.extensions import db
from marketplace.money import cards, ledger
from marketplace.money.models import Card, LedgerAccount
from marketplace.people import participants
from marketplace.people.models import Employment, Participant, User
from marketplace.programme.models import (
    Application,
    Batch,
    BatchProvinceQuota,
    Outcome,
    Scheme,
    TestAttempt,
)

MAX_REJECTIONS = 3
KK_LIMIT = 2  # accepted participants per family card (KK), across all batches
EMPLOYMENT_PRIORITY = (
    Employment.LAID_OFF,
    Employment.JOB_SEEKER,
    Employment.BUSINESS_OWNER,
    Employment.WORKER,
)
REJECTION_REASONS = ("blocked", "has_card", "age", "kk_limit", "quota", "province_quota")

# The programme's rules as data (DESIGN.md, "Programme rules").
SCHEMES = (
    {
        "code": "2020",
        "name": "Prakerja 2020",
        "training_balance": 1_000_000,
        "purchase_deadline_days": 30,
        "incentive_amount": 600_000,
        "incentive_payments": 4,
        "survey_incentive": 50_000,
        "survey_count": 3,
        "one_unfinished_course": True,
        "max_course_price": None,
    },
    {
        "code": "2023",
        "name": "Prakerja 2023 (skema normal)",
        "training_balance": 3_500_000,
        "purchase_deadline_days": 15,
        "incentive_amount": 600_000,
        "incentive_payments": 1,
        "survey_incentive": 50_000,
        "survey_count": 2,
        "one_unfinished_course": False,
        "max_course_price": None,
    },
)


class SelectionAlreadyRun(DomainError):
    """Selection of this batch has already run (a conflict: show it as 409)."""


# --- reading -------------------------------------------------------------------------------


def ensure_schemes() -> dict[str, Scheme]:
    """Insert the 2020 and 2023 schemes when missing (safe to run twice); all by code."""
    existing = {scheme.code: scheme for scheme in db.session.scalars(sa.select(Scheme))}
    for values in SCHEMES:
        if values["code"] not in existing:
            scheme = Scheme(**values)
            db.session.add(scheme)
            existing[scheme.code] = scheme
    db.session.flush()
    return existing


def schemes() -> list[Scheme]:
    """Every scheme, by code."""
    return list(db.session.scalars(sa.select(Scheme).order_by(Scheme.code)))


def open_batch(now: datetime) -> Batch | None:
    """The batch participants can join (and take the test for) at `now` (UTC), if any."""
    return db.session.scalar(
        sa.select(Batch)
        .where(Batch.opens_at <= now, Batch.closes_at > now, Batch.selected_at.is_(None))
        .order_by(Batch.number)
        .limit(1)
    )


def get_batch(batch_id: int) -> Batch | None:
    """The batch with this id, or None."""
    return db.session.get(Batch, batch_id)


def by_number(number: int) -> Batch | None:
    """The batch with this number, or None."""
    return db.session.scalar(sa.select(Batch).where(Batch.number == number))


@dataclass
class BatchCounts:
    """How many applications a batch has, by outcome."""

    joined: int = 0  # every application, whatever its outcome
    waiting: int = 0
    accepted: int = 0
    rejected: int = 0


def counts(batch_ids: list[int]) -> dict[int, BatchCounts]:
    """Application counts per batch id (one grouped query)."""
    result = {batch_id: BatchCounts() for batch_id in batch_ids}
    if not batch_ids:
        return result
    rows = db.session.execute(
        sa.select(Application.batch_id, Application.outcome, sa.func.count(Application.id))
        .where(Application.batch_id.in_(batch_ids))
        .group_by(Application.batch_id, Application.outcome)
    ).all()
    for batch_id, outcome, number in rows:
        tally = result[batch_id]
        tally.joined += number
        if outcome is Outcome.ACCEPTED:
            tally.accepted += number
        elif outcome is Outcome.REJECTED:
            tally.rejected += number
        else:
            tally.waiting += number
    return result


def list_batches() -> list[tuple[Batch, BatchCounts]]:
    """Every batch, newest first, with its application counts."""
    batches = list(
        db.session.scalars(
            sa.select(Batch).options(joinedload(Batch.scheme)).order_by(Batch.number.desc())
        )
    )
    tallies = counts([batch.id for batch in batches])
    return [(batch, tallies[batch.id]) for batch in batches]


def applications(batch: Batch, page: int = 1, per_page: int = 50):
    """A page of the batch's applications: by rank once selected, else by join time."""
    query = (
        sa.select(Application)
        .where(Application.batch_id == batch.id)
        .options(
            joinedload(Application.participant).joinedload(Participant.province),
            joinedload(Application.test_attempt),
        )
    )
    if batch.selected_at is not None:
        query = query.order_by(Application.rank, Application.id)
    else:
        query = query.order_by(Application.joined_at, Application.id)
    page = min(max(page, 1), MAX_PAGE)  # a huge page number must not overflow the OFFSET
    return db.paginate(query, page=page, per_page=per_page, max_per_page=200, error_out=False)


def rejection_count(participant: Participant) -> int:
    """How many batches did not select this participant."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Application.id)).where(
                Application.participant_id == participant.id,
                Application.outcome == Outcome.REJECTED,
            )
        )
        or 0
    )


def can_join_again(participant: Participant) -> bool:
    """False once the participant has been rejected MAX_REJECTIONS times."""
    return rejection_count(participant) < MAX_REJECTIONS


def read_province_quotas(text: str | None) -> dict[int, int]:
    """Province quotas typed one a line as ``<Kemendagri code>=<quota>``, e.g. ``32=100``.

    Returns {province id: quota}; refuses unknown codes, repeated codes and bad numbers.
    """
    known = dict(db.session.execute(sa.select(Province.code, Province.id)).all())
    quotas: dict[int, int] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, separator, value = (part.strip() for part in line.partition("="))
        quota = read_number(value, max_digits=9)
        if not separator or quota is None:
            raise DomainError(
                N_(
                    "Line %(line)s: write a province code, an equals sign and a number, "
                    "like 32=100."
                ),
                field="province_quotas",
                line=number,
            )
        province_id = known.get(code)
        if province_id is None:
            raise DomainError(
                N_("Line %(line)s: %(code)s is not a province code."),
                field="province_quotas",
                line=number,
                code=code[:10],
            )
        if province_id in quotas:
            raise DomainError(
                N_("Line %(line)s: province %(code)s is given twice."),
                field="province_quotas",
                line=number,
                code=code,
            )
        quotas[province_id] = quota
    return quotas


# --- creating a batch ----------------------------------------------------------------------


def _when(value: datetime) -> str:
    return f"{format_datetime(value, 'd MMMM y, HH.mm')} WIB"


def create_batch(
    number: int,
    opens_at: datetime,
    closes_at: datetime,
    quota: int,
    scheme: Scheme | str,
    province_quotas: dict[int, int] | None,
    actor: User | None,
) -> Batch:
    """Create a batch (times in naive UTC). Refuses, field by field (`DomainError.several`):

    a number below 1 or already used, a closing time not after the opening, a window that
    overlaps another batch's, a quota below 1, an unknown scheme, a province quota below 0
    or for an unknown province. Province quotas may add up to more than the quota.
    """
    errors: list[DomainError] = []
    if number is None or number < 1:
        errors.append(DomainError(N_("The batch number must be 1 or more."), field="number"))
    elif by_number(number) is not None:
        errors.append(
            DomainError(N_("Batch %(number)s already exists."), field="number", number=number)
        )
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        errors.append(DomainError(N_("The batch must close after it opens."), field="closes_at"))
    else:
        overlapping = db.session.scalar(
            sa.select(Batch)
            .where(Batch.opens_at < closes_at, opens_at < Batch.closes_at)
            .order_by(Batch.number)
            .limit(1)
        )
        if overlapping is not None:
            errors.append(
                DomainError(
                    N_(
                        "Batch %(number)s is open from %(opens)s to %(closes)s; "
                        "batches can't overlap."
                    ),
                    field="opens_at",
                    number=overlapping.number,
                    opens=_when(overlapping.opens_at),
                    closes=_when(overlapping.closes_at),
                )
            )
    if quota is None or quota < 1:
        errors.append(DomainError(N_("The quota must be 1 or more."), field="quota"))
    if isinstance(scheme, str):
        scheme = db.session.scalar(sa.select(Scheme).where(Scheme.code == scheme))
    if scheme is None:
        errors.append(DomainError(N_("Choose the scheme of the batch."), field="scheme"))
    province_quotas = province_quotas or {}
    if province_quotas:
        known = set(
            db.session.scalars(sa.select(Province.id).where(Province.id.in_(province_quotas)))
        )
        if any(value is None or value < 0 for value in province_quotas.values()):
            errors.append(
                DomainError(N_("A province quota must be 0 or more."), field="province_quotas")
            )
        elif set(province_quotas) - known:
            errors.append(
                DomainError(
                    N_("A province quota names an unknown province."), field="province_quotas"
                )
            )
    if errors:
        raise DomainError.several(errors)
    batch = Batch(
        number=number, opens_at=opens_at, closes_at=closes_at, quota=quota, scheme_id=scheme.id
    )
    try:
        with db.session.begin_nested():
            db.session.add(batch)
            db.session.flush()
            for province_id, value in sorted(province_quotas.items()):
                db.session.add(
                    BatchProvinceQuota(batch_id=batch.id, province_id=province_id, quota=value)
                )
    except IntegrityError:
        raise DomainError.several(
            [DomainError(N_("Batch %(number)s already exists."), field="number", number=number)]
        ) from None
    audit.record(
        "batch.created",
        f"batch:{batch.id}",
        actor=actor,
        number=number,
        quota=quota,
        scheme=scheme.code,
        opens_at=opens_at.isoformat(),
        closes_at=closes_at.isoformat(),
        province_quotas={str(key): value for key, value in sorted(province_quotas.items())},
    )
    return batch


# --- joining -------------------------------------------------------------------------------


def submitted_attempt(participant: Participant, batch: Batch) -> TestAttempt | None:
    """The participant's submitted online test for this batch, if any."""
    return db.session.scalar(
        sa.select(TestAttempt).where(
            TestAttempt.participant_id == participant.id,
            TestAttempt.batch_id == batch.id,
            TestAttempt.submitted_at.is_not(None),
            TestAttempt.score.is_not(None),
        )
    )


def join(
    participant: Participant | None, batch: Batch, now: datetime, actor: User | None
) -> Application:
    """Join `batch` at `now`. Refused unless the batch is open, the email is verified, the
    profile is complete, the online test for this batch is submitted, and the participant
    has no card, is not blocked, has not joined this batch, is not waiting for another
    batch's results, and has been rejected fewer than MAX_REJECTIONS times.
    """
    user = participant.user if participant is not None else actor
    if not batch.is_open(now):
        raise DomainError(N_("Batch %(number)s is not open for joining."), number=batch.number)
    if user is None or user.verified_at is None:
        raise DomainError(N_("Verify your email address before you join a batch."))
    if participant is None:
        raise DomainError(N_("Fill in your profile and NIK before you join a batch."))
    if participant.blocked_at is not None:
        raise DomainError(
            N_("The programme office has blocked your account, so you can't join a batch.")
        )
    if cards.has_card(participant):
        raise DomainError(N_("You already have a Kartu Prakerja: one card per person, ever."))
    rejections = rejection_count(participant)
    if rejections >= MAX_REJECTIONS:
        raise DomainError(
            N_(
                "You were not selected in %(num)s batches. That is the most the programme "
                "allows, so you cannot join another batch."
            ),
            num=rejections,
        )
    earlier = db.session.scalar(
        sa.select(Application)
        .where(
            Application.participant_id == participant.id,
            Application.outcome == Outcome.JOINED,
            Application.batch_id != batch.id,
        )
        .limit(1)
    )
    if earlier is not None:
        raise DomainError(
            N_(
                "You are waiting for the results of batch %(number)s. "
                "Join another batch after them."
            ),
            number=earlier.batch.number,
        )
    attempt = submitted_attempt(participant, batch)
    if attempt is None:
        raise DomainError(
            N_("Take the online test for batch %(number)s before you join it."),
            number=batch.number,
        )
    application = Application(
        participant_id=participant.id,
        batch_id=batch.id,
        test_attempt_id=attempt.id,
        outcome=Outcome.JOINED,
        joined_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(application)
    except IntegrityError:  # joined before, or a double submit: one application a batch
        raise DomainError(
            N_("You have already joined batch %(number)s."), number=batch.number
        ) from None
    mail.send_in_language(
        user,
        N_("You have joined batch %(number)s"),
        [
            N_("Hello %(name)s,"),
            N_(
                "You have joined batch %(number)s of Kartu Prakerja. Selection runs after "
                "the batch closes on %(closes)s, and we will write to you with the result."
            ),
        ],
        name=participant.full_name,
        number=str(batch.number),
        closes=lambda: _when(batch.closes_at),
    )
    audit.record(
        "batch.joined",
        f"application:{application.id}",
        actor=actor,
        batch=batch.number,
        participant_id=participant.id,
        score=attempt.score,
    )
    return application


# --- selection -----------------------------------------------------------------------------


@dataclass
class SelectionReport:
    """What a selection run decided."""

    batch_number: int
    quota: int
    joined: int = 0
    accepted: int = 0
    rejected: Counter = field(default_factory=Counter)  # reason code → count

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def describe(self) -> str:
        """A few plain lines for the command line."""
        lines = [
            f"Batch {self.batch_number}: {self.joined} joined, quota {self.quota}.",
            f"Accepted: {self.accepted} (a card issued to each).",
            f"Not selected: {self.rejected_total}.",
        ]
        lines += [
            f"  {reason}: {self.rejected[reason]}"
            for reason in REJECTION_REASONS
            if self.rejected[reason]
        ]
        return "\n".join(lines)


def ranking_key(application: Application) -> tuple:
    """Where an application stands: employment priority, score, join time, number."""
    employment = application.participant.employment
    score = application.test_attempt.score if application.test_attempt is not None else None
    return (
        EMPLOYMENT_PRIORITY.index(employment),
        -(score or 0),
        application.joined_at,
        application.id,
    )


def _reason(
    participant: Participant,
    selection_day: date,
    carded: set[int],
    kk_taken: Counter,
    accepted: int,
    quota: int,
    province_caps: dict[int, int],
    province_taken: Counter,
) -> str | None:
    if participant.blocked_at is not None:
        return "blocked"
    if participant.id in carded:
        return "has_card"
    if not participants.is_eligible_age(participant.birth_date, selection_day):
        return "age"
    if kk_taken[participant.kk] >= KK_LIMIT:
        return "kk_limit"
    if accepted >= quota:
        return "quota"
    cap = province_caps.get(participant.province_id)
    if cap is not None and province_taken[participant.province_id] >= cap:
        return "province_quota"
    return None


def select(batch: Batch, now: datetime, actor: User | None = None) -> SelectionReport:
    """Run selection for a closed batch, once; see the module docstring for the rules.

    The batch is claimed first by ONE conditional UPDATE (selected_at IS NULL and closed
    by `now`), so two runs at the same time make one set of decisions and cards. Everything
    happens in a SAVEPOINT: when a rule refuses (not closed, already run, the programme fund
    short of the cards' balances), nothing has changed.
    """
    batch_id = batch.id
    # The KK limit and the fund span batches: two selections (of any batches) run one after
    # the other. On PostgreSQL the fund's row is the lock; on SQLite the UPDATE below takes
    # the database's write lock first (a read before it would make a concurrent run fail).
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(LedgerAccount.id)
            .where(LedgerAccount.code == ledger.PROGRAMME_FUND)
            .with_for_update()
        )
    with db.session.begin_nested():
        claimed = db.session.execute(
            sa.update(Batch)
            .where(Batch.id == batch_id, Batch.selected_at.is_(None), Batch.closes_at <= now)
            .values(selected_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        batch = db.session.get(Batch, batch_id, populate_existing=True)
        if batch is None:
            raise LookupError(f"no batch with id {batch_id}")
        if not claimed:
            if batch.selected_at is not None:
                raise SelectionAlreadyRun(
                    N_("Selection for batch %(number)s has already run."), number=batch.number
                )
            raise DomainError(
                N_(
                    "Batch %(number)s is open until %(closes)s. Selection can run only "
                    "after it closes."
                ),
                number=batch.number,
                closes=_when(batch.closes_at),
            )
        report, decisions = _decide(batch, now)
        _check_fund(batch, report)
        _apply(batch, decisions, now, actor)
        audit.record(
            "batch.selected",
            f"batch:{batch.id}",
            actor=actor,
            number=batch.number,
            joined=report.joined,
            accepted=report.accepted,
            rejected=dict(report.rejected),
        )
    return report


def _decide(batch: Batch, now: datetime) -> tuple[SelectionReport, list[tuple]]:
    """Rank the applications and decide each: [(application, rank, reason or None)]."""
    pending = list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.batch_id == batch.id, Application.outcome == Outcome.JOINED)
            .options(
                joinedload(Application.participant).joinedload(Participant.user),
                joinedload(Application.test_attempt),
            )
        ).unique()
    )
    in_batch = sa.select(Application.participant_id).where(Application.batch_id == batch.id)
    carded = set(
        db.session.scalars(sa.select(Card.participant_id).where(Card.participant_id.in_(in_batch)))
    )
    kks_in_batch = sa.select(Participant.kk).where(Participant.id.in_(in_batch))
    kk_taken = Counter(
        dict(
            db.session.execute(
                sa.select(Participant.kk, sa.func.count(Application.id))
                .join(Application, Application.participant_id == Participant.id)
                .where(Application.outcome == Outcome.ACCEPTED, Participant.kk.in_(kks_in_batch))
                .group_by(Participant.kk)
            ).all()
        )
    )
    province_caps = {row.province_id: row.quota for row in batch.province_quotas}
    province_taken: Counter = Counter()
    selection_day = jakarta_date(now)
    report = SelectionReport(batch_number=batch.number, quota=batch.quota, joined=len(pending))
    decisions = []
    for rank, application in enumerate(sorted(pending, key=ranking_key), start=1):
        participant = application.participant
        reason = _reason(
            participant,
            selection_day,
            carded,
            kk_taken,
            report.accepted,
            batch.quota,
            province_caps,
            province_taken,
        )
        if reason is None:
            report.accepted += 1
            kk_taken[participant.kk] += 1
            province_taken[participant.province_id] += 1
        else:
            report.rejected[reason] += 1
        decisions.append((application, rank, reason))
    return report, decisions


def _check_fund(batch: Batch, report: SelectionReport) -> None:
    needed = report.accepted * batch.scheme.training_balance
    available = ledger.balance_of(ledger.PROGRAMME_FUND)
    if needed > available:
        raise DomainError(
            N_(
                "The programme fund holds %(available)s, but the %(count)s participants "
                "selected need %(needed)s. Allocate budget to the programme first."
            ),
            available=rupiah(available),
            count=report.accepted,
            needed=rupiah(needed),
        )


REJECTION_MAIL = {
    "quota": N_("There were more applicants than places in batch %(number)s."),
    "province_quota": N_(
        "There were more applicants from your province than places in batch %(number)s."
    ),
    "age": N_("Participants must be 18 to 64 years old on the day of selection."),
    "kk_limit": N_(
        "Two members of your family card (KK) have already been accepted, which is the "
        "most the programme allows."
    ),
    "has_card": N_("You already have a Kartu Prakerja: one card per person, ever."),
    "blocked": N_(
        "The programme office has blocked your account. Write to us if you think this is a mistake."
    ),
}


def _apply(batch: Batch, decisions: list[tuple], now: datetime, actor: User | None) -> None:
    earlier_rejections = dict(
        db.session.execute(
            sa.select(Application.participant_id, sa.func.count(Application.id))
            .where(
                Application.outcome == Outcome.REJECTED,
                Application.participant_id.in_(
                    sa.select(Application.participant_id).where(Application.batch_id == batch.id)
                ),
            )
            .group_by(Application.participant_id)
        ).all()
    )
    for application, rank, reason in decisions:
        participant = application.participant
        application.rank = rank
        application.decided_at = now
        application.reason = reason
        application.outcome = Outcome.ACCEPTED if reason is None else Outcome.REJECTED
        if reason is None:
            cards.issue(participant, batch, now, actor)
            mail.send_in_language(
                participant.user,
                N_("You have been selected in batch %(number)s"),
                [
                    N_("Hello %(name)s,"),
                    N_(
                        "Congratulations: you have been selected in batch %(number)s "
                        "of Kartu Prakerja."
                    ),
                    N_(
                        "Your card and its training balance are in your account. Buy your "
                        "first course before the deadline shown there."
                    ),
                ],
                name=participant.full_name,
                number=str(batch.number),
            )
            continue
        rejections = earlier_rejections.get(participant.id, 0) + 1
        paragraphs = [
            N_("Hello %(name)s,"),
            N_("You have not been selected in batch %(number)s of Kartu Prakerja."),
            REJECTION_MAIL[reason],
        ]
        if reason not in ("has_card", "blocked"):
            if rejections < MAX_REJECTIONS:
                paragraphs.append(N_("You can join the next batch and take its test again."))
            else:
                paragraphs.append(
                    N_(
                        "You were not selected in %(num)s batches. That is the most the "
                        "programme allows, so you cannot join another batch."
                    )
                )
        mail.send_in_language(
            participant.user,
            N_("Batch %(number)s results"),
            paragraphs,
            name=participant.full_name,
            number=str(batch.number),
            num=str(rejections),
        )
