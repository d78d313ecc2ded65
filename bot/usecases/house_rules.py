"""The house rules' approval and review: what was approved and when, whether what the bot enforces
still is what was approved, and when the leads are reminded to review it. One transaction each.

The approval in force is the latest one recorded: by a lead (``/gedragscode goedgekeurd``), or
taken from the policy's own ``[house_rules] approved`` date when that is later than the last one
recorded (the operator put a new approval in the policy file together with the rules it covers).
Each approval keeps the fingerprint of the rules it approved, so a later change of a switch, a
threshold or a link shows as "changed since approval" until the next approval is recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import pytz
import sqlalchemy as sa
from sqlmodel import Session

from bot.flows.house_rules import fingerprint, review_due
from bot.core.problem import Problem
from bot.flows.policy import Policy
from bot.usecases.transaction import use_case
from storage import house_rules as store
from storage import jobs
from storage import leads as lead_store
from storage.models import HouseRulesApproval

logger = logging.getLogger(__name__)

REVIEW_JOB = "house_rules_review"  # the job that reminds the leads to review the house rules
CHANGED_JOB = "house_rules_changed"  # the one that tells them the rules changed since approval
JOB_KINDS = (REVIEW_JOB, CHANGED_JOB)


class HouseRulesProblem(Problem):
    """A request about the house rules that cannot be carried out; ``key`` is the text to show."""


@dataclass(frozen=True)
class Approval:
    id: int
    approved_on: date
    fingerprint: str
    source: str  # policy | lead
    recorded_by: str | None


@dataclass(frozen=True)
class Standing:
    """Where the house rules stand: approved or not, changed since, when the review is due."""

    approval: Approval | None
    changed: bool  # the rules the bot enforces differ from the approved ones
    review_due: date | None
    review_overdue: bool = False  # the review date has come


@use_case
def standing(session: Session, policy: Policy, *, team_id: str, now: datetime) -> Standing:
    return _standing(session, policy, team_id, now)


def _standing(session: Session, policy: Policy, team_id: str, now: datetime) -> Standing:
    row = _in_force(session, policy, team_id, now)
    if row is None:
        return Standing(None, False, None)
    due = review_due(row.approved_on, policy.house_rules)
    today = now.astimezone(pytz.timezone(policy.business_hours.timezone)).date()
    return Standing(_approval(row), row.fingerprint != fingerprint(policy), due, due <= today)


def _in_force(session: Session, policy: Policy, team_id: str,
              now: datetime) -> HouseRulesApproval | None:
    row = store.current_approval(session, team_id=team_id)
    declared = policy.house_rules.approved
    if declared is not None and (row is None or declared > row.approved_on):
        row = store.add_approval(session, team_id=team_id, approved_on=declared,
                                 fingerprint=fingerprint(policy), source="policy",
                                 recorded_by=None, now=now)
        logger.info("house rules: approval of %s taken from the policy (workspace %s)",
                    declared.isoformat(), team_id)
    return row


def _approval(row: HouseRulesApproval) -> Approval:
    return Approval(row.id, row.approved_on, row.fingerprint, row.source, row.recorded_by)


def parse_date(text: str) -> date:
    """A date as a lead types it: 2027-01-15 (also 15-01-2027 or 15/01/2027, as Flemings write)."""
    text = text.strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if len(text) == 10 and text[2] in "-/" and text[5] == text[2]:
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        pass
    raise HouseRulesProblem("house_rules.error_date")


def record_approval(engine: sa.Engine, policy: Policy, *, team_id: str, approved_on: date,
                    user_id: str, now: datetime) -> Approval:
    """A lead records that the college and the management team approved the rules as the bot
    enforces them now. Written as a new row (the log of approvals), never an update."""
    zone = pytz.timezone(policy.business_hours.timezone)
    if approved_on > now.astimezone(zone).date():
        raise HouseRulesProblem("house_rules.error_future")
    approval = _record_approval(engine, policy, team_id=team_id, approved_on=approved_on,
                                user_id=user_id, now=now)
    logger.info("house rules: approval of %s recorded by lead %s (workspace %s, rules %s)",
                approved_on.isoformat(), user_id, team_id, approval.fingerprint)
    return approval


@use_case
def _record_approval(session: Session, policy: Policy, *, team_id: str, approved_on: date,
                     user_id: str, now: datetime) -> Approval:
    _in_force(session, policy, team_id, now)  # the policy's own date first, then this one
    row = store.add_approval(session, team_id=team_id, approved_on=approved_on,
                             fingerprint=fingerprint(policy), source="lead",
                             recorded_by=user_id, now=now)
    return _approval(row)


@use_case
def plan_jobs(session: Session, policy: Policy, *, team_id: str | None, now: datetime) -> int:
    """Plan, once per approval, the review reminder (due when the review is) and, as soon as the
    rules differ from the approved ones, the warning that they changed; the scheduler sends them
    to the leads in business hours. ``team_id`` None (token mode): each workspace with leads.
    Returns how many jobs were planned."""
    planned = 0
    for team in [team_id] if team_id else store.teams_with_leads(session):
        row = _in_force(session, policy, team, now)
        if row is None:
            continue
        due = datetime.combine(review_due(row.approved_on, policy.house_rules), time(0),
                               tzinfo=timezone.utc)
        wanted = [(REVIEW_JOB, due)]
        if row.fingerprint != fingerprint(policy):
            wanted.append((CHANGED_JOB, now))
        for kind, when in wanted:
            if not store.has_job(session, team_id=team, kind=kind, ref_id=row.id):
                jobs.add_job(session, team_id=team, kind=kind, ref_id=row.id, due_at=when,
                             created_by=row.recorded_by or "policy")
                planned += 1
    return planned


@dataclass(frozen=True)
class ReviewReminder:
    approval: Approval
    due: date
    changed: bool
    leads: tuple[str, ...]


@use_case
def lead_notice(session: Session, policy: Policy, *, team_id: str, approval_id: int,
                now: datetime) -> ReviewReminder | None:
    """What a job about ``approval_id`` tells the leads, and which leads; None when a newer
    approval took its place (the review was done, the change approved)."""
    shown = _standing(session, policy, team_id, now)
    if shown.approval is None or shown.approval.id != approval_id:
        return None
    leads = tuple(row.user_id for row in lead_store.current_leads(session, team_id=team_id))
    return ReviewReminder(shown.approval, shown.review_due, shown.changed, leads)
