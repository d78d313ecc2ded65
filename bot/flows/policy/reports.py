"""Reading the policy's ``[reports]`` table: when the leads get the weekly digest, or not at all.

Optional: a policy without it sends the digest on Mondays, as the bundled one does.
"""

from __future__ import annotations

from typing import Any, Mapping

from bot.flows.policy.fields import _as_table, _only
from bot.flows.policy.model import PolicyError, ReportSettings
from bot.flows.policy.names import _WEEKDAYS

OFF = "off"


def read_reports(raw: Mapping[str, Any]) -> ReportSettings:
    if "reports" not in raw:
        return ReportSettings()
    body = _as_table(raw["reports"], "reports")
    _only(body, "reports", {"weekly_digest"})
    day = body.get("weekly_digest", "mon")
    if day is False or day == OFF:
        return ReportSettings(weekly_digest=None)
    if day not in _WEEKDAYS:
        raise PolicyError(f"reports.weekly_digest must be one of {', '.join(_WEEKDAYS)} or \"off\"")
    return ReportSettings(weekly_digest=day)
