"""catalogue revision: a database starts far past any other's; course sort keys by id;
a provider's listed courses by enrolments

Result pages are shared between processes and machines under the catalogue's revision
(catalogue/shared_results.py). A database made again, or another database behind the same
store, must never have a revision another one had with different contents: stripe 0 moves
2**40 and a random part further (search.start_new_revision does the same at
`flask search forget-results`).

`ix_course_sort_keys`: what a search's matches are filtered and sorted by (price, rating,
enrolments, publication), reached by id from the search index without reading the courses'
rows (catalogue/listing.py). `ix_course_provider_listed` replaces `ix_course_provider_status`
(its first two columns): a course page's other courses of the provider, most enrolled first,
come from the index without sorting the provider's thousands of courses.

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
    op.create_index(
        "ix_course_sort_keys",
        "course",
        ["id", "price", "rating_avg", "rating_count", "enrolment_count", "published_at"],
        unique=False,
    )
    op.drop_index("ix_course_provider_status", table_name="course")
    op.create_index(
        "ix_course_provider_listed",
        "course",
        ["provider_id", "status", "enrolment_count", "id"],
        unique=False,
    )
    op.get_bind().execute(
        sa.text("UPDATE catalogue_revision SET revision = revision + :jump WHERE stripe = 0"),
        {"jump": JUMP + secrets.randbelow(JUMP)},
    )


def downgrade():
    # Revisions only ever grow: going back leaves the revision where it is.
    op.drop_index("ix_course_provider_listed", table_name="course")
    op.create_index(
        "ix_course_provider_status", "course", ["provider_id", "status"], unique=False
    )
    op.drop_index("ix_course_sort_keys", table_name="course")
