"""Queries for cases, their evidence and their decision log. They add and flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import Author, Case, Decision, Evidence


def find_case_by_message(
    session: Session, *, team_id: str, channel_id: str, message_ts: str
) -> Case | None:
    statement = select(Case).where(
        Case.team_id == team_id, Case.channel_id == channel_id, Case.message_ts == message_ts
    )
    return session.exec(statement).first()


def find_case_by_source(session: Session, *, team_id: str, permalink: str) -> Case | None:
    statement = select(Case).where(Case.team_id == team_id, Case.source_permalink == permalink)
    return session.exec(statement.order_by(Case.id)).first()


def get_case(session: Session, *, case_id: int, for_update: bool = False) -> Case | None:
    statement = select(Case).where(Case.id == case_id)
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def add_case(session: Session, case: Case) -> Case:
    session.add(case)
    session.flush()
    return case


def author_by_id(session: Session, *, author_id: int) -> Author | None:
    return session.get(Author, author_id)


def get_or_add_author(session: Session, *, team_id: str, platform: str, handle: str) -> Author:
    statement = select(Author).where(
        Author.team_id == team_id, Author.platform == platform, Author.handle == handle
    )
    author = session.exec(statement).first()
    if author is None:
        author = Author(team_id=team_id, platform=platform, handle=handle)
        session.add(author)
        session.flush()
    return author


def decisions_for(session: Session, *, case_id: int) -> list[Decision]:
    statement = select(Decision).where(Decision.case_id == case_id).order_by(Decision.id)
    return list(session.exec(statement))


def add_decision(session: Session, decision: Decision) -> None:
    session.add(decision)
    session.flush()


def evidence_for(session: Session, *, case_id: int) -> list[Evidence]:
    statement = select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id)
    return list(session.exec(statement))


def add_evidence(
    session: Session, *, case_id: int, file_ids: Iterable[str], user_id: str, at: datetime
) -> list[str]:
    """Keep files with a case; returns the ids that were new (a file is kept once)."""
    known = {e.file_id for e in evidence_for(session, case_id=case_id)}
    added = []
    for file_id in file_ids:
        if file_id in known:
            continue
        session.add(Evidence(case_id=case_id, file_id=file_id, added_by=user_id, added_at=at))
        known.add(file_id)
        added.append(file_id)
    session.flush()
    return added


def advance_case(session: Session, *, case: Case, expected_version: int, **changes: object) -> bool:
    """Change a case only if nobody else changed it since ``expected_version`` was read.

    Returns False when another click got there first; the caller then reports a stale click.
    """
    values = {**changes, "version": expected_version + 1}
    result = session.execute(
        sa.update(Case)
        .where(Case.id == case.id, Case.version == expected_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(case)
    return True
