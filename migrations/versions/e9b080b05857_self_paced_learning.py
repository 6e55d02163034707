"""self-paced learning: lessons, the question bank, modules opened, tests taken, the
course's pass mark and tries, the scheme's minimum learning time, the order's score

Revision ID: e9b080b05857
Revises: d5b9e3a7c1f2
Create Date: 2026-12-05 23:32:08.967089

"""

import sqlalchemy as sa
from alembic import op

revision = "e9b080b05857"
down_revision = "d5b9e3a7c1f2"
branch_labels = None
depends_on = None


def upgrade():
    # Columns are added in place on both engines: a batch copy of the course or module table
    # would drop a table that others point at.
    op.add_column(
        "course", sa.Column("pass_mark", sa.Integer(), server_default="60", nullable=False)
    )
    op.add_column(
        "course", sa.Column("test_tries", sa.Integer(), server_default="3", nullable=False)
    )
    op.add_column("module", sa.Column("lesson", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "scheme",
        sa.Column("min_learning_percent", sa.Integer(), server_default="50", nullable=False),
    )
    op.add_column("course_order", sa.Column("score", sa.Integer(), nullable=True))
    op.create_table(
        "course_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("correct_choice", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "correct_choice >= 0", name=op.f("ck_course_question_correct_choice_index")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_question_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_course_question_module_id_module"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_question")),
    )
    op.create_index(
        "ix_course_question_course_module", "course_question", ["course_id", "module_id"]
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "pre_test",
                "quiz",
                "post_test",
                name="assessmentkind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_assessment_number_positive")),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_assessment_score_range")),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_assessment_module_id_module"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["course_order.id"], name=op.f("fk_assessment_order_id_course_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("order_id", "kind", "module_id", "number", name="uq_assessment_try"),
    )
    op.create_index(op.f("ix_assessment_order_id"), "assessment", ["order_id"])
    op.create_table(
        "module_progress",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("quiz_passed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["module.id"],
            name=op.f("fk_module_progress_module_id_module"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["course_order.id"], name=op.f("fk_module_progress_order_id_course_order")
        ),
        sa.PrimaryKeyConstraint("order_id", "module_id", name=op.f("pk_module_progress")),
    )


def downgrade():
    op.drop_table("module_progress")
    op.drop_index(op.f("ix_assessment_order_id"), table_name="assessment")
    op.drop_table("assessment")
    op.drop_index("ix_course_question_course_module", table_name="course_question")
    op.drop_table("course_question")
    op.drop_column("course_order", "score")
    op.drop_column("scheme", "min_learning_percent")
    op.drop_column("module", "lesson")
    op.drop_column("course", "test_tries")
    op.drop_column("course", "pass_mark")
