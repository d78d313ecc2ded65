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
    }
)

SWITCHES = frozenset(
    {
        "remove_political",
        "politician_as_citizen_may_stay",
        "allow_commercial",
        "react_to_compliments",
    }
)

# Placeholders a text may use; they are filled from the policy itself.
PLACEHOLDERS = frozenset({"code_of_conduct_url", "criteria_url", "organisation"})

STRIKE_STEPS = ("first_warning", "second_warning", "block")

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_STYLES = frozenset({"primary", "danger"})


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the problem in one line."""


@dataclass(frozen=True)
class Text:
    """A text in every supported language."""

    nl: str
    en: str

    def get(self, language: str) -> str:
        return getattr(self, language)


@dataclass(frozen=True)
class ActionRef:
    """An action offered on a node, optionally only while a policy switch is on (or off)."""

    id: str
    when: str | None = None  # a switch name, or "!name" for "while the switch is off"

    def applies(self, switches: Mapping[str, bool]) -> bool:
        if self.when is None:
            return True
        if self.when.startswith("!"):
            return not switches[self.when[1:]]
        return switches[self.when]


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
    reply: Text | None = None  # suggested reply: je-vorm, starting positive
    tip: Text | None = None
    switch_notes: tuple[SwitchNote, ...] = ()
    staff_check: bool = False  # ask whether a staff member is personally targeted


@dataclass(frozen=True)
class Action:
    id: str
    label: Text
    done: Text  # how the decision reads in the case's history
    style: str | None = None
    url: str | None = None  # a link button (still logged when clicked)
    requires: str | None = None  # an action that should come first (evidence before delete)
    warning: Text | None = None  # shown before the action is carried out
    # How sentences name the action, a bare noun ("screenshot"): "Toch verder zonder screenshot".
    # Sentences never embed a button's label. Falls back to the label while a policy lacks it.
    noun: Text | None = None
    irreversible: bool = False  # clicked before it is done on the platform (delete, block)


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
    holidays: tuple[date, ...]


@dataclass(frozen=True)
class StrikeRule:
    first_warning: int
    second_warning: int
    block: int
    expire_after_months: int | None
    # A copy-ready private message per step (first_warning, second_warning, block); may use
    # {reason}, the reason shown to the author, besides the policy's own placeholders.
    messages: Mapping[str, Text] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceProposal:
    """A municipal service the bundled policy proposes; stored in the database on first use."""

    name: str
    description: Text


@dataclass(frozen=True)
class Routing:
    question_minutes: int  # response-time targets, in business minutes
    report_minutes: int
    monitor_hours: int  # "look at this thread again in N hours"
    conduct_check_hours: int  # the 24-hour practice for conduct replies
    holding_reply: Text  # to the citizen while the service is asked
    answer_reply: Text  # a public reply drafted around the service's answer: uses {answer}
    services: tuple[ServiceProposal, ...] = ()


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

    def fill(self, text: str, **extra: str) -> str:
        """Fill a text's placeholders from the policy (and ``extra``, e.g. a strike's reason)."""
        return text.format_map(
            {
                "code_of_conduct_url": self.code_of_conduct_url,
                "criteria_url": self.criteria_url,
                "organisation": self.organisation,
                **extra,
            }
        )


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

    policy = Policy(
        name=name,
        version=version,
        organisation=_str(meta, "organisation", "policy.organisation"),
        code_of_conduct_url=_url(meta, "code_of_conduct_url", "policy.code_of_conduct_url"),
        criteria_url=_url(meta, "criteria_url", "policy.criteria_url"),
        support_contacts=support,
        switches=switches,
        nodes=nodes,
        actions=actions,
        business_hours=_business_hours(_table(raw, "business_hours", "business_hours")),
        strikes=_strikes(_table(raw, "strikes", "strikes")),
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
    def check_one(value: str, where: str, extra: frozenset[str] = frozenset()) -> None:
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        except ValueError:
            raise PolicyError(f"{where} has an unmatched {{ or }} (write {{{{ or }}}} for a brace)") from None
        for name in names:
            if name not in PLACEHOLDERS | extra:
                raise PolicyError(f"{where} uses unknown placeholder {{{name}}}")

    def check(text: Text | None, where: str, extra: frozenset[str] = frozenset()) -> None:
        if text is not None:
            for language in LANGUAGES:
                check_one(text.get(language), f"{where}.{language}", extra)

    for node in policy.nodes.values():
        for attr in ("label", "about", "reply", "tip"):
            check(getattr(node, attr), f"nodes.{node.id}.{attr}")
        for note in node.switch_notes:
            check(note.on, f"nodes.{node.id}.switch_notes.on")
            check(note.off, f"nodes.{node.id}.switch_notes.off")
    for action in policy.actions.values():
        for attr in ("label", "done", "warning", "noun"):
            check(getattr(action, attr), f"actions.{action.id}.{attr}")
        if action.url is not None:
            check_one(action.url, f"actions.{action.id}.url")
    for item in policy.support_contacts:
        check(item.name, "support.name")
    for step, text in policy.strikes.messages.items():
        check(text, f"strikes.messages.{step}", frozenset({"reason"}))
    check(policy.routing.holding_reply, "routing.holding_reply")
    check(policy.routing.answer_reply, "routing.answer_reply", frozenset({"answer"}))
    for service in policy.routing.services:
        check(service.description, f"routing.services.{service.name}.description")


def _node(node_id: str, body: Mapping[str, Any], actions: Mapping[str, Action]) -> Node:
    where = f"nodes.{node_id}"
    _only(body, where, {"label", "about", "children", "actions", "reply", "tip", "switch_notes",
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
            when = item.get("when")
            if when is not None:
                switch = when.removeprefix("!") if isinstance(when, str) else None
                if switch not in SWITCHES:
                    raise PolicyError(f"{where}.actions[{i}].when names unknown switch {when!r}")
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
    return Node(
        id=node_id,
        label=_text(body, "label", f"{where}.label"),
        about=_text(body, "about", f"{where}.about"),
        children=children,
        actions=tuple(refs),
        reply=_text(body, "reply", f"{where}.reply") if "reply" in body else None,
        tip=_text(body, "tip", f"{where}.tip") if "tip" in body else None,
        switch_notes=tuple(notes),
        staff_check=staff_check,
    )


def _action(action_id: str, body: Mapping[str, Any]) -> Action:
    where = f"actions.{action_id}"
    _only(body, where, {"label", "done", "style", "url", "requires", "warning", "noun",
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
    label = _text(body, "label", f"{where}.label")
    return Action(
        id=action_id,
        label=label,
        noun=_text(body, "noun", f"{where}.noun") if "noun" in body
        else Text(**{lang: _lower_first(label.get(lang)) for lang in LANGUAGES}),
        irreversible=irreversible,
        done=_text(body, "done", f"{where}.done"),
        style=style,
        url=url,
        requires=requires,
        warning=_text(body, "warning", f"{where}.warning") if "warning" in body else None,
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _business_hours(body: Mapping[str, Any]) -> BusinessHours:
    days = tuple(_str_list(body.get("days"), "business_hours.days"))
    for day in days:
        if day not in _WEEKDAYS:
            raise PolicyError(f"business_hours.days: unknown day {day!r}")
    start = _clock(body, "start")
    end = _clock(body, "end")
    if end <= start:
        raise PolicyError("business_hours.end must come after business_hours.start")
    holidays = []
    for item in body.get("holidays", []):
        if not isinstance(item, date) or isinstance(item, datetime):
            raise PolicyError(f"business_hours.holidays: {item!r} is not a date (YYYY-MM-DD)")
        holidays.append(item)
    timezone = _str(body, "timezone", "business_hours.timezone")
    import pytz  # imported here so that importing the flows stays cheap

    if timezone not in pytz.all_timezones_set:
        raise PolicyError(f"business_hours.timezone: unknown time zone {timezone!r}")
    return BusinessHours(timezone, days, start, end, tuple(sorted(holidays)))


def _strikes(body: Mapping[str, Any]) -> StrikeRule:
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
    for key in messages_raw:
        if key not in STRIKE_STEPS:
            raise PolicyError(f"unknown step strikes.messages.{key}")
    messages = {
        step: _text(messages_raw, step, f"strikes.messages.{step}") for step in STRIKE_STEPS
    }
    return StrikeRule(expire_after_months=expire, messages=messages, **values)


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
        _only(item, f"routing.services[{i}]", {"name", "description"})
        name = _str(item, "name", f"routing.services[{i}].name").strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9 _\-]{0,59}", name):
            raise PolicyError(f"routing.services[{i}].name must be a short lower-case name")
        if name in names:
            raise PolicyError(f"routing.services: {name!r} is listed twice")
        names.add(name)
        services.append(ServiceProposal(name, _text(item, "description", f"routing.services[{i}].description")))
    return Routing(
        holding_reply=_text(body, "holding_reply", "routing.holding_reply"),
        answer_reply=_text(body, "answer_reply", "routing.answer_reply"),
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


def _text(body: Mapping[str, Any], key: str, where: str) -> Text:
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
        if language not in LANGUAGES:
            raise PolicyError(f"{where} has a text in unsupported language {language!r}")
    return Text(nl=value["nl"], en=value["en"])
