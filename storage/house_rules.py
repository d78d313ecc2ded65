"""Queries for the house rules' approvals and their review reminders. They add and flush, never
commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from storage.models import HouseRulesApproval, Job, Lead


def current_approval(session: Session, *, team_id: str) -> HouseRulesApproval | None:
    """The approval in force: the latest one recorded."""
    statement = (select(HouseRulesApproval).where(HouseRulesApproval.team_id == team_id)
                 .order_by(HouseRulesApproval.id.desc()).limit(1))
    return session.exec(statement).first()


def add_approval(session: Session, *, team_id: str, approved_on: date, fingerprint: str,
                 source: str, recorded_by: str | None, now: datetime) -> HouseRulesApproval:
    row = HouseRulesApproval(team_id=team_id, approved_on=approved_on, fingerprint=fingerprint,
                             source=source, recorded_by=recorded_by, recorded_at=now)
    session.add(row)
    session.flush()
    return row


def has_job(session: Session, *, team_id: str, kind: str, ref_id: int) -> bool:
    """Whether a job of ``kind`` about ``ref_id`` was ever planned (pending or done)."""
    statement = select(Job.id).where(Job.team_id == team_id, Job.kind == kind,
                                     Job.ref_id == ref_id).limit(1)
    return session.exec(statement).first() is not None


def teams_with_leads(session: Session) -> list[str]:
    """The workspaces that have a current lead (token mode: which team this is)."""
    statement = select(Lead.team_id).where(Lead.removed_at.is_(None)).distinct()
    return sorted(session.exec(statement))
