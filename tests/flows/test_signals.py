"""Overviews for services: periods, due moments, small counts hidden, each case counted once."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytz

from bot.flows.policy import load_policy
from bot.flows.report import period_of
from bot.flows.signals import (
    CaseSignal, direction, next_signal, previous_period, shown, signal_period, signals,
)

HOURS = load_policy().business_hours
ZONE = "Europe/Brussels"
BRUSSELS = pytz.timezone(ZONE)


def at(*args: int) -> datetime:
    return BRUSSELS.localize(datetime(*args)).astimezone(pytz.utc)


def test_counts_under_five_are_not_shown():
    assert [shown(n) for n in (0, 1, 4, 5, 37)] == [0, None, None, 5, 37]


def test_a_rise_or_fall_is_only_named_with_enough_cases():
    assert direction(3, 1) is None and direction(0, 4) is None
    assert direction(5, 4) == "up" and direction(2, 9) == "down" and direction(6, 6) == "same"


def test_the_monthly_overview_comes_on_the_first_business_day():
    # 1 January 2027 is a holiday (a Friday): the first business day is Monday 4 January.
    assert next_signal(at(2026, 12, 3, 12, 0), "monthly", HOURS) == at(2027, 1, 4, 9, 0)
    assert next_signal(at(2026, 12, 1, 8, 0), "monthly", HOURS) == at(2026, 12, 1, 9, 0)
    assert next_signal(at(2026, 12, 1, 9, 0), "monthly", HOURS) == at(2027, 1, 4, 9, 0)
    assert next_signal(at(2026, 12, 3, 12, 0), "weekly", HOURS) == at(2026, 12, 7, 9, 0)


def test_the_period_is_the_calendar_month_or_the_week_before():
    month = signal_period(at(2027, 1, 4, 9, 0), "monthly", ZONE)
    assert (month.first_day, month.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    before = previous_period(month, "monthly", ZONE)
    assert (before.first_day, before.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    march = signal_period(at(2026, 3, 2, 9, 0), "monthly", ZONE)
    assert (march.first_day, march.last_day) == (date(2026, 2, 1), date(2026, 2, 28))
    week = signal_period(at(2026, 12, 8, 9, 0), "weekly", ZONE)  # moved to Tuesday: same week
    assert (week.first_day, week.last_day) == (date(2026, 11, 30), date(2026, 12, 6))


def test_each_case_counts_once_and_marked_cases_of_other_categories_show_too():
    period = period_of(date(2026, 11, 1), date(2026, 11, 30), ZONE)
    previous = period.previous(ZONE)
    now = [CaseSignal(1, "negative.punishable", "facebook"), CaseSignal(2, "negative.conduct", "x"),
           CaseSignal(1, "negative.punishable", "facebook"),  # also marked for the service
           CaseSignal(3, "negative.venting", "facebook")]  # marked only
    found = signals(period, previous, ("negative.punishable", "negative.conduct", "negative.privacy"),
                    now, [], Counter({"report_unia": 1}), Counter())
    assert found.total == 3
    assert [(l.key, l.count) for l in found.categories] == [
        ("negative.punishable", 1), ("negative.conduct", 1), ("negative.privacy", 0),
        ("negative.venting", 1)]
    assert [(l.key, l.count) for l in found.kinds] == [("report_unia", 1)]
    assert [(l.key, l.count) for l in found.platforms] == [("facebook", 2), ("x", 1)]
