"""The case builders: each is checked against Slack's Block Kit models, and the case's tree state
a redraw reads is derived once, from the snapshot's own fields."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.blocks import cases, routing, strikes
from bot.flows import tree
from bot.flows.policy import ROOT, load_policy
from bot.usecases.cases import CaseSnapshot, HistoryLine

BLOCK_KIT_TESTS = Path(__file__).resolve().parent.parent / "slack" / "test_block_kit.py"
# How tests/slack/test_block_kit.py names each builder module.
ALIASES = {cases: "blocks", routing: "routing_blocks", strikes: "strike_blocks"}
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
MEMBER = "U0FAKEMEMBER1"  # a made-up Slack user id


def _builders(module) -> list[str]:
    """The module's own public functions that return blocks or a view."""
    return sorted(
        name for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
        and str(inspect.signature(function).return_annotation) in ("list[Block]", "View")
    )


def _called_in_block_kit_tests() -> set[tuple[str, str]]:
    tree_ = ast.parse(BLOCK_KIT_TESTS.read_text(encoding="utf-8"))
    return {(node.func.value.id, node.func.attr) for node in ast.walk(tree_)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)}


@pytest.mark.parametrize("module", list(ALIASES), ids=lambda m: m.__name__)
def test_every_builder_is_parsed_with_slack_sdk_models(module) -> None:
    builders = _builders(module)
    assert builders  # the module's builders were found at all
    called = _called_in_block_kit_tests()
    missing = [name for name in builders if (ALIASES[module], name) not in called]
    assert not missing, f"not checked in tests/slack/test_block_kit.py: {missing}"


def test_the_case_builders_are_the_ones_a_case_needs() -> None:
    assert _builders(cases) == ["case_card", "case_message", "new_case_form", "support_message"]


def _case(history: tuple[HistoryLine, ...], *, pending: str | None = None,
          evidence: int = 0) -> CaseSnapshot:
    return CaseSnapshot(
        id=7, team_id="T0FAKE", channel_id="C0INTAKE", message_ts="1700000000.000100",
        bot_message_ts=None, via="message", platform="facebook", link=None, author_platform=None,
        author_handle=None, text="Een vraag", forwarded_by=MEMBER, forwarded_at=NOW,
        source_permalink=None, origin=None, status=tree.OPEN, node_id=ROOT, pending_action=pending,
        version=1, evidence_files=evidence, history=history,
    )


def test_the_state_is_derived_once_and_as_the_tree_derives_it() -> None:
    policy = load_policy()
    action = next(a for a in policy.actions.values() if a.requires is not None)
    history = (
        HistoryLine(ROOT, action.requires, MEMBER, NOW, None),
        HistoryLine(ROOT, action.id, MEMBER, NOW, tree.REQUESTED),
    )
    case = _case(history, pending=action.id, evidence=1)
    records = [tree.Record(line.node_id, line.action_id, line.note) for line in history]
    assert case.state == tree.CaseState(
        node_id=ROOT, status=tree.OPEN, pending_action=action.id,
        done_actions=tree.done_actions(records), has_evidence_file=True,
        requirement_waived=tree.requirement_waived(records, action.id),
    )
    assert action.requires in case.state.done_actions
    assert case.state is case.state  # read for every button: not derived again each time


def test_the_state_follows_a_changed_snapshot_and_is_never_passed_in() -> None:
    case = _case(())
    moved = dataclasses.replace(case, status=tree.CLOSED, evidence_files=2)
    assert (moved.state.status, moved.state.has_evidence_file) == (tree.CLOSED, True)
    assert (case.state.status, case.state.has_evidence_file) == (tree.OPEN, False)
    assert case == _case(()) and hash(case) == hash(_case(()))
    with pytest.raises(TypeError):
        CaseSnapshot(**{f.name: getattr(case, f.name) for f in dataclasses.fields(case)})
