"""Use cases of the strike register: one transaction each (leads: :mod:`bot.usecases.leads`).

The rules (what counts, what comes next) are in :mod:`bot.flows.strikes`; rows in
:mod:`storage.strikes`. Nothing here is ever deleted: revocations and appeals are new rows.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlmodel import Session

from bot.usecases.cases import CaseSnapshot, read_case
from bot.flows import strikes as rules, tree
from bot.flows.policy import Policy
from bot.flows.intake import NOT_SOCIAL
from bot.usecases.transaction import use_case
from bot.flows.strikes import AuthorQuery, Review, Status, Step, StrikeFacts, StrikeProblem
from storage import cases as case_store
from storage import sent as sent_store
from storage import strikes as store
from storage.models import Author, AuthorMeasure, Case, Decision, Strike, StrikeReview

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class StrikeResult:
    strike_id: int
    created: bool  # False: this case had already given this author a strike
    platform: str
    handle: str
    counting: int  # strikes that count now, this one included
    step: Step | None
    case_id: int
    case: CaseSnapshot | None = None  # the case as the strike left it, to redraw its message


@dataclass(frozen=True)
class Guidance:
    """The guidance message after a strike, as the database has it: to redraw it."""

    result: StrikeResult  # the count and the step as they were when the strike was recorded
    reason_public: str
    rule: str
    confirmed: tuple[str, str, datetime] | None  # kind, by, at
    messages: tuple[tuple[str, str], ...]  # (channel, ts) of the guidance messages sent
    case_channel: str
    case_ts: str
    case_bot_ts: str | None = None  # the case's own tree message, never a guidance to overwrite


GUIDANCE = "guidance"  # sent_message.kind of the guidance after a strike


@dataclass(frozen=True)
class StrikeLine:
    id: int
    case_id: int
    channel_id: str
    message_ts: str
    rule: str
    decided_by: str
    decided_at: datetime
    status: Status
    expires_at: datetime | None
    reviews: tuple[tuple[str, str, datetime, str], ...]  # outcome, by, at, reason
    reason_internal: str
    reason_public: str


@dataclass(frozen=True)
class AuthorHistory:
    author_id: int
    platform: str
    handle: str
    strikes: tuple[StrikeLine, ...]
    measures: tuple[tuple[str, str, datetime], ...]  # kind, by, at
    counting: int
    step: Step | None


@dataclass(frozen=True)
class OverviewLine:
    author_id: int
    platform: str
    handle: str
    strikes: int
    last_at: datetime
    step: Step | None


@use_case(retry_on_conflict=True)  # a double submit raced: the other one won
def record_strike(
    session: Session,
    policy: Policy,
    *,
    team_id: str,
    case_id: int,
    author: AuthorQuery | None,
    reason_internal: str,
    reason_public: str,
    user_id: str,
    now: datetime,
) -> StrikeResult:
    """Record a strike for the case's author (given here when the case has none yet).

    Raises :class:`StrikeProblem` when the case cannot take a strike now or no author is known.
    """
    case = case_store.get_case(session, team_id=team_id, case_id=case_id, for_update=True)
    if case is None:
        raise StrikeProblem("strikes.error_no_case")

    def refused(key: str) -> StrikeProblem:  # told in the case's thread
        return StrikeProblem(key).in_thread(case.channel_id, case.message_ts)

    if case.status != tree.OPEN:
        raise refused("strikes.error_case_closed")
    if case.node_id not in rules.VIOLATION_NODES or "strike" not in {
        a.id for a in policy.actions_on(case.node_id)
    }:
        raise refused("strikes.error_not_here")
    author_row = _author_of(session, case, author, refused)
    strike = store.find_strike(session, case_id=case.id, author_id=author_row.id)
    created = strike is None
    if created:
        strike = Strike(
            team_id=case.team_id, author_id=author_row.id, case_id=case.id, rule=case.node_id,
            decided_by=user_id, decided_at=now,
            expires_at=rules.expires_at(now, policy.strikes),
            reason_internal=reason_internal.strip(),
            reason_public=reason_public.strip(),
        )
        store.add(session, strike)
        case_store.add_decision(session, Decision(
            case_id=case.id, node_id=case.node_id, action_id="strike", user_id=user_id,
            decided_at=now, policy_version=policy.version, note=f"strike:{strike.id}",
        ))
        if not case_store.advance_case(session, case=case, expected_version=case.version):
            raise refused("refusal.outdated")  # the case is locked: not expected
    counting = store.count_counting(session, author_id=author_row.id, now=now)
    if created:
        logger.info("strike %s recorded on case %s by %s", strike.id, case_id, user_id)
    return StrikeResult(strike.id, created, author_row.platform, author_row.handle, counting,
                        rules.next_step(counting, policy.strikes), case.id,
                        read_case(session, team_id=team_id, case_id=case.id))


def _author_of(session: Session, case: Case, author: AuthorQuery | None,
               refused: Callable[[str], StrikeProblem]) -> Author:
    """The case's author; one given with the strike when the case has none yet."""
    if case.author_id is not None:
        return case_store.author_by_id(session, author_id=case.author_id)
    if author is None:
        raise refused("strikes.error_no_author")
    platform = author.platform or case.platform
    if platform in NOT_SOCIAL:
        raise refused("strikes.error_unknown_platform")
    author_row = case_store.get_or_add_author(
        session, team_id=case.team_id, platform=platform, handle=author.handle
    )
    case.author_id = author_row.id
    session.add(case)
    return author_row


