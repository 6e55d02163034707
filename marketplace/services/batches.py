"""Batches (gelombang): opening them, joining them, and selection."""

from datetime import datetime

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import Batch


def open_batch(now: datetime) -> Batch | None:
    """The batch participants can join (and take the test for) at `now` (UTC), if any."""
    return db.session.scalar(
        sa.select(Batch)
        .where(Batch.opens_at <= now, Batch.closes_at > now, Batch.selected_at.is_(None))
        .order_by(Batch.number)
        .limit(1)
    )
