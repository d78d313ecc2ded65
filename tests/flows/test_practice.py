"""Practice rules: the clicks offered, scoring after the guide, spaced repetition, results."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.flows import practice, tree
from bot.flows.practice import Answer, Click, ItemState, Move
from bot.flows.policy import ROOT, load_bank, load_policy
from bot.flows.policy.practice import categories

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def bank(policy):
    return load_bank(policy)


def first(bank, category):
    return next(item for item in bank.items if item.reference == category)


# --- the clicks ----------------------------------------------------------------------------------


def test_the_practice_offers_the_same_steps_as_a_real_case(policy):
    for node_id in policy.nodes:
        real = [c for c in tree.offered_moves(policy, tree.CaseState(node_id=node_id))
                if c.move in (tree.Move.GOTO, tree.Move.ACTION, tree.Move.BACK)]
        ours = [c for c in practice.offered(policy, ItemState(node_id))
                if c.move in (Move.GOTO, Move.ACTION, Move.BACK)]
        assert [(c.move.value, c.target) for c in ours] == [(c.move.value, c.target) for c in real]


def test_walking_to_a_category_then_checking(policy):
    state = ItemState()
    for target in ("own", "negative", "negative.venting"):
        state = practice.apply(policy, state, Click(Move.GOTO, target))
    assert Click(Move.CHECK) in practice.offered(policy, state)
    state = practice.apply(policy, state, Click(Move.ACTION, "reply_public"))
    state = practice.apply(policy, state, Click(Move.ACTION, "route"))
    state = practice.apply(policy, state, Click(Move.ACTION, "reply_public"))  # taken back
    assert state.clicked == ("route",)
    state = practice.apply(policy, state, Click(Move.CHECK))
    assert practice.offered(policy, state) == [Click(Move.NEXT), Click(Move.STOP)]


def test_a_click_not_offered_is_refused(policy):
    with pytest.raises(practice.NotOffered):
        practice.apply(policy, ItemState(), Click(Move.GOTO, "negative.punishable"))
    with pytest.raises(practice.NotOffered):
        practice.apply(policy, ItemState(), Click(Move.CHECK))  # not at a category yet
    state = ItemState("neutral.sympathy")
    with pytest.raises(practice.NotOffered):
        practice.apply(policy, state, Click(Move.ACTION, "strike"))  # sympathy offers no strike
    assert practice.apply(policy, state, Click(Move.BACK)).node_id == "neutral"
    assert practice.apply(policy, ItemState("own"), Click(Move.BACK)).node_id == ROOT


# --- scoring -------------------------------------------------------------------------------------


def test_the_right_category_scores_full_and_lists_the_expected_steps(policy, bank):
    item = first(bank, "negative.privacy")
    result = practice.score(policy, item, "negative.privacy", ["evidence", "delete"])
    assert result.category_right and result.points == practice.FULL
    assert set(result.expected) == set(item.expected)
    assert result.expected_clicked == tuple(s for s in item.expected if s in ("evidence", "delete"))
    assert set(result.missed) == set(item.expected) - {"evidence", "delete"}
    assert result.against == ()


def test_the_right_sentiment_earns_partial_credit(policy, bank):
    venting = first(bank, "negative.venting")
    partial = practice.score(policy, venting, "negative.conduct", [])
    assert not partial.category_right and partial.sentiment_right
    assert partial.points == practice.PARTIAL
    wrong = practice.score(policy, venting, "positive.compliment", [])
    assert wrong.points == practice.NONE and not wrong.sentiment_right
    external = first(bank, "external.privacy")
    assert practice.score(policy, external, "external.monitor", []).points == practice.PARTIAL
    assert practice.score(policy, external, "negative.privacy", []).points == practice.NONE


def test_striking_a_hartluchter_is_advised_against(policy, bank):
    venting = first(bank, "negative.venting")
    result = practice.score(policy, venting, "negative.conduct", ["reply_public", "strike"])
    assert [a.action for a in result.against] == ["strike"]


def test_deleting_without_a_screenshot_is_advised_against(policy, bank):
    conduct = first(bank, "negative.conduct")
    before = practice.score(policy, conduct, "negative.conduct", ["delete", "evidence"])
    assert any(a.action == "delete" and a.reason == "without" and a.requires == "evidence"
               for a in before.against)
    after = practice.score(policy, conduct, "negative.conduct", ["evidence", "delete"])
    assert not any(a.reason == "without" for a in after.against)


def test_answering_a_bot_is_advised_against(policy, bank):
    bot = next(i for i in bank.items if i.reference == "negative.spam" and "reply_public" in i.avoid)
    result = practice.score(policy, bot, "neutral.question", ["reply_public"])
    assert [(a.action, a.reason) for a in result.against] == [("reply_public", "avoid")]


def test_expected_steps_follow_the_switches(policy, bank):
    import dataclasses

    compliment = first(bank, "positive.compliment")
    silent = dataclasses.replace(policy, switches={**policy.switches, "react_to_compliments": False})
    # The bank expects a like, which a "never react" policy does not offer: then the bank's own list.
    result = practice.score(silent, compliment, "positive.compliment", [])
    assert result.expected == compliment.expected


# --- rounds --------------------------------------------------------------------------------------


def test_a_first_round_spreads_the_categories(bank):
    ids = practice.compose_round(bank, [], 10, seed=1)
    assert len(ids) == len(set(ids)) == 10
    references = [bank.item(i).reference for i in ids]
    assert len(set(references)) == 10
    assert practice.compose_round(bank, [], 10, seed=1) == ids  # the seed decides, not the clock
    assert len(practice.compose_round(bank, [], 5, seed=1)) == 5


def test_a_wrong_answer_comes_back_first_in_the_next_round(bank):
    wrong = [bank.items[0].id, bank.items[1].id]  # the same category: both still come back
    history = [Answer(wrong[0], bank.items[0].reference, False, T0),
               Answer(wrong[1], bank.items[1].reference, False, T0 + timedelta(minutes=1)),
               Answer(bank.items[5].id, bank.items[5].reference, True, T0)]
    ids = practice.compose_round(bank, history, 5, seed=3)
    assert ids[:2] == wrong
    assert bank.items[5].id not in ids  # right once, and unseen comments remain


def test_right_later_means_it_no_longer_comes_first(bank):
    item = bank.items[0]
    history = [Answer(item.id, item.reference, False, T0), Answer(item.id, item.reference, True, T0 + timedelta(days=1))]
    assert practice.compose_round(bank, history, 5, seed=3)[0] != item.id


def test_a_wrong_answer_comes_back_later_in_the_same_round():
    queue = ["a", "b", "c", "d", "e", "f"]
    again = practice.requeue(queue, 0, "a")
    assert again == ["a", "b", "c", "d", "a", "e", "f"]
    assert practice.requeue(["a", "b"], 1, "b") == ["a", "b", "b"]  # near the end: last
    twice = practice.requeue(practice.requeue(again, 4, "a"), 8, "a")
    assert twice.count("a") == 1 + practice.MAX_REPEATS


def test_the_size_of_a_round():
    assert practice.parse_size("5") == 5
    assert practice.parse_size(" 50 ") == practice.MAX_SIZE
    assert practice.parse_size("0") == 1
    assert practice.parse_size("vijf") is None and practice.parse_size("") is None
    assert practice.parse_size("99999999999999") is None


def test_results_per_category_and_what_to_practise(policy):
    answers = [Answer("x", "negative.venting", False, T0), Answer("y", "negative.venting", True, T0),
               Answer("z", "neutral.question", True, T0)]
    shares = practice.category_shares(answers)
    assert shares == {"negative.venting": (2, 1), "neutral.question": (1, 1)}
    assert practice.to_practise(shares, categories(policy)) == ["negative.venting"]
