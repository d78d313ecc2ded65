"""The organisation's policy: the decision tree, its texts and the switches of the code of conduct.

A policy is one TOML file (the bundled default follows the guide). It is loaded once at start-up
and validated as a whole: a broken policy stops the bot with one line naming the problem, because a
moderation tool that silently skips a step is worse than one that does not start.
"""

from __future__ import annotations

import hashlib
import re
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

LANGUAGES = ("nl", "en")

BUNDLED_POLICY = Path(__file__).resolve().parent.parent / "policy" / "default.toml"

ROOT = "origin"

# Node ids are stable (they go into button values, the decision log and the strike register), so a
# policy may change every text and switch but not invent or drop nodes: other code relies on them.
NODE_IDS = frozenset(
    {
        "origin",
        "own",
        "external",
        "external.monitor",
        "external.misinformation",
        "external.privacy",
        "negative",
        "negative.punishable",
        "negative.privacy",
        "negative.conduct",
        "negative.venting",
        "negative.criticism",
        "negative.discussion",
        "negative.misinformation",
        "negative.spam",
        "neutral",
        "neutral.question",
        "neutral.report",
        "neutral.political",
        "neutral.commercial",
        "neutral.sympathy",
        "neutral.offtopic",
        "positive",
        "positive.compliment",
    }
)

# Actions the bot knows how to carry out or record. A policy chooses which ones each node offers.
ACTION_IDS = frozenset(
    {
        "criteria",
        "evidence",
        "report_platform",
        "report_police",
        "report_unia",
        "report_igvm",
        "report_vmri",
        "inform_service",
        "contact_admins",
        "share_correction",
        "hide",
        "delete",
        "block",
        "warn",
        "strike",
        "reply_public",
        "reply_private",
        "route",
        "monitor",
        "like",
        "leave",
        "inform_college",
    }
)

SWITCHES = frozenset(
    {
        "remove_political",  # party-political self-promotion (the guide's model code: unwanted)
        "remove_political_opinions",  # citizens' political opinions
        "politician_as_citizen_may_stay",
        "allow_commercial",
        "react_to_compliments",
    }
)

# The municipality's own links, in [policy]; each is also a placeholder ``{name}`` in texts.
LINKS = (
    "code_of_conduct_url",  # the house rules (huisregels) for social media
    "criteria_url",  # Unia: which statements are punishable
    "meldpunt_url",  # the municipality's online reporting form (meldpunt)
    "question_form_url",  # the question form (vragenformulier)
    "complaints_url",  # the complaints form (klachtenformulier, Decreet Lokaal Bestuur)
    "privacy_url",  # the privacy page
    "hiernet_url",  # #HierNiet, the house rules many Flemish organisations share
    "police_url",  # the local police zone
)

# Placeholders a text may use; they are filled from the policy itself. ``block`` and
# ``second_warning`` are the strike thresholds, ``months`` how long a strike counts.
PLACEHOLDERS = frozenset(
    {*LINKS, "organisation", "team", "first_warning", "second_warning", "block", "months"}
)

# Extra placeholders some texts get from where they are used.
STRIKE_PLACEHOLDERS = frozenset({"reason"})
ANSWER_PLACEHOLDERS = frozenset({"answer", "service"})

# A setting still holding the example or a hand-filled marker: the bot starts, but warns.
_PLACEHOLDER_URL = re.compile(r"://([a-z0-9-]+\.)*example\.(be|com|org|net)(/|$)|\[|\]|xxx", re.I)
_PLACEHOLDER_TEXT = re.compile(r"\[(link|url|website|e-?mail|adres|address)\]", re.I)
_PLACEHOLDER_CONTACT = re.compile(r"\bexample\.(be|com|org|net)\b", re.I)

REPLY_KINDS = ("public", "private")

