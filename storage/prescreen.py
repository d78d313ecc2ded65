"""Queries for the pre-screen: the codes kept with a case, the recent posts a new one may repeat,
and what the team decided after a signal. They add and flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from storage.models import Case, CaseScreen, Decision

_screen = CaseScreen.__table__
_case = Case.__table__
_decision = Decision.__table__


def recent_prints(session: Session, *, team_id: str, since: datetime, sizes: tuple[int, int],
                  not_case: int | None = None) -> list[tuple[int, int]]:
    """The fingerprints of the workspace's posts forwarded since ``since`` whose size is within
    ``sizes`` (both included): (case id, fingerprint) each, the case ``not_case`` left out."""
    statement = sa.select(_screen.c.case_id, _screen.c.fingerprint).where(
        _screen.c.team_id == team_id, _screen.c.screened_at >= since,
        _screen.c.size.between(*sizes), _screen.c.fingerprint.is_not(None))
    if not_case is not None:
        statement = statement.where(_screen.c.case_id != not_case)
    # Tens of thousands of pairs of plain integers: the driver's own rows, without a Row object
    # each (a third of the time; the columns need no type processing).
    return session.connection().execute(statement).cursor.fetchall()


def posts_of(session: Session, *, team_id: str, case_ids: Iterable[int]) -> list[str]:
    """The words of the workspace's cases ``case_ids`` that are not erased."""
    ids = list(case_ids)
    if not ids:
        return []
    statement = sa.select(_case.c.text).where(
        _case.c.team_id == team_id, _case.c.id.in_(ids), _case.c.erased_at.is_(None))
    return list(session.connection().execute(statement).scalars())


def keep_screen(session: Session, *, case_id: int, team_id: str, at: datetime, codes: str,
                fingerprint: int | None, size: int) -> None:
    """Keep what the pre-screen found for a case (its codes), replacing what it found before
    (a post that got its words later is screened again)."""
    connection = session.connection()
    changed = connection.execute(
        sa.update(_screen).where(_screen.c.case_id == case_id)
        .values(codes=codes, fingerprint=fingerprint, size=size)).rowcount
    if not changed:
        connection.execute(sa.insert(_screen).values(
            case_id=case_id, team_id=team_id, screened_at=at, codes=codes, fingerprint=fingerprint,
            size=size))


def codes_of(session: Session, *, case_id: int) -> str | None:
    """The codes kept for a case, comma-separated; None when it was never screened."""
    statement = sa.select(_screen.c.codes).where(_screen.c.case_id == case_id)
    return session.connection().execute(statement).scalar()


def signalled_since(session: Session, *, team_id: str, since: datetime) -> list[tuple[int, str]]:
    """The workspace's cases with at least one signal since ``since``: (case id, codes)."""
    statement = sa.select(_screen.c.case_id, _screen.c.codes).where(
        _screen.c.team_id == team_id, _screen.c.screened_at >= since, _screen.c.codes != "")
    return [(row[0], row[1]) for row in session.connection().execute(statement)]


def categories_chosen(session: Session, *, team_id: str, since: datetime,
                      categories: Iterable[str]) -> dict[int, str]:
    """For each of the workspace's cases with a signal since ``since``, the last of
    ``categories`` the team moved it to (cases the team has not sorted yet are left out)."""
    wanted = list(categories)
    if not wanted:
        return {}
    signalled = sa.select(_screen.c.case_id).where(
        _screen.c.team_id == team_id, _screen.c.screened_at >= since, _screen.c.codes != "")
    statement = (
        sa.select(_decision.c.case_id, _decision.c.node_id)
        .where(_decision.c.case_id.in_(signalled), _decision.c.node_id.in_(wanted),
               _decision.c.action_id.is_(None))
        .order_by(_decision.c.id)
    )
    chosen: dict[int, str] = {}
    for case_id, node_id in session.connection().execute(statement):
        chosen[case_id] = node_id
    return chosen
