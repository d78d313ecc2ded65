"""The pre-screen's codes per case, and a fingerprint of each post for the repeat check.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_screen",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), primary_key=True),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("codes", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.BigInteger(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
    )
    op.create_index("ix_case_screen_team_at", "case_screen", ["team_id", "screened_at"])


def downgrade() -> None:
    op.drop_index("ix_case_screen_team_at", table_name="case_screen")
    op.drop_table("case_screen")
