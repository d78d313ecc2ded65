"""Queries for services, antennas and routed questions. They add and flush only."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.db import add  # noqa: F401 (a new service, antenna or question: store.add)
from storage.models import Antenna, QuestionStatus, RoutedQuestion, Service
from storage.scope import owned

OPEN_STATUSES = (QuestionStatus.OPEN, QuestionStatus.ACKNOWLEDGED)


def services(session: Session, *, team_id: str, active_only: bool = True) -> list[Service]:
    statement = select(Service).where(Service.team_id == team_id)
    if active_only:
        statement = statement.where(Service.active.is_(True))
    return list(session.exec(statement.order_by(Service.name)))


def service(session: Session, *, team_id: str, service_id: int) -> Service | None:
    """The workspace's service; None when there is none, ``NotInWorkspace`` for another's."""
    statement = select(Service).where(Service.id == service_id)
    return owned(session.exec(statement).first(), kind="service", row_id=service_id,
                 team_id=team_id)


def service_of(session: Session, *, service_id: int) -> Service | None:
    """The service a stored row points at (the row itself was loaded through the workspace
    check)."""
    return session.get(Service, service_id)


def service_by_name(session: Session, *, team_id: str, name: str) -> Service | None:
    statement = select(Service).where(Service.team_id == team_id, Service.name == name)
    return session.exec(statement).first()


def has_any_service(session: Session, *, team_id: str) -> bool:
    statement = select(Service.id).where(Service.team_id == team_id).limit(1)
    return session.exec(statement).first() is not None


def antennas(session: Session, *, service_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {i: [] for i in service_ids}
    if service_ids:
        statement = select(Antenna).where(Antenna.service_id.in_(service_ids)).order_by(Antenna.id)
        for row in session.exec(statement):
            result[row.service_id].append(row.user_id)
    return result


def answering(session: Session, *, services: list[Service]) -> dict[int, set[str]]:
    """Who may act for each service on the questions routed to it: its antennas and its backup."""
    people = antennas(session, service_ids=[s.id for s in services])
    return {s.id: set(people[s.id]) | ({s.backup_user_id} if s.backup_user_id else set())
            for s in services}


def antenna_row(session: Session, *, service_id: int, user_id: str) -> Antenna | None:
    statement = select(Antenna).where(Antenna.service_id == service_id, Antenna.user_id == user_id)
    return session.exec(statement).first()


def open_question_counts(session: Session, *, service_ids: list[int]) -> dict[int, int]:
    result = {i: 0 for i in service_ids}
    if service_ids:
        statement = (
            select(RoutedQuestion.service_id, sa.func.count())
            .where(RoutedQuestion.service_id.in_(service_ids),
                   RoutedQuestion.status.in_(OPEN_STATUSES))
            .group_by(RoutedQuestion.service_id)
        )
        for service_id, count in session.execute(statement):
            result[service_id] = count
    return result


def question(session: Session, *, team_id: str, question_id: int, for_update: bool = False) -> RoutedQuestion | None:
    """The workspace's question; None when there is none, ``NotInWorkspace`` for another's."""
    statement = select(RoutedQuestion).where(RoutedQuestion.id == question_id)
    if for_update:
        statement = statement.with_for_update()
    return owned(session.exec(statement).first(), kind="question", row_id=question_id,
                 team_id=team_id)


def answered(session: Session, *, team_id: str, service_id: int | None = None,
             limit: int = 500) -> list[RoutedQuestion]:
    """The services' answers, newest first: they grow into standard answers."""
    statement = select(RoutedQuestion).where(
        RoutedQuestion.team_id == team_id, RoutedQuestion.status == QuestionStatus.ANSWERED)
    if service_id is not None:
        statement = statement.where(RoutedQuestion.service_id == service_id)
    return list(session.exec(statement.order_by(RoutedQuestion.answered_at.desc()).limit(limit)))
