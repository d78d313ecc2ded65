"""Practice messages and results are valid Block Kit within Slack's limits, in every language,
for every category of the tree, before and after checking."""

from __future__ import annotations

import dataclasses

import pytest

from bot.blocks import practice as views
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.flows import practice as rules
from bot.flows.policy import load_bank, load_policy
from bot.flows.practice import ItemState
from bot.slack.refs import PracticeRef
from bot.usecases.practice import Results, RoundView
from tests.slack.test_block_kit import assert_message

POLICY = load_policy()
BANK = load_bank(POLICY)


def view(item, state: ItemState, **changes) -> RoundView:
    return RoundView(round_id=7, version=3, position=2, total=10, item=item, state=state, **changes)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_of_every_comment_is_valid_block_kit(language):
    tr = Translator(language)
    for item in BANK.items:
        for node_id in POLICY.path_to(item.reference):
            assert_message(views.practice_message(view(item, ItemState(node_id)), POLICY, tr))
        clicked = tuple(a.id for a in POLICY.actions_on(item.reference))
        state = ItemState(item.reference, clicked, checked=True)
        score = rules.score(POLICY, item, "negative.conduct", clicked)
        built = views.practice_message(view(item, state, score=score), POLICY, tr)
        assert_message(built)
        buttons = [e for b in built if b["type"] == "actions" for e in b["elements"]]
        assert [PracticeRef.decode(b["value"]).click.move.value for b in buttons] == ["next", "stop"]


def test_the_buttons_carry_the_round_and_its_version_only():
    item = BANK.items[0]
    built = views.practice_message(view(item, ItemState("negative.conduct", ("evidence",))), POLICY,
                                   Translator("nl"))
    refs = [PracticeRef.decode(e["value"]) for b in built if b["type"] == "actions" for e in b["elements"]]
    assert {(r.round_id, r.version) for r in refs} == {(7, 3)}
    labels = [e["text"]["text"] for b in built if b["type"] == "actions" for e in b["elements"]]
    assert "✓ Screenshot bewaren" in labels and any(label.startswith("⚠️") for label in labels)


@pytest.mark.parametrize("language", LANGUAGES)
def test_results_and_team_totals_are_valid(language):
    tr = Translator(language)
    shares = {c: (3, 1) for c in POLICY.nodes if not POLICY.node(c).children}
    mine = Results(rounds=4, shares=shares, to_practise=list(shares))
    assert_message(views.results(mine, shares, POLICY, tr))
    assert_message(views.results(Results(0, {}, []), None, POLICY, tr))
    done = dataclasses.replace(view(BANK.items[0], ItemState()), finished=True, answered=10, right=7)
    assert_message(views.round_done(done, tr))