@use_case(on_conflict=False)  # confirmed by someone else at the same moment
def confirm_measure(
    session: Session, policy: Policy, *, team_id: str, strike_id: int, kind: str, user_id: str,
    now: datetime,
) -> bool:
    """The team says it sent the warning or blocked the author; False when already confirmed.
    The case's decision log gets the matching ``warn`` or ``block`` row."""
    if kind not in {s.value for s in Step}:
        raise StrikeProblem("strikes.error_not_here")
    strike = store.get_strike(session, team_id=team_id, strike_id=strike_id)
    if strike is None:
        raise StrikeProblem("strikes.error_no_strike")
    step = _step_when_recorded(session, strike, policy)
    if step is None or step.value != kind:  # only the step the guidance asked for
        raise StrikeProblem("strikes.error_not_here")
    if store.measure(session, strike_id=strike_id, kind=kind) is not None:
        return False
    store.add(session, AuthorMeasure(author_id=strike.author_id, strike_id=strike_id, kind=kind,
                                     confirmed_by=user_id, confirmed_at=now))
    case = case_store.get_case(session, team_id=team_id, case_id=strike.case_id)
    case_store.add_decision(session, Decision(
        case_id=case.id, node_id=case.node_id,
        action_id="block" if kind == Step.BLOCK.value else "warn", user_id=user_id,
        decided_at=now, policy_version=policy.version, note=f"strike:{strike_id}",
    ))
    return True


@use_case
def check_strike(session: Session, *, team_id: str, strike_id: int) -> None:
    """That the workspace has this strike (``NotInWorkspace`` when it is another's)."""
    if store.get_strike(session, team_id=team_id, strike_id=strike_id) is None:
        raise StrikeProblem("strikes.error_no_strike")


@use_case
def remember_guidance(session: Session, *, team_id: str, strike_id: int, channel_id: str,
                      ts: str, now: datetime) -> None:
    """The guidance message posted after a strike, so a confirmation redraws that message."""
    sent_store.add_sent(session, team_id=team_id, kind=GUIDANCE, ref_id=strike_id,
                        channel_id=channel_id, ts=ts, at=now)


@use_case
def guidance(session: Session, policy: Policy, *, team_id: str, strike_id: int,
             kind: str) -> Guidance:
    """The guidance after a strike, drawn from the database (never from a click's payload)."""
    strike = store.get_strike(session, team_id=team_id, strike_id=strike_id)
    if strike is None:
        raise StrikeProblem("strikes.error_no_strike")
    author = case_store.author_by_id(session, author_id=strike.author_id)
    counting = _counting_when_recorded(session, strike)
    case = case_store.get_case(session, team_id=team_id, case_id=strike.case_id)
    result = StrikeResult(strike.id, True, author.platform, author.handle, counting,
                          rules.next_step(counting, policy.strikes), strike.case_id)
    measure = store.measure(session, strike_id=strike.id, kind=kind)
    confirmed = (measure.kind, measure.confirmed_by, measure.confirmed_at) if measure else None
    messages = tuple((m.channel_id, m.ts) for m in sent_store.sent(
        session, team_id=team_id, kind=GUIDANCE, ref_id=strike.id))
    return Guidance(result, strike.reason_public, strike.rule, confirmed, messages,
                    case.channel_id, case.message_ts, case.bot_message_ts)


def _counting_when_recorded(session: Session, strike: Strike) -> int:
    """The author's strikes that counted when this one was recorded, this one included."""
    earlier = [s for s in store.strikes_of(session, author_id=strike.author_id) if s.id <= strike.id]
    reviews = store.reviews_of(session, strike_ids=[s.id for s in earlier])
    return sum(
        1 for s in earlier
        if rules.status(_facts(s, [r for r in reviews[s.id] if r.reviewed_at <= strike.decided_at]),
                        strike.decided_at) is Status.ACTIVE
    )


def _step_when_recorded(session: Session, strike: Strike, policy: Policy) -> Step | None:
    return rules.next_step(_counting_when_recorded(session, strike), policy.strikes)


