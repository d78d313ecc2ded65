"""Use cases for the job table: claiming the due jobs and finishing them, one transaction each.

A job is claimed in a transaction before it is carried out (a conditional update; ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL), so two schedulers never send the same reminder."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.usecases.transaction import use_case
from storage import jobs as store

BATCH = 50


@dataclass(frozen=True)
class JobRef:
    id: int
    kind: str
    ref_id: int
    team_id: str
    created_by: str
    attempt: int = 1


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:64]


@use_case
def claim_due(session: Session, *, now: datetime, worker: str, limit: int = BATCH,
              kinds: tuple[str, ...] | None = None, team_id: str | None = None) -> list[JobRef]:
    """Claim the due jobs this scheduler will carry out; another scheduler gets the others."""
    claimed = []
    for job_id in store.due_job_ids(session, now=now, limit=limit, kinds=kinds, team_id=team_id):
        if store.claim_job(session, job_id=job_id, worker=worker, now=now):
            job = store.job(session, job_id=job_id)
            claimed.append(JobRef(job.id, job.kind, job.ref_id, job.team_id, job.created_by,
                                  job.attempt))
    return claimed


@use_case
def finish(session: Session, job: JobRef, *, now: datetime, outcome: str) -> None:
    store.finish_job(session, job_id=job.id, now=now, outcome=outcome)
