"""Business-hour arithmetic in Europe/Brussels: weekends, holidays, daylight saving, long targets."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

import pytest
import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.policy import load_policy
from bot.flows.timing import add_business_minutes, after_hours, is_business_time, next_business_moment

HOURS = load_policy().business_hours  # weekdays 9:00-17:00, Belgian public holidays and closing days
BRUSSELS = pytz.timezone("Europe/Brussels")


def at(*args: int) -> datetime:
    return BRUSSELS.localize(datetime(*args)).astimezone(pytz.utc)


def local(moment: datetime) -> datetime:
    return moment.astimezone(BRUSSELS).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ((2026, 11, 27, 16, 45), 30, (2026, 11, 30, 9, 15)),  # Friday 16:45 + 30 min: Monday 9:15
        ((2026, 11, 24, 10, 0), 60, (2026, 11, 24, 11, 0)),  # within one day
        ((2026, 11, 24, 7, 0), 30, (2026, 11, 24, 9, 30)),  # before opening: counts from 9:00
        ((2026, 11, 24, 18, 0), 30, (2026, 11, 25, 9, 30)),  # after closing: the next morning
        ((2026, 11, 28, 12, 0), 30, (2026, 11, 30, 9, 30)),  # Saturday
        ((2026, 11, 24, 10, 0), 480, (2026, 11, 25, 10, 0)),  # one business day
        ((2026, 11, 24, 10, 0), 3 * 480 + 60, (2026, 11, 27, 11, 0)),  # longer than a day
        ((2026, 11, 10, 16, 0), 120, (2026, 11, 12, 10, 0)),  # 11 November (Armistice) is a holiday
        ((2026, 12, 24, 16, 0), 120, (2026, 12, 28, 10, 0)),  # Christmas, then the weekend
        ((2026, 11, 24, 17, 0), 0, (2026, 11, 25, 9, 0)),  # closing time itself is not business time
    ],
)
def test_deadlines_count_business_hours(start, minutes, due):
    assert local(add_business_minutes(at(*start), minutes, HOURS)) == datetime(*due)


def test_across_the_spring_daylight_saving_change():
    # Friday 27 March 2026, 16:00 CET; the clocks go forward on Sunday 29 March.
    due = add_business_minutes(at(2026, 3, 27, 16, 0), 120, HOURS)
    assert local(due) == datetime(2026, 3, 30, 10, 0)
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=pytz.utc)  # CEST is UTC+2


def test_across_the_autumn_daylight_saving_change():
    # Friday 23 October 2026, 16:30 CEST; the clocks go back on Sunday 25 October.
    due = add_business_minutes(at(2026, 10, 23, 16, 30), 60, HOURS)
    assert local(due) == datetime(2026, 10, 26, 9, 30)
    assert due == datetime(2026, 10, 26, 8, 30, tzinfo=pytz.utc)  # CET is UTC+1


def test_business_time_and_the_next_business_moment():
    assert is_business_time(at(2026, 11, 24, 9, 0), HOURS)
    assert not is_business_time(at(2026, 11, 24, 17, 0), HOURS)
    assert not is_business_time(at(2026, 11, 28, 12, 0), HOURS)
    assert local(next_business_moment(at(2026, 11, 28, 12, 0), HOURS)) == datetime(2026, 11, 30, 9, 0)
    assert next_business_moment(at(2026, 11, 24, 11, 0), HOURS) == at(2026, 11, 24, 11, 0)


def test_plain_hours_later_never_fall_at_night():
    assert local(after_hours(at(2026, 11, 24, 15, 0), 24, HOURS)) == datetime(2026, 11, 25, 15, 0)
    assert local(after_hours(at(2026, 11, 24, 15, 0), 4, HOURS)) == datetime(2026, 11, 25, 9, 0)
    assert local(after_hours(at(2026, 11, 27, 15, 0), 24, HOURS)) == datetime(2026, 11, 30, 9, 0)


def test_a_policy_without_business_days_is_an_error_not_a_hang():
    closed = dataclasses.replace(HOURS, days=())
    with pytest.raises(ValueError):
        add_business_minutes(at(2026, 11, 24, 10, 0), 30, closed)


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(at(2026, 11, 24, 10, 0), -1, HOURS)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1),
                       timezones=st.just(pytz.utc))


@settings(max_examples=300, deadline=None)
@given(start=moments, minutes=st.integers(min_value=1, max_value=5 * 480))
def test_every_deadline_lies_in_business_time_and_grows_with_the_target(start, minutes):
    due = add_business_minutes(start, minutes, HOURS)
    assert due > start
    # A deadline is in business hours, or exactly at a closing time when the last minute ends there.
    local_due = due.astimezone(BRUSSELS)
    assert is_business_time(due, HOURS) or (
        local_due.time() == time(17, 0) and is_business_time(due - timedelta(minutes=1), HOURS))
    assert add_business_minutes(start, minutes + 1, HOURS) > due
    assert not HOURS.is_holiday(local_due.date()) and local_due.weekday() < 5
    assert date(2026, 1, 1) <= local_due.date()
