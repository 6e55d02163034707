"""provider staff invitations: the office invites a provider's staff by a single-use link

Revision ID: bc2542ee3975
Revises: bc9b8b40be28
Create Date: 2026-12-06 03:28:10.615920

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "bc2542ee3975"
down_revision = "bc9b8b40be28"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "provider_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        # SHA-256 (hex) of the link's secret: the link itself is never stored.
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "email = lower(email)", name=op.f("ck_provider_invitation_email_lower")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_provider_invitation_invited_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider.id"],
            name=op.f("fk_provider_invitation_provider_id_provider"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_provider_invitation_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_provider_invitation_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_provider_invitation_user_id")),
    )
    with op.batch_alter_table("provider_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_invitation_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_provider_invitation_provider_id"), ["provider_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("provider_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_invitation_provider_id"))
        batch_op.drop_index(batch_op.f("ix_provider_invitation_email"))

    op.drop_table("provider_invitation")