STRIKE_STEPS = ("first_warning", "second_warning", "block")

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_STYLES = frozenset({"primary", "danger"})


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
    return found


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy file; the bundled default when no path is given."""
    source = Path(path) if path else BUNDLED_POLICY
    try:
        raw_bytes = source.read_bytes()
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {source}: {exc.strerror}") from None
    return read_policy(raw_bytes, source=f"policy file {source}")


def read_policy(raw_bytes: bytes, *, source: str = "the policy") -> Policy:
    """Validate a policy's TOML text (a file's, or a workspace's stored one)."""
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"{source} is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source} is not valid TOML: {exc}") from None
    digest = hashlib.sha256(raw_bytes).hexdigest()[:8]
    return parse_policy(raw, digest=digest)


def parse_policy(raw: Mapping[str, Any], *, digest: str = "") -> Policy:
    """Build a :class:`Policy` from parsed TOML, or raise :class:`PolicyError` naming one problem."""
    meta = _table(raw, "policy", "policy")
    name = _str(meta, "name", "policy.name")
    declared = _str(meta, "version", "policy.version")
    version = f"{declared}+{digest}" if digest else declared

    switches_raw = _table(raw, "switches", "switches")
    for key in switches_raw:
        if key not in SWITCHES:
            raise PolicyError(f"unknown switch switches.{key}")
    switches = {}
    for key in sorted(SWITCHES):
        if not isinstance(switches_raw.get(key), bool):
            raise PolicyError(f"switches.{key} must be true or false")
        switches[key] = switches_raw[key]

    actions: dict[str, Action] = {}
    for action_id, body in _table(raw, "actions", "actions").items():
        if action_id not in ACTION_IDS:
            raise PolicyError(f"unknown action id actions.{action_id}")
        actions[action_id] = _action(action_id, _as_table(body, f"actions.{action_id}"))
    for action in actions.values():
        if action.requires is not None and action.requires not in actions:
            raise PolicyError(
                f"actions.{action.id}.requires names unknown action {action.requires!r}"
            )
        if action.requires is not None and actions[action.requires].requires is not None:
            raise PolicyError(
                f"actions.{action.id}.requires {action.requires!r}, which itself requires "
                "another action: one step of requirement at most"
            )

    nodes: dict[str, Node] = {}
    for node_id, body in _table(raw, "nodes", "nodes").items():
        if node_id not in NODE_IDS:
            raise PolicyError(f"unknown node id nodes.{node_id!r}")
        nodes[node_id] = _node(node_id, _as_table(body, f"nodes.{node_id}"), actions)
    missing = sorted(NODE_IDS - nodes.keys())
    if missing:
        raise PolicyError(f"node {missing[0]!r} is missing from the policy")

    parents = _check_tree(nodes)

    support = tuple(
        SupportContact(
            name=_text(_as_table(c, f"support[{i}]"), "name", f"support[{i}].name"),
            contact=_str(_as_table(c, f"support[{i}]"), "contact", f"support[{i}].contact"),
        )
        for i, c in enumerate(_list(raw, "support", "support"))
    )
    if not support:
        raise PolicyError("support must list at least one contact for staff who are targeted")

    _only(meta, "policy", {"name", "version", "organisation", "team", *LINKS})
    links = {key: _url(meta, key, f"policy.{key}") for key in LINKS}
    strike_rule = _strikes(_table(raw, "strikes", "strikes"), nodes)
    if strike_rule.expire_after_months is None:
        for where, text in _strike_texts(strike_rule):
            for language in LANGUAGES:
                if "{months}" in text.get(language) or "{months}" in (text.nl_u or ""):
                    raise PolicyError(f"{where}.{language} uses {{months}}, but strikes never "
                                      "expire (strikes.expire_after_months is not set)")
    tone_raw = _table(raw, "tone", "tone")
    _only(tone_raw, "tone", {"checklist"})
    inbox_raw = _table(raw, "inbox", "inbox")
    _only(inbox_raw, "inbox", {"auto_reply", "out_of_hours"})

    policy = Policy(
        name=name,
        version=version,
        organisation=_str(meta, "organisation", "policy.organisation"),
        code_of_conduct_url=links["code_of_conduct_url"],
        criteria_url=links["criteria_url"],
        links=links,
        team=_str(meta, "team", "policy.team"),
        tone=_text(tone_raw, "checklist", "tone.checklist"),
        inbox=Inbox(
            auto_reply=_text(inbox_raw, "auto_reply", "inbox.auto_reply", formal=True),
            out_of_hours=_text(inbox_raw, "out_of_hours", "inbox.out_of_hours", formal=True),
        ),
        support_contacts=support,
        switches=switches,
        nodes=nodes,
        actions=actions,
        business_hours=_business_hours(_table(raw, "business_hours", "business_hours")),
        strikes=strike_rule,
        routing=_routing(_table(raw, "routing", "routing")),
        retention_months=_retention(_table(raw, "privacy", "privacy")),
        parents=parents,
    )
    _check_placeholders(policy)
    _check_every_switch_setting(policy)
    return policy


