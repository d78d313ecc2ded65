"""Use cases for practising the tree (``/oefenen``), one transaction each.

Only practice rows are written here (:mod:`storage.practice`): a round opens no case, logs no
decision, records no strike and routes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from bot.core.problem import Problem
from bot.usecases.transaction import use_case
from bot.flows import practice as rules
from bot.flows.policy import Policy, PracticeBank, PracticeItem, categories, load_bank
from bot.flows.practice import Answer, Click, ItemState, Move, Score
from storage import practice as store
from storage.models import PracticeAnswer, PracticeRound
from storage.scope import owned

logger = logging.getLogger(__name__)


REFUSALS = {
    "stale": "practice.refused_stale",
    "not_offered": "practice.refused_stale",
    "finished": "practice.refused_finished",
    "not_yours": "practice.refused_not_yours",
}


class PracticeProblem(Problem):
    """A click the round cannot take: ``stale`` (an older message, a doubled click), ``finished``
    (the round is over), ``not_yours`` (someone else's round) or ``not_offered``."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


@dataclass(frozen=True)
class RoundView:
    """What the practice message shows: the comment, where the person is, and after checking,
    the comparison with the reference answer."""

    round_id: int
    version: int
    position: int  # 0-based, among ``total`` (repeats of wrong answers included)
    total: int
    item: PracticeItem
    state: ItemState
    score: Score | None = None
    finished: bool = False
    answered: int = 0  # in this round, when finished
    right: int = 0


@dataclass(frozen=True)
class Results:
    rounds: int
    shares: dict[str, tuple[int, int]]  # category -> (answered, right)
    to_practise: list[str]


_banks: dict[tuple[str, str], PracticeBank] = {}


def bank_for(policy: Policy, policy_file: str | Path | None = None) -> PracticeBank:
    """The practice bank checked against ``policy`` (read once per policy version)."""
    key = (policy.version, str(policy_file or ""))
    if key not in _banks:
        _banks[key] = load_bank(policy, policy_file)
    return _banks[key]


@use_case
def start_round(session: Session, bank: PracticeBank, *, team_id: str, user_id: str, size: int,
                now: datetime) -> RoundView:
    """A new round for the person (an unfinished one ends): wrong answers of earlier rounds first."""
    for row in store.open_rounds(session, team_id=team_id, user_id=user_id):
        row.finished_at = now
        store.save_round(session, row)
    history = [Answer(a.item_id, a.reference, a.right, a.answered_at)
               for a in store.answers_of(session, team_id=team_id, user_id=user_id)]
    queue = rules.compose_round(bank, history, size, seed=int(now.timestamp()))
    row = store.add_round(session, team_id=team_id, user_id=user_id, queue=json.dumps(queue), now=now)
    return _view(row, bank)


@use_case
def click(session: Session, policy: Policy, bank: PracticeBank, *, team_id: str, user_id: str,
          round_id: int, version: int, move: Click, now: datetime) -> RoundView:
    """One click on a practice message; raises :class:`PracticeProblem` or
    :class:`storage.scope.NotInWorkspace` for a click that is not this person's to make."""
    row = owned(store.round_row(session, round_id=round_id, for_update=True),
                kind="practice round", row_id=round_id, team_id=team_id)
    if row is None or row.user_id != user_id:
        raise PracticeProblem("not_yours")
    if row.finished_at is not None:
        raise PracticeProblem("finished")
    if row.version != version:
        raise PracticeProblem("stale")
    item = _current(row, bank)
    state = _state(row)
    try:
        after = rules.apply(policy, state, move)
    except rules.NotOffered:
        raise PracticeProblem("not_offered") from None
    row.version += 1
    if move.move is Move.STOP:
        row.finished_at = now
        store.save_round(session, row)
        return _finished(session, row, bank)
    if move.move is Move.NEXT:
        row.position += 1
        row.node_id, row.clicked, row.checked = rules.ItemState().node_id, "", False
        if row.position >= len(_queue(row)):
            row.finished_at = now
            store.save_round(session, row)
            return _finished(session, row, bank)
        store.save_round(session, row)
        return _view(row, bank)
    row.node_id, row.clicked, row.checked = after.node_id, ",".join(after.clicked), after.checked
    score = None
    if move.move is Move.CHECK:
        score = rules.score(policy, item, after.node_id, after.clicked)
        store.add_answer(session, PracticeAnswer(
            round_id=row.id, team_id=team_id, user_id=user_id, item_id=item.id,
            reference=item.reference, chosen=after.node_id, right=score.category_right,
            sentiment_right=score.sentiment_right, against=len(score.against), answered_at=now))
        if not score.category_right:
            row.queue = json.dumps(rules.requeue(_queue(row), row.position, item.id))
    store.save_round(session, row)
    return dataclasses.replace(_view(row, bank), score=score)


@use_case
def results(session: Session, *, team_id: str, user_id: str, policy: Policy) -> Results:
    """The person's own results: rounds, share right per category, the categories to practise."""
    answers = [Answer(a.item_id, a.reference, a.right, a.answered_at)
               for a in store.answers_of(session, team_id=team_id, user_id=user_id)]
    shares = rules.category_shares(answers)
    return Results(rounds=store.rounds_finished(session, team_id=team_id, user_id=user_id),
                   shares=shares, to_practise=rules.to_practise(shares, categories(policy)))


@use_case
def team_totals(session: Session, *, team_id: str) -> dict[str, tuple[int, int]]:
    """The team's totals per category, for a lead: never per person."""
    return store.team_totals(session, team_id=team_id)


@use_case
def erase_person(session: Session, *, team_id: str, user_id: str) -> int:
    """Erase someone's practice data (they left the workspace, or a lead asked)."""
    erased = store.erase_user(session, team_id=team_id, user_id=user_id)
    logger.info("practice data of %s erased: %d rows", user_id, erased)
    return erased


def _queue(row: PracticeRound) -> list[str]:
    return json.loads(row.queue)


def _state(row: PracticeRound) -> ItemState:
    clicked = tuple(a for a in row.clicked.split(",") if a)
    return ItemState(node_id=row.node_id, clicked=clicked, checked=row.checked)


def _current(row: PracticeRound, bank: PracticeBank) -> PracticeItem:
    queue = _queue(row)
    for item_id in queue[row.position:] + queue[:row.position]:
        item = bank.item(item_id)
        if item is not None:  # a comment the municipality removed since is skipped
            return item
    return bank.items[0]


def _view(row: PracticeRound, bank: PracticeBank) -> RoundView:
    return RoundView(round_id=row.id, version=row.version, position=row.position,
                     total=len(_queue(row)), item=_current(row, bank), state=_state(row))


def _finished(session: Session, row: PracticeRound, bank: PracticeBank) -> RoundView:
    answers = [a for a in store.answers_of(session, team_id=row.team_id, user_id=row.user_id)
               if a.round_id == row.id]
    return dataclasses.replace(_view(row, bank), finished=True, answered=len(answers),
                               right=sum(1 for a in answers if a.right))
