"""Queries for leads: who may review the strike register. They add and flush, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import Lead


def lead_row(session: Session, *, team_id: str, user_id: str) -> Lead | None:
    """The user's row in the workspace's lead table, current or removed; None when never a lead."""
    statement = select(Lead).where(Lead.team_id == team_id, Lead.user_id == user_id)
    return session.exec(statement).first()


def current_leads(session: Session, *, team_id: str, for_update: bool = False) -> list[Lead]:
    """The workspace's current leads, longest-serving first (locked when ``for_update``)."""
    statement = select(Lead).where(Lead.team_id == team_id, Lead.removed_at.is_(None)).order_by(Lead.added_at)
    if for_update:
        statement = statement.with_for_update()
    return list(session.exec(statement))


def add_lead(session: Session, *, team_id: str, user_id: str, by: str, now: datetime) -> Lead:
    row = Lead(team_id=team_id, user_id=user_id, added_by=by, added_at=now)
    session.add(row)
    session.flush()
    return row


def restore_lead(session: Session, row: Lead, *, by: str, now: datetime) -> None:
    """A removed lead leads again."""
    row.added_by, row.added_at, row.removed_by, row.removed_at = by, now, None, None
    session.add(row)


def remove_lead(session: Session, row: Lead, *, by: str, now: datetime) -> None:
    row.removed_by, row.removed_at = by, now
    session.add(row)