def _check_every_switch_setting(policy: Policy) -> None:
    """Whatever the switches say, every category must still offer the team something to do."""
    names = sorted(SWITCHES)
    for combination in range(2 ** len(names)):
        switches = {name: bool(combination >> i & 1) for i, name in enumerate(names)}
        for node in policy.nodes.values():
            if not node.children and not any(ref.applies(switches) for ref in node.actions):
                on = [name for name in names if switches[name]] or ["none"]
                raise PolicyError(
                    f"node {node.id!r} offers no action when the switches on are: {', '.join(on)}"
                )


def _check_tree(nodes: Mapping[str, Node]) -> dict[str, str]:
    """Every edge lands on a node, every node is reachable from the root, each node has one parent."""
    parents: dict[str, str] = {}
    for node in nodes.values():
        for child in node.children:
            if child not in nodes:
                raise PolicyError(f"dangling edge {node.id} -> {child!r}: no such node")
            if child == ROOT:
                raise PolicyError(f"edge {node.id} -> {ROOT} leads back to the root")
            if child in parents:
                raise PolicyError(f"node {child!r} has two parents: {parents[child]} and {node.id}")
            parents[child] = node.id
        if not node.children and not node.actions:
            raise PolicyError(f"node {node.id!r} has neither children nor actions")
    seen: set[str] = set()
    stack = [ROOT]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(nodes[current].children)
    unreachable = sorted(nodes.keys() - seen)
    if unreachable:
        raise PolicyError(f"node {unreachable[0]!r} is unreachable from {ROOT!r}")
    return parents


def _check_placeholders(policy: Policy) -> None:
    """Every ``{name}`` in a text is one the renderer fills: a typo must not reach a citizen."""

    def check_one(value: str, where: str, extra: frozenset[str]) -> None:
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        except ValueError:
            raise PolicyError(f"{where} has an unmatched {{ or }} (write {{{{ or }}}} for a brace)") from None
        for name in names:
            if name not in PLACEHOLDERS | extra:
                raise PolicyError(f"{where} uses unknown placeholder {{{name}}}")

    for where, text in _all_texts(policy):
        if where.startswith("strikes.messages."):
            extra = STRIKE_PLACEHOLDERS
        elif where == "routing.answer_reply":
            extra = ANSWER_PLACEHOLDERS
        else:
            extra = frozenset()
        for language in LANGUAGES:
            check_one(text.get(language), f"{where}.{language}", extra)
        if text.nl_u is not None:
            check_one(text.nl_u, f"{where}.nl_u", extra)
    for action in policy.actions.values():
        if action.url is not None:
            check_one(action.url, f"actions.{action.id}.url", frozenset())


def _strike_texts(rule: StrikeRule) -> list[tuple[str, Text]]:
    found = [(f"strikes.messages.{step}", text) for step, text in rule.messages.items()]
    for node_id, steps in rule.by_rule.items():
        found += [(f"strikes.messages.{node_id}.{step}", text) for step, text in steps.items()]
    return found


