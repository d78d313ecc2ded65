"""Use cases for routing questions to the services' communication antennas, one transaction each.

Antennas are service staff, not moderators: everything they need travels in their direct message,
and they may answer only what was routed to their own service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlmodel import Session

from bot.core.problem import Problem
from bot.flows import tree
from bot.flows.policy import Policy
from bot.flows.timing import add_business_minutes
from bot.usecases.transaction import use_case
from storage import cases as case_store
from storage import jobs as job_store
from storage import routing as store
from storage import sent as sent_store
from storage.models import Case, Decision, JobKind, QuestionStatus, RoutedQuestion, Service

logger = logging.getLogger(__name__)

ANSWER_LIMIT = 3000  # Slack's limit for one text input; the thread shows it whole
QUESTION_LIMIT = 3000
SIMILARITY = 75  # rapidfuzz token_set_ratio from which an earlier answer is offered

# Which kind of question a node routes, and so which response-time target applies.
KIND_BY_NODE = {"neutral.report": "report"}
ROUTE = "route"
INFORM = "inform_service"
ANSWERED = "route_answered"  # decision-log ids the code adds besides the policy's actions
REROUTED = "route_rerouted"
DIRECT_MESSAGE = "question_dm"  # sent_message.kind of an antenna's direct message


class RoutingProblem(Problem):
    """Bad input or a state that does not allow it; ``key`` names the text to show."""


class AlreadyRouted(Exception):
    """The same route form came again (sent twice, or by two people for the case at the same
    version): nothing new was sent; ``question`` is what the first one asked."""

    def __init__(self, question: "RoutedQuestionSnapshot") -> None:
        super().__init__(question.id)
        self.question = question


@dataclass(frozen=True)
class ServiceView:
    id: int
    name: str
    description: str
    antennas: tuple[str, ...]
    backup: str | None
    open_questions: int
    channel: str | None = None
    question_minutes: int | None = None  # None: the policy's target
    report_minutes: int | None = None


@dataclass(frozen=True)
class RoutedQuestionSnapshot:
    """A routed question as its messages show it: what was asked of which service, about which
    case, and how far it got."""

    id: int
    team_id: str
    case_id: int
    case_channel: str
    case_ts: str
    case_text: str
    case_link: str | None
    service: ServiceView
    kind: str
    question: str
    context: str
    asked_by: str
    asked_at: datetime
    due_at: datetime | None
    status: str
    answered_by: str | None
    answer: str | None
    case_comment: str | None = None  # the team member's words beside a shared post


@dataclass(frozen=True)
class Similar:
    question: str
    answer: str
    service: str
    score: float


# --- routing -----------------------------------------------------------------------------------


@use_case(retry_on_conflict=True)  # a twin claimed the key first: the second run finds it (AlreadyRouted)
def route(session: Session, policy: Policy, *, team_id: str, case_id: int, service_id: int, question: str,
          context: str, fyi: bool, user_id: str, now: datetime,
          submission_key: str | None = None) -> RoutedQuestionSnapshot:
    """Ask a service (or inform it, ``fyi``); the reminder and the escalation are planned at once.

    ``submission_key`` (the case's version when the form was opened, and the form's mode) makes
    the form take effect once: a second submission raises :class:`AlreadyRouted`."""
    question = question.strip()
    if not question:
        raise RoutingProblem("route.error_empty")
    if len(question) > QUESTION_LIMIT or len(context) > QUESTION_LIMIT:
        raise RoutingProblem("route.error_too_long", n=QUESTION_LIMIT)
    action = INFORM if fyi else ROUTE
    case = case_store.get_case(session, team_id=team_id, case_id=case_id, for_update=True)
    if case is None:
        raise RoutingProblem("refusal.outdated")
    if submission_key is not None:  # checked with the case locked: a racing twin waits here
        earlier = sent_store.submission(session, team_id=team_id, key=submission_key)
        if earlier is not None:
            first = store.question(session, team_id=team_id, question_id=earlier.ref_id or 0)
            if first is not None:
                raise AlreadyRouted(_question_snapshot(session, first))
    if case.status != tree.OPEN:
        raise RoutingProblem("refusal.closed")
    if action not in {a.id for a in policy.actions_on(case.node_id)}:
        raise RoutingProblem("refusal.not_here")
    service = store.service(session, team_id=team_id, service_id=service_id)
    if service is None or not service.active:
        raise RoutingProblem("route.error_service_gone")
    kind = "fyi" if fyi else KIND_BY_NODE.get(case.node_id, "question")
    due = None
    if not fyi:
        due = add_business_minutes(now, _target(service, policy, kind), policy.business_hours)
    row = RoutedQuestion(
        team_id=case.team_id, case_id=case.id, service_id=service.id, kind=kind,
        question=question, context=context.strip(), asked_by=user_id, asked_at=now,
        due_at=due, status=QuestionStatus.FYI if fyi else QuestionStatus.OPEN,
    )
    store.add(session, row)
    if submission_key is not None:
        sent_store.add_submission(session, team_id=team_id, key=submission_key,
                                  user_id=user_id, at=now, ref_id=row.id)
    case_store.add_decision(session, Decision(
        case_id=case.id, node_id=case.node_id, action_id=action, user_id=user_id,
        decided_at=now, policy_version=policy.version, note=f"q:{row.id}"))
    _advance(session, case)
    if not fyi:
        _plan_reminders(session, row, service, policy, user_id)
    view = _question_snapshot(session, row)
    logger.info("case %s: question %s routed to service %s by %s", case_id, view.id, service_id, user_id)
    return view


@use_case
def acknowledge(session: Session, *, team_id: str, question_id: int, user_id: str) -> RoutedQuestionSnapshot:
    row = _answerable(session, team_id, question_id, user_id)
    if row.status == QuestionStatus.OPEN:
        row.status, row.acknowledged_by = QuestionStatus.ACKNOWLEDGED, user_id
        session.add(row)
    return _question_snapshot(session, row)


@use_case
def answer(session: Session, policy: Policy, *, team_id: str, question_id: int, user_id: str,
           text: str, now: datetime) -> RoutedQuestionSnapshot:
    text = text.strip()
    if not text:
        raise RoutingProblem("route.error_empty_answer")
    if len(text) > ANSWER_LIMIT:
        raise RoutingProblem("route.error_too_long", n=ANSWER_LIMIT)
    row = _answerable(session, team_id, question_id, user_id)
    row.status, row.answered_by, row.answered_at, row.answer = QuestionStatus.ANSWERED, user_id, now, text
    session.add(row)
    # Locked, as every use case that moves a case locks it: a concurrent click waits here
    # instead of making the version bump below miss.
    case = case_store.get_case(session, team_id=row.team_id, case_id=row.case_id, for_update=True)
    case_store.add_decision(session, Decision(
        case_id=case.id, node_id=case.node_id, action_id=ANSWERED, user_id=user_id,
        decided_at=now, policy_version=policy.version, note=f"q:{row.id}"))
    _advance(session, case)
    view = _question_snapshot(session, row)
    logger.info("question %s answered by %s", question_id, user_id)
    return view


@use_case
def reroute(session: Session, policy: Policy, *, team_id: str, question_id: int,
            service_id: int, reason: str, user_id: str, now: datetime) -> tuple[RoutedQuestionSnapshot, RoutedQuestionSnapshot]:
    """"Not for us": the question moves to another service, with the reason; returns (old, new)."""
    reason = reason.strip()
    if not reason:
        raise RoutingProblem("route.error_reason")
    old = _answerable(session, team_id, question_id, user_id)
    if service_id == old.service_id:
        raise RoutingProblem("route.error_same_service")
    target = store.service(session, team_id=team_id, service_id=service_id)
    if target is None or not target.active:
        raise RoutingProblem("route.error_service_gone")
    due = add_business_minutes(now, _target(target, policy, old.kind), policy.business_hours)
    new = RoutedQuestion(
        team_id=team_id, case_id=old.case_id, service_id=target.id, kind=old.kind,
        question=old.question, context=old.context, asked_by=old.asked_by, asked_at=now,
        due_at=due,
    )
    store.add(session, new)
    old.status, old.rerouted_to, old.reroute_reason = QuestionStatus.REROUTED, new.id, reason
    session.add(old)
    case = case_store.get_case(session, team_id=team_id, case_id=old.case_id)
    case_store.add_decision(session, Decision(
        case_id=case.id, node_id=case.node_id, action_id=REROUTED, user_id=user_id,
        decided_at=now, policy_version=policy.version, note=f"q:{old.id}>q:{new.id}"))
    _plan_reminders(session, new, target, policy, old.asked_by)
    return _question_snapshot(session, old), _question_snapshot(session, new)


@use_case
def remember_message(session: Session, *, team_id: str, question_id: int, user_id: str,
                     channel_id: str, ts: str, now: datetime) -> None:
    """An antenna's direct message about a question, to redraw it when the question moves on."""
    sent_store.add_sent(session, team_id=team_id, kind=DIRECT_MESSAGE, ref_id=question_id,
                        user_id=user_id, channel_id=channel_id, ts=ts, at=now)


