"""Reading the policy's ``[reports]`` table: when the leads get the weekly digest (or never), and
which services get an overview of the cases in their field (``[[reports.services]]``).

Optional: a policy without it sends the digest on Mondays and no overviews.
"""

from __future__ import annotations

from typing import Any, Mapping

from bot.flows.policy.fields import _as_table, _only, _str
from bot.flows.policy.model import PolicyError, ReportSettings, ServiceDigest
from bot.core.clock import WEEKDAYS
from bot.flows.policy.names import NODE_IDS

OFF = "off"
CADENCES = ("weekly", "monthly")


def read_reports(raw: Mapping[str, Any]) -> ReportSettings:
    if "reports" not in raw:
        return ReportSettings()
    body = _as_table(raw["reports"], "reports")
    _only(body, "reports", {"weekly_digest", "services"})
    return ReportSettings(weekly_digest=_day(body.get("weekly_digest", "mon")),
                          services=_services(body.get("services", []), _service_names(raw)))


def _day(day: Any) -> str | None:
    if day is False or day == OFF:
        return None
    if day not in WEEKDAYS:
        raise PolicyError(f"reports.weekly_digest must be one of {', '.join(WEEKDAYS)} or \"off\"")
    return day


def _service_names(raw: Mapping[str, Any]) -> set[str]:
    routing = raw.get("routing") if isinstance(raw.get("routing"), dict) else {}
    return {str(s.get("name", "")).strip().lower() for s in routing.get("services", [])
            if isinstance(s, dict)}


def _services(items: Any, known: set[str]) -> tuple[ServiceDigest, ...]:
    if not isinstance(items, list):
        raise PolicyError("reports.services must be a list of tables ([[reports.services]])")
    result, seen = [], set()
    for i, item in enumerate(items):
        where = f"reports.services[{i}]"
        item = _as_table(item, where)
        _only(item, where, {"service", "digest", "categories"})
        name = _str(item, "service", f"{where}.service").strip().lower()
        if name not in known:
            raise PolicyError(f"{where}.service {name!r} is not one of [[routing.services]]")
        if name in seen:
            raise PolicyError(f"reports.services: {name!r} is listed twice")
        seen.add(name)
        cadence = item.get("digest", OFF)
        if cadence == OFF:
            continue
        if cadence not in CADENCES:
            raise PolicyError(f"{where}.digest must be \"weekly\", \"monthly\" or \"off\"")
        categories = item.get("categories")
        if (not isinstance(categories, list) or not categories
                or not all(isinstance(c, str) and c in NODE_IDS and "." in c for c in categories)):
            raise PolicyError(f"{where}.categories must list categories of the tree, e.g. "
                              "\"negative.punishable\"")
        result.append(ServiceDigest(name, cadence, tuple(categories)))
    return tuple(result)
