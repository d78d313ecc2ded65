"""A report of one period for leads: read in one transaction, returned as a frozen snapshot.

The numbers are computed by :mod:`bot.flows.report` from rows of :mod:`storage.reports`; the
decisions CSV holds ids, nodes, actions, times and policy versions, never a citizen's words or
handle.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlmodel import Session

from bot.flows import report as rules
from bot.flows.policy import Policy
from bot.flows.report import Bucket, Durations, Period, ServiceLine, Trend
from bot.usecases.strikes import csv_safe
from bot.usecases.transaction import use_case
from storage import reports as store
from storage.reports import StrikeCounts

CSV_HEADER = ("case_id", "node", "action", "user_id", "decided_at", "policy_version")


@dataclass(frozen=True)
class ReportSnapshot:
    period: Period
    previous: Period
    opened: int
    closed: int
    by_origin: tuple[tuple[str, int], ...]  # most first
    by_sentiment: tuple[tuple[str, int], ...]
    by_category: tuple[tuple[str, int], ...]
    by_platform: tuple[tuple[str, int], ...]
    to_first_decision: Durations
    to_closing: Durations
    services: tuple[ServiceLine, ...]
    strikes: StrikeCounts
    staff_supported: int
    trends: tuple[Trend, ...]
    buckets: tuple[Bucket, ...]

    @property
    def weekly(self) -> bool:
        return self.period.days > rules.WEEKLY_BUCKETS_AFTER


def _most_first(counter: Counter) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


@use_case
def build_report(session: Session, policy: Policy, *, team_id: str, period: Period) -> ReportSnapshot:
    previous = period.previous(policy.business_hours.timezone)
    window = {"team_id": team_id, "start": period.start, "end": period.end}
    cases = store.cases_opened(session, **window)
    before = store.nodes_opened(session, team_id=team_id, start=previous.start, end=previous.end)
    return _snapshot(
        policy, period, previous, cases, before,
        closed=store.cases_closed(session, **window),
        questions=store.questions_asked(session, **window),
        strikes=store.strike_counts(session, **window),
        supported=store.staff_supported(session, **window),
    )


def _snapshot(policy: Policy, period: Period, previous: Period, cases: list[store.CaseRow],
              before: dict[str, int], *, closed: int, questions: list[store.QuestionRow],
              strikes: StrikeCounts, supported: int) -> ReportSnapshot:
    hours = policy.business_hours
    sentiments = [rules.sentiment_of(c.node_id, c.origin, policy) for c in cases]
    categories = rules.category_counts((c.node_id for c in cases), policy)
    previous_categories = Counter()
    for node, count in before.items():
        if (category := rules.category_of(node, policy)) is not None:
            previous_categories[category] += count
    facts = [rules.QuestionFacts(q.service, q.asked_at, q.due_at, q.answered_at) for q in questions]
    return ReportSnapshot(
        period=period,
        previous=previous,
        opened=len(cases),
        closed=closed,
        by_origin=_most_first(Counter(c.origin or "unknown" for c in cases)),
        by_sentiment=_most_first(Counter(sentiments)),
        by_category=_most_first(Counter(categories)),
        by_platform=_most_first(Counter(c.platform for c in cases)),
        to_first_decision=rules.durations(
            ((c.opened_at, c.first_decision_at) for c in cases if c.first_decision_at), hours),
        to_closing=rules.durations(((c.opened_at, c.closed_at) for c in cases if c.closed_at), hours),
        services=rules.service_lines(facts, hours),
        strikes=strikes,
        staff_supported=supported,
        trends=rules.trends(categories, previous_categories),
        buckets=rules.buckets(period, zip((c.opened_at for c in cases), sentiments),
                              hours.timezone),
    )


@use_case
def decisions_csv(session: Session, *, team_id: str, period: Period,
                  local: Callable[[datetime], str]) -> str:
    """The period's decisions as CSV: case, node, action, who (a Slack id of the team), when
    (local time), policy version. No notes: they may name a colleague who was supported."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    safe = _Memo(csv_safe)  # nodes, actions, people and versions repeat: neutralise each once
    for row in store.decisions(session, team_id=team_id, start=period.start, end=period.end):
        writer.writerow((row.case_id, safe(row.node_id), safe(row.action_id or ""),
                         safe(row.user_id), csv_safe(local(row.decided_at)),
                         safe(row.policy_version)))
    return out.getvalue()


class _Memo(dict):
    """``function(value)`` remembered per value."""

    def __init__(self, function: Callable[[str], object]) -> None:
        super().__init__()
        self.function = function

    def __call__(self, value: str) -> object:
        try:
            return self[value]
        except KeyError:
            result = self[value] = self.function(value)
            return result
