"""The pre-screen: signals in a forwarded post that the team might miss (personal data, links,
capitals, repeats), each a stable code.

It only points things out. It never picks a category, hides, deletes or records anything for the
team: the case message shows what was found, masked, with what the guide suggests, and the team
decides. Only the codes are kept with the case, never what was found.

Pure rules over plain text: no Slack, no database. The repeat check compares with the keys
(:func:`repeat_key`) of the workspace's recent posts, which the caller looks up.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable

from bot.flows.prescreen.address import addresses, is_postcode, street_key
from bot.flows.prescreen.numbers import ibans, national_numbers, phones
from bot.flows.prescreen.textual import (
    REPEAT_MIN_CHARS, emails, fingerprint, is_mostly_capitals, is_repeat, links, nearest, repeat_key,
    similar_sizes, without_links,
)

# Every code, in the order the team sees them.
NATIONAL_NUMBER = "privacy.national_number"
IBAN = "privacy.iban"
PHONE = "privacy.phone"
EMAIL = "privacy.email"
ADDRESS = "privacy.address"
REPEAT = "spam.repeat"
CAPS = "caps"
LINK = "link"
SHORTENER = "link.shortener"
CODES = (NATIONAL_NUMBER, IBAN, PHONE, EMAIL, ADDRESS, REPEAT, CAPS, LINK, SHORTENER)
PRIVACY_CODES = (NATIONAL_NUMBER, IBAN, PHONE, EMAIL, ADDRESS)

# The team's categories that agree with a signal: it pointed at what the team then found.
AGREEING = {
    **{code: frozenset({"negative.privacy", "external.privacy"}) for code in PRIVACY_CODES},
    REPEAT: frozenset({"negative.spam", "neutral.offtopic"}),
    CAPS: frozenset({"neutral.offtopic"}),
    LINK: frozenset({"negative.spam", "neutral.commercial", "neutral.political"}),
    SHORTENER: frozenset({"negative.spam"}),
}
REPEAT_DAYS = 14  # a repeat is of a post forwarded into the same workspace this recently
SHOWN_PER_CODE = 3  # masked examples shown per signal

__all__ = [
    "AGREEING", "CODES", "PRIVACY_CODES", "REPEAT_DAYS", "REPEAT_MIN_CHARS", "Rules", "Signal",
    "agrees", "detect", "fingerprint", "nearest", "similar_sizes", "plain_text", "is_postcode", "is_repeat", "ordered", "repeat_key", "street_key",
] + list(c for c in ("NATIONAL_NUMBER", "IBAN", "PHONE", "EMAIL", "ADDRESS", "REPEAT", "CAPS",
                     "LINK", "SHORTENER"))


@dataclass(frozen=True)
class Rules:
    """What the policy's ``[prescreen]`` section says: the codes that are on, and the
    municipality's own public addresses, which are never flagged."""

    codes: tuple[str, ...] = CODES
    public_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signal:
    """One code found in a post, with what was found, masked (never the value itself)."""

    code: str
    shown: tuple[str, ...] = ()


def plain_text(text: str) -> str:
    """A post as Slack stores it (mrkdwn: ``<url|label>``, ``<mailto:…|…>``, ``&amp;``) as its
    reader sees it."""
    text = re.sub(r"<mailto:[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<tel:[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<(https?://[^|>]+)\|[^>]*>", r" \1 ", text)
    text = re.sub(r"<(https?://[^|>]+)>", r" \1 ", text)
    text = re.sub(r"<[@#!][^>]*>", " ", text)
    return html.unescape(text)


def detect(text: str, rules: Rules = Rules(), *, own_links: Iterable[str | None] = (),
           earlier: Iterable[str] = ()) -> tuple[Signal, ...]:
    """The signals in a post, in the order of ``CODES``, only the codes ``rules`` has on.
    ``own_links`` are the post's own addresses (not flagged as links); ``earlier`` are the
    :func:`repeat_key` of the workspace's recent posts."""
    on = set(rules.codes)
    text = plain_text(text)
    found: dict[str, list[str]] = {}
    taken: list[tuple[int, int]] = []

    def note(code: str, hits) -> None:
        for span, shown in hits:
            taken.append(span)
            found.setdefault(code, []).append(shown)

    note(NATIONAL_NUMBER, national_numbers(text))
    note(IBAN, ibans(text))
    note(EMAIL, emails(text))
    link_hits = list(links(text, own=[o for o in own_links if o]))
    taken.extend(span for span, _, _ in link_hits)
    note(PHONE, phones(text, skip=list(taken)))
    if ADDRESS in on:
        note(ADDRESS, addresses(text, public=rules.public_addresses))
    for _, host, short in link_hits:
        found.setdefault(SHORTENER if short else LINK, []).append(host)
    words = without_links(text)
    if REPEAT in on and is_repeat(repeat_key(words, links_removed=True), earlier):
        found[REPEAT] = []
    if CAPS in on and is_mostly_capitals(words):
        found[CAPS] = []
    return tuple(
        Signal(code, tuple(dict.fromkeys(found[code]))[:SHOWN_PER_CODE])
        for code in CODES if code in found and code in on
    )


def ordered(codes: Iterable[str]) -> tuple[str, ...]:
    """Known codes, once each, in the order of ``CODES``."""
    wanted = set(codes)
    return tuple(code for code in CODES if code in wanted)


def agrees(code: str, category: str) -> bool:
    """Whether the team's category agrees with a signal."""
    return category in AGREEING.get(code, frozenset())
