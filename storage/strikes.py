"""Queries for the strike register. They add and flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.db import add  # noqa: F401 (a new strike, measure or review: store.add)
from storage.models import Author, AuthorMeasure, Case, Strike, StrikeReview, UTCDateTime
from storage.scope import owned

REVOKING = ("revoked", "appeal_revoked")


@dataclass(frozen=True)
class OverviewRow:
    author_id: int
    platform: str
    handle: str
    strikes: int
    last_at: datetime


def find_strike(session: Session, *, case_id: int, author_id: int) -> Strike | None:
    statement = select(Strike).where(Strike.case_id == case_id, Strike.author_id == author_id)
    return session.exec(statement).first()


def get_strike(session: Session, *, team_id: str, strike_id: int) -> Strike | None:
    """The workspace's strike; None when there is none, ``NotInWorkspace`` for another's."""
    statement = select(Strike).where(Strike.id == strike_id)
    return owned(session.exec(statement).first(), kind="strike", row_id=strike_id, team_id=team_id)


def _not_revoked():
    revoked = (
        select(StrikeReview.id)
        .where(StrikeReview.strike_id == Strike.id, StrikeReview.outcome.in_(REVOKING))
        .exists()
    )
    return ~revoked


def _counting(now: datetime):
    return sa.and_(sa.or_(Strike.expires_at.is_(None), Strike.expires_at > now), _not_revoked())


def count_counting(session: Session, *, author_id: int, now: datetime) -> int:
    """Strikes of an author that count at ``now``: not expired, not revoked."""
    statement = select(sa.func.count()).select_from(Strike).where(
        Strike.author_id == author_id, _counting(now)
    )
    return session.exec(statement).one()


def overview(
    session: Session, *, team_id: str, now: datetime, limit: int, offset: int
) -> list[OverviewRow]:
    """Authors with counting strikes: most strikes first, then the most recent."""
    count = sa.func.count(Strike.id).label("strikes")
    # type_coerce keeps the column's UTC handling for the aggregate (SQLite forgets the type).
    last = sa.type_coerce(sa.func.max(Strike.decided_at), UTCDateTime()).label("last_at")
    inner = (
        select(Strike.author_id, count, last)
        .where(Strike.team_id == team_id, _counting(now))
        .group_by(Strike.author_id)
        .subquery()
    )
    statement = (
        select(inner.c.author_id, Author.platform, Author.handle, inner.c.strikes, inner.c.last_at)
        .join(Author, Author.id == inner.c.author_id)
        .order_by(inner.c.strikes.desc(), inner.c.last_at.desc(), inner.c.author_id)
        .limit(limit)
        .offset(offset)
    )
    return [OverviewRow(*row) for row in session.execute(statement)]


def authors_by_handle(session: Session, *, team_id: str, platform: str | None, handle: str) -> list[Author]:
    statement = select(Author).where(Author.team_id == team_id, Author.handle == handle)
    if platform is not None:
        statement = statement.where(Author.platform == platform)
    return list(session.exec(statement.order_by(Author.platform)))


def strikes_of(session: Session, *, author_id: int) -> list[Strike]:
    statement = select(Strike).where(Strike.author_id == author_id).order_by(Strike.decided_at, Strike.id)
    return list(session.exec(statement))


def reviews_of(session: Session, *, strike_ids: list[int]) -> dict[int, list[StrikeReview]]:
    result: dict[int, list[StrikeReview]] = {i: [] for i in strike_ids}
    if not strike_ids:
        return result
    statement = select(StrikeReview).where(StrikeReview.strike_id.in_(strike_ids)).order_by(StrikeReview.id)
    for review in session.exec(statement):
        result[review.strike_id].append(review)
    return result


def measures_of(session: Session, *, author_id: int) -> list[AuthorMeasure]:
    statement = select(AuthorMeasure).where(AuthorMeasure.author_id == author_id).order_by(AuthorMeasure.id)
    return list(session.exec(statement))


def measure(session: Session, *, strike_id: int, kind: str) -> AuthorMeasure | None:
    statement = select(AuthorMeasure).where(AuthorMeasure.strike_id == strike_id, AuthorMeasure.kind == kind)
    return session.exec(statement).first()


def cases_by_id(session: Session, *, case_ids: list[int]) -> dict[int, Case]:
    if not case_ids:
        return {}
    return {c.id: c for c in session.exec(select(Case).where(Case.id.in_(case_ids)))}


def register(session: Session, *, team_id: str) -> list[tuple[Author, Strike]]:
    """Every strike of a workspace with its author, for the export."""
    statement = (
        select(Author, Strike)
        .join(Strike, Strike.author_id == Author.id)
        .where(Strike.team_id == team_id)
        .order_by(Author.platform, Author.handle, Strike.decided_at, Strike.id)
    )
    return list(session.exec(statement))
