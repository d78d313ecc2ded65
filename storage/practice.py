"""Queries for practice rounds and answers. They add and flush, never commit.

Practice rows live in their own tables: nothing here reads or writes a case, a decision or a
strike, and the team's totals are counted per category without any user id.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import PracticeAnswer, PracticeRound


def add_round(session: Session, *, team_id: str, user_id: str, queue: str, now: datetime) -> PracticeRound:
    row = PracticeRound(team_id=team_id, user_id=user_id, queue=queue, started_at=now)
    session.add(row)
    session.flush()
    return row


def round_row(session: Session, *, round_id: int, for_update: bool = False) -> PracticeRound | None:
    statement = select(PracticeRound).where(PracticeRound.id == round_id)
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def open_rounds(session: Session, *, team_id: str, user_id: str) -> list[PracticeRound]:
    statement = select(PracticeRound).where(
        PracticeRound.team_id == team_id, PracticeRound.user_id == user_id,
        PracticeRound.finished_at.is_(None))
    return list(session.exec(statement))


def save_round(session: Session, row: PracticeRound) -> None:
    session.add(row)
    session.flush()


def add_answer(session: Session, answer: PracticeAnswer) -> None:
    session.add(answer)
    session.flush()


def answers_of(session: Session, *, team_id: str, user_id: str) -> list[PracticeAnswer]:
    """One person's answers, oldest first."""
    statement = select(PracticeAnswer).where(
        PracticeAnswer.team_id == team_id, PracticeAnswer.user_id == user_id
    ).order_by(PracticeAnswer.answered_at, PracticeAnswer.id)
    return list(session.exec(statement))


def rounds_finished(session: Session, *, team_id: str, user_id: str) -> int:
    statement = select(sa.func.count()).select_from(PracticeRound).where(
        PracticeRound.team_id == team_id, PracticeRound.user_id == user_id,
        PracticeRound.finished_at.is_not(None))
    return session.exec(statement).one()


def team_totals(session: Session, *, team_id: str) -> dict[str, tuple[int, int]]:
    """Per category: (answered, answered right) over the whole team; no person is named, and the
    query never selects a user id."""
    right = sa.func.sum(sa.case((PracticeAnswer.right.is_(True), 1), else_=0))
    statement = select(PracticeAnswer.reference, sa.func.count(), right).where(
        PracticeAnswer.team_id == team_id).group_by(PracticeAnswer.reference)
    return {reference: (int(n), int(r or 0)) for reference, n, r in session.exec(statement)}


def erase_user(session: Session, *, team_id: str, user_id: str) -> int:
    """Erase one person's practice rounds and answers (they left, or asked); the rows deleted."""
    rounds = select(PracticeRound.id).where(
        PracticeRound.team_id == team_id, PracticeRound.user_id == user_id).scalar_subquery()
    answers = session.exec(sa.delete(PracticeAnswer).where(PracticeAnswer.round_id.in_(rounds))).rowcount
    deleted = session.exec(sa.delete(PracticeRound).where(
        PracticeRound.team_id == team_id, PracticeRound.user_id == user_id)).rowcount
    return (answers or 0) + (deleted or 0)

