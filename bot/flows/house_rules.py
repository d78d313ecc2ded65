"""The public house rules (the code of conduct for users, part 1 of the guide), written from the
policy the bot enforces: change a switch or a threshold and the text changes with it.

The rules are built as plain structure (sections of paragraphs and lists, with links) in the
workspace's language; renderers turn that into Slack blocks (:mod:`bot.blocks.house_rules`),
HTML and Markdown (:mod:`bot.flows.house_rules_render`). Every sentence comes from the
translation layer; what the municipality adds in its own words comes from the policy.
"""

from __future__ import annotations

import hashlib
import json
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Union

from bot.core.i18n import Translator
from bot.flows.policy import HOUSE_RULES_SECTIONS, HouseRulesSettings, Policy


@dataclass(frozen=True)
class Link:
    url: str
    label: str


Inline = Union[str, Link]


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Inline, ...]

    @property
    def text(self) -> str:
        """The paragraph as plain text (a link by its label)."""
        return "".join(p if isinstance(p, str) else p.label for p in self.parts)


@dataclass(frozen=True)
class Bullets:
    items: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Heading:
    """A heading of the municipality's own, under the section's."""

    text: str


Block = Union[Paragraph, Bullets, Heading]


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # empty for the introduction
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class HouseRules:
    language: str
    title: str
    sections: tuple[Section, ...]
    status: Paragraph  # approved on a date, or a draft not yet approved

    def sentences(self) -> list[str]:
        """Every paragraph and list item as plain text, in order (for tests and search)."""
        found = []
        for section in self.sections:
            for block in section.blocks:
                items = block.items if isinstance(block, Bullets) else (block,)
                found += [item.text for item in items]
        return found + [self.status.text]


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def build(policy: Policy, tr: Translator, *, approved: date | None = None) -> HouseRules:
    """The house rules for ``policy`` in ``tr``'s language. ``approved``: the approval date to
    show (by default the policy's own)."""
    approved = approved or policy.house_rules.approved
    say = _Say(policy, tr)
    sections = {
        "intro": Section("intro", "", (say("house_rules.intro"),)),
        "allowed": Section("allowed", tr.plain("house_rules.allowed_title"), _allowed(say)),
        "not_allowed": Section("not_allowed", tr.plain("house_rules.not_allowed_title"),
                               _not_allowed(say)),
        "tolerated": Section("tolerated", tr.plain("house_rules.tolerated_title"),
                             _tolerated(say)),
        "procedure": Section("procedure", tr.plain("house_rules.procedure_title"),
                             _procedure(say)),
        "more": Section("more", tr.plain("house_rules.more_title"), _more(say)),
    }
    for paragraph in policy.house_rules.paragraphs:
        own: list[Block] = []
        if paragraph.title is not None:
            own.append(Heading(policy.fill(paragraph.title.get(tr.language))))
        own.append(Paragraph(_autolink(policy.fill(paragraph.text.get(tr.language)))))
        section = sections[paragraph.section]
        sections[paragraph.section] = Section(section.id, section.title,
                                              (*section.blocks, *own))
    status = (say("house_rules.approved", date=long_date(approved, tr)) if approved
              else say("house_rules.draft"))
    return HouseRules(language=tr.language,
                      title=tr.plain("house_rules.title", organisation=policy.organisation),
                      sections=tuple(sections[name] for name in HOUSE_RULES_SECTIONS),
                      status=status)


class _Say:
    """Sentences from the catalog, with the policy's links as links and its numbers filled in."""

    def __init__(self, policy: Policy, tr: Translator) -> None:
        self.policy, self.tr = policy, tr
        self.switches = policy.switches

    def __call__(self, key: str, n: int | None = None, **values: object) -> Paragraph:
        return self.linked(key, {}, n=n, **values)

    def linked(self, key: str, links: dict[str, Link], *, n: int | None = None,
               **values: object) -> Paragraph:
        marks = {name: f"\x00{name}\x00" for name in links}
        if n is not None:
            values["n"] = n  # a plural entry: the form the number takes
        text = self.tr.plain(key, organisation=self.policy.organisation, **marks, **values)
        parts: list[Inline] = []
        for i, piece in enumerate(text.split("\x00")):
            if i % 2:
                parts.append(links[piece])
            elif piece:
                parts.append(piece)
        return Paragraph(tuple(parts))

    def link(self, key: str, url_name: str) -> Link:
        return Link(self.policy.links[url_name], self.tr.plain(key))


def _allowed(say: _Say) -> tuple[Block, ...]:
    on = say.switches
    items = [say("house_rules.allowed.everyone"), say("house_rules.allowed.disagree"),
             say("house_rules.allowed.tone")]
    if not on["remove_political"]:
        items.append(say("house_rules.allowed.political"))
    elif on["politician_as_citizen_may_stay"]:
        items.append(say("house_rules.allowed.politician_as_citizen"))
    if not on["remove_political_opinions"]:
        items.append(say("house_rules.allowed.political_opinions"))
    if on["allow_commercial"]:
        items.append(say("house_rules.allowed.commercial"))
    compliments = ("house_rules.compliments_on" if on["react_to_compliments"]
                   else "house_rules.compliments_off")
    return (Bullets(tuple(items)), say(compliments))


