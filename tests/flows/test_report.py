"""The numbers of a report: periods, percentiles in business and clock hours, trends, buckets."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
import pytz

from bot.flows.policy import load_policy
from bot.flows.report import (
    QuestionFacts, ReportProblem, buckets, category_counts, category_of, durations, median,
    parse_period, percentile, period_of, sentiment_of, service_lines, trends, week_before,
)
from bot.flows.timing import business_seconds_between

POLICY = load_policy()
HOURS = POLICY.business_hours  # weekdays 9:00-17:00, Belgian holidays and closing days
ZONE = "Europe/Brussels"
BRUSSELS = pytz.timezone(ZONE)


def at(*args: int) -> datetime:
    return BRUSSELS.localize(datetime(*args)).astimezone(pytz.utc)


# --- periods -------------------------------------------------------------------------------------


def test_default_period_is_the_last_seven_days_including_today():
    period = parse_period("", today=date(2026, 12, 3), zone=ZONE)
    assert (period.first_day, period.last_day, period.days) == (date(2026, 11, 27), date(2026, 12, 3), 7)
    assert period.start == at(2026, 11, 27, 0, 0)
    assert period.end == at(2026, 12, 4, 0, 0)


@pytest.mark.parametrize("word", ["maand", "MAAND", "month"])
def test_month_is_the_last_thirty_days(word):
    period = parse_period(f"  {word} ", today=date(2026, 12, 3), zone=ZONE)
    assert (period.first_day, period.last_day, period.days) == (date(2026, 11, 4), date(2026, 12, 3), 30)


def test_given_dates_are_both_included_in_brussels_time():
    period = parse_period("2026-11-01 2026-11-30", today=date(2026, 12, 3), zone=ZONE)
    assert period.days == 30
    assert period.start == datetime(2026, 10, 31, 23, 0, tzinfo=pytz.utc)  # CET: UTC+1
    assert period.end == datetime(2026, 11, 30, 23, 0, tzinfo=pytz.utc)


def test_a_period_over_the_daylight_saving_change_keeps_local_midnights():
    period = parse_period("2026-03-28 2026-03-30", today=date(2026, 12, 3), zone=ZONE)
    assert period.start == datetime(2026, 3, 27, 23, 0, tzinfo=pytz.utc)  # CET
    assert period.end == datetime(2026, 3, 30, 22, 0, tzinfo=pytz.utc)  # CEST
    assert (period.end - period.start) == timedelta(hours=71)  # one day of 23 hours


def test_one_day_period():
    period = parse_period("2026-11-05 2026-11-05", today=date(2026, 12, 3), zone=ZONE)
    assert period.days == 1


@pytest.mark.parametrize(("text", "key"), [
    ("gisteren", "report.usage"),
    ("2026-11-01", "report.usage"),
    ("2026-11-01 2026-11-30 2026-12-01", "report.usage"),
    ("01-11-2026 30-11-2026", "report.usage"),
    ("2026-11-01 tot 2026-11-30", "report.usage"),
    ("2026-02-30 2026-03-01", "report.error_date"),
    ("2026-13-01 2026-13-02", "report.error_date"),
    ("2026-11-30 2026-11-01", "report.error_reversed"),
    ("2024-01-01 2026-01-01", "report.error_too_long"),
    ("２０２６-11-01 2026-11-30", "report.usage"),  # full-width digits are no date
])
def test_malformed_or_reversed_periods_are_refused(text, key):
    with pytest.raises(ReportProblem) as problem:
        parse_period(text, today=date(2026, 12, 3), zone=ZONE)
    assert problem.value.key == key


def test_a_leap_year_fits():
    assert parse_period("2028-01-01 2028-12-31", today=date(2029, 1, 1), zone=ZONE).days == 366


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    period = period_of(date(2026, 11, 1), date(2026, 11, 30), ZONE)
    before = period.previous(ZONE)
    assert (before.first_day, before.last_day) == (date(2026, 10, 2), date(2026, 10, 31))
    assert before.end == period.start


def test_week_before_is_monday_to_sunday():
    week = week_before(date(2026, 12, 7), ZONE)  # a Monday
    assert (week.first_day, week.last_day) == (date(2026, 11, 30), date(2026, 12, 6))
    assert week_before(date(2026, 12, 9), ZONE) == week  # the Wednesday after: the same week


# --- percentiles ---------------------------------------------------------------------------------


def test_percentiles_match_spreadsheet_percentile_inc():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert median(values) == 5.5
    assert percentile(values, 90) == pytest.approx(9.1)
    assert percentile([4.0], 90) == 4.0
    assert percentile([], 50) is None
    assert median([3, 1, 2]) == 2


def test_empty_period_has_no_durations():
    result = durations([], HOURS)
    assert result.count == 0
    assert result.median_business is None and result.p90_clock is None


def test_one_case_is_its_own_median_and_percentile():
    result = durations([(at(2026, 11, 24, 10, 0), at(2026, 11, 24, 12, 30))], HOURS)
    assert (result.median_business, result.p90_business) == (2.5, 2.5)
    assert (result.median_clock, result.p90_clock) == (2.5, 2.5)


def test_a_weekend_counts_in_clock_hours_only():
    # Friday 16:00 to Monday 10:00: 2 business hours, 66 clock hours.
    result = durations([(at(2026, 11, 27, 16, 0), at(2026, 11, 30, 10, 0))], HOURS)
    assert result.median_business == 2.0
    assert result.median_clock == 66.0


def test_holidays_and_closing_days_count_for_nothing():
    # 10 Nov 16:00 to 12 Nov 10:00 over Armistice Day: 2 business hours.
    assert business_seconds_between(at(2026, 11, 10, 16, 0), at(2026, 11, 12, 10, 0), HOURS) == 7200
    # Christmas and the closing day of 26 December (a Saturday in 2026), then the weekend.
    assert business_seconds_between(at(2026, 12, 24, 16, 0), at(2026, 12, 28, 9, 30), HOURS) == 5400
    # The municipality's closing day of 2 November (a Monday in 2026).
    assert business_seconds_between(at(2026, 10, 30, 16, 0), at(2026, 11, 3, 10, 0), HOURS) == 7200


def test_daylight_saving_changes_do_not_bend_business_hours():
    # Spring forward (29 March 2026) and fall back (25 October 2026) happen on Sundays:
    # Friday 16:00 to Monday 10:00 is still 2 business hours; the clock gains or loses an hour.
    spring = durations([(at(2026, 3, 27, 16, 0), at(2026, 3, 30, 10, 0))], HOURS)
    autumn = durations([(at(2026, 10, 23, 16, 0), at(2026, 10, 26, 10, 0))], HOURS)
    assert spring.median_business == autumn.median_business == 2.0
    assert spring.median_clock == 65.0
    assert autumn.median_clock == 67.0


def test_business_percentiles_over_a_mix():
    spans = [
        (at(2026, 11, 24, 9, 0), at(2026, 11, 24, 10, 0)),  # 1 h
        (at(2026, 11, 24, 16, 0), at(2026, 11, 25, 10, 0)),  # 2 h (overnight)
        (at(2026, 11, 28, 12, 0), at(2026, 11, 30, 12, 0)),  # 3 h (Saturday: counts from Monday 9:00)
        (at(2026, 11, 24, 10, 0), at(2026, 11, 26, 10, 0)),  # 16 h (two business days)
    ]
    result = durations(spans, HOURS)
    assert result.median_business == 2.5
    assert result.p90_business == pytest.approx(3 + 0.7 * 13)
    assert result.median_clock == pytest.approx((18 + 48) / 2)


def test_an_end_before_the_start_counts_as_zero():
    assert business_seconds_between(at(2026, 11, 24, 12, 0), at(2026, 11, 24, 10, 0), HOURS) == 0
    assert durations([(at(2026, 11, 24, 12, 0), at(2026, 11, 24, 10, 0))], HOURS).median_clock == 0


# --- what a case was ---------------------------------------------------------------------------------


def test_sentiment_and_category_come_from_the_tree():
    assert sentiment_of("negative.conduct", "own", POLICY) == "negative"
    assert sentiment_of("neutral", "own", POLICY) == "neutral"
    assert sentiment_of("external.monitor", "external", POLICY) == "external"
    assert sentiment_of("origin", None, POLICY) == "unclassified"
    assert sentiment_of("own", "own", POLICY) == "unclassified"
    assert sentiment_of("gone.from.policy", None, POLICY) == "unclassified"
    assert category_of("negative.conduct", POLICY) == "negative.conduct"
    assert category_of("negative", POLICY) is None
    assert category_of("origin", POLICY) is None


def test_trends_compare_with_the_previous_period():
    now = category_counts(["negative.conduct"] * 3 + ["neutral.question"] * 5 + ["negative"], POLICY)
    before = {"negative.conduct": 4, "neutral.question": 5}
    result = trends(now, before)
    assert [(t.category, t.count, t.previous, t.direction) for t in result] == [
        ("neutral.question", 5, 5, "same"), ("negative.conduct", 3, 4, "down")]
    assert trends({"negative.spam": 1}, {})[0].direction == "up"
    assert trends({}, before) == ()


def test_buckets_per_day_cover_every_day_of_the_period():
    period = period_of(date(2026, 11, 1), date(2026, 11, 7), ZONE)
    opened = [(at(2026, 11, 1, 0, 30), "negative"), (at(2026, 11, 1, 23, 30), "neutral"),
              (at(2026, 11, 7, 12, 0), "negative"), (at(2026, 11, 8, 0, 5), "negative")]
    result = buckets(period, opened, ZONE)
    assert [b.first_day for b in result] == [date(2026, 11, d) for d in range(1, 8)]
    assert result[0].counts["negative"] == 1 and result[0].counts["neutral"] == 1
    assert result[6].counts["negative"] == 1  # 8 November (local) is outside the period
    assert sum(sum(b.counts.values()) for b in result) == 3


def test_buckets_per_week_for_long_periods():
    period = period_of(date(2026, 1, 1), date(2026, 12, 31), ZONE)
    result = buckets(period, [(at(2026, 1, 1, 12, 0), "positive"), (at(2026, 1, 4, 12, 0), "positive")], ZONE)
    assert result[0].first_day == date(2025, 12, 29)  # the Monday of the first week
    assert result[0].counts["positive"] == 2
    assert len(result) == 53
    assert all(b.first_day.weekday() == 0 for b in result)


def test_service_lines_split_answers_by_deadline():
    asked = at(2026, 11, 24, 9, 0)
    facts = [
        QuestionFacts("mobiliteit", asked, at(2026, 11, 25, 9, 0), at(2026, 11, 24, 11, 0)),
        QuestionFacts("mobiliteit", asked, at(2026, 11, 25, 9, 0), at(2026, 11, 26, 9, 0)),
        QuestionFacts("mobiliteit", asked, at(2026, 11, 25, 9, 0), None),
        QuestionFacts("groendienst", asked, None, at(2026, 11, 24, 13, 0)),
    ]
    lines = {line.service: line for line in service_lines(facts, HOURS)}
    mobility = lines["mobiliteit"]
    assert (mobility.asked, mobility.within, mobility.late, mobility.unanswered) == (3, 1, 1, 1)
    assert mobility.median_answer_business == 9.0  # 2 h and 16 h
    assert lines["groendienst"].within == 1
    assert list(lines) == ["groendienst", "mobiliteit"]


# --- the weekly digest ---------------------------------------------------------------------------

from bot.flows.report import digest_moment, next_digest  # noqa: E402


def test_the_digest_comes_at_the_start_of_business_hours_on_monday():
    assert digest_moment(date(2026, 12, 7), "mon", HOURS) == at(2026, 12, 7, 9, 0)
    assert digest_moment(date(2026, 12, 7), "wed", HOURS) == at(2026, 12, 9, 9, 0)


def test_a_holiday_moves_the_digest_to_the_next_business_day():
    assert digest_moment(date(2027, 3, 29), "mon", HOURS) == at(2027, 3, 30, 9, 0)  # Easter Monday
    assert digest_moment(date(2026, 11, 2), "mon", HOURS) == at(2026, 11, 3, 9, 0)  # closing day
    assert digest_moment(date(2026, 12, 21), "sat", HOURS) == at(2026, 12, 28, 9, 0)  # no business day
    # In summer time the opening is 07:00 UTC; in winter 08:00 UTC.
    assert digest_moment(date(2026, 6, 8), "mon", HOURS) == datetime(2026, 6, 8, 7, 0, tzinfo=pytz.utc)


def test_the_next_digest_is_planned_ahead():
    assert next_digest(at(2026, 12, 6, 12, 0), "mon", HOURS) == (date(2026, 11, 30) + timedelta(days=7),
                                                                  at(2026, 12, 7, 9, 0))
    assert next_digest(at(2026, 12, 7, 8, 59), "mon", HOURS)[1] == at(2026, 12, 7, 9, 0)
    assert next_digest(at(2026, 12, 7, 9, 0), "mon", HOURS) == (date(2026, 12, 14), at(2026, 12, 14, 9, 0))
    assert next_digest(at(2026, 12, 9, 12, 0), "tue", HOURS)[1] == at(2026, 12, 15, 9, 0)


def test_local_minutes_match_a_conversion_per_moment_across_daylight_saving():
    from bot.flows.report import LocalMinutes

    local = LocalMinutes(ZONE)
    start = datetime(2026, 3, 29, 0, 0, tzinfo=pytz.utc)  # the clocks go forward at 01:00 UTC
    for minutes in range(0, 24 * 60 * 214, 7):  # to past the autumn change, every 7 minutes
        moment = start + timedelta(minutes=minutes, seconds=minutes % 60)
        assert local(moment) == moment.astimezone(BRUSSELS).isoformat(timespec="minutes")
    assert local(datetime(2026, 3, 29, 0, 59, tzinfo=pytz.utc)) == "2026-03-29T01:59+01:00"
    assert local(datetime(2026, 3, 29, 1, 0, tzinfo=pytz.utc)) == "2026-03-29T03:00+02:00"
