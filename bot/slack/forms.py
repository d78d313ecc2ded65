"""What a person typed or picked in one of this bot's modals."""

from __future__ import annotations

from bot.flows.strikes import Review
from bot.slack import ids
from bot.slack.refs import BadPayload


def form_values(view: dict) -> dict[str, str]:
    """A modal's inputs by block id: texts trimmed, selects and radio buttons as their value,
    empty ones left out. Every input element of this bot has the action_id ``ids.FORM_INPUT``."""
    found: dict[str, str] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        element = (elements or {}).get(ids.FORM_INPUT) if isinstance(elements, dict) else None
        if not isinstance(element, dict):
            continue
        option = element.get("selected_option")
        value = option.get("value") if isinstance(option, dict) else element.get("value")
        if isinstance(value, str) and value.strip():
            found[block_id] = value.strip()
    return found


def chosen_id(value: str) -> int:
    """An id a form sent back (a picked service): digits only, or the form is outdated."""
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise BadPayload("not an id")
    return int(value)


def chosen_review(kind: str, chosen: str | None) -> Review:
    """A lead's review of a strike: a revocation's button says it, an appeal's form chose it."""
    outcome = chosen if kind == "appeal" else kind
    if outcome not in {review.value for review in Review}:
        raise BadPayload("not a review outcome")
    return Review(outcome)
