"""The certificates a participant holds, read in one query for the pages that list her
courses ("Pelatihan Saya"), where one query per order would grow with her courses."""

import sqlalchemy as sa

from marketplace.certificates.models import Certificate
from marketplace.extensions import db


def of_participant(participant_id: int) -> dict[int, Certificate]:
    """The participant's certificates by their order's id (revoked ones included: their page
    says so)."""
    rows = db.session.scalars(
        sa.select(Certificate).where(Certificate.participant_id == participant_id)
    )
    return {row.order_id: row for row in rows}
