"""Reading ``[house_rules]``: the approval, the review interval and the municipality's own
paragraphs and platform links. The section is optional: a policy without it gets a review every
12 months and after local elections, and no approval yet."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

from bot.flows.policy.fields import _as_table, _only, _str, _text, _url
from bot.flows.policy.model import HouseRulesSettings, OwnParagraph, PlatformTerms, PolicyError
from bot.flows.policy.names import HOUSE_RULES_SECTIONS


def read_house_rules(raw: Mapping[str, Any]) -> HouseRulesSettings:
    if "house_rules" not in raw:
        return HouseRulesSettings()
    body = _as_table(raw["house_rules"], "house_rules")
    _only(body, "house_rules", {"approved", "review_months", "review_after_elections",
                                "paragraphs", "platforms"})
    approved = body.get("approved")
    if approved is not None and (not isinstance(approved, date) or isinstance(approved, datetime)):
        raise PolicyError("house_rules.approved must be a date (YYYY-MM-DD, without quotes)")
    months = body.get("review_months", 12)
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 72:
        raise PolicyError("house_rules.review_months must be a whole number from 1 to 72")
    elections = body.get("review_after_elections", True)
    if not isinstance(elections, bool):
        raise PolicyError("house_rules.review_after_elections must be true or false")
    return HouseRulesSettings(approved=approved, review_months=months,
                              review_after_elections=elections,
                              paragraphs=_paragraphs(body.get("paragraphs", [])),
                              platforms=_platforms(body.get("platforms", [])))


def _paragraphs(listed: Any) -> tuple[OwnParagraph, ...]:
    if not isinstance(listed, list):
        raise PolicyError("house_rules.paragraphs must be a list of tables")
    found = []
    for i, item in enumerate(listed):
        where = f"house_rules.paragraphs[{i}]"
        item = _as_table(item, where)
        _only(item, where, {"section", "title", "text"})
        section = item.get("section")
        if section not in HOUSE_RULES_SECTIONS:
            raise PolicyError(f"{where}.section must be one of {list(HOUSE_RULES_SECTIONS)}")
        title = _text(item, "title", f"{where}.title") if "title" in item else None
        found.append(OwnParagraph(section=section, text=_text(item, "text", f"{where}.text"),
                                  title=title))
    return tuple(found)


def _platforms(listed: Any) -> tuple[PlatformTerms, ...]:
    if not isinstance(listed, list):
        raise PolicyError("house_rules.platforms must be a list of tables")
    found = []
    for i, item in enumerate(listed):
        where = f"house_rules.platforms[{i}]"
        item = _as_table(item, where)
        _only(item, where, {"name", "url"})
        found.append(PlatformTerms(name=_str(item, "name", f"{where}.name"),
                                   url=_url(item, "url", f"{where}.url")))
    return tuple(found)
