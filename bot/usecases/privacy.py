"""Privacy (GDPR): retention, and an author's rights of access and erasure.

Erasing removes the citizen's words, link and evidence from cases, the reasons written about them
in the strike register (the team's reasons, and the leads' revocation and appeal reasons), the
questions sent to services about their posts with their context, the services' answers and the
reasons a question was passed on, and replaces the handle with a pseudonym. Ids stay, so the
decision log (which holds ids, never texts; an erased evidence file's id is blanked there too)
and statistics survive. Every erasure is logged,
without the erased data. What the bot already sent to Slack stays there: the lead is told so.

The retention sweep erases the same texts of closed cases, but keeps the services' answers: they
are the services' standard answers, offered again for similar questions. An author's erasure on
request removes those too, as they may quote or describe the author.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.flows.strikes import AuthorQuery, add_months
from storage.db import run_in_transaction
from storage.models import (
    Author,
    AuthorMeasure,
    Case,
    Decision,
    Erasure,
    Evidence,
    RoutedQuestion,
    Strike,
    StrikeReview,
)

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
ERASED_FILE = "file:erased"


@dataclass(frozen=True)
class ErasureResult:
    authors: int
    cases: int
    strikes: int


def _erase_case(session: Session, case: Case, now: datetime, *, answers: bool = False) -> None:
    case.text, case.link, case.source_permalink, case.erased_at = "", None, None, now
    case.comment = None
    session.add(case)
    for evidence in session.exec(select(Evidence).where(Evidence.case_id == case.id)):
        session.delete(evidence)
    # The log keeps that evidence was added, not which file (the screenshot of the post).
    session.exec(sa.update(Decision).where(Decision.case_id == case.id, Decision.note.like("file:%"))
                 .values(note=ERASED_FILE))
    for question in session.exec(select(RoutedQuestion).where(RoutedQuestion.case_id == case.id)):
        question.question, question.context = "", ""
        question.reroute_reason = "" if question.reroute_reason is not None else None
        if answers and question.answer is not None:
            question.answer = ""
        session.add(question)


def _cases_of(session: Session, author: Author) -> list[Case]:
    """The author's cases: those the author was named on, and those a strike against the author
    was recorded on (a strike's form can name the author of a case that had none)."""
    struck = select(Strike.case_id).where(Strike.author_id == author.id)
    return list(session.exec(select(Case).where(
        sa.or_(Case.author_id == author.id, Case.id.in_(struck))).order_by(Case.id)))


def _pseudonymise(session: Session, author: Author) -> int:
    """The handle becomes a pseudonym; the reasons written about the author are removed."""
    author.handle = f"erased-{author.id}"
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


def erase_expired(engine: sa.Engine, *, retention_months: int, now: datetime,
                  team_id: str | None = None) -> int:
    """Erase what the retention period no longer allows (in one workspace, or in all when
    ``team_id`` is None); returns the number of cases erased."""
    cutoff = add_months(now, -retention_months)

    def work(session: Session) -> int:
        statement = select(Case).where(Case.status == "closed", Case.closed_at < cutoff,
                                       Case.erased_at.is_(None))
        if team_id is not None:
            statement = statement.where(Case.team_id == team_id)
        cases = list(session.exec(statement.limit(SWEEP_BATCH)))
        by_team: dict[str, int] = {}
        for case in cases:
            _erase_case(session, case, now)
            by_team[case.team_id] = by_team.get(case.team_id, 0) + 1
        authors = {c.author_id for c in cases if c.author_id is not None}
        erased_strikes = 0
        for author_id in authors:
            author = session.get(Author, author_id)
            if author is None or author.handle.startswith("erased-"):
                continue
            still_needed = session.exec(
                select(sa.func.count()).select_from(Case).where(
                    Case.author_id == author_id, Case.erased_at.is_(None))).one()
            counting = session.exec(
                select(sa.func.count()).select_from(Strike).where(
                    Strike.author_id == author_id,
                    sa.or_(Strike.expires_at.is_(None), Strike.expires_at > now))).one()
            if not still_needed and not counting:
                erased_strikes += _pseudonymise(session, author)
        for team, count in by_team.items():
            session.add(Erasure(team_id=team, reason="retention", erased_at=now, cases=count,
                                strikes=erased_strikes))
        return len(cases)

    erased = run_in_transaction(engine, work)
    if erased:
        logger.info("retention: erased %s closed cases", erased)
    return erased


def author_data(engine: sa.Engine, *, team_id: str, query: AuthorQuery,
                local: callable) -> str | None:
    """Everything stored about an author, as JSON (right of access); None when nothing is."""

    def work(session: Session) -> str | None:
        statement = select(Author).where(Author.team_id == team_id, Author.handle == query.handle)
        if query.platform is not None:
            statement = statement.where(Author.platform == query.platform)
        authors = list(session.exec(statement))
        if not authors:
            return None
        report = []
        for author in authors:
            cases = _cases_of(session, author)
            strikes = list(session.exec(select(Strike).where(Strike.author_id == author.id).order_by(Strike.id)))
            measures = list(session.exec(
                select(AuthorMeasure).where(AuthorMeasure.author_id == author.id).order_by(AuthorMeasure.id)))
            questions = list(session.exec(
                select(RoutedQuestion).where(RoutedQuestion.case_id.in_([c.id for c in cases] or [0]))
                .order_by(RoutedQuestion.id)))
            reviews = list(session.exec(
                select(StrikeReview).where(StrikeReview.strike_id.in_([s.id for s in strikes] or [0]))
                .order_by(StrikeReview.id)))
            evidence = list(session.exec(
                select(Evidence).where(Evidence.case_id.in_([c.id for c in cases] or [0]))
                .order_by(Evidence.id)))
            report.append({
                "platform": author.platform,
                "handle": author.handle,
                "first_seen": local(author.created_at),
                "cases": [{"case": c.id, "forwarded_at": local(c.forwarded_at), "platform": c.platform,
                           "link": c.link, "source": c.source_permalink, "text": c.text,
                           "comment": c.comment, "status": c.status, "category": c.node_id,
                           "evidence_files": [e.file_id for e in evidence if e.case_id == c.id]}
                          for c in cases],
                "strikes": [{"strike": s.id, "case": s.case_id, "rule": s.rule,
                             "decided_at": local(s.decided_at),
                             "expires_at": local(s.expires_at) if s.expires_at else None,
                             "reason_shown_to_author": s.reason_public,
                             "internal_reason": s.reason_internal,
                             "reviews": [{"outcome": r.outcome, "reviewed_at": local(r.reviewed_at),
                                          "reason": r.reason}
                                         for r in reviews if r.strike_id == s.id]}
                            for s in strikes],
                "measures": [{"kind": m.kind, "confirmed_at": local(m.confirmed_at)} for m in measures],
                "questions_to_services": [{"case": q.case_id, "question": q.question,
                                           "context": q.context, "asked_at": local(q.asked_at),
                                           "answer": q.answer,
                                           "passed_on_because": q.reroute_reason}
                                          for q in questions],
            })
        return json.dumps(report, ensure_ascii=False, indent=2)

    return run_in_transaction(engine, work)


def erase_author(engine: sa.Engine, *, team_id: str, platform: str, handle: str, by: str,
                 now: datetime) -> ErasureResult:
    """Right to erasure: everything about one author on one platform."""

    def work(session: Session) -> ErasureResult:
        author = session.exec(select(Author).where(
            Author.team_id == team_id, Author.platform == platform, Author.handle == handle)).first()
        if author is None:
            return ErasureResult(0, 0, 0)
        cases = _cases_of(session, author)
        for case in cases:
            _erase_case(session, case, now, answers=True)
        strikes = _pseudonymise(session, author)
        session.add(Erasure(team_id=team_id, reason="request", author_id=author.id, requested_by=by,
                            erased_at=now, cases=len(cases), strikes=strikes))
        return ErasureResult(1, len(cases), strikes)

    result = run_in_transaction(engine, work)
    if result.authors:
        logger.info("erasure on request by %s: %s cases, %s strikes", by, result.cases, result.strikes)
    return result
