"""Cases, evidence, authors and the decision log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "author",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        _when("created_at"),
        sa.UniqueConstraint("team_id", "platform", "handle", name="uq_author_handle"),
    )
    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("bot_message_ts", sa.String(32), nullable=True),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("source_permalink", sa.String(500), nullable=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("link", sa.String(2000), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("author.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("forwarded_by", sa.String(32), nullable=False),
        _when("forwarded_at"),
        sa.Column("origin", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("pending_action", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _when("closed_at", nullable=True),
        sa.UniqueConstraint("team_id", "channel_id", "message_ts", name="uq_case_message"),
    )
    op.create_index("ix_case_author_id", "case", ["author_id"])
    op.create_index("ix_case_status_forwarded", "case", ["team_id", "status", "forwarded_at"])
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("action_id", sa.String(64), nullable=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        _when("decided_at"),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
    )
    op.create_index("ix_decision_case", "decision", ["case_id", "id"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("file_id", sa.String(32), nullable=False),
        sa.Column("added_by", sa.String(32), nullable=False),
        _when("added_at"),
        sa.UniqueConstraint("case_id", "file_id", name="uq_evidence_file"),
    )
    op.create_index("ix_evidence_case_id", "evidence", ["case_id"])


def downgrade() -> None:
    op.drop_table("evidence")
    op.drop_table("decision")
    op.drop_table("case")
    op.drop_table("author")
