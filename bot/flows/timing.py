"""Business-hour arithmetic in the policy's time zone (Europe/Brussels by default).

Deadlines count only business hours: weekdays 9:00-17:00 and no public holidays, unless the policy
says otherwise. A 30-minute target for a message received Friday 16:45 falls due Monday 9:15.
Daylight-saving changes happen at night, outside business hours, so each business day is one
stretch of wall-clock time that is localised on its own date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import pytz

from bot.core.clock import WEEKDAYS
from bot.flows.policy import BusinessHours

_MAX_DAYS = 3 * 366  # a policy with no business day at all must not loop forever


def _zone(hours: BusinessHours) -> pytz.BaseTzInfo:
    return pytz.timezone(hours.timezone)


def _window(day: date, hours: BusinessHours) -> tuple[datetime, datetime] | None:
    """The business hours of one day, in UTC, or None when it is no business day."""
    if WEEKDAYS[day.weekday()] not in hours.days or hours.is_holiday(day):
        return None
    zone = _zone(hours)
    opens = zone.localize(datetime.combine(day, hours.start)).astimezone(pytz.utc)
    closes = zone.localize(datetime.combine(day, hours.end)).astimezone(pytz.utc)
    return opens, closes


def is_business_time(moment: datetime, hours: BusinessHours) -> bool:
    window = _window(moment.astimezone(_zone(hours)).date(), hours)
    return window is not None and window[0] <= moment < window[1]


def next_business_moment(moment: datetime, hours: BusinessHours) -> datetime:
    """``moment`` itself during business hours, else the next opening."""
    day = moment.astimezone(_zone(hours)).date()
    for offset in range(_MAX_DAYS):
        window = _window(day + timedelta(days=offset), hours)
        if window is None:
            continue
        opens, closes = window
        if moment < closes:
            return max(moment, opens)
    raise ValueError("the policy's business hours contain no business day")


def add_business_minutes(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """The moment ``minutes`` business minutes after ``start`` (UTC-aware in, UTC-aware out)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    current = next_business_moment(start, hours)
    remaining = timedelta(minutes=minutes)
    for _ in range(_MAX_DAYS):
        _, closes = _window(current.astimezone(_zone(hours)).date(), hours)
        available = closes - current
        if remaining <= available:
            return (current + remaining).astimezone(pytz.utc)
        remaining -= available
        current = next_business_moment(closes, hours)
    raise ValueError("the deadline lies more than three years ahead")


def after_hours(start: datetime, hours_later: float, business: BusinessHours) -> datetime:
    """Plain hours later, moved to the next business moment: never at night or at the weekend."""
    return next_business_moment(start + timedelta(hours=hours_later), business)


def business_seconds_between(start: datetime, end: datetime, hours: BusinessHours) -> float:
    """How many seconds of business hours lie between ``start`` and ``end`` (0 when end <= start).

    Each business day is added as its own window, so weekends, holidays and the night of a
    daylight-saving change count for nothing. Windows and local dates are cached: a report
    measures a year of cases, most of them within a day or two.
    """
    if end <= start:
        return 0.0
    first, last = _local_date(start, hours), _local_date(end, hours)
    total = 0.0
    for offset in range((last - first).days + 1):
        window = _cached_window(first + timedelta(days=offset), hours)
        if window is None:
            continue
        opens, closes = max(window[0], start), min(window[1], end)
        if closes > opens:
            total += (closes - opens).total_seconds()
    return total


_cached_window = lru_cache(maxsize=4096)(_window)


def _local_date(moment: datetime, hours: BusinessHours) -> date:
    # Every zone's offset is a whole number of quarter hours, so the local date is the same
    # throughout a quarter hour of UTC: one conversion per quarter hour, not per moment.
    quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return _quarter_date(quarter, hours)


@lru_cache(maxsize=65536)
def _quarter_date(quarter: datetime, hours: BusinessHours) -> date:
    return quarter.astimezone(_zone(hours)).date()
