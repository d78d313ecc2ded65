"""Reports: one digest job per workspace and period, and decisions found by their time.

A digest job (for the leads, or a service's overview) is made ahead of time by every scheduler
that looks; the unique index on what it is about and when it is due lets only the first one in. Reports read a period's decisions by ``decided_at``.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DIGESTS = "kind IN ('weekly_digest', 'service_digest')"


def upgrade() -> None:
    op.create_index("uq_job_digest", "job", ["team_id", "kind", "ref_id", "due_at"], unique=True,
                    sqlite_where=sa.text(DIGESTS), postgresql_where=sa.text(DIGESTS))
    op.create_index("ix_decision_decided_at", "decision", ["decided_at"])


def downgrade() -> None:
    op.drop_index("ix_decision_decided_at", table_name="decision")
    op.drop_index("uq_job_digest", table_name="job")
