"""The clock: aware UTC datetimes only; the municipality's time zone; the weekdays' names."""

from __future__ import annotations

from datetime import datetime, timezone

import pytz

BRUSSELS = pytz.timezone("Europe/Brussels")  # where the team and the citizens live
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as the policy writes them


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
