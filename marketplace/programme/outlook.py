"""What the public start page says of the programme: the batch open now (or the next one to
open) and the scheme whose amounts a newcomer would get.

One query in the usual case, two when no batch is open or announced: the start page is the
site's busiest public page.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.programme.models import Batch, Scheme


@dataclass(frozen=True)
class Outlook:
    """The batch ahead of a newcomer and the scheme it follows.

    `batch` is the batch open at `now`, else the next one to open, else None (none is
    announced). `scheme` is that batch's; with no batch ahead, the latest batch's, so the page
    can still say what the programme gives; None before any batch exists.
    """

    batch: Batch | None
    is_open: bool
    scheme: Scheme | None


def outlook(now: datetime) -> Outlook:
    """The batch open at `now` (UTC) or the next to open, and its scheme."""
    # Batches never overlap and a batch is selected only after it closes, so the first batch
    # not yet closed is the open one when one is open, else the next to open.
    batch = db.session.scalar(
        sa.select(Batch)
        .options(joinedload(Batch.scheme))
        .where(Batch.closes_at > now, Batch.selected_at.is_(None))
        .order_by(Batch.opens_at)
        .limit(1)
    )
    if batch is not None:
        return Outlook(batch=batch, is_open=batch.is_open(now), scheme=batch.scheme)
    scheme = db.session.scalar(
        sa.select(Scheme)
        .join(Batch, Batch.scheme_id == Scheme.id)
        .order_by(Batch.number.desc())
        .limit(1)
    )
    return Outlook(batch=None, is_open=False, scheme=scheme)
