"""Aggregate queries for reports. Every query takes the workspace's ``team_id`` and counts only
its rows; rows without a team of their own (decisions, reviews, measures) are reached through
the case, the strike or the author that has one. Periods are UTC, start included, end excluded.

No query here reads a citizen's words, a handle or a name: only ids, nodes, times and counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import (
    Antenna, Author, AuthorMeasure, Case, Decision, Job, Lead, RoutedQuestion, Service, Strike,
    StrikeReview,
)

STAFF_SUPPORT = "staff_support"  # the decision-log action of support sent to a colleague
INFORM_SERVICE = "inform_service"


@dataclass(frozen=True)
class CaseRow:
    id: int
    opened_at: datetime
    first_decision_at: datetime | None
    closed_at: datetime | None
    node_id: str
    origin: str | None
    platform: str


@dataclass(frozen=True)
class QuestionRow:
    service: str
    asked_at: datetime
    due_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class StrikeCounts:
    recorded: int
    revoked: int
    appeals_upheld: int
    appeals_revoked: int
    blocks: int


class DecisionRow(NamedTuple):
    case_id: int
    node_id: str
    action_id: str | None
    user_id: str
    decided_at: datetime
    policy_version: str


def _in(column, start: datetime, end: datetime):
    return sa.and_(column >= start, column < end)


def cases_opened(session: Session, *, team_id: str, start: datetime, end: datetime) -> list[CaseRow]:
    """The cases forwarded in the period, with the moment of their first decision."""
    # Decisions are append-only, written as they are made: the first by id is the first in
    # time, found through the (case_id, id) index without reading the case's other decisions.
    first = (select(Decision.decided_at).where(Decision.case_id == Case.id)
             .order_by(Decision.id).limit(1).correlate(Case).scalar_subquery())
    statement = (
        select(Case.id, Case.forwarded_at, first, Case.closed_at, Case.node_id, Case.origin,
               Case.platform)
        .where(Case.team_id == team_id, _in(Case.forwarded_at, start, end))
        .order_by(Case.forwarded_at, Case.id)
    )
    return [CaseRow(*row) for row in session.exec(statement)]


def cases_closed(session: Session, *, team_id: str, start: datetime, end: datetime) -> int:
    statement = select(sa.func.count()).select_from(Case).where(
        Case.team_id == team_id, Case.status == "closed", _in(Case.closed_at, start, end))
    return session.exec(statement).one()


def nodes_opened(session: Session, *, team_id: str, start: datetime, end: datetime) -> dict[str, int]:
    """How many cases forwarded in the period stand at each node (for the period before)."""
    statement = (select(Case.node_id, sa.func.count()).where(
        Case.team_id == team_id, _in(Case.forwarded_at, start, end)).group_by(Case.node_id))
    return {node: count for node, count in session.exec(statement)}


def questions_asked(session: Session, *, team_id: str, start: datetime, end: datetime) -> list[QuestionRow]:
    """Questions and reports routed in the period (not the FYIs, which expect no answer); a
    question passed on counts once, at the service that took it over."""
    statement = (
        select(Service.name, RoutedQuestion.asked_at, RoutedQuestion.due_at, RoutedQuestion.answered_at)
        .join(Service, Service.id == RoutedQuestion.service_id)
        .where(RoutedQuestion.team_id == team_id, RoutedQuestion.kind != "fyi",
               RoutedQuestion.status != "rerouted", _in(RoutedQuestion.asked_at, start, end))
        .order_by(RoutedQuestion.id)
    )
    return [QuestionRow(*row) for row in session.exec(statement)]


def strike_counts(session: Session, *, team_id: str, start: datetime, end: datetime) -> StrikeCounts:
    recorded = session.exec(select(sa.func.count()).select_from(Strike).where(
        Strike.team_id == team_id, _in(Strike.decided_at, start, end))).one()
    reviews = dict(session.exec(
        select(StrikeReview.outcome, sa.func.count())
        .join(Strike, Strike.id == StrikeReview.strike_id)
        .where(Strike.team_id == team_id, _in(StrikeReview.reviewed_at, start, end))
        .group_by(StrikeReview.outcome)).all())
    blocks = session.exec(
        select(sa.func.count()).select_from(AuthorMeasure)
        .join(Author, Author.id == AuthorMeasure.author_id)
        .where(Author.team_id == team_id, AuthorMeasure.kind == "block",
               _in(AuthorMeasure.confirmed_at, start, end))).one()
    return StrikeCounts(recorded, reviews.get("revoked", 0), reviews.get("appeal_upheld", 0),
                        reviews.get("appeal_revoked", 0), blocks)


def staff_supported(session: Session, *, team_id: str, start: datetime, end: datetime) -> int:
    """How many colleagues were sent the support contacts (each counted once)."""
    statement = (
        select(sa.func.count(sa.distinct(Decision.note)))
        .join(Case, Case.id == Decision.case_id)
        .where(Case.team_id == team_id, Decision.action_id == STAFF_SUPPORT,
               _in(Decision.decided_at, start, end))
    )
    return session.exec(statement).one()


def decisions(session: Session, *, team_id: str, start: datetime, end: datetime,
              batch: int = 5000) -> Iterator[DecisionRow]:
    """Every decision of the period, oldest first, read in batches (a year may hold a million)."""
    statement = (
        select(Decision.case_id, Decision.node_id, Decision.action_id, Decision.user_id,
               Decision.decided_at, Decision.policy_version)
        .join(Case, Case.id == Decision.case_id)
        .where(Case.team_id == team_id, _in(Decision.decided_at, start, end))
        .order_by(Decision.decided_at, Decision.id)
        .execution_options(yield_per=batch)
    )
    for row in session.exec(statement):
        yield DecisionRow._make(row)


def teams_with_leads(session: Session) -> list[str]:
    """The workspaces that have a lead now (token mode learns its own id from them)."""
    statement = select(Lead.team_id).where(Lead.removed_at.is_(None)).distinct().order_by(Lead.team_id)
    return list(session.exec(statement))


def has_job(session: Session, *, team_id: str, kind: str, ref_id: int,
            due_at: datetime | None = None) -> bool:
    statement = select(Job.id).where(Job.team_id == team_id, Job.kind == kind, Job.ref_id == ref_id)
    if due_at is not None:
        statement = statement.where(Job.due_at == due_at)
    return session.exec(statement).first() is not None


# --- overviews for services ------------------------------------------------------------------------


def cases_in(session: Session, *, team_id: str, start: datetime, end: datetime,
             nodes: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """(case, node, platform) of the cases forwarded in the period that stand in ``nodes``."""
    statement = select(Case.id, Case.node_id, Case.platform).where(
        Case.team_id == team_id, _in(Case.forwarded_at, start, end), Case.node_id.in_(nodes))
    return [tuple(row) for row in session.exec(statement)]


def cases_marked_for(session: Session, *, team_id: str, service: str, start: datetime,
                     end: datetime) -> list[tuple[int, str, str]]:
    """(case, node, platform) of the cases the team marked in the period as a signal for the
    service (an FYI: *Dienst informeren*)."""
    statement = (
        select(Case.id, Case.node_id, Case.platform).distinct()
        .join(RoutedQuestion, RoutedQuestion.case_id == Case.id)
        .join(Service, Service.id == RoutedQuestion.service_id)
        .where(Case.team_id == team_id, RoutedQuestion.team_id == team_id, Service.name == service,
               RoutedQuestion.kind == "fyi", _in(RoutedQuestion.asked_at, start, end))
    )
    return [tuple(row) for row in session.exec(statement)]


def actions_done(session: Session, *, team_id: str, case_ids: list[int],
                 actions: tuple[str, ...]) -> dict[str, int]:
    """For each action, on how many of these cases the team carried it out (an intent that was
    only requested or cancelled does not count)."""
    if not case_ids:
        return {}
    done = sa.or_(Decision.note.is_(None), Decision.note == "confirmed", Decision.note.like("without_%"))
    statement = (
        select(Decision.action_id, sa.func.count(sa.distinct(Decision.case_id)))
        .join(Case, Case.id == Decision.case_id)
        .where(Case.team_id == team_id, Decision.case_id.in_(case_ids),
               Decision.action_id.in_(actions), done)
        .group_by(Decision.action_id)
    )
    return {action: count for action, count in session.exec(statement)}


def service_recipients(session: Session, *, team_id: str, service: str) -> tuple[int | None, str | None, list[str]]:
    """(service id, its channel, its antennas) for the workspace's active service of that name."""
    row = session.exec(select(Service).where(Service.team_id == team_id, Service.name == service,
                                             Service.active.is_(True))).first()
    if row is None:
        return None, None, []
    antennas = session.exec(select(Antenna.user_id).where(Antenna.service_id == row.id)
                            .order_by(Antenna.id)).all()
    return row.id, row.channel_id, list(antennas)


def job_due(session: Session, *, job_id: int) -> datetime | None:
    row = session.get(Job, job_id)
    return row.due_at if row else None


def service_name(session: Session, *, team_id: str, service_id: int) -> str | None:
    row = session.get(Service, service_id)
    return row.name if row is not None and row.team_id == team_id else None
