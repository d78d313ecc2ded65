"""What a person typed after ``/antenne``, read into plain values (no Slack, no database).

With ``should_escape`` on, Slack sends mentions as ``<@U123|name>`` and channels as
``<#C123|name>``; service names may hold spaces ("afval en milieu").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEXT = 500
MAX_PEOPLE = 10

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# "/antenne mobiliteit termijn 8 4" (business hours for questions, reports) or
# "/antenne mobiliteit kanaal #mobiliteit" (where FYIs for the service also go).
_SETTING = re.compile(
    r"^(?P<name>.+?)\s+(?:(?:termijn|target)\s+(?P<questions>\d{1,3})(?:\s+(?P<reports>\d{1,3}))?"
    r"|(?:kanaal|channel)\s+<#(?P<channel>[CG][A-Z0-9]+)(?:\|[^>]*)?>)$", re.IGNORECASE)
_VERBS = {"backup": "backup", "remove": "remove", "verwijder": "remove"}


@dataclass(frozen=True)
class AntenneCommand:
    kind: str  # list | show | people | settings | usage
    service: str = ""
    people: tuple[str, ...] = ()
    verb: str | None = None  # None: add as antenna; "backup"; "remove"
    question_minutes: int | None = None
    report_minutes: int | None = None
    channel: str | None = None


def parse_antenne(text: str) -> AntenneCommand:
    text = " ".join((text or "").split())
    if not text:
        return AntenneCommand("list")
    if len(text) > MAX_TEXT:
        return AntenneCommand("usage")
    setting = _SETTING.match(text)
    if setting:
        hours = [int(h) if h else None for h in (setting["questions"], setting["reports"])]
        if any(h == 0 for h in hours):
            return AntenneCommand("usage")
        return AntenneCommand(
            "settings", service=setting["name"],
            question_minutes=hours[0] * 60 if hours[0] else None,
            report_minutes=hours[1] * 60 if hours[1] else None,
            channel=setting["channel"])
    people = tuple(_MENTION.findall(text))[:MAX_PEOPLE]
    words = _MENTION.sub(" ", text).split()
    verb = _VERBS.get(words.pop().lower()) if words and words[-1].lower() in _VERBS else None
    if not words:
        return AntenneCommand("usage")
    service = " ".join(words)
    if not people:
        return AntenneCommand("usage") if verb else AntenneCommand("show", service=service)
    return AntenneCommand("people", service=service, people=people, verb=verb)
