"""The numbers of a report: which period, and what the decision log says about it.

Pure rules over plain data: the period a lead typed (Europe/Brussels dates, both inclusive), the
medians and 90th percentiles of waiting times in business hours (the policy's hours and
holidays, :mod:`bot.flows.timing`) and in clock hours, and how the categories moved compared
with the period of the same length just before.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping, Sequence

import pytz

from bot.core.problem import Problem
from bot.flows.policy import BusinessHours, Policy
from bot.flows.timing import business_seconds_between, next_business_moment

WEEK = 7
MONTH = 30
LONGEST = 366  # a year (a leap year included): longer periods are refused
WEEKLY_BUCKETS_AFTER = 60  # longer periods are charted per week instead of per day
MONTH_WORDS = frozenset({"maand", "month"})
SENTIMENTS = ("negative", "neutral", "positive", "external", "unclassified")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class ReportProblem(Problem):
    """A period that cannot be reported on; ``key`` is its text in the translation layer."""


@dataclass(frozen=True)
class Period:
    first_day: date  # local dates, both included
    last_day: date
    start: datetime  # UTC, included: midnight in the policy's time zone at first_day
    end: datetime  # UTC, excluded: midnight after last_day

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self, zone: str) -> Period:
        """The period of the same length that ends the day before this one starts."""
        last = self.first_day - timedelta(days=1)
        return period_of(last - timedelta(days=self.days - 1), last, zone)


def _midnight(day: date, zone: str) -> datetime:
    tz = pytz.timezone(zone)
    return tz.localize(datetime(day.year, day.month, day.day)).astimezone(pytz.utc)


def period_of(first: date, last: date, zone: str) -> Period:
    return Period(first, last, _midnight(first, zone), _midnight(last + timedelta(days=1), zone))


def parse_period(text: str, *, today: date, zone: str) -> Period:
    """``""``: the last 7 days; ``maand`` (or ``month``): the last 30 days; ``YYYY-MM-DD
    YYYY-MM-DD``: those days, both included. Today counts as the last day."""
    words = text.split()
    if not words:
        return period_of(today - timedelta(days=WEEK - 1), today, zone)
    if len(words) == 1 and words[0].lower() in MONTH_WORDS:
        return period_of(today - timedelta(days=MONTH - 1), today, zone)
    if len(words) != 2 or not all(_DATE.match(w) for w in words):
        raise ReportProblem("report.usage")
    try:
        first, last = (date.fromisoformat(w) for w in words)
    except ValueError:
        raise ReportProblem("report.error_date") from None
    if last < first:
        raise ReportProblem("report.error_reversed")
    if (last - first).days + 1 > LONGEST:
        raise ReportProblem("report.error_too_long")
    return period_of(first, last, zone)


def week_before(today: date, zone: str) -> Period:
    """Monday to Sunday of the week before the one ``today`` lies in (the weekly digest's)."""
    monday = today - timedelta(days=today.weekday())
    return period_of(monday - timedelta(days=WEEK), monday - timedelta(days=1), zone)


# --- statistics ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between the closest ranks (the
    common spreadsheet PERCENTILE.INC); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


@dataclass(frozen=True)
class Durations:
    """How long something took, in hours: business hours and clock hours."""

    count: int
    median_business: float | None
    p90_business: float | None
    median_clock: float | None
    p90_clock: float | None


def durations(spans: Iterable[tuple[datetime, datetime]], hours: BusinessHours) -> Durations:
    business, clock = [], []
    for start, end in spans:
        business.append(business_seconds_between(start, end, hours) / 3600)
        clock.append(max((end - start).total_seconds(), 0.0) / 3600)
    return Durations(len(clock), median(business), percentile(business, 90), median(clock),
                     percentile(clock, 90))


# --- what a case was -------------------------------------------------------------------------------


def sentiment_of(node_id: str, origin: str | None, policy: Policy) -> str:
    """negative | neutral | positive for a post on an own channel, external for one in an
    external group, unclassified while the team has not got that far."""
    path = policy.path_to(node_id) if node_id in policy.nodes else [node_id]
    for sentiment in SENTIMENTS[:3]:
        if sentiment in path:
            return sentiment
    if origin == "external" or "external" in path:
        return "external"
    return "unclassified"


def category_of(node_id: str, policy: Policy) -> str | None:
    """The category a case was put in (a node without children), or None while it has none."""
    node = policy.nodes.get(node_id)
    if node is None or node.children or policy.parent(node_id) is None:
        return None
    return node_id


@dataclass(frozen=True)
class CaseFacts:
    opened_at: datetime
    first_decision_at: datetime | None
    closed_at: datetime | None
    node_id: str
    origin: str | None
    platform: str


