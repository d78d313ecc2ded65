"""Queries for timed jobs (reminders, escalations, checks, deliveries Slack could not take yet):
adding, claiming, finishing and cancelling them. They add and flush, never commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import Case, Job


def add_job(session: Session, *, team_id: str, kind: str, ref_id: int, due_at: datetime,
            created_by: str, attempt: int = 1) -> Job:
    row = Job(team_id=team_id, kind=kind, ref_id=ref_id, due_at=due_at, created_by=created_by,
              attempt=attempt)
    session.add(row)
    session.flush()
    return row


def due_job_ids(session: Session, *, now: datetime, limit: int,
                kinds: tuple[str, ...] | None = None, team_id: str | None = None) -> list[int]:
    """Jobs that are due and unclaimed. On PostgreSQL rows another scheduler is claiming right now
    are skipped rather than waited for; the claim itself decides who runs a job."""
    statement = (
        select(Job.id)
        .where(Job.done_at.is_(None), Job.claimed_at.is_(None), Job.due_at <= now)
        .order_by(Job.due_at, Job.id)
        .limit(limit)
    )
    if kinds is not None:
        statement = statement.where(Job.kind.in_(kinds))
    if team_id is not None:
        statement = statement.where(Job.team_id == team_id)
    if session.bind.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(session.exec(statement))


def claim_job(session: Session, *, job_id: int, worker: str, now: datetime) -> bool:
    """Claim one job for ``worker``; False when another claimed or finished it first."""
    result = session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.claimed_at.is_(None), Job.done_at.is_(None))
        .values(claimed_by=worker, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def job(session: Session, *, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def finish_job(session: Session, *, job_id: int, now: datetime, outcome: str) -> None:
    """Mark a job done with its outcome (cut to the column's 64 characters)."""
    row = session.get(Job, job_id)
    row.done_at, row.outcome = now, outcome[:64]
    session.add(row)


def cancel_jobs(session: Session, *, team_id: str, now: datetime, outcome: str) -> int:
    """Finish every pending job of a workspace with ``outcome``; returns how many."""
    result = session.exec(
        sa.update(Job).where(Job.team_id == team_id, Job.done_at.is_(None))
        .values(done_at=now, outcome=outcome))
    return result.rowcount or 0


def open_cases_without_delivery(session: Session, *, kind: str) -> list[tuple[int, str]]:
    """(case id, team id) of each open case whose thread message was never posted and that has no
    pending job of ``kind`` waiting."""
    waiting = sa.select(Job.ref_id).where(Job.kind == kind, Job.done_at.is_(None))
    return list(session.exec(sa.select(Case.id, Case.team_id).where(
        Case.status == "open", Case.bot_message_ts.is_(None), Case.id.not_in(waiting))).all())


def bring_forward(session: Session, *, kinds: tuple[str, ...], now: datetime,
                  max_attempt: int) -> int:
    """Make the unclaimed pending jobs of ``kinds`` due at ``now`` when they are due later and have
    been tried at most ``max_attempt`` times; returns how many."""
    result = session.exec(sa.update(Job).where(
        Job.kind.in_(kinds), Job.done_at.is_(None), Job.claimed_at.is_(None), Job.due_at > now,
        Job.attempt <= max_attempt,
    ).values(due_at=now))
    return result.rowcount or 0
