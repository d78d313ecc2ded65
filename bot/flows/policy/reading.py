"""Reading a policy: TOML in, a validated :class:`Policy` out, or a :class:`PolicyError` naming one problem."""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

import pytz

from bot.core.clock import WEEKDAYS
from bot.flows.policy.checks import _check_every_switch_setting, _check_house_rules_links, _check_placeholders, _check_tree, _strike_texts
from bot.flows.policy.house_rules import read_house_rules
from bot.flows.policy.fields import _as_table, _clock, _list, _only, _str, _str_list, _table, _text, _url
from bot.flows.policy.model import Action, ActionRef, BusinessHours, Inbox, Node, Policy, PolicyError, Reply, Routing, ServiceProposal, StrikeRule, SupportContact, SwitchNote, Text
from bot.flows.policy.reports import read_reports
from bot.flows.policy.screening import read_prescreen
from bot.flows.policy.names import ACTION_IDS, BUNDLED_POLICY, LANGUAGES, LINKS, NODE_IDS, REPLY_KINDS, STRIKE_STEPS, _STYLES, SWITCHES



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
        house_rules=read_house_rules(raw),
        reports=read_reports(raw),
        prescreen=read_prescreen(raw),
    )
    _check_placeholders(policy)
    _check_house_rules_links(policy)
    _check_every_switch_setting(policy)
    return policy


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
        if day not in WEEKDAYS:
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
