"""catalogue revision: a database starts far past any other database's revisions

Result pages are shared between processes and machines under the catalogue's revision
(catalogue/shared_results.py). A database made again, or another database behind the same
store, must never have a revision another one had with different contents: stripe 0 moves
2**40 and a random part further (search.start_new_revision does the same at
`flask search forget-results`).

Revision ID: a3c5e7f9b1d2
Revises: f147485f3831
Create Date: 2026-12-06 13:30:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3c5e7f9b1d2"
down_revision = "f147485f3831"
branch_labels = None
depends_on = None

JUMP = 2**40


def upgrade():
    op.get_bind().execute(
        sa.text("UPDATE catalogue_revision SET revision = revision + :jump WHERE stripe = 0"),
        {"jump": JUMP + secrets.randbelow(JUMP)},
    )


def downgrade():
    # Revisions only ever grow: going back leaves the revision where it is.
    pass