def _node(node_id: str, body: Mapping[str, Any], actions: Mapping[str, Action]) -> Node:
    where = f"nodes.{node_id}"
    if "reply" in body:
        raise PolicyError(f"{where}.reply: write suggested texts as [[{where}.replies]] "
                          "(kind, title, text with its u-vorm nl_u)")
    _only(body, where, {"label", "about", "children", "actions", "replies", "tip", "switch_notes",
                        "staff_check"})
    children = tuple(_str_list(body.get("children", []), f"{where}.children"))
    refs = []
    listed = body.get("actions", [])
    if not isinstance(listed, list):
        raise PolicyError(f"{where}.actions must be a list")
    for i, item in enumerate(listed):
        if isinstance(item, str):
            ref = ActionRef(item)
        else:
            item = _as_table(item, f"{where}.actions[{i}]")
            _only(item, f"{where}.actions[{i}]", {"id", "when"})
            when = _when(item.get("when"), f"{where}.actions[{i}].when")
            ref = ActionRef(_str(item, "id", f"{where}.actions[{i}].id"), when)
        if ref.id not in actions:
            raise PolicyError(f"{where}.actions names unknown action {ref.id!r}")
        refs.append(ref)
    notes = []
    for i, item in enumerate(body.get("switch_notes", [])):
        item = _as_table(item, f"{where}.switch_notes[{i}]")
        _only(item, f"{where}.switch_notes[{i}]", {"switch", "on", "off"})
        switch = _str(item, "switch", f"{where}.switch_notes[{i}].switch")
        if switch not in SWITCHES:
            raise PolicyError(f"{where}.switch_notes[{i}] names unknown switch {switch!r}")
        notes.append(
            SwitchNote(
                switch=switch,
                on=_text(item, "on", f"{where}.switch_notes[{i}].on"),
                off=_text(item, "off", f"{where}.switch_notes[{i}].off"),
            )
        )
    staff_check = body.get("staff_check", False)
    if not isinstance(staff_check, bool):
        raise PolicyError(f"{where}.staff_check must be true or false")
    replies = []
    listed = body.get("replies", [])
    if not isinstance(listed, list):
        raise PolicyError(f"{where}.replies must be a list of tables")
    for i, item in enumerate(listed):
        at = f"{where}.replies[{i}]"
        item = _as_table(item, at)
        _only(item, at, {"kind", "title", "text", "when"})
        kind = item.get("kind")
        if kind not in REPLY_KINDS:
            raise PolicyError(f"{at}.kind must be one of {list(REPLY_KINDS)}")
        replies.append(Reply(kind=kind, title=_text(item, "title", f"{at}.title"),
                             text=_text(item, "text", f"{at}.text", formal=True),
                             when=_when(item.get("when"), f"{at}.when")))
    return Node(
        id=node_id,
        label=_text(body, "label", f"{where}.label"),
        about=_text(body, "about", f"{where}.about"),
        children=children,
        actions=tuple(refs),
        replies=tuple(replies),
        tip=_text(body, "tip", f"{where}.tip") if "tip" in body else None,
        switch_notes=tuple(notes),
        staff_check=staff_check,
    )


def _when(when: Any, where: str) -> str | tuple[str, ...] | None:
    """A switch condition: "name", "!name", or a list of these (any one applies)."""
    if when is None:
        return None
    items = when if isinstance(when, list) and when else [when]
    for item in items:
        switch = item.removeprefix("!") if isinstance(item, str) else None
        if switch not in SWITCHES:
            raise PolicyError(f"{where} names unknown switch {item!r}")
    return tuple(items) if isinstance(when, list) else when


