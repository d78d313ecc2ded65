"""Queries for retention and for an author's rights of access and erasure. They add, never commit.

What erasing a case or an author removes is described in :mod:`bot.privacy`; the rows it touches
are found and blanked here.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import (
    Author,
    AuthorMeasure,
    Case,
    CaseScreen,
    Decision,
    Erasure,
    Evidence,
    RoutedQuestion,
    Strike,
    StrikeReview,
)

ERASED_FILE = "file:erased"
PSEUDONYM_PREFIX = "erased-"


def expired_cases(session: Session, *, cutoff: datetime, team_id: str | None,
                  limit: int) -> list[Case]:
    """Closed cases, not yet erased, closed before ``cutoff`` (in one workspace, or in all)."""
    statement = select(Case).where(Case.status == "closed", Case.closed_at < cutoff,
                                   Case.erased_at.is_(None))
    if team_id is not None:
        statement = statement.where(Case.team_id == team_id)
    return list(session.exec(statement.limit(limit)))


def erase_case(session: Session, case: Case, now: datetime, *, answers: bool = False) -> None:
    """Blank a case's texts, delete its evidence, blank the questions about it (and their answers
    when ``answers``); the decision log keeps that a file was added, not which."""
    case.text, case.link, case.source_permalink, case.erased_at = "", None, None, now
    case.comment = None
    session.add(case)
    for evidence in session.exec(select(Evidence).where(Evidence.case_id == case.id)):
        session.delete(evidence)
    session.exec(sa.update(Decision).where(Decision.case_id == case.id, Decision.note.like("file:%"))
                 .values(note=ERASED_FILE))
    # The pre-screen's codes stay (they hold nothing of the post); the fingerprint of its words goes.
    session.exec(sa.update(CaseScreen).where(CaseScreen.case_id == case.id).values(fingerprint=None))
    for question in session.exec(select(RoutedQuestion).where(RoutedQuestion.case_id == case.id)):
        question.question, question.context = "", ""
        question.reroute_reason = "" if question.reroute_reason is not None else None
        if answers and question.answer is not None:
            question.answer = ""
        session.add(question)


def author(session: Session, *, author_id: int) -> Author | None:
    return session.get(Author, author_id)


def is_pseudonymised(author: Author) -> bool:
    return author.handle.startswith(PSEUDONYM_PREFIX)


def unerased_case_count(session: Session, *, author_id: int) -> int:
    return session.exec(select(sa.func.count()).select_from(Case).where(
        Case.author_id == author_id, Case.erased_at.is_(None))).one()


def unexpired_strike_count(session: Session, *, author_id: int, now: datetime) -> int:
    """Strikes against the author that have not expired at ``now`` (revoked ones included)."""
    return session.exec(select(sa.func.count()).select_from(Strike).where(
        Strike.author_id == author_id,
        sa.or_(Strike.expires_at.is_(None), Strike.expires_at > now))).one()


def pseudonymise(session: Session, author: Author) -> int:
    """The handle becomes a pseudonym; the reasons written about the author (the strikes' and
    their reviews') are blanked. Returns the number of strikes."""
    author.handle = f"{PSEUDONYM_PREFIX}{author.id}"
    session.add(author)
    strikes = list(session.exec(select(Strike).where(Strike.author_id == author.id)))
    for strike in strikes:
        strike.reason_internal, strike.reason_public = "", ""
        session.add(strike)
    if strikes:
        for review in session.exec(select(StrikeReview).where(
                StrikeReview.strike_id.in_([s.id for s in strikes]))):
            review.reason = ""
            session.add(review)
    return len(strikes)


def add_erasure(session: Session, erasure: Erasure) -> None:
    session.add(erasure)


def authors_named(session: Session, *, team_id: str, handle: str,
                  platform: str | None = None) -> list[Author]:
    """The workspace's authors with this handle (on one platform, or on any)."""
    statement = select(Author).where(Author.team_id == team_id, Author.handle == handle)
    if platform is not None:
        statement = statement.where(Author.platform == platform)
    return list(session.exec(statement))


def find_author(session: Session, *, team_id: str, platform: str, handle: str) -> Author | None:
    return session.exec(select(Author).where(
        Author.team_id == team_id, Author.platform == platform, Author.handle == handle)).first()


def cases_of(session: Session, *, author_id: int) -> list[Case]:
    """The author's cases: those the author was named on, and those a strike against the author
    was recorded on (a strike's form can name the author of a case that had none)."""
    struck = select(Strike.case_id).where(Strike.author_id == author_id)
    return list(session.exec(select(Case).where(
        sa.or_(Case.author_id == author_id, Case.id.in_(struck))).order_by(Case.id)))


def strikes_of(session: Session, *, author_id: int) -> list[Strike]:
    return list(session.exec(select(Strike).where(Strike.author_id == author_id).order_by(Strike.id)))


def measures_of(session: Session, *, author_id: int) -> list[AuthorMeasure]:
    return list(session.exec(
        select(AuthorMeasure).where(AuthorMeasure.author_id == author_id).order_by(AuthorMeasure.id)))


def questions_about(session: Session, *, case_ids: list[int]) -> list[RoutedQuestion]:
    return list(session.exec(
        select(RoutedQuestion).where(RoutedQuestion.case_id.in_(case_ids or [0]))
        .order_by(RoutedQuestion.id)))


def reviews_of(session: Session, *, strike_ids: list[int]) -> list[StrikeReview]:
    return list(session.exec(
        select(StrikeReview).where(StrikeReview.strike_id.in_(strike_ids or [0]))
        .order_by(StrikeReview.id)))


def evidence_of(session: Session, *, case_ids: list[int]) -> list[Evidence]:
    return list(session.exec(
        select(Evidence).where(Evidence.case_id.in_(case_ids or [0])).order_by(Evidence.id)))
