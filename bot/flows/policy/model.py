"""The organisation's policy: the decision tree, its texts and the switches of the code of conduct.

A policy is one TOML file (the bundled default follows the guide). It is loaded once at start-up
and validated as a whole: a broken policy stops the bot with one line naming the problem, because a
moderation tool that silently skips a step is worse than one that does not start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from typing import Mapping

from bot.flows.policy.names import _PLACEHOLDER_CONTACT, _PLACEHOLDER_TEXT, _PLACEHOLDER_URL
from bot.flows.prescreen import Rules



class PolicyError(ValueError):
    """The policy file cannot be used; the message names the problem in one line."""


@dataclass(frozen=True)
class Text:
    """A text in every supported language.

    Texts for citizens (suggested replies, private messages) also have ``nl_u``, the same text in
    the u-vorm: the guide writes je by default and mirrors u when the citizen writes u. English has
    no such distinction, so ``get("en", formal=True)`` is the English text."""

    nl: str
    en: str
    nl_u: str | None = None

    def get(self, language: str, *, formal: bool = False) -> str:
        if formal and language == "nl" and self.nl_u is not None:
            return self.nl_u
        return getattr(self, language)


@dataclass(frozen=True)
class ActionRef:
    """An action offered on a node, optionally only while a policy switch is on (or off)."""

    id: str
    # A switch name, "!name" for "while the switch is off", or a tuple of these: any one applies.
    when: str | tuple[str, ...] | None = None

    def applies(self, switches: Mapping[str, bool]) -> bool:
        return _applies(self.when, switches)


def _applies(when: str | tuple[str, ...] | None, switches: Mapping[str, bool]) -> bool:
    if when is None:
        return True
    if isinstance(when, tuple):
        return any(_applies(one, switches) for one in when)
    if when.startswith("!"):
        return not switches[when[1:]]
    return switches[when]


@dataclass(frozen=True)
class Reply:
    """A suggested text for the citizen: a public reply or a private message, je- and u-vorm."""

    kind: str  # "public" or "private"
    title: Text  # when to use it, e.g. "Openbare reactie" or "Als de vraag persoonlijk is"
    text: Text  # with nl_u, the u-vorm
    when: str | tuple[str, ...] | None = None  # shown only under these switches (as ActionRef)

    def applies(self, switches: Mapping[str, bool]) -> bool:
        return _applies(self.when, switches)


@dataclass(frozen=True)
class SwitchNote:
    """What the code of conduct says on this node, depending on a switch."""

    switch: str
    on: Text
    off: Text


@dataclass(frozen=True)
class Node:
    id: str
    label: Text
    about: Text  # two lines: what this step or category means
    children: tuple[str, ...] = ()
    actions: tuple[ActionRef, ...] = ()
    replies: tuple[Reply, ...] = ()  # suggested replies and private messages, in order
    tip: Text | None = None
    switch_notes: tuple[SwitchNote, ...] = ()
    staff_check: bool = False  # ask whether a staff member is personally targeted

    @property
    def reply(self) -> Text | None:
        """The first public reply, whatever the switches say (None when there is none)."""
        return next((r.text for r in self.replies if r.kind == "public"), None)


@dataclass(frozen=True)
class Action:
    id: str
    label: Text
    done: Text  # how the decision reads in the case's history
    noun: Text  # what the action is, as a noun in a sentence ("screenshot"): never the label
    style: str | None = None
    url: str | None = None  # a link button (still logged when clicked)
    requires: str | None = None  # an action that should come first (evidence before delete)
    warning: Text | None = None  # shown before the action is carried out
    irreversible: bool = False  # clicked before it is done on the platform (delete, block)
    hint: Text | None = None  # one line: who handles what, what to send (report buttons)


@dataclass(frozen=True)
class SupportContact:
    name: Text
    contact: str


@dataclass(frozen=True)
class BusinessHours:
    timezone: str
    days: tuple[str, ...]
    start: time
    end: time
    holidays: tuple[date, ...]  # one-off closing days
    public_holidays: str | None = "BE"  # a country code: its public holidays, for any year
    closing_days: tuple[tuple[int, int], ...] = ()  # (month, day) closed every year, e.g. (12, 26)

    def is_holiday(self, day: date) -> bool:
        if day in self.holidays or (day.month, day.day) in self.closing_days:
            return True
        return self.public_holidays is not None and day in _public_holidays(self.public_holidays, day.year)


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    """A country's public holidays in one year, computed (never a list that runs out)."""
    import holidays  # imported here so that importing the flows stays cheap

    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class StrikeRule:
    first_warning: int
    second_warning: int
    block: int
    expire_after_months: int | None
    # A copy-ready private message per step (first_warning, second_warning, block); may use
    # {reason}, the reason shown to the author, besides the policy's own placeholders.
    messages: Mapping[str, Text] = field(default_factory=dict)
    # Per category where it matters (privacy: the comment is already gone): node id -> step -> text.
    by_rule: Mapping[str, Mapping[str, Text]] = field(default_factory=dict)

    def message(self, step: str, rule: str | None = None) -> Text:
        """The private message for ``step`` after a violation of ``rule`` (a node id)."""
        return self.by_rule.get(rule or "", {}).get(step) or self.messages[step]


