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

from sqlmodel import Session

from bot.flows.strikes import AuthorQuery, add_months
from bot.usecases.transaction import use_case
from storage import privacy as store
from storage.models import Erasure

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
ERASED_FILE = store.ERASED_FILE


@dataclass(frozen=True)
class ErasureResult:
    authors: int
    cases: int
    strikes: int


@use_case
def erase_expired(session: Session, *, retention_months: int, now: datetime,
                  team_id: str | None = None) -> int:
    """Erase what the retention period no longer allows (in one workspace, or in all when
    ``team_id`` is None); returns the number of cases erased."""
    cutoff = add_months(now, -retention_months)
    cases = store.expired_cases(session, cutoff=cutoff, team_id=team_id, limit=SWEEP_BATCH)
    by_team: dict[str, int] = {}
    for case in cases:
        store.erase_case(session, case, now)
        by_team[case.team_id] = by_team.get(case.team_id, 0) + 1
    authors = {c.author_id for c in cases if c.author_id is not None}
    erased_strikes = 0
    for author_id in authors:
        author = store.author(session, author_id=author_id)
        if author is None or store.is_pseudonymised(author):
            continue
        still_needed = store.unerased_case_count(session, author_id=author_id)
        counting = store.unexpired_strike_count(session, author_id=author_id, now=now)
        if not still_needed and not counting:
            erased_strikes += store.pseudonymise(session, author)
    for team, count in by_team.items():
        store.add_erasure(session, Erasure(team_id=team, reason="retention", erased_at=now,
                                           cases=count, strikes=erased_strikes))
    erased = len(cases)
    if erased:
        logger.info("retention: erased %s closed cases", erased)
    return erased


@use_case
def author_data(session: Session, *, team_id: str, query: AuthorQuery,
                local: callable) -> str | None:
    """Everything stored about an author, as JSON (right of access); None when nothing is."""
    authors = store.authors_named(session, team_id=team_id, handle=query.handle,
                                  platform=query.platform)
    if not authors:
        return None
    report = []
    for author in authors:
        cases = store.cases_of(session, author_id=author.id)
        strikes = store.strikes_of(session, author_id=author.id)
        measures = store.measures_of(session, author_id=author.id)
        questions = store.questions_about(session, case_ids=[c.id for c in cases])
        reviews = store.reviews_of(session, strike_ids=[s.id for s in strikes])
        evidence = store.evidence_of(session, case_ids=[c.id for c in cases])
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


@use_case
def erase_author(session: Session, *, team_id: str, platform: str, handle: str, by: str,
                 now: datetime) -> ErasureResult:
    """Right to erasure: everything about one author on one platform."""
    author = store.find_author(session, team_id=team_id, platform=platform, handle=handle)
    if author is None:
        return ErasureResult(0, 0, 0)
    cases = store.cases_of(session, author_id=author.id)
    for case in cases:
        store.erase_case(session, case, now, answers=True)
    strikes = store.pseudonymise(session, author)
    store.add_erasure(session, Erasure(team_id=team_id, reason="request", author_id=author.id,
                                       requested_by=by, erased_at=now, cases=len(cases),
                                       strikes=strikes))
    result = ErasureResult(1, len(cases), strikes)
    if result.authors:
        logger.info("erasure on request by %s: %s cases, %s strikes", by, result.cases, result.strikes)
    return result