@dataclass(frozen=True)
class Trend:
    category: str
    count: int
    previous: int
    direction: str  # up | down | same


def trends(current: Mapping[str, int], previous: Mapping[str, int], *, limit: int = 5) -> tuple[Trend, ...]:
    """The most frequent categories now (most first, then by id), each against before."""
    top = sorted(current.items(), key=lambda item: (-item[1], item[0]))[:limit]
    result = []
    for category, count in top:
        before = previous.get(category, 0)
        direction = "up" if count > before else "down" if count < before else "same"
        result.append(Trend(category, count, before, direction))
    return tuple(result)


def category_counts(node_ids: Iterable[str], policy: Policy) -> dict[str, int]:
    return dict(Counter(c for c in (category_of(n, policy) for n in node_ids) if c is not None))


@dataclass(frozen=True)
class Bucket:
    first_day: date  # a day, or the Monday of a week
    counts: Mapping[str, int]  # sentiment -> cases opened


def buckets(period: Period, opened: Iterable[tuple[datetime, str]], zone: str) -> tuple[Bucket, ...]:
    """Cases opened per day (per week, from Monday, for periods over 60 days), by sentiment.
    Every day or week of the period is there, also the empty ones."""
    weekly = period.days > WEEKLY_BUCKETS_AFTER
    tz = pytz.timezone(zone)

    def key(day: date) -> date:
        return day - timedelta(days=day.weekday()) if weekly else day

    keys = sorted({key(period.first_day + timedelta(days=i)) for i in range(period.days)})
    tally: dict[date, Counter] = {k: Counter() for k in keys}
    for moment, sentiment in opened:
        day = moment.astimezone(tz).date()
        if period.first_day <= day <= period.last_day:
            tally[key(day)][sentiment] += 1
    return tuple(Bucket(k, {s: tally[k][s] for s in SENTIMENTS}) for k in keys)


# --- questions to services --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFacts:
    service: str
    asked_at: datetime
    due_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class ServiceLine:
    service: str
    asked: int
    within: int  # answered by the deadline (or answered, without a deadline)
    late: int  # answered after the deadline
    unanswered: int
    median_answer_business: float | None  # hours


def service_lines(questions: Iterable[QuestionFacts], hours: BusinessHours) -> tuple[ServiceLine, ...]:
    by_service: dict[str, list[QuestionFacts]] = {}
    for question in questions:
        by_service.setdefault(question.service, []).append(question)
    lines = []
    for service in sorted(by_service):
        rows = by_service[service]
        answered = [q for q in rows if q.answered_at is not None]
        late = [q for q in answered if q.due_at is not None and q.answered_at > q.due_at]
        waits = durations(((q.asked_at, q.answered_at) for q in answered), hours)
        lines.append(ServiceLine(service, len(rows), len(answered) - len(late), len(late),
                                 len(rows) - len(answered), waits.median_business))
    return tuple(lines)


# --- the weekly digest -------------------------------------------------------------------------------

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def digest_moment(monday: date, day: str, hours: BusinessHours) -> datetime:
    """When the week of ``monday`` gets its digest: the opening of business hours on ``day`` of
    that week, or the next business moment after it (a holiday moves it to the next business
    day)."""
    target = monday + timedelta(days=_WEEKDAYS.index(day))
    opening = pytz.timezone(hours.timezone).localize(datetime.combine(target, hours.start))
    return next_business_moment(opening.astimezone(pytz.utc), hours)


def next_digest(now: datetime, day: str, hours: BusinessHours) -> tuple[date, datetime]:
    """The next digest still to come: (the Monday of its week, when it is due). The job is made
    ahead of time, so a scheduler that was down at that moment still sends it when it is back."""
    today = now.astimezone(pytz.timezone(hours.timezone)).date()
    monday = today - timedelta(days=today.weekday())
    due = digest_moment(monday, day, hours)
    if due <= now:
        monday += timedelta(days=WEEK)
        due = digest_moment(monday, day, hours)
    return monday, due


class LocalMinutes:
    """Moments as local ISO times to the minute ("2026-11-03T10:00+01:00"), for files of many
    rows: the zone's offset is looked up once per quarter hour of UTC, not once per moment."""

    def __init__(self, zone: str) -> None:
        self.zone = pytz.timezone(zone)
        self.offsets: dict[datetime, datetime] = {}

    def __call__(self, moment: datetime) -> str:
        quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
        local = self.offsets.get(quarter)
        if local is None:
            local = self.offsets[quarter] = quarter.astimezone(self.zone)
        return (local + (moment - quarter)).isoformat(timespec="minutes")
