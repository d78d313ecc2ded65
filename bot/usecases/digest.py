"""Digests sent by the scheduler: the leads' weekly report, and the services' overviews.

Each is a job in the job table, made ahead of time by any scheduler that looks (a unique index
lets only the first one in), then claimed and sent once even with two schedulers running. The
rules for when they are due and what they cover are in :mod:`bot.flows.report` and
:mod:`bot.flows.signals`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from bot.flows import report as rules
from bot.flows import signals as signal_rules
from bot.flows.policy import Policy
from bot.flows.policy.model import ServiceDigest
from bot.flows.report import Period
from bot.flows.signals import CaseSignal, Signals
from bot.usecases.leads import leads
from bot.usecases.transaction import use_case
from storage import jobs as job_store
from storage import reports as store

logger = logging.getLogger(__name__)

WEEKLY = "weekly_digest"
SERVICE = "service_digest"
KINDS = (WEEKLY, SERVICE)
PLANNER = "scheduler"


def plan(engine: sa.Engine, policy: Policy, *, team_id: str | None, now: datetime) -> int:
    """Make sure the next digests of the workspace (in token mode: of each workspace that has a
    lead) are in the job table; returns how many jobs this call added."""
    teams = [team_id] if team_id else _teams_with_leads(engine)
    return plan_weekly(engine, policy, teams=teams, now=now) + plan_services(
        engine, policy, teams=teams, now=now)


def plan_weekly(engine: sa.Engine, policy: Policy, *, teams: list[str], now: datetime) -> int:
    day = policy.reports.weekly_digest
    if day is None:
        return 0
    monday, due = rules.next_digest(now, day, policy.business_hours)
    return sum(_add_once(engine, team=team, kind=WEEKLY, ref_id=monday.toordinal(), due=due)
               for team in teams)


def plan_services(engine: sa.Engine, policy: Policy, *, teams: list[str], now: datetime) -> int:
    added = 0
    for wanted in policy.reports.services:
        due = signal_rules.next_signal(now, wanted.cadence, policy.business_hours)
        for team in teams:
            service_id = _service_id(engine, team_id=team, service=wanted.service)
            if service_id is not None:
                added += _add_once(engine, team=team, kind=SERVICE, ref_id=service_id, due=due)
    return added


@use_case
def _teams_with_leads(session: Session) -> list[str]:
    return store.teams_with_leads(session)


@use_case
def _service_id(session: Session, *, team_id: str, service: str) -> int | None:
    return store.service_recipients(session, team_id=team_id, service=service)[0]


@use_case(on_conflict=0)  # another scheduler made it a moment earlier
def _add_once(session: Session, *, team: str, kind: str, ref_id: int, due: datetime) -> int:
    if store.has_job(session, team_id=team, kind=kind, ref_id=ref_id, due_at=due):
        return 0
    job_store.add_job(session, team_id=team, kind=kind, ref_id=ref_id, due_at=due,
                      created_by=PLANNER)
    return 1


def week_of(ref_id: int, zone: str) -> Period:
    """The week a weekly digest job reports on: the one before the Monday it was planned for."""
    return rules.week_before(date.fromordinal(ref_id), zone)


def recipients(engine: sa.Engine, *, team_id: str) -> list[str]:
    return leads(engine, team_id=team_id)


@dataclass(frozen=True)
class ServiceOverview:
    service: str
    cadence: str
    channel_id: str | None  # the service's own channel, when it has one
    antennas: tuple[str, ...]
    signals: Signals


@use_case
def service_overview(session: Session, policy: Policy, *, team_id: str, job_id: int,
                     service_id: int) -> ServiceOverview | None:
    """What a service's overview job sends, or None when the service no longer asks for one."""
    zone = policy.business_hours.timezone
    due = store.job_due(session, job_id=job_id)
    name = store.service_name(session, team_id=team_id, service_id=service_id)
    wanted = next((w for w in policy.reports.services if w.service == name), None)
    if due is None or wanted is None:
        return None
    _, channel, antennas = store.service_recipients(session, team_id=team_id, service=name)
    period = signal_rules.signal_period(due, wanted.cadence, zone)
    previous = signal_rules.previous_period(period, wanted.cadence, zone)
    now_cases, now_kinds = _seen(session, team_id, wanted, period)
    before_cases, before_kinds = _seen(session, team_id, wanted, previous)
    found = signal_rules.signals(period, previous, wanted.categories, now_cases, before_cases,
                                 now_kinds, before_kinds)
    return ServiceOverview(name, wanted.cadence, channel, tuple(antennas), found)


def _seen(session: Session, team_id: str, wanted: ServiceDigest,
          period: Period) -> tuple[list[CaseSignal], Counter]:
    window = {"team_id": team_id, "start": period.start, "end": period.end}
    rows = store.cases_in(session, nodes=wanted.categories, **window)
    rows += store.cases_marked_for(session, service=wanted.service, **window)
    cases = [CaseSignal(*row) for row in rows]
    kinds = store.actions_done(session, team_id=team_id, case_ids=sorted({c.case_id for c in cases}),
                               actions=signal_rules.REPORT_KINDS)
    return cases, Counter(kinds)
