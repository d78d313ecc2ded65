"""Practice rounds and answers (/oefenen), in tables of their own, apart from the real register.

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("clicked", sa.String(length=1000), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_practice_round_user", "practice_round", ["team_id", "user_id", "id"])
    op.create_table(
        "practice_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("practice_round.id"), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("chosen", sa.String(length=64), nullable=False),
        sa.Column("right", sa.Boolean(), nullable=False),
        sa.Column("sentiment_right", sa.Boolean(), nullable=False),
        sa.Column("against", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_practice_answer_user", "practice_answer", ["team_id", "user_id", "answered_at"])


def downgrade() -> None:
    op.drop_index("ix_practice_answer_user", table_name="practice_answer")
    op.drop_table("practice_answer")
    op.drop_index("ix_practice_round_user", table_name="practice_round")
    op.drop_table("practice_round")
