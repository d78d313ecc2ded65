"""Queries for cases, their evidence and their decision log. They add and flush, never commit.

The queries a click runs (a case as its message shows it, its decision log, the move, the new
decisions) are SQLAlchemy Core statements built once, on the session's connection: the ORM's
object loading and unit of work cost more CPU than the rows themselves, on every click.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import Author, Case, CaseScreen, Decision, Evidence
from storage.scope import owned

_case = Case.__table__
_author = Author.__table__
_evidence = Evidence.__table__
_decision = Decision.__table__
_screen = CaseScreen.__table__

# A case as its message shows it: the case, its author's account and how many files back it up.
_CASE_VIEW = (
    sa.select(
        _case.c.id, _case.c.team_id, _case.c.channel_id, _case.c.message_ts,
        _case.c.bot_message_ts, _case.c.via, _case.c.platform, _case.c.link, _case.c.text,
        _case.c.comment,
        _case.c.forwarded_by, _case.c.forwarded_at, _case.c.source_permalink, _case.c.origin,
        _case.c.status, _case.c.node_id, _case.c.pending_action, _case.c.version,
        _author.c.platform.label("author_platform"), _author.c.handle.label("author_handle"),
        sa.select(sa.func.count(_evidence.c.id))
        .where(_evidence.c.case_id == _case.c.id)
        .scalar_subquery()
        .label("evidence_files"),
        sa.select(_screen.c.codes).where(_screen.c.case_id == _case.c.id)
        .scalar_subquery().label("signals"),  # the pre-screen's codes, comma-separated
    )
    .select_from(_case.outerjoin(_author, _author.c.id == _case.c.author_id))
    .where(_case.c.id == sa.bindparam("case_id"))
)
# Locks the case's row only (PostgreSQL; SQLite's transactions already hold the write lock).
_CASE_VIEW_FOR_UPDATE = _CASE_VIEW.with_for_update(of=_case)
_STEPS = (
    sa.select(_decision.c.node_id, _decision.c.action_id, _decision.c.user_id,
              _decision.c.decided_at, _decision.c.note)
    .where(_decision.c.case_id == sa.bindparam("case_id"))
    .order_by(_decision.c.id)
)
_ADD_DECISION = sa.insert(_decision)


def find_case_by_source(session: Session, *, team_id: str, permalink: str) -> Case | None:
    statement = select(Case).where(Case.team_id == team_id, Case.source_permalink == permalink)
    return session.exec(statement.order_by(Case.id)).first()


def get_case(session: Session, *, team_id: str, case_id: int, for_update: bool = False) -> Case | None:
    """The case of workspace ``team_id``; None when there is none; raises ``NotInWorkspace``
    for another workspace's case."""
    statement = select(Case).where(Case.id == case_id)
    if for_update:
        statement = statement.with_for_update()
    return owned(session.exec(statement).first(), kind="case", row_id=case_id, team_id=team_id)


def case_id_by_message(session: Session, *, team_id: str, channel_id: str,
                       message_ts: str) -> int | None:
    statement = sa.select(_case.c.id).where(
        _case.c.team_id == team_id, _case.c.channel_id == channel_id,
        _case.c.message_ts == message_ts,
    )
    return session.connection().execute(statement).scalar()


def case_view(session: Session, *, team_id: str, case_id: int, for_update: bool = False) -> sa.Row | None:
    """The case's row as its message needs it, with ``author_platform``, ``author_handle`` and
    ``evidence_files``; ``for_update`` locks the case until the transaction ends. Another
    workspace's case raises ``NotInWorkspace``."""
    statement = _CASE_VIEW_FOR_UPDATE if for_update else _CASE_VIEW
    row = session.connection().execute(statement, {"case_id": case_id}).first()
    return owned(row, kind="case", row_id=case_id, team_id=team_id)


def decision_steps(session: Session, *, case_id: int) -> list[sa.Row]:
    """The case's decision log, oldest first: node_id, action_id, user_id, decided_at, note."""
    return list(session.connection().execute(_STEPS, {"case_id": case_id}))


def add_decisions(session: Session, rows: list[dict]) -> None:
    """New rows in the decision log, each a dict of Decision's columns (all but ``id``)."""
    if rows:
        session.connection().execute(_ADD_DECISION, rows)


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


def add_decision(session: Session, decision: Decision) -> None:
    session.add(decision)
    session.flush()


def evidence_for(session: Session, *, case_id: int) -> list[Evidence]:
    statement = select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id)
    return list(session.exec(statement))


def add_evidence(
    session: Session, *, case_id: int, file_ids: Iterable[str], user_id: str, at: datetime,
    case_is_new: bool = False,
) -> list[str]:
    """Keep files with a case; returns the ids that were new (a file is kept once). A case added
    in this transaction (``case_is_new``) has none yet, so nothing is looked up."""
    known = set() if case_is_new else {e.file_id for e in evidence_for(session, case_id=case_id)}
    added = []
    for file_id in file_ids:
        if file_id in known:
            continue
        session.add(Evidence(case_id=case_id, file_id=file_id, added_by=user_id, added_at=at))
        known.add(file_id)
        added.append(file_id)
    if added:
        session.flush()
    return added


def move_case(session: Session, *, case_id: int, expected_version: int, **changes: object) -> bool:
    """Change a case only if nobody else changed it since ``expected_version`` was read; its
    version goes up by one. Returns False when another click got there first."""
    values = {**changes, "version": expected_version + 1}
    result = session.connection().execute(
        sa.update(_case)
        .where(_case.c.id == case_id, _case.c.version == expected_version)
        .values(**values)
    )
    return result.rowcount == 1


def take_shared_words(session: Session, *, team_id: str, channel_id: str, message_ts: str, was: str,
                      **values: object) -> bool:
    """Set ``values`` on the case of a message as long as its post is still ``was`` and not erased;
    returns whether it did."""
    result = session.connection().execute(
        sa.update(_case)
        .where(_case.c.team_id == team_id, _case.c.channel_id == channel_id,
               _case.c.message_ts == message_ts, _case.c.text == was, _case.c.erased_at.is_(None))
        .values(**values)
    )
    return result.rowcount == 1


def set_bot_message(session: Session, *, team_id: str, case_id: int, ts: str) -> bool:
    """Remember the case's thread message; False when the workspace has no such case."""
    result = session.connection().execute(
        sa.update(_case).where(_case.c.id == case_id, _case.c.team_id == team_id)
        .values(bot_message_ts=ts)
    )
    return result.rowcount == 1


def advance_case(session: Session, *, case: Case, expected_version: int, **changes: object) -> bool:
    """:func:`move_case` for a case loaded as an object, which is then read again.

    Returns False when another click got there first; the caller then reports a stale click.
    """
    session.flush()  # what was changed on the object goes first, as it did through the ORM
    if not move_case(session, case_id=case.id, expected_version=expected_version, **changes):
        return False
    session.refresh(case)
    return True
