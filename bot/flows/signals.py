"""Signals for the services: how often the team saw something in a service's field, never who.

Pure rules: the period an overview covers (last week, or last calendar month), when it is due
(the opening of business hours on Monday, or on the month's first business day), and how a count
is shown: under 5 it reads "fewer than 5", so no count points at a person, and a rise or fall is
only named when a count of 5 or more is involved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

import pytz

from bot.flows.policy import BusinessHours
from bot.flows.report import Period, next_digest, period_of, week_before
from bot.flows.timing import next_business_moment

SMALL = 5  # counts under this read "minder dan 5"
WEEKLY, MONTHLY = "weekly", "monthly"
REPORT_KINDS = ("report_unia", "report_igvm", "report_vmri", "report_police", "report_platform")


def shown(count: int) -> int | None:
    """The count as an overview may show it: None for 1 to 4 ("fewer than 5"), else itself."""
    return None if 0 < count < SMALL else count


def direction(count: int, before: int) -> str | None:
    """up | down | same, or None when both counts are under 5 (too few to say, and telling)."""
    if count < SMALL and before < SMALL:
        return None
    return "up" if count > before else "down" if count < before else "same"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_opening(first: date, hours: BusinessHours) -> datetime:
    opening = pytz.timezone(hours.timezone).localize(datetime.combine(first, hours.start))
    return next_business_moment(opening.astimezone(pytz.utc), hours)


def next_signal(now: datetime, cadence: str, hours: BusinessHours) -> datetime:
    """When the next overview of this cadence is due (made ahead of time, like the digest)."""
    if cadence == WEEKLY:
        return next_digest(now, "mon", hours)[1]
    first = _month_start(now.astimezone(pytz.timezone(hours.timezone)).date())
    due = _month_opening(first, hours)
    if due <= now:
        due = _month_opening((first + timedelta(days=32)).replace(day=1), hours)
    return due


def signal_period(due: datetime, cadence: str, zone: str) -> Period:
    """The period an overview due at ``due`` covers: the week or the calendar month before."""
    day = due.astimezone(pytz.timezone(zone)).date()
    if cadence == WEEKLY:
        return week_before(day, zone)
    last = _month_start(day) - timedelta(days=1)
    return period_of(_month_start(last), last, zone)


def previous_period(period: Period, cadence: str, zone: str) -> Period:
    if cadence == WEEKLY:
        return period.previous(zone)
    last = period.first_day - timedelta(days=1)
    return period_of(_month_start(last), last, zone)


@dataclass(frozen=True)
class CaseSignal:
    case_id: int
    node_id: str
    platform: str


@dataclass(frozen=True)
class Line:
    key: str  # a category (node id), a kind of report (action id) or a platform
    count: int
    before: int


@dataclass(frozen=True)
class Signals:
    period: Period
    previous: Period
    total: int
    total_before: int
    categories: tuple[Line, ...]
    kinds: tuple[Line, ...]
    platforms: tuple[Line, ...]


def signals(period: Period, previous: Period, categories: tuple[str, ...],
            now: Iterable[CaseSignal], before: Iterable[CaseSignal],
            kinds_now: Counter, kinds_before: Counter) -> Signals:
    """The overview's lines: every category of the service (also at 0), the kinds of report the
    team made, and the platforms; each case counted once however it reached the overview."""
    current = {c.case_id: c for c in now}
    earlier = {c.case_id: c for c in before}
    by_node, by_node_before = Counter(c.node_id for c in current.values()), Counter(
        c.node_id for c in earlier.values())
    platforms, platforms_before = Counter(c.platform for c in current.values()), Counter(
        c.platform for c in earlier.values())
    other = sorted(set(by_node) - set(categories))  # marked for the service, in another category

    def lines(keys, count: Counter, before: Counter) -> tuple[Line, ...]:
        return tuple(Line(k, count.get(k, 0), before.get(k, 0)) for k in keys)

    return Signals(
        period, previous, len(current), len(earlier),
        lines([*categories, *other], by_node, by_node_before),
        lines([k for k in REPORT_KINDS if kinds_now.get(k) or kinds_before.get(k)], kinds_now, kinds_before),
        lines(sorted(set(platforms) | set(platforms_before), key=lambda p: (-platforms.get(p, 0), p)),
              platforms, platforms_before),
    )

