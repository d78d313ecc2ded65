"""Checks of a policy as a whole: every switch setting, the tree, the placeholders."""

from __future__ import annotations

import string
from typing import Mapping

from bot.flows.policy.model import _all_texts, Node, Policy, PolicyError, StrikeRule, Text
from bot.flows.policy.names import ANSWER_PLACEHOLDERS, LANGUAGES, PLACEHOLDERS, ROOT, STRIKE_PLACEHOLDERS, SWITCHES



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


def _check_house_rules_links(policy: Policy) -> None:
    """Every warning refers to the house rules (the guide: "Bij iedere inbreuk verwijs je naar de
    gedragscode"): each strike message and each suggested text for a conduct violation links
    the published page: every strike message, and the conduct reply (the first public reply of
    negative.conduct) and its private message to the author."""
    texts = _strike_texts(policy.strikes)
    replies = policy.nodes["negative.conduct"].replies
    for kind in ("public", "private"):
        first = next((i for i, reply in enumerate(replies) if reply.kind == kind), None)
        if first is not None:
            texts.append((f"nodes.negative.conduct.replies[{first}].text", replies[first].text))
    for where, text in texts:
        for language, value in (("nl", text.nl), ("nl_u", text.nl_u), ("en", text.en)):
            if value is not None and "{code_of_conduct_url}" not in value:
                raise PolicyError(f"{where}.{language} does not link the house rules: every "
                                  "warning refers to them with {code_of_conduct_url}")