@dataclass(frozen=True)
class ServiceProposal:
    """A municipal service the bundled policy proposes; stored in the database on first use."""

    name: str  # the key leads type with /antenne
    description: Text
    display: Text  # the name as a sentence reads it: "de groendienst", "the parks department"


@dataclass(frozen=True)
class Routing:
    question_minutes: int  # response-time targets, in business minutes
    report_minutes: int
    monitor_hours: int  # "look at this thread again in N hours"
    conduct_check_hours: int  # the 24-hour practice for conduct replies
    holding_reply: Text  # to the citizen while the service is asked (fits a question, a report, ...)
    answer_reply: Text  # a public reply drafted around the service's answer: {answer}, {service}
    services: tuple[ServiceProposal, ...] = ()


@dataclass(frozen=True)
class Inbox:
    """Texts for the platform's inbox, set up once there: an automatic reply to private messages,
    and the one for outside office hours."""

    auto_reply: Text
    out_of_hours: Text


@dataclass(frozen=True)
class OwnParagraph:
    """A paragraph the municipality writes itself into its house rules (an introduction, an
    example, a contact), placed at the end of one of the generated sections."""

    section: str  # one of HOUSE_RULES_SECTIONS
    text: Text
    title: Text | None = None  # a heading of its own, under the section's


@dataclass(frozen=True)
class PlatformTerms:
    """A platform's own rules, linked from the house rules (Facebook, Instagram, X, ...)."""

    name: str
    url: str


@dataclass(frozen=True)
class HouseRulesSettings:
    """The published house rules: when the college and the management team approved them, how
    often they are reviewed, and what the municipality adds to the generated text."""

    approved: date | None = None
    review_months: int = 12
    review_after_elections: bool = True  # also review when a new administration takes office
    paragraphs: tuple[OwnParagraph, ...] = ()
    platforms: tuple[PlatformTerms, ...] = ()


@dataclass(frozen=True)
class ServiceDigest:
    """A service's overview of what the team saw in its field: how often, never who."""

    service: str  # the service's name, as in [[routing.services]]
    cadence: str  # weekly | monthly
    categories: tuple[str, ...]  # the tree's categories (node ids) that concern the service


@dataclass(frozen=True)
class ReportSettings:
    """When the leads get the previous week's report: a weekday (``mon`` … ``sun``), at the start
    of business hours, a holiday moving it to the next business day; None: never. And which
    services get an overview."""

    weekly_digest: str | None = "mon"
    services: tuple[ServiceDigest, ...] = ()