def _not_allowed(say: _Say) -> tuple[Block, ...]:
    on = say.switches
    unia = say.link("house_rules.link.unia", "criteria_url")
    punishable = Bullets((say("house_rules.punishable.hate"),
                          say("house_rules.punishable.personal_data")))
    unwanted = [say("house_rules.unwanted.insults")]
    if on["remove_political"]:
        unwanted.append(say("house_rules.unwanted.political"))
        if not on["politician_as_citizen_may_stay"]:
            unwanted.append(say("house_rules.unwanted.politician_as_citizen"))
    if on["remove_political_opinions"]:
        unwanted.append(say("house_rules.unwanted.political_opinions"))
    unwanted.append(say("house_rules.unwanted.spam"))
    if not on["allow_commercial"]:
        unwanted.append(say("house_rules.unwanted.commercial"))
    unwanted.append(say("house_rules.unwanted.misleading"))
    return (say("house_rules.punishable_intro"), punishable,
            say.linked("house_rules.punishable_more", {"unia": unia}),
            say("house_rules.unwanted_intro"), Bullets(tuple(unwanted)))


def _tolerated(say: _Say) -> tuple[Block, ...]:
    return (say("house_rules.tolerated_intro"),
            Bullets((say("house_rules.tolerated.offtopic"), say("house_rules.tolerated.repeated"),
                     say("house_rules.tolerated.capitals"))))


def _procedure(say: _Say) -> tuple[Block, ...]:
    rule = say.policy.strikes
    steps = [say("house_rules.step.first_warning", n=rule.first_warning),
             say("house_rules.step.second_warning", n=rule.second_warning),
             say("house_rules.step.block", n=rule.block)]
    expiry = (say("house_rules.step.expiry", n=rule.expire_after_months)
              if rule.expire_after_months else say("house_rules.step.no_expiry"))
    complaints = say.link("house_rules.link.complaints", "complaints_url")
    return (say("house_rules.procedure_intro"), say("house_rules.procedure_warning"),
            Bullets((*steps, expiry)), say("house_rules.procedure_punishable"),
            say.linked("house_rules.procedure_appeal", {"complaints": complaints}),
            say("house_rules.procedure_common_sense"))


def _more(say: _Say) -> tuple[Block, ...]:
    items = [
        say.linked("house_rules.more.meldpunt",
                   {"meldpunt": say.link("house_rules.link.meldpunt", "meldpunt_url")}),
        say.linked("house_rules.more.privacy",
                   {"privacy": say.link("house_rules.link.privacy", "privacy_url")}),
        say.linked("house_rules.more.hierniet",
                   {"hierniet": say.link("house_rules.link.hierniet", "hiernet_url")}),
    ]
    platforms = say.policy.house_rules.platforms
    if platforms:
        parts: list[Inline] = [say.tr.plain("house_rules.more.platforms") + " "]
        for i, platform in enumerate(platforms):
            if i:
                parts.append(", " if i < len(platforms) - 1 else say.tr.plain("house_rules.and"))
            parts.append(Link(platform.url, platform.name))
        parts.append(".")
        items.append(Paragraph(tuple(parts)))
    return (Bullets(tuple(items)),)


def _autolink(text: str) -> tuple[Inline, ...]:
    """A text of the municipality's own, its http(s) addresses as links."""
    parts: list[Inline] = []
    last = 0
    for match in _URL.finditer(text):
        if match.start() > last:
            parts.append(text[last:match.start()])
        parts.append(Link(match.group(0), match.group(0)))
        last = match.end()
    if last < len(text):
        parts.append(text[last:])
    return tuple(parts)


def long_date(day: date, tr: Translator) -> str:
    """A date written out: "15 januari 2027", "15 January 2027"."""
    month = tr.plain("house_rules.months").split()[day.month - 1]
    return f"{day.day} {month} {day.year}"


def fingerprint(policy: Policy) -> str:
    """A digest of the settings the house rules are written from (switches, the strike rule, the
    links, the municipality's own paragraphs): it changes exactly when what the bot enforces, or
    what the page says, changes, and not when a suggested reply is reworded."""
    rules = policy.house_rules
    settings = {
        "organisation": policy.organisation,
        "switches": dict(sorted(policy.switches.items())),
        "strikes": [policy.strikes.first_warning, policy.strikes.second_warning,
                    policy.strikes.block, policy.strikes.expire_after_months],
        "links": dict(sorted(policy.links.items())),
        "paragraphs": [[p.section, p.title and [p.title.nl, p.title.en], p.text.nl, p.text.en]
                       for p in rules.paragraphs],
        "platforms": [[p.name, p.url] for p in rules.platforms],
    }
    encoded = json.dumps(settings, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:16]


def review_due(approved: date, settings: HouseRulesSettings) -> date:
    """When the house rules approved on ``approved`` are due for review: after the policy's
    number of months, or when a new administration takes office, whichever comes first."""
    months = approved.month - 1 + settings.review_months
    year, month = approved.year + months // 12, months % 12 + 1
    due = date(year, month, min(approved.day, monthrange(year, month)[1]))
    if settings.review_after_elections:
        due = min(due, new_term_after(approved))
    return due


def new_term_after(day: date) -> date:
    """The first day a newly elected administration takes office after ``day``. Flemish local
    elections are held every six years (2018, 2024, 2030, ...); the new council and college
    start on 1 January after the elections."""
    start = date(2007, 1, 1)
    while start <= day:
        start = date(start.year + 6, 1, 1)
    return start
