"""Practice rounds on real SQLite and PostgreSQL: kept apart from the register, scoped to one
person of one workspace, spaced repetition across rounds, totals without names, erasure."""

from __future__ import annotations

from contextlib import contextmanager

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.flows.policy import load_policy
from bot.flows.practice import Click, Move
from bot.usecases import practice
from bot.usecases.practice import PracticeProblem
from storage.scope import NotInWorkspace

POLICY = load_policy()
BANK = practice.bank_for(POLICY)
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
TEAM, OTHER = "T0TEST0001", "T0OTHER001"
ANNA, BERT = "U0ANNA0001", "U0BERT0001"
REGISTER = ("case", "decision", "strike", "author", "routed_question", "job", "evidence")



@contextmanager
def refused(reason: str):
    """The click is refused for ``reason`` (the person hears the text that reason has)."""
    with pytest.raises(PracticeProblem) as caught:
        yield
    assert caught.value.reason == reason

def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()


def step(engine, view, move: Move, target: str | None = None, *, user=ANNA, team=TEAM, at=NOW):
    return practice.click(engine, POLICY, BANK, team_id=team, user_id=user, round_id=view.round_id,
                          version=view.version, move=Click(move, target), now=at)


def answer(engine, view, category: str, steps=(), *, user=ANNA):
    """Walk the tree to ``category``, click ``steps``, check."""
    for node in POLICY.path_to(category)[1:]:
        view = step(engine, view, Move.GOTO, node, user=user)
    for action in steps:
        view = step(engine, view, Move.ACTION, action, user=user)
    return step(engine, view, Move.CHECK, user=user)


def wrong_category(reference: str) -> str:
    return "positive.compliment" if reference != "positive.compliment" else "neutral.question"


def test_a_round_writes_practice_rows_only(engine):
    view = practice.start_round(engine, BANK, team_id=TEAM, user_id=ANNA, size=3, now=NOW)
    assert view.total == 3 and view.position == 0 and view.state.node_id == "origin"
    checked = answer(engine, view, view.item.reference, view.item.expected)
    assert checked.score.category_right and checked.score.missed == ()
    assert checked.state.checked
    for table in REGISTER:
        assert count(engine, table) == 0, table
    assert count(engine, "practice_answer") == 1


def test_a_wrong_answer_comes_back_in_this_round_and_the_next(engine):
    view = practice.start_round(engine, BANK, team_id=TEAM, user_id=ANNA, size=5, now=NOW)
    missed = view.item
    checked = answer(engine, view, wrong_category(missed.reference))
    assert not checked.score.category_right and checked.score.reference == missed.reference
    assert checked.total == 6  # it comes back later in this round
    view = step(engine, checked, Move.NEXT)
    assert view.item.id != missed.id and view.state.node_id == "origin"
    stopped = step(engine, view, Move.STOP)
    assert stopped.finished and stopped.answered == 1 and stopped.right == 0
    again = practice.start_round(engine, BANK, team_id=TEAM, user_id=ANNA, size=5,
                                 now=NOW + timedelta(days=1))
    assert again.item.id == missed.id


def test_a_round_ends_after_its_last_comment(engine):
    view = practice.start_round(engine, BANK, team_id=TEAM, user_id=ANNA, size=1, now=NOW)
    view = answer(engine, view, view.item.reference)
    done = step(engine, view, Move.NEXT)
    assert done.finished and (done.answered, done.right) == (1, 1)
    with refused("finished"):
        step(engine, done, Move.STOP)


def test_only_the_person_in_their_workspace_at_the_current_version_may_click(engine):
    view = practice.start_round(engine, BANK, team_id=TEAM, user_id=ANNA, size=2, now=NOW)
    with pytest.raises(NotInWorkspace):
        step(engine, view, Move.GOTO, "own", team=OTHER)
    with refused("not_yours"):
        step(engine, view, Move.GOTO, "own", user=BERT)
    moved = step(engine, view, Move.GOTO, "own")
    with refused("stale"):
        step(engine, view, Move.GOTO, "external")  # the same button again
    with refused("not_offered"):
        step(engine, moved, Move.GOTO, "external.privacy")
    with refused("not_yours"):
        practice.click(engine, POLICY, BANK, team_id=TEAM, user_id=ANNA, round_id=999_999,
                       version=0, move=Click(Move.STOP), now=NOW)


def test_results_are_per_person_and_team_totals_name_nobody(engine):
    for user, right in ((ANNA, True), (BERT, False)):
        view = practice.start_round(engine, BANK, team_id=TEAM, user_id=user, size=1, now=NOW)
        reference = view.item.reference
        view = answer(engine, view, reference if right else wrong_category(reference), user=user)
        step(engine, view, Move.STOP, user=user)
    mine = practice.results(engine, team_id=TEAM, user_id=BERT, policy=POLICY)
    assert mine.rounds == 1 and sum(n for n, _ in mine.shares.values()) == 1
    assert sum(r for _, r in mine.shares.values()) == 0 and len(mine.to_practise) == 1
    totals = practice.team_totals(engine, team_id=TEAM)
    assert sum(n for n, _ in totals.values()) == 2 and sum(r for _, r in totals.values()) == 1
    assert all(isinstance(k, str) and k in POLICY.nodes for k in totals)
    assert practice.team_totals(engine, team_id=OTHER) == {}


def test_erasing_a_person_leaves_the_others(engine):
    for user in (ANNA, BERT):
        view = practice.start_round(engine, BANK, team_id=TEAM, user_id=user, size=1, now=NOW)
        answer(engine, view, view.item.reference, user=user)
    assert practice.erase_person(engine, team_id=TEAM, user_id=ANNA) == 2
    assert practice.results(engine, team_id=TEAM, user_id=ANNA, policy=POLICY).shares == {}
    assert practice.results(engine, team_id=TEAM, user_id=BERT, policy=POLICY).shares != {}
