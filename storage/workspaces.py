"""Queries for the workspaces served in install mode. They add and flush only."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import (
    Antenna,
    Author,
    AuthorMeasure,
    Case,
    PracticeAnswer,
    PracticeRound,
    CaseScreen,
    Decision,
    Evidence,
    HouseRulesApproval,
    Job,
    Lead,
    RoutedQuestion,
    SentMessage,
    Service,
    Strike,
    StrikeReview,
    Submission,
    Workspace,
)


def workspace(session: Session, *, team_id: str) -> Workspace | None:
    return session.get(Workspace, team_id)


def served(session: Session) -> list[Workspace]:
    """The workspaces that have the bot installed."""
    statement = select(Workspace).where(Workspace.uninstalled_at.is_(None)).order_by(Workspace.team_id)
    return list(session.exec(statement))


def every_workspace(session: Session) -> list[Workspace]:
    """Every workspace ever installed, served or not."""
    return list(session.exec(select(Workspace).order_by(Workspace.team_id)))


def lift_uninstall(session: Session, *, team_id: str) -> bool:
    """Clear an uninstall and its erasure; False when the workspace was not uninstalled (or another
    process lifted it first: the update is conditional)."""
    lifted = session.exec(
        sa.update(Workspace)
        .where(Workspace.team_id == team_id, Workspace.uninstalled_at.is_not(None))
        .values(uninstalled_at=None, erase_after=None, erased_at=None))
    return lifted.rowcount == 1


def departed_team_ids(session: Session) -> set[str]:
    statement = select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))
    return set(session.exec(statement))


def due_for_erasure(session: Session, *, now: datetime) -> list[Workspace]:
    statement = select(Workspace).where(
        Workspace.uninstalled_at.is_not(None), Workspace.erase_after <= now,
        Workspace.erased_at.is_(None))
    return list(session.exec(statement))


def delete_team_data(session: Session, *, team_id: str) -> dict[str, int]:
    """Delete every row of one workspace, children first; returns the rows deleted per table."""
    cases = select(Case.id).where(Case.team_id == team_id).scalar_subquery()
    strikes = select(Strike.id).where(Strike.team_id == team_id).scalar_subquery()
    authors = select(Author.id).where(Author.team_id == team_id).scalar_subquery()
    services = select(Service.id).where(Service.team_id == team_id).scalar_subquery()
    steps = [
        ("antenna", sa.delete(Antenna).where(Antenna.service_id.in_(services))),
        ("practice_answer", sa.delete(PracticeAnswer).where(PracticeAnswer.team_id == team_id)),
        ("practice_round", sa.delete(PracticeRound).where(PracticeRound.team_id == team_id)),
        ("routed_question", sa.delete(RoutedQuestion).where(RoutedQuestion.team_id == team_id)),
        ("job", sa.delete(Job).where(Job.team_id == team_id)),
        ("sent_message", sa.delete(SentMessage).where(SentMessage.team_id == team_id)),
        ("submission", sa.delete(Submission).where(Submission.team_id == team_id)),
        ("evidence", sa.delete(Evidence).where(Evidence.case_id.in_(cases))),
        ("case_screen", sa.delete(CaseScreen).where(CaseScreen.case_id.in_(cases))),
        ("decision", sa.delete(Decision).where(Decision.case_id.in_(cases))),
        ("strike_review", sa.delete(StrikeReview).where(StrikeReview.strike_id.in_(strikes))),
        ("author_measure", sa.delete(AuthorMeasure).where(AuthorMeasure.author_id.in_(authors))),
        ("strike", sa.delete(Strike).where(Strike.team_id == team_id)),
        ("case", sa.delete(Case).where(Case.team_id == team_id)),
        ("author", sa.delete(Author).where(Author.team_id == team_id)),
        ("lead", sa.delete(Lead).where(Lead.team_id == team_id)),
        ("service", sa.delete(Service).where(Service.team_id == team_id)),
        ("house_rules_approval",
         sa.delete(HouseRulesApproval).where(HouseRulesApproval.team_id == team_id)),
    ]
    return {table: session.exec(statement).rowcount or 0 for table, statement in steps}