def _action(action_id: str, body: Mapping[str, Any]) -> Action:
    where = f"actions.{action_id}"
    _only(body, where, {"label", "done", "noun", "style", "url", "requires", "warning", "hint",
                        "irreversible"})
    irreversible = body.get("irreversible", False)
    if not isinstance(irreversible, bool):
        raise PolicyError(f"{where}.irreversible must be true or false")
    style = body.get("style")
    if style is not None and style not in _STYLES:
        raise PolicyError(f"{where}.style must be one of {sorted(_STYLES)}")
    url = body.get("url")
    if url is not None and not isinstance(url, str):
        raise PolicyError(f"{where}.url must be text")
    requires = body.get("requires")
    if requires is not None and not isinstance(requires, str):
        raise PolicyError(f"{where}.requires must be an action id")
    return Action(
        id=action_id,
        label=_text(body, "label", f"{where}.label"),
        done=_text(body, "done", f"{where}.done"),
        noun=_text(body, "noun", f"{where}.noun"),
        irreversible=irreversible,
        style=style,
        url=url,
        requires=requires,
        warning=_text(body, "warning", f"{where}.warning") if "warning" in body else None,
        hint=_text(body, "hint", f"{where}.hint") if "hint" in body else None,
    )


def _business_hours(body: Mapping[str, Any]) -> BusinessHours:
    days = tuple(_str_list(body.get("days"), "business_hours.days"))
    for day in days:
        if day not in _WEEKDAYS:
            raise PolicyError(f"business_hours.days: unknown day {day!r}")
    start = _clock(body, "start")
    end = _clock(body, "end")
    if end <= start:
        raise PolicyError("business_hours.end must come after business_hours.start")
    _only(body, "business_hours", {"timezone", "days", "start", "end", "holidays",
                                   "public_holidays", "closing_days"})
    holidays = []
    for item in body.get("holidays", []):
        if not isinstance(item, date) or isinstance(item, datetime):
            raise PolicyError(f"business_hours.holidays: {item!r} is not a date (YYYY-MM-DD)")
        holidays.append(item)
    closing = []
    for item in body.get("closing_days", []):
        match = re.fullmatch(r"(\d{2})-(\d{2})", item) if isinstance(item, str) else None
        try:
            if match is None:
                raise ValueError
            date(2024, int(match[1]), int(match[2]))  # a leap year: 02-29 is a day
        except ValueError:
            raise PolicyError(f"business_hours.closing_days: {item!r} is not a day like \"12-26\" "
                              "(month-day)") from None
        closing.append((int(match[1]), int(match[2])))
    country = body.get("public_holidays", "BE")
    if country is not False:
        import holidays as holiday_library  # imported here so that importing the flows stays cheap

        if not isinstance(country, str) or country not in holiday_library.list_supported_countries():
            raise PolicyError(f"business_hours.public_holidays: unknown country {country!r} "
                              "(a code such as \"BE\", or false)")
    timezone = _str(body, "timezone", "business_hours.timezone")
    import pytz  # imported here so that importing the flows stays cheap

    if timezone not in pytz.all_timezones_set:
        raise PolicyError(f"business_hours.timezone: unknown time zone {timezone!r}")
    return BusinessHours(timezone, days, start, end, tuple(sorted(holidays)),
                         public_holidays=country or None, closing_days=tuple(sorted(set(closing))))


def _strikes(body: Mapping[str, Any], nodes: Mapping[str, Node]) -> StrikeRule:
    values = {}
    for key in ("first_warning", "second_warning", "block"):
        value = body.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise PolicyError(f"strikes.{key} must be a whole number of at least 1")
        values[key] = value
    if not values["first_warning"] < values["second_warning"] < values["block"]:
        raise PolicyError("strikes: first_warning < second_warning < block must hold")
    expire = body.get("expire_after_months")
    if expire is not None and (not isinstance(expire, int) or isinstance(expire, bool) or expire < 1):
        raise PolicyError("strikes.expire_after_months must be a whole number of at least 1")
    messages_raw = body.get("messages")
    if not isinstance(messages_raw, dict):
        raise PolicyError("strikes.messages must give a message per step")
    by_rule: dict[str, dict[str, Text]] = {}
    for key, value in messages_raw.items():
        if key in STRIKE_STEPS:
            continue
        node = nodes.get(key)
        if node is None or node.children or not any(ref.id == "strike" for ref in node.actions):
            raise PolicyError(f"unknown step strikes.messages.{key} (a step, or a category "
                              "that offers a strike)")
        steps = _as_table(value, f"strikes.messages.{key}")
        for step in steps:
            if step not in STRIKE_STEPS:
                raise PolicyError(f"unknown step strikes.messages.{key}.{step}")
        by_rule[key] = {step: _text(steps, step, f"strikes.messages.{key}.{step}", formal=True)
                        for step in steps}
    messages = {
        step: _text(messages_raw, step, f"strikes.messages.{step}", formal=True)
        for step in STRIKE_STEPS
    }
    return StrikeRule(expire_after_months=expire, messages=messages, by_rule=by_rule, **values)


