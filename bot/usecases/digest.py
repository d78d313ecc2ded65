"""The weekly digest: a job per workspace and week in the job table, made ahead of time by any
scheduler that looks, claimed and sent once even with two schedulers running.

The rule for when it is due is :func:`bot.flows.report.next_digest`; what is sent is the report
of the week before (:func:`bot.flows.report.week_before`), to every lead.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from bot.flows import report as rules
from bot.flows.policy import Policy
from bot.flows.report import Period
from bot.usecases.strikes import leads
from storage import jobs as job_store
from storage import reports as store
from storage.db import run_in_transaction

logger = logging.getLogger(__name__)

WEEKLY = "weekly_digest"
KINDS = (WEEKLY,)
PLANNER = "scheduler"


def plan_weekly(engine: sa.Engine, policy: Policy, *, team_id: str | None, now: datetime) -> int:
    """Make sure the next weekly digest of the workspace (in token mode: of each workspace that
    has a lead) is in the job table; returns how many jobs this call added."""
    day = policy.reports.weekly_digest
    if day is None:
        return 0
    monday, due = rules.next_digest(now, day, policy.business_hours)
    teams = [team_id] if team_id else run_in_transaction(engine, store.teams_with_leads)
    added = 0
    for team in teams:
        added += _add_once(engine, team=team, ref_id=monday.toordinal(), due=due)
    return added


def _add_once(engine: sa.Engine, *, team: str, ref_id: int, due: datetime) -> int:
    def work(session: Session) -> int:
        if store.has_job(session, team_id=team, kind=WEEKLY, ref_id=ref_id):
            return 0
        job_store.add_job(session, team_id=team, kind=WEEKLY, ref_id=ref_id, due_at=due,
                          created_by=PLANNER)
        return 1

    try:
        return run_in_transaction(engine, work)
    except sa.exc.IntegrityError:  # another scheduler made it a moment earlier
        return 0


def week_of(ref_id: int, zone: str) -> Period:
    """The week a weekly digest job reports on: the one before the Monday it was planned for."""
    return rules.week_before(date.fromordinal(ref_id), zone)


def recipients(engine: sa.Engine, *, team_id: str) -> list[str]:
    return leads(engine, team_id=team_id)