@use_case
def review_strike(
    session: Session,
    *,
    team_id: str,
    strike_id: int,
    review: Review,
    reason: str,
    user_id: str,
    now: datetime,
) -> StrikeLine:
    """A lead revokes a strike or records an appeal's outcome (a new row; reason required)."""
    strike = store.get_strike(session, team_id=team_id, strike_id=strike_id)
    if strike is None:
        raise StrikeProblem("strikes.error_no_strike")
    earlier = store.reviews_of(session, strike_ids=[strike.id])[strike.id]
    rules.check_review(_facts(strike, earlier), review, reason)
    store.add(session, StrikeReview(strike_id=strike.id, outcome=review.value,
                                    reviewed_by=user_id, reviewed_at=now, reason=reason.strip()))
    reviews = store.reviews_of(session, strike_ids=[strike.id])[strike.id]
    case = store.cases_by_id(session, case_ids=[strike.case_id])[strike.case_id]
    logger.info("strike %s reviewed (%s) by %s", strike_id, review.value, user_id)
    return _line(strike, reviews, case, now)


@use_case
def overview(
    session: Session, policy: Policy, *, team_id: str, now: datetime, offset: int, limit: int
) -> list[OverviewLine]:
    rows = store.overview(session, team_id=team_id, now=now, limit=limit, offset=offset)
    return [
        OverviewLine(row.author_id, row.platform, row.handle, row.strikes, row.last_at,
                     rules.next_step(row.strikes, policy.strikes))
        for row in rows
    ]


@use_case
def history(
    session: Session, policy: Policy, *, team_id: str, query: AuthorQuery, now: datetime
) -> list[AuthorHistory]:
    """Everything the register holds about the authors matching ``query`` (several platforms)."""
    result = []
    for author in store.authors_by_handle(session, team_id=team_id, platform=query.platform,
                                          handle=query.handle):
        strikes = store.strikes_of(session, author_id=author.id)
        reviews = store.reviews_of(session, strike_ids=[s.id for s in strikes])
        cases = store.cases_by_id(session, case_ids=[s.case_id for s in strikes])
        lines = tuple(_line(s, reviews[s.id], cases[s.case_id], now) for s in strikes)
        counting = sum(1 for line in lines if line.status is Status.ACTIVE)
        measures = tuple(
            (m.kind, m.confirmed_by, m.confirmed_at)
            for m in store.measures_of(session, author_id=author.id)
        )
        result.append(AuthorHistory(author.id, author.platform, author.handle, lines, measures,
                                    counting, rules.next_step(counting, policy.strikes)))
    return result


@use_case
def export_csv(session: Session, *, team_id: str, now: datetime,
               local: Callable[[datetime], str]) -> str:
    """The whole register as CSV (for a lead only: it holds citizens' handles)."""
    rows = store.register(session, team_id=team_id)
    strike_ids = [strike.id for _, strike in rows]
    reviews = store.reviews_of(session, strike_ids=strike_ids)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["platform", "handle", "strike_id", "case_id", "rule", "decided_by",
                     "decided_at", "status", "expires_at", "review", "review_reason",
                     "reason_internal", "reason_public"])
    for author, strike in rows:
        state = rules.status(_facts(strike, reviews[strike.id]), now)
        ends = strike.expires_at
        last = reviews[strike.id][-1] if reviews[strike.id] else None
        writer.writerow([csv_safe(cell) for cell in (
            author.platform, author.handle, strike.id, strike.case_id, strike.rule,
            strike.decided_by, local(strike.decided_at), state.value,
            local(ends) if ends else "", last.outcome if last else "",
            last.reason if last else "", strike.reason_internal, strike.reason_public,
        )])
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: object) -> object:
    """A text cell starting with = + - @, a tab or a carriage return is a formula (or becomes one)
    in spreadsheet programs: a leading ' keeps it text. Every text cell goes through this, handles
    included (a handle may start with -)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _facts(strike: Strike, reviews: list[StrikeReview]) -> StrikeFacts:
    return StrikeFacts(strike.decided_at, strike.expires_at, tuple(Review(r.outcome) for r in reviews))


def _line(strike: Strike, reviews: list[StrikeReview], case: Case, now: datetime) -> StrikeLine:
    return StrikeLine(
        id=strike.id,
        case_id=strike.case_id,
        channel_id=case.channel_id,
        message_ts=case.message_ts,
        rule=strike.rule,
        decided_by=strike.decided_by,
        decided_at=strike.decided_at,
        status=rules.status(_facts(strike, reviews), now),
        expires_at=strike.expires_at,
        reviews=tuple((r.outcome, r.reviewed_by, r.reviewed_at, r.reason) for r in reviews),
        reason_internal=strike.reason_internal,
        reason_public=strike.reason_public,
    )