def _retention(body: Mapping[str, Any]) -> int:
    _only(body, "privacy", {"retention_months"})
    value = body.get("retention_months")
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 120:
        raise PolicyError("privacy.retention_months must be a whole number from 1 to 120")
    return value


def _routing(body: Mapping[str, Any]) -> Routing:
    _only(body, "routing", {"question_minutes", "report_minutes", "monitor_hours",
                            "conduct_check_hours", "holding_reply", "answer_reply", "services"})
    numbers = {}
    for key in ("question_minutes", "report_minutes", "monitor_hours", "conduct_check_hours"):
        value = body.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 100_000:
            raise PolicyError(f"routing.{key} must be a whole number above 0")
        numbers[key] = value
    services = []
    names = set()
    for i, item in enumerate(body.get("services", [])):
        item = _as_table(item, f"routing.services[{i}]")
        _only(item, f"routing.services[{i}]", {"name", "description", "display"})
        name = _str(item, "name", f"routing.services[{i}].name").strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9 _\-]{0,59}", name):
            raise PolicyError(f"routing.services[{i}].name must be a short lower-case name")
        if name in names:
            raise PolicyError(f"routing.services: {name!r} is listed twice")
        names.add(name)
        services.append(ServiceProposal(
            name, _text(item, "description", f"routing.services[{i}].description"),
            _text(item, "display", f"routing.services.{name}.display")))
    return Routing(
        holding_reply=_text(body, "holding_reply", "routing.holding_reply", formal=True),
        answer_reply=_text(body, "answer_reply", "routing.answer_reply", formal=True),
        services=tuple(services),
        **numbers,
    )


def _clock(body: Mapping[str, Any], key: str) -> time:
    value = body.get(key)
    if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}", value):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise PolicyError(f"business_hours.{key} must be a time like \"09:00\"")


def _only(body: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in body:
        if key not in allowed:
            raise PolicyError(f"unknown key {where}.{key}")


def _table(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    if key not in raw:
        raise PolicyError(f"missing [{where}]")
    return _as_table(raw[key], where)


def _as_table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must be a table")
    return value


def _list(raw: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key)
    if not isinstance(value, list):
        raise PolicyError(f"{where} must be a list")
    return value


def _str(body: Mapping[str, Any], key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where} is missing or empty")
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where} must be a list of ids")
    return value


def _url(body: Mapping[str, Any], key: str, where: str) -> str:
    value = _str(body, key, where)
    if not re.match(r"https?://\S+$", value):
        raise PolicyError(f"{where} must be an http(s) URL")
    return value


def _text(body: Mapping[str, Any], key: str, where: str, *, formal: bool = False) -> Text:
    """A text per language; ``formal``: a text for citizens, which also needs its u-vorm (nl_u)."""
    value = body.get(key)
    if value is None:
        raise PolicyError(f"{where} is missing")
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must give a text per language ({', '.join(LANGUAGES)})")
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise PolicyError(f"{where} lacks a translation for {language!r}")
    for language in value:
        if language not in LANGUAGES and not (formal and language == "nl_u"):
            raise PolicyError(f"{where} has a text in unsupported language {language!r}")
    if formal:
        u = value.get("nl_u")
        if not isinstance(u, str) or not u.strip():
            raise PolicyError(f"{where} lacks its u-vorm variant (nl_u)")
        return Text(nl=value["nl"], en=value["en"], nl_u=u)
    return Text(nl=value["nl"], en=value["en"])
