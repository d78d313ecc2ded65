"""The policy's [reports] table: the weekly digest's day, or off."""

from __future__ import annotations

import tomllib

import pytest

from bot.flows.policy import BUNDLED_POLICY, PolicyError, load_policy, parse_policy


def with_reports(table: str | None) -> dict:
    raw = tomllib.loads(BUNDLED_POLICY.read_text(encoding="utf-8"))
    raw.pop("reports", None)
    if table is not None:
        raw["reports"] = tomllib.loads(table)
    return raw


def test_the_bundled_policy_sends_the_digest_on_mondays():
    assert load_policy().reports.weekly_digest == "mon"


@pytest.mark.parametrize(("table", "day"), [
    (None, "mon"), ('weekly_digest = "wed"', "wed"), ('weekly_digest = "off"', None),
    ("weekly_digest = false", None), ("", "mon"),
])
def test_a_policy_picks_the_day_or_turns_it_off(table, day):
    assert parse_policy(with_reports(table)).reports.weekly_digest == day


@pytest.mark.parametrize("table", ['weekly_digest = "maandag"', "weekly_digest = 1",
                                   'weekly_digest = true', 'other = "x"'])
def test_anything_else_is_refused(table):
    with pytest.raises(PolicyError, match="reports"):
        parse_policy(with_reports(table))
