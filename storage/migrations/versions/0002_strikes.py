"""The strike register: strikes, their reviews, confirmed measures, and leads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_index("ix_author_team_handle", "author", ["team_id", "handle"])
    op.create_table(
        "strike",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("author.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("decided_by", sa.String(32), nullable=False),
        _when("decided_at"),
        _when("expires_at", nullable=True),
        sa.Column("reason_internal", sa.String(2000), nullable=False),
        sa.Column("reason_public", sa.String(2000), nullable=False),
        sa.UniqueConstraint("case_id", "author_id", name="uq_strike_case_author"),
    )
    op.create_index("ix_strike_team_expires", "strike", ["team_id", "expires_at", "author_id"])
    op.create_index("ix_strike_author", "strike", ["author_id", "decided_at"])
    op.create_table(
        "strike_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("strike_id", sa.Integer(), sa.ForeignKey("strike.id"), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reviewed_by", sa.String(32), nullable=False),
        _when("reviewed_at"),
        sa.Column("reason", sa.String(2000), nullable=False),
    )
    op.create_index("ix_strike_review_strike_id", "strike_review", ["strike_id"])
    op.create_table(
        "author_measure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("author.id"), nullable=False),
        sa.Column("strike_id", sa.Integer(), sa.ForeignKey("strike.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("confirmed_by", sa.String(32), nullable=False),
        _when("confirmed_at"),
        sa.UniqueConstraint("strike_id", "kind", name="uq_measure_strike_kind"),
    )
    op.create_index("ix_author_measure_author_id", "author_measure", ["author_id"])
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("added_by", sa.String(32), nullable=False),
        _when("added_at"),
        sa.Column("removed_by", sa.String(32), nullable=True),
        _when("removed_at", nullable=True),
        sa.UniqueConstraint("team_id", "user_id", name="uq_lead_user"),
    )


def downgrade() -> None:
    op.drop_table("lead")
    op.drop_table("author_measure")
    op.drop_table("strike_review")
    op.drop_table("strike")
    op.drop_index("ix_author_team_handle", table_name="author")
