"""The policy file: the bundled default is complete and sound, and validation names what is broken.

Pure tests: no Slack, no database. Broken variants are built from the bundled TOML (parsed with
tomllib, deep-copied, mutated) and fed to ``parse_policy``; file-level problems go through
``load_policy`` with a file in ``tmp_path``.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
import tomllib

import pytest

from bot.flows.policy import (
    ACTION_IDS,
    BUNDLED_POLICY,
    LANGUAGES,
    NODE_IDS,
    ROOT,
    SWITCHES,
    Policy,
    PolicyError,
    load_policy,
    parse_policy,
)

SLACK_BUTTON_TEXT_MAX = 75  # Block Kit: a button's plain_text may hold at most 75 characters
ABOUT_MAX = 220
REPLY_MAX = 500


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def _bundled_raw() -> dict:
    return tomllib.loads(BUNDLED_POLICY.read_text(encoding="utf-8"))


@pytest.fixture
def raw(_bundled_raw) -> dict:
    """A private, mutable copy of the bundled policy as parsed TOML."""
    return copy.deepcopy(_bundled_raw)


def _texts(text):
    return [(language, text.get(language)) for language in LANGUAGES] if text else []


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?]+(?=\s|$)", text.strip()))


def _with_switches(policy: Policy, **switches: bool) -> Policy:
    return dataclasses.replace(policy, switches={**policy.switches, **switches})


def _all_switch_settings(policy: Policy):
    names = sorted(SWITCHES)
    for values in itertools.product((False, True), repeat=len(names)):
        yield _with_switches(policy, **dict(zip(names, values)))


# --- The bundled policy ------------------------------------------------------------------------


def test_bundled_policy_loads(policy):
    assert policy.version.startswith("2024.1+")
    assert policy.name and policy.organisation
    assert set(policy.switches) == SWITCHES
    assert policy.support_contacts


def test_every_node_is_present_and_reachable(policy):
    assert set(policy.nodes) == NODE_IDS
    seen, stack = set(), [ROOT]
    while stack:
        node_id = stack.pop()
        seen.add(node_id)
        stack.extend(policy.node(node_id).children)
    assert seen == NODE_IDS
    for node_id in NODE_IDS:
        path = policy.path_to(node_id)
        assert path[0] == ROOT and path[-1] == node_id


def test_tree_follows_the_guide(policy):
    children = {n.id: list(n.children) for n in policy.nodes.values() if n.children}
    assert children == {
        "origin": ["own", "external"],
        "own": ["negative", "neutral", "positive"],
        "external": ["external.monitor", "external.misinformation", "external.privacy"],
        "negative": [
            "negative.punishable",
            "negative.privacy",
            "negative.conduct",
            "negative.venting",
            "negative.criticism",
            "negative.discussion",
            "negative.misinformation",
            "negative.spam",
        ],
        "neutral": [
            "neutral.question",
            "neutral.report",
            "neutral.political",
            "neutral.commercial",
            "neutral.sympathy",
            "neutral.offtopic",
        ],
        "positive": ["positive.compliment"],
    }
    for node in policy.nodes.values():
        assert bool(node.children) != bool(node.actions), node.id  # a question or a category


def test_staff_check_covers_every_negative_category_and_external_privacy(policy):
    for node_id in NODE_IDS:
        expected = node_id.startswith("negative") or node_id == "external.privacy"
        assert policy.staff_check(node_id) == expected, node_id


def test_every_action_is_present_in_both_languages(policy):
    assert set(policy.actions) == ACTION_IDS
    for action in policy.actions.values():
        for attr in ("label", "done", "warning"):
            for language, text in _texts(getattr(action, attr)):
                assert text.strip(), f"{action.id}.{attr}.{language}"


def test_delete_asks_for_evidence_and_warns(policy):
    delete = policy.actions["delete"]
    assert delete.requires == "evidence"
    assert delete.style == "danger"
    assert delete.warning is not None


def test_criteria_is_a_link_to_the_criteria(policy):
    assert policy.fill(policy.actions["criteria"].url) == policy.criteria_url


def test_button_labels_fit_slack(policy):
    labels = [(f"actions.{a.id}", a.label) for a in policy.actions.values()]
    labels += [(f"nodes.{n.id}", n.label) for n in policy.nodes.values()]
    for where, label in labels:
        for language, text in _texts(label):
            assert 0 < len(policy.fill(text)) <= SLACK_BUTTON_TEXT_MAX, f"{where}.{language}"


def test_sibling_labels_are_distinct(policy):
    for node in policy.nodes.values():
        for language in LANGUAGES:
            labels = [policy.node(c).label.get(language) for c in node.children]
            assert len(labels) == len(set(labels)), f"{node.id} ({language})"


def test_about_is_short_enough_for_a_phone(policy):
    for node in policy.nodes.values():
        for language, text in _texts(node.about):
            where = f"nodes.{node.id}.about.{language}"
            assert len(text) <= ABOUT_MAX, where
            assert len(text.strip().splitlines()) <= 2, where
            assert 1 <= _sentences(text) <= 2, where


def test_replies_fill_and_fit(policy):
    for node in policy.nodes.values():
        for language, text in _texts(node.reply):
            filled = policy.fill(text)
            assert "{" not in filled and len(filled) <= REPLY_MAX, f"{node.id}.{language}"


def test_dutch_replies_use_je_not_u(policy):
    formal = re.compile(r"\b(u|uw|uzelf)\b", re.IGNORECASE)
    for node in policy.nodes.values():
        if node.reply is not None:
            assert not formal.search(node.reply.nl), node.id


def test_every_category_offers_something_under_every_switch_setting(policy):
    categories = [n.id for n in policy.nodes.values() if not n.children]
    for variant in _all_switch_settings(policy):
        for node_id in categories:
            assert variant.actions_on(node_id), f"{node_id} with {dict(variant.switches)}"


def test_evidence_comes_before_delete(policy):
    for variant in _all_switch_settings(policy):
        for node_id in policy.nodes:
            offered = [a.id for a in variant.actions_on(node_id)]
            if "delete" in offered:
                assert "evidence" in offered, node_id
                assert offered.index("evidence") < offered.index("delete"), node_id


def test_switch_notes_on_the_nodes_they_explain(policy):
    notes = {
        n.id: [s.switch for s in n.switch_notes]
        for n in policy.nodes.values()
        if n.switch_notes
    }
    assert notes == {
        "neutral.political": ["remove_political", "remove_political_opinions",
                              "politician_as_citizen_may_stay"],
        "neutral.commercial": ["allow_commercial"],
        "positive.compliment": ["react_to_compliments"],
    }


# --- Switches change what is offered -----------------------------------------------------------


@pytest.mark.parametrize(
    ("switch", "node_id", "gated", "offered_when"),
    [
        ("remove_political", "neutral.political", {"hide", "delete"}, True),
        ("allow_commercial", "neutral.commercial", {"delete"}, False),
        ("react_to_compliments", "positive.compliment", {"like", "reply_public"}, True),
    ],
)
def test_switches_change_what_is_offered(raw, switch, node_id, gated, offered_when):
    for value in (False, True):
        raw["switches"][switch] = value
        offered = {a.id for a in parse_policy(raw).actions_on(node_id)}
        if value == offered_when:
            assert gated <= offered, f"{switch}={value}"
        else:
            assert not gated & offered, f"{switch}={value}"


# --- Validation names the problem ---------------------------------------------------------------


def _set(path, value):
    def mutate(raw):
        *parents, last = path
        target = raw
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


def _delete(*path):
    def mutate(raw):
        *parents, last = path
        target = raw
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


def _append(path, value):
    def mutate(raw):
        target = raw
        for key in path:
            target = target[key]
        target.append(value)

    return mutate


def _remove_child(parent, child):
    def mutate(raw):
        raw["nodes"][parent]["children"].remove(child)

    return mutate


def _add_node(node_id):
    def mutate(raw):
        raw["nodes"][node_id] = copy.deepcopy(raw["nodes"]["negative.venting"])

    return mutate


BROKEN = {
    "dangling edge": (
        _append(("nodes", "positive", "children"), "positive.gratitude"),
        "dangling edge positive -> 'positive.gratitude': no such node",
    ),
    "unreachable node": (
        _remove_child("neutral", "neutral.sympathy"),
        "node 'neutral.sympathy' is unreachable from 'origin'",
    ),
    "two parents": (
        _append(("nodes", "positive", "children"), "neutral.sympathy"),
        "node 'neutral.sympathy' has two parents: neutral and positive",
    ),
    "edge back to the root": (
        _append(("nodes", "positive", "children"), "origin"),
        "edge positive -> origin leads back to the root",
    ),
    "node without children or actions": (
        _set(("nodes", "neutral.sympathy", "actions"), []),
        "node 'neutral.sympathy' has neither children nor actions",
    ),
    "missing translation": (
        _delete("nodes", "negative.conduct", "label", "en"),
        "nodes.negative.conduct.label lacks a translation for 'en'",
    ),
    "empty translation": (
        _set(("actions", "hide", "done", "nl"), "  "),
        "actions.hide.done lacks a translation for 'nl'",
    ),
    "unsupported language": (
        _set(("nodes", "origin", "about", "fr"), "Où est-ce publié ?"),
        "nodes.origin.about has a text in unsupported language 'fr'",
    ),
    "text that is not per language": (
        _set(("nodes", "origin", "label"), "Waar staat de reactie?"),
        "nodes.origin.label must give a text per language (nl, en)",
    ),
    "unknown node id": (
        _add_node("negative.rudeness"),
        "unknown node id nodes.'negative.rudeness'",
    ),
    "missing node": (
        _delete("nodes", "neutral.offtopic"),
        "node 'neutral.offtopic' is missing from the policy",
    ),
    "unknown action id": (
        _set(("actions", "shout"), {"label": {"nl": "Roepen", "en": "Shout"},
                                    "done": {"nl": "Geroepen", "en": "Shouted"}}),
        "unknown action id actions.shout",
    ),
    "node offers an unknown action": (
        _append(("nodes", "negative.spam", "actions"), "shout"),
        "nodes.negative.spam.actions names unknown action 'shout'",
    ),
    "node offers an action the policy does not define": (
        _delete("actions", "like"),
        "nodes.neutral.sympathy.actions names unknown action 'like'",
    ),
    "requires names an unknown action": (
        _set(("actions", "delete", "requires"), "screenshot"),
        "actions.delete.requires names unknown action 'screenshot'",
    ),
    "bad style": (
        _set(("actions", "hide", "style"), "warning"),
        "actions.hide.style must be one of ['danger', 'primary']",
    ),
    "unknown key on a node": (
        _set(("nodes", "neutral.sympathy", "colour"), "blue"),
        "unknown key nodes.neutral.sympathy.colour",
    ),
    "unknown switch": (
        _set(("switches", "remove_everything"), True),
        "unknown switch switches.remove_everything",
    ),
    "missing switch": (
        _delete("switches", "allow_commercial"),
        "switches.allow_commercial must be true or false",
    ),
    "switch that is not a boolean": (
        _set(("switches", "remove_political"), "yes"),
        "switches.remove_political must be true or false",
    ),
    "when names an unknown switch": (
        _set(("nodes", "neutral.political", "actions", 1), {"id": "hide", "when": "remove_all"}),
        "nodes.neutral.political.actions[1].when names unknown switch 'remove_all'",
    ),
    "bad when expression": (
        _set(("nodes", "neutral.political", "actions", 1),
             {"id": "hide", "when": "not remove_political"}),
        "nodes.neutral.political.actions[1].when names unknown switch 'not remove_political'",
    ),
    "bare negation in when": (
        _set(("nodes", "neutral.commercial", "actions", 1), {"id": "delete", "when": "!"}),
        "nodes.neutral.commercial.actions[1].when names unknown switch '!'",
    ),
    "unknown key in an action reference": (
        _set(("nodes", "neutral.political", "actions", 1),
             {"id": "hide", "when": "remove_political", "unless": "x"}),
        "unknown key nodes.neutral.political.actions[1].unless",
    ),
    "switch note names an unknown switch": (
        _set(("nodes", "neutral.commercial", "switch_notes", 0, "switch"), "allow_ads"),
        "nodes.neutral.commercial.switch_notes[0] names unknown switch 'allow_ads'",
    ),
    "unknown placeholder in a reply": (
        _set(("nodes", "neutral.question", "replies", 0, "text", "nl"), "Bedankt! Kijk op {website}."),
        "nodes.neutral.question.replies[0].text.nl uses unknown placeholder {website}",
    ),
    "unknown placeholder in an action warning": (
        _set(("actions", "delete", "warning", "en"), "Really delete {post}?"),
        "actions.delete.warning.en uses unknown placeholder {post}",
    ),
    "business hours end before start": (
        _set(("business_hours", "end"), "08:00"),
        "business_hours.end must come after business_hours.start",
    ),
    "business hours end equals start": (
        _set(("business_hours", "end"), "09:00"),
        "business_hours.end must come after business_hours.start",
    ),
    "business hours not a clock time": (
        _set(("business_hours", "start"), "9u"),
        'business_hours.start must be a time like "09:00"',
    ),
    "business hours impossible time": (
        _set(("business_hours", "end"), "25:00"),
        'business_hours.end must be a time like "09:00"',
    ),
    "unknown weekday": (
        _set(("business_hours", "days"), ["mon", "maa"]),
        "business_hours.days: unknown day 'maa'",
    ),
    "holiday that is not a date": (
        _set(("business_hours", "holidays"), ["2026-01-01"]),
        "business_hours.holidays: '2026-01-01' is not a date (YYYY-MM-DD)",
    ),
    "unknown time zone": (
        _set(("business_hours", "timezone"), "Europe/Brussel"),
        "business_hours.timezone: unknown time zone 'Europe/Brussel'",
    ),
    "strike thresholds out of order": (
        _set(("strikes", "second_warning"), 4),
        "strikes: first_warning < second_warning < block must hold",
    ),
    "strike thresholds equal": (
        _set(("strikes", "block"), 2),
        "strikes: first_warning < second_warning < block must hold",
    ),
    "strike threshold below one": (
        _set(("strikes", "first_warning"), 0),
        "strikes.first_warning must be a whole number of at least 1",
    ),
    "strike threshold not a number": (
        _set(("strikes", "block"), True),
        "strikes.block must be a whole number of at least 1",
    ),
    "bad strike expiry": (
        _set(("strikes", "expire_after_months"), 0),
        "strikes.expire_after_months must be a whole number of at least 1",
    ),
    "code of conduct is not a URL": (
        _set(("policy", "code_of_conduct_url"), "www.example.be/huisregels"),
        "policy.code_of_conduct_url must be an http(s) URL",
    ),
    "missing policy version": (
        _delete("policy", "version"),
        "policy.version is missing or empty",
    ),
    "missing section": (
        _delete("strikes"),
        "missing [strikes]",
    ),
    "no support contact": (
        _set(("support",), []),
        "support must list at least one contact for staff who are targeted",
    ),
}


@pytest.mark.parametrize(("mutate", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_validation_names_the_problem(raw, mutate, message):
    mutate(raw)
    with pytest.raises(PolicyError) as excinfo:
        parse_policy(raw)
    assert str(excinfo.value) == message


def test_invalid_toml(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[policy\nname = "kapot"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy file .*policy\.toml is not valid TOML"):
        load_policy(path)


def test_file_that_does_not_exist(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(PolicyError, match=r"cannot read policy file .*nowhere\.toml"):
        load_policy(path)


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_bytes(BUNDLED_POLICY.read_bytes().replace("é".encode(), "é".encode("latin-1")))
    with pytest.raises(PolicyError, match=r"policy file .*policy\.toml is not UTF-8"):
        load_policy(path)


def test_broken_policy_file_names_the_problem(tmp_path):
    text = BUNDLED_POLICY.read_text(encoding="utf-8").replace('end = "17:00"', 'end = "08:00"')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match="business_hours.end must come after"):
        load_policy(path)


# --- The version recorded with every decision --------------------------------------------------


def test_version_follows_the_file_bytes(tmp_path, policy):
    original = BUNDLED_POLICY.read_bytes()
    path = tmp_path / "policy.toml"

    path.write_bytes(original)
    same = load_policy(path)
    assert same.version == policy.version

    path.write_bytes(original + b"\n# a comment changes the bytes, not the meaning\n")
    changed = load_policy(path)
    assert changed.version.startswith("2024.1+")
    assert changed.version != policy.version

    path.write_bytes(original.replace(b'version = "2024.1"', b'version = "2025.2"', 1))
    assert load_policy(path).version.startswith("2025.2+")


def test_parse_without_digest_gives_the_declared_version(raw):
    assert parse_policy(raw).version == "2024.1"


# --- Edge cases of action references and texts ----------------------------------------------


def test_non_text_when_is_a_policy_error(raw):
    raw["nodes"]["neutral.political"]["actions"][1] = {"id": "hide", "when": True}
    with pytest.raises(PolicyError):
        parse_policy(raw)


def test_double_negation_in_when_is_rejected(raw):
    raw["nodes"]["neutral.political"]["actions"][1] = {"id": "hide", "when": "!!remove_political"}
    with pytest.raises(PolicyError):
        parse_policy(raw)


def test_action_reference_table_without_when(raw):
    raw["nodes"]["neutral.sympathy"]["actions"] = [{"id": "like"}]
    assert [a.id for a in parse_policy(raw).actions_on("neutral.sympathy")] == ["like"]


def test_stray_brace_is_a_policy_error_naming_the_text(raw):
    raw["nodes"]["neutral.question"]["replies"][0]["text"]["nl"] = "Bedankt {"
    with pytest.raises(PolicyError, match=re.escape("nodes.neutral.question.replies[0].text.nl")):
        parse_policy(raw)


def test_unknown_placeholder_in_an_action_url(raw):
    raw["actions"]["criteria"]["url"] = "{unia}"
    with pytest.raises(PolicyError, match="actions.criteria.url"):
        parse_policy(raw)