@use_case
def messages_of(session: Session, *, team_id: str, question_id: int) -> list[tuple[str, str]]:
    """The direct messages (channel, ts) sent about one of the workspace's questions."""
    return [(row.channel_id, row.ts)
            for row in sent_store.sent(session, team_id=team_id, kind=DIRECT_MESSAGE, ref_id=question_id)]


@use_case
def load_question(session: Session, *, team_id: str, question_id: int) -> RoutedQuestionSnapshot:
    row = store.question(session, team_id=team_id, question_id=question_id)
    if row is None:
        raise RoutingProblem("route.error_gone")
    return _question_snapshot(session, row)


@use_case
def reroute_choices(session: Session, *, team_id: str, question_id: int
                    ) -> tuple[RoutedQuestionSnapshot, list[ServiceView]]:
    """The question to pass on and the services it may go to: every one but its own."""
    row = store.question(session, team_id=team_id, question_id=question_id)
    if row is None:
        raise RoutingProblem("route.error_gone")
    question = _question_snapshot(session, row)
    services = service_views(session, store.services(session, team_id=question.team_id))
    return question, [service for service in services if service.id != question.service.id]


@use_case
def standard_answers(session: Session, *, team_id: str, service_id: int, limit: int = 10) -> list[RoutedQuestionSnapshot]:
    return [_question_snapshot(session, row) for row in
            store.answered(session, team_id=team_id, service_id=service_id, limit=limit)]


