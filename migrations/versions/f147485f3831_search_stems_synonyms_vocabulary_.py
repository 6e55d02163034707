"""search: roots in the index, synonyms, the vocabulary, the catalogue's revision

The search index gains the roots of the words (SQLite's FTS5 table is made again with
`title_stems` and `stems` columns; PostgreSQL's tsvector holds the title's roots at weight C
and the body's at D) and is rebuilt from the course
table with them. `search_term` is the vocabulary typos are corrected against,
`search_synonym` the office's synonym groups (loaded with the defaults of
seed_data/search_synonyms.txt). `catalogue_revision` is raised by triggers on every table a
catalogue page shows, so results kept under it are never stale, whichever process or server
changed the data. (On SQLite, a later migration that recreates a watched table with
batch_alter_table drops its triggers: make them again; tests/catalogue/
test_revision_triggers.py fails until then.)

Revision ID: f147485f3831
Revises: 54d16d31e066
Create Date: 2026-12-06 09:44:43.847315

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f147485f3831"
down_revision = "54d16d31e066"
branch_labels = None
depends_on = None

STRIPES = 8
# What catalogue pages show: any change to these raises the catalogue's revision.
WATCHED = (
    "course",
    "course_session",
    "module",
    "course_review",
    "provider",
    "category",
    "platform",
    "search_synonym",
)


def upgrade():
    op.create_table(
        "catalogue_revision",
        sa.Column("stripe", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stripe", name=op.f("pk_catalogue_revision")),
    )
    op.create_table(
        "search_synonym",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrases", sa.String(length=600), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonym")),
    )
    op.create_table(
        "search_term",
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_term")),
    )
    op.bulk_insert(
        sa.table("catalogue_revision", sa.column("stripe"), sa.column("revision")),
        [{"stripe": stripe, "revision": 0} for stripe in range(STRIPES)],
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Raised once per transaction, when it commits (deferred constraint triggers): the
        # stripe row is locked only at the very end, after every other lock the transaction
        # takes, so it never joins a cycle of waits; the stripe is the one of the
        # connection's server process, so concurrent writers seldom share a row.
        op.execute(
            "CREATE FUNCTION raise_catalogue_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
            "BEGIN "
            "IF current_setting('catalogue.raised_in', true) = txid_current()::text THEN "
            "RETURN NULL; END IF; "
            "PERFORM set_config('catalogue.raised_in', txid_current()::text, true); "
            "UPDATE catalogue_revision SET revision = revision + 1 "
            f"WHERE stripe = pg_backend_pid() % {STRIPES}; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER catalogue_revision_{table} "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED "
                "FOR EACH ROW EXECUTE FUNCTION raise_catalogue_revision()"
            )
            op.execute(
                f"CREATE TRIGGER catalogue_revision_{table}_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION raise_catalogue_revision()"
            )
    else:
        # SQLite has row triggers only; its writers take turns anyway, so one stripe.
        for table in WATCHED:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER catalogue_revision_{table}_{event.lower()} "  # noqa: S608
                    f"AFTER {event} ON {table} BEGIN "
                    "UPDATE catalogue_revision SET revision = revision + 1 WHERE stripe = 0; END"
                )
        op.execute("DROP TABLE course_search")
        op.execute(
            "CREATE VIRTUAL TABLE course_search USING fts5("
            "title, body, title_stems, stems, facets, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
        )
    # The index and the vocabulary with roots, and the default synonyms, with the search's
    # own code (the roots come from Python, not SQL).
    from marketplace.catalogue import search

    search.rebuild_index(bind)
    synonyms = sa.table("search_synonym", sa.column("phrases"), sa.column("updated_at"))
    groups = [
        line.strip()
        for line in search.DEFAULT_SYNONYMS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    now = datetime.now(UTC).replace(tzinfo=None)
    if groups:
        op.bulk_insert(synonyms, [{"phrases": group, "updated_at": now} for group in groups])


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS catalogue_revision_{table} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS catalogue_revision_{table}_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS raise_catalogue_revision()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS catalogue_revision_{table}_{event}")
        # The index as it was, from what the new one holds (all but the roots).
        op.execute(
            "CREATE VIRTUAL TABLE course_search_before USING fts5("
            "title, body, facets, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
        )
        op.execute(
            "INSERT INTO course_search_before (rowid, title, body, facets) "
            "SELECT rowid, title, body, facets FROM course_search"
        )
        op.execute("DROP TABLE course_search")
        op.execute("ALTER TABLE course_search_before RENAME TO course_search")
    op.drop_table("search_term")
    op.drop_table("search_synonym")
    op.drop_table("catalogue_revision")
