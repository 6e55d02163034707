"""Where a participant stands on the way to a card, and beyond: read, never written."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from marketplace.core.indonesia import jakarta_date
from marketplace.extensions import db
from marketplace.money.models import Card, CardStatus
from marketplace.people.models import Participant, User
from marketplace.programme import batches
from marketplace.programme.models import Application, Batch, Outcome, TestAttempt


@dataclass
class Standing:
    """Everything the /account checklist shows, gathered in one place."""

    user: User
    participant: Participant | None
    open_batch: Batch | None
    attempt: TestAttempt | None  # for the open batch
    application: Application | None  # for the open batch
    applications: list[Application] = field(default_factory=list)  # newest first
    card: Card | None = None
    balance: int | None = None
    rejections: int = 0

    @property
    def email_verified(self) -> bool:
        return self.user.verified_at is not None

    @property
    def profile_complete(self) -> bool:
        return self.participant is not None

    @property
    def test_done(self) -> bool:
        return self.attempt is not None and self.attempt.submitted_at is not None

    @property
    def latest_application(self) -> Application | None:
        return self.applications[0] if self.applications else None

    @property
    def may_join_again(self) -> bool:
        return self.rejections < batches.MAX_REJECTIONS

    def purchase_days_left(self, now: datetime) -> int:
        """Calendar days in WIB from today to the first-purchase deadline, which falls at the
        end of its day: 30 on the day a 30-day card is issued, 1 on the deadline's own day,
        0 once it has passed."""
        deadline = self.card.purchase_deadline_at
        if now >= deadline:
            return 0
        return max(1, (jakarta_date(deadline) - jakarta_date(now)).days)

    @property
    def awaiting_first_purchase(self) -> bool:
        return (
            self.card is not None
            and self.card.status is CardStatus.ACTIVE
            and self.card.first_purchase_at is None
        )


def participant_standing(user: User, now: datetime) -> Standing:
    """The participant's progress: email, profile, test, batch, selection, card."""
    participant = db.session.scalar(sa.select(Participant).where(Participant.user_id == user.id))
    open_batch = batches.open_batch(now)
    standing = Standing(
        user=user, participant=participant, open_batch=open_batch, attempt=None, application=None
    )
    if participant is None:
        return standing
    standing.applications = list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.participant_id == participant.id)
            .order_by(Application.joined_at.desc(), Application.id.desc())
        )
    )
    standing.rejections = sum(
        1 for application in standing.applications if application.outcome is Outcome.REJECTED
    )
    if open_batch is not None:
        standing.attempt = db.session.scalar(
            sa.select(TestAttempt).where(
                TestAttempt.participant_id == participant.id,
                TestAttempt.batch_id == open_batch.id,
            )
        )
        standing.application = next(
            (a for a in standing.applications if a.batch_id == open_batch.id), None
        )
    standing.card = db.session.scalar(sa.select(Card).where(Card.participant_id == participant.id))
    if standing.card is not None:
        standing.balance = standing.card.account.balance
    return standing