@dataclass(frozen=True)
class Policy:
    name: str
    version: str  # the declared version plus a digest of the file, recorded with every decision
    organisation: str
    code_of_conduct_url: str
    criteria_url: str
    support_contacts: tuple[SupportContact, ...]
    switches: Mapping[str, bool]
    nodes: Mapping[str, Node]
    actions: Mapping[str, Action]
    business_hours: BusinessHours
    strikes: StrikeRule
    routing: Routing
    retention_months: int  # citizens' words are erased this long after a case closes
    parents: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)  # every entry of LINKS
    team: str = ""  # who signs private messages, after the sender's first name
    tone: Text | None = None  # the tone checklist shown with every suggested reply
    inbox: Inbox | None = None
    house_rules: HouseRulesSettings = field(default_factory=HouseRulesSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    prescreen: Rules = field(default_factory=Rules)  # which pre-screen signals are on

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def parent(self, node_id: str) -> str | None:
        return self.parents.get(node_id)

    def path_to(self, node_id: str) -> list[str]:
        """The node ids from the root down to ``node_id``, both included."""
        path = [node_id]
        while (parent := self.parents.get(path[-1])) is not None:
            path.append(parent)
        return path[::-1]

    def actions_on(self, node_id: str) -> list[Action]:
        """The actions a node offers under the current switches, in the policy's order."""
        return [
            self.actions[ref.id]
            for ref in self.nodes[node_id].actions
            if ref.applies(self.switches)
        ]

    def staff_check(self, node_id: str) -> bool:
        return any(self.nodes[n].staff_check for n in self.path_to(node_id))

    def replies_on(self, node_id: str) -> list[Reply]:
        """The suggested replies a node shows under the current switches, in the policy's order."""
        return [r for r in self.nodes[node_id].replies if r.applies(self.switches)]

    def placeholders(self) -> dict[str, str]:
        return {
            **self.links,
            "code_of_conduct_url": self.code_of_conduct_url,
            "criteria_url": self.criteria_url,
            "organisation": self.organisation,
            "team": self.team,
            "first_warning": str(self.strikes.first_warning),
            "second_warning": str(self.strikes.second_warning),
            "block": str(self.strikes.block),
            "months": str(self.strikes.expire_after_months or ""),
        }

    def service_name(self, name: str, language: str) -> str:
        """A service as a sentence names it: the policy's display form ("de groendienst"); a
        service added with /antenne keeps the name it was typed with."""
        for service in self.routing.services:
            if service.name == name:
                return service.display.get(language)
        return name

    def fill(self, text: str, **extra: str) -> str:
        """Fill a text's placeholders from the policy (and ``extra``, e.g. a strike's reason)."""
        return text.format_map({**self.placeholders(), **extra})

    def unfinished(self) -> list[tuple[str, str]]:
        """The settings that still hold the example (example.be) or a hand-filled marker such as
        [link] where the municipality's own link or address belongs: (where, what), one per
        problem; empty when the policy is ready. The bot starts anyway, but warns."""
        urls = {**self.links, "code_of_conduct_url": self.code_of_conduct_url,
                "criteria_url": self.criteria_url}
        problems = [(f"policy.{name}", url) for name, url in sorted(urls.items())
                    if _PLACEHOLDER_URL.search(url)]
        problems += [(f"support[{i}].contact", item.contact)
                     for i, item in enumerate(self.support_contacts)
                     if _PLACEHOLDER_CONTACT.search(item.contact)]
        for where, text in _all_texts(self):
            for variant in (text.nl, text.nl_u or "", text.en):
                match = _PLACEHOLDER_TEXT.search(variant)
                if match:
                    problems.append((where, match.group(0)))
                    break
        return problems


def _all_texts(policy: Policy) -> list[tuple[str, Text]]:
    """Every text of the policy with where it sits, for the checks."""
    found: list[tuple[str, Text]] = []
    for node in policy.nodes.values():
        for attr in ("label", "about", "tip"):
            if getattr(node, attr) is not None:
                found.append((f"nodes.{node.id}.{attr}", getattr(node, attr)))
        for i, reply in enumerate(node.replies):
            found.append((f"nodes.{node.id}.replies[{i}].title", reply.title))
            found.append((f"nodes.{node.id}.replies[{i}].text", reply.text))
        for note in node.switch_notes:
            found.append((f"nodes.{node.id}.switch_notes.on", note.on))
            found.append((f"nodes.{node.id}.switch_notes.off", note.off))
    for action in policy.actions.values():
        for attr in ("label", "done", "noun", "warning", "hint"):
            if getattr(action, attr) is not None:
                found.append((f"actions.{action.id}.{attr}", getattr(action, attr)))
    for item in policy.support_contacts:
        found.append(("support.name", item.name))
    for step, text in policy.strikes.messages.items():
        found.append((f"strikes.messages.{step}", text))
    for rule, steps in policy.strikes.by_rule.items():
        for step, text in steps.items():
            found.append((f"strikes.messages.{rule}.{step}", text))
    found.append(("routing.holding_reply", policy.routing.holding_reply))
    found.append(("routing.answer_reply", policy.routing.answer_reply))
    for service in policy.routing.services:
        found.append((f"routing.services.{service.name}.description", service.description))
        found.append((f"routing.services.{service.name}.display", service.display))
    if policy.tone is not None:
        found.append(("tone.checklist", policy.tone))
    if policy.inbox is not None:
        found.append(("inbox.auto_reply", policy.inbox.auto_reply))
        found.append(("inbox.out_of_hours", policy.inbox.out_of_hours))
    for i, paragraph in enumerate(policy.house_rules.paragraphs):
        found.append((f"house_rules.paragraphs[{i}].text", paragraph.text))
        if paragraph.title is not None:
            found.append((f"house_rules.paragraphs[{i}].title", paragraph.title))
    return found
