"""What a person typed after ``/antenne`` or ``/strikes``, read into plain values (no Slack, no
database).

With ``should_escape`` on, Slack sends mentions as ``<@U123|name>`` and channels as
``<#C123|name>``; service names may hold spaces ("afval en milieu").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.flows.strikes import AuthorQuery, StrikeProblem, parse_author

MAX_TEXT = 500
MAX_PEOPLE = 10

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# "/antenne mobiliteit termijn 8 4" (business hours for questions, reports) or
# "/antenne mobiliteit kanaal #mobiliteit" (where FYIs for the service also go).
_SETTING = re.compile(
    r"^(?P<name>.+?)\s+(?:(?:termijn|target)\s+(?P<questions>\d{1,3})(?:\s+(?P<reports>\d{1,3}))?"
    r"|(?:kanaal|channel)\s+<#(?P<channel>[CG][A-Z0-9]+)(?:\|[^>]*)?>)$", re.IGNORECASE)
_VERBS = {"back-up": "backup", "backup": "backup", "verwijder": "remove", "verwijderen": "remove",
          "remove": "remove"}

# /strikes words: the Dutch ones are what the Dutch interface shows; the English ones keep working.
STRIKES_WORDS = {
    "hulp": "help", "help": "help",
    "exporteer": "export", "exporteren": "export", "export": "export",
    "gegevens": "data", "data": "data",
    "wis": "erase", "wissen": "erase", "erase": "erase",
    "leidinggevenden": "leads", "leden": "leads", "leads": "leads",
}
LEAD_WORDS = {"toevoegen": "add", "voeg": "add", "add": "add",
              "verwijderen": "remove", "verwijder": "remove", "remove": "remove"}


def strikes_word(word: str) -> str:
    """The ``/strikes`` subcommand a typed word names (Dutch or English), or the word itself."""
    return STRIKES_WORDS.get(word.lower(), word.lower())


def lead_word(word: str) -> str | None:
    """``add`` or ``remove`` for ``/strikes leidinggevenden toevoegen|verwijderen @iemand``."""
    return LEAD_WORDS.get(word.lower())


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


@dataclass(frozen=True)
class StrikesCommand:
    """What a lead typed after ``/strikes``. ``problem`` is the key of what is wrong with it."""

    kind: str  # overview | help | export | data | erase | leads | history
    query: AuthorQuery | None = None  # history, data, erase: the author
    typed: str = ""  # history: the author as typed, shown back
    verb: str | None = None  # leads: add | remove (None: the list)
    user: str | None = None  # leads: the person added or removed
    problem: str | None = None


def parse_strikes(text: str) -> StrikesCommand:
    """``/strikes`` [help | export | data <author> | erase <author> | leads [add|remove @person]
    | <author>]; nothing lists the register."""
    text = (text or "").strip()
    words = text.split()
    first = strikes_word(words[0]) if words else ""
    if not text:
        return StrikesCommand("overview")
    if first == "help":
        return StrikesCommand("help")
    if first == "export" and len(words) == 1:
        return StrikesCommand("export")
    if first in ("data", "erase") and len(words) > 1:
        return _author_command(first, " ".join(words[1:]))
    if first == "leads":
        return _leads_command(words[1:])
    return _author_command("history", text)


def _author_command(kind: str, text: str) -> StrikesCommand:
    try:
        query = parse_author(text)
    except StrikeProblem as problem:
        return StrikesCommand(kind, problem=problem.key)
    if kind == "erase" and query.platform is None:  # erasing needs to know whose account exactly
        return StrikesCommand(kind, query=query, problem="privacy.erase_needs_platform")
    return StrikesCommand(kind, query=query, typed=text)


def _leads_command(words: list[str]) -> StrikesCommand:
    if not words:
        return StrikesCommand("leads")
    verb = lead_word(words[0])
    found = _MENTION.fullmatch(words[1]) if len(words) == 2 else None
    if verb is None or found is None:
        return StrikesCommand("leads", problem="leads.usage")
    return StrikesCommand("leads", verb=verb, user=found.group(1))
