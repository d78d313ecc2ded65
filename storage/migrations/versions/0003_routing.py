"""Services, antennas, routed questions and timed jobs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("backup_user_id", sa.String(32), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("question_minutes", sa.Integer(), nullable=True),
        sa.Column("report_minutes", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("team_id", "name", name="uq_service_name"),
    )
    op.create_table(
        "antenna",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("service.id"), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("added_by", sa.String(32), nullable=False),
        _when("added_at"),
        sa.UniqueConstraint("service_id", "user_id", name="uq_antenna_user"),
    )
    op.create_index("ix_antenna_service_id", "antenna", ["service_id"])
    op.create_table(
        "routed_question",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("service.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(32), nullable=False),
        _when("asked_at"),
        _when("due_at", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("acknowledged_by", sa.String(32), nullable=True),
        sa.Column("answered_by", sa.String(32), nullable=True),
        _when("answered_at", nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("rerouted_to", sa.Integer(), nullable=True),
        sa.Column("reroute_reason", sa.String(2000), nullable=True),
    )
    op.create_index("ix_routed_question_case_id", "routed_question", ["case_id"])
    op.create_index("ix_routed_service_status", "routed_question", ["service_id", "status"])
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        _when("due_at"),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        _when("claimed_at", nullable=True),
        _when("done_at", nullable=True),
        sa.Column("outcome", sa.String(64), nullable=True),
    )
    op.create_index("ix_job_due", "job", ["done_at", "claimed_at", "due_at"])


def downgrade() -> None:
    op.drop_table("job")
    op.drop_table("routed_question")
    op.drop_table("antenna")
    op.drop_table("service")