def find_similar(session: Session, *, team_id: str, text: str) -> Similar | None:
    """An earlier answer to a question like this one, to offer before asking again."""
    text = " ".join(text.split())
    if len(text) < 8:
        return None
    rows = store.answered(session, team_id=team_id)
    if not rows:
        return None
    match = best_match(text, [row.question for row in rows])
    if match is None:
        return None
    row = rows[match[0]]
    service = store.service_of(session, service_id=row.service_id)
    return Similar(row.question, row.answer or "", service.name if service else "", match[1])


similar_answer = use_case(find_similar)


def best_match(text: str, questions: list[str]) -> tuple[int, float] | None:
    """The index and score of the earlier question most like ``text``, if alike enough."""
    if not questions:
        return None
    found = process.extractOne(text, questions, scorer=fuzz.token_set_ratio,
                               processor=lambda s: " ".join(s.lower().split()))
    if found is None or found[1] < SIMILARITY:
        return None
    return found[2], float(found[1])


# --- helpers -----------------------------------------------------------------------------------


def _target(service: Service, policy: Policy, kind: str) -> int:
    if kind == "report":
        return service.report_minutes or policy.routing.report_minutes
    return service.question_minutes or policy.routing.question_minutes


def _plan_reminders(session: Session, row: RoutedQuestion, service: Service, policy: Policy,
                    user_id: str) -> None:
    """One reminder at the deadline, the escalation at twice the target: both in business time."""
    minutes = _target(service, policy, row.kind)
    escalate_at = add_business_minutes(row.asked_at, 2 * minutes, policy.business_hours)
    for kind, due in ((JobKind.REMIND, row.due_at), (JobKind.ESCALATE, escalate_at)):
        job_store.add_job(session, team_id=row.team_id, kind=kind, ref_id=row.id, due_at=due,
                          created_by=user_id)


@use_case
def check_answerable(session: Session, *, team_id: str, question_id: int, user_id: str) -> None:
    """Whether ``user_id`` is an antenna of the question's service now (the role the table in
    bot.flows.permissions names for answering): raises the RoutingProblem that says why not."""
    _answerable(session, team_id, question_id, user_id, for_update=False)


def _answerable(session: Session, team_id: str, question_id: int, user_id: str, *,
                for_update: bool = True) -> RoutedQuestion:
    """A question this user may act on: only the service's antennas and its backup, while it is
    open. The one definition of the antenna's right; the acts that change the question check it
    again under the row's lock."""
    row = store.question(session, team_id=team_id, question_id=question_id, for_update=for_update)
    if row is None:
        raise RoutingProblem("route.error_gone")
    service = store.service_of(session, service_id=row.service_id)
    allowed = store.answering(session, services=[service])[service.id] if service is not None else set()
    if user_id not in allowed:
        raise RoutingProblem("route.error_not_your_service", service=service.name if service else "")
    if row.status not in store.OPEN_STATUSES:
        raise RoutingProblem("route.error_done", status=row.status)
    return row


def _advance(session: Session, case: Case) -> None:
    """Bump the locked case's version, so buttons drawn before are stale. The lock makes a lost
    race impossible; should it happen all the same, nothing of this transaction is kept."""
    if not case_store.advance_case(session, case=case, expected_version=case.version):
        raise RoutingProblem("refusal.outdated")


def service_views(session: Session, rows: list[Service]) -> list[ServiceView]:
    ids = [s.id for s in rows]
    antennas = store.antennas(session, service_ids=ids)
    counts = store.open_question_counts(session, service_ids=ids)
    return [ServiceView(s.id, s.name, s.description, tuple(antennas[s.id]), s.backup_user_id,
                        counts[s.id], s.channel_id, s.question_minutes, s.report_minutes)
            for s in rows]


def _question_snapshot(session: Session, row: RoutedQuestion) -> RoutedQuestionSnapshot:
    service = store.service_of(session, service_id=row.service_id)
    case = case_store.get_case(session, team_id=row.team_id, case_id=row.case_id, for_update=True)
    return RoutedQuestionSnapshot(
        id=row.id, team_id=row.team_id, case_id=row.case_id, case_channel=case.channel_id,
        case_ts=case.message_ts, case_text=case.text, case_link=case.link,
        service=service_views(session, [service])[0], kind=row.kind, question=row.question,
        context=row.context, asked_by=row.asked_by, asked_at=row.asked_at, due_at=row.due_at,
        status=row.status, answered_by=row.answered_by, answer=row.answer, case_comment=case.comment,
    )
