"""Messages a click redraws (read from here, never from a request) and submission keys that
make a form take effect once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel_id", "ts", name="uq_sent_message"),
    )
    op.create_index("ix_sent_message_ref", "sent_message", ["kind", "ref_id"])
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("team_id", "key", name="uq_submission_key"),
    )


def downgrade() -> None:
    op.drop_table("submission")
    op.drop_index("ix_sent_message_ref", table_name="sent_message")
    op.drop_table("sent_message")
