"""Practising the tree on made-up comments: what a round holds, what a click does, how an answer
scores. Pure rules over the policy and the practice bank; nothing here touches a real case.

Scoring follows the guide, not a quiz: the right category is what counts, the right sentiment
earns partial credit (a hartluchter taken for a conduct violation is closer than one taken for a
compliment), the steps the guide expects are listed, and the steps it advises against (deleting
without a screenshot, striking a hartluchter, answering a bot) are named. There is no timer and no
ranking: rewarding speed trains hasty moderation.
"""

from __future__ import annotations

import dataclasses
import enum
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from bot.flows import tree
from bot.flows.policy import ROOT, Policy, PracticeBank, PracticeItem

DEFAULT_SIZE = 10
MAX_SIZE = 20
REPEAT_GAP = 3  # a comment answered wrongly comes back this many comments later
MAX_REPEATS = 2  # ... at most this often within one round
# Steps that act against the author or the post: clicked where the guide does not offer them for
# the comment's category, they are advised against (a strike for a hartluchter, hiding sympathy).
SANCTIONS = ("hide", "delete", "block", "strike")
FULL, PARTIAL, NONE = 1.0, 0.5, 0.0
PRACTISE_BELOW = 0.7  # a category answered right less often than this is one to practise


class Move(str, enum.Enum):
    GOTO = tree.Move.GOTO.value
    ACTION = tree.Move.ACTION.value
    BACK = tree.Move.BACK.value
    CHECK = "check"  # compare with the reference answer
    NEXT = "next"
    STOP = "stop"


@dataclass(frozen=True)
class Click:
    move: Move
    target: str | None = None


@dataclass(frozen=True)
class ItemState:
    """Where the person is with one comment: the node, the steps clicked in order, checked or not."""

    node_id: str = ROOT
    clicked: tuple[str, ...] = ()
    checked: bool = False


class NotOffered(Exception):
    """The click is not one the practice message offers now (an old message, or a forged value)."""


# --- one comment ----------------------------------------------------------------------------------


def offered(policy: Policy, state: ItemState) -> list[Click]:
    """The clicks a practice message offers: the same steps as a real case's message (the tree's
    own ``offered_moves`` from the same policy), without closing or staff support, and "check"
    once a category is chosen; after checking, next and stop."""
    if state.checked:
        return [Click(Move.NEXT), Click(Move.STOP)]
    clicks = []
    for click in tree.offered_moves(policy, tree.CaseState(node_id=state.node_id)):
        if click.move in (tree.Move.GOTO, tree.Move.ACTION, tree.Move.BACK):
            clicks.append(Click(Move(click.move.value), click.target))
    if is_category(policy, state.node_id):
        clicks.append(Click(Move.CHECK))
    clicks.append(Click(Move.STOP))
    return clicks


def is_category(policy: Policy, node_id: str) -> bool:
    return not policy.node(node_id).children


def apply(policy: Policy, state: ItemState, click: Click) -> ItemState:
    """The state after ``click``; raises :class:`NotOffered` for a click not offered now. A step
    clicked twice is taken back (a practice answer is a choice, not a log)."""
    if click not in offered(policy, state):
        raise NotOffered(click.move.value)
    if click.move is Move.GOTO:
        return ItemState(node_id=click.target)
    if click.move is Move.BACK:
        return ItemState(node_id=policy.parent(state.node_id) or ROOT)
    if click.move is Move.ACTION:
        if click.target in state.clicked:
            return dataclasses.replace(state, clicked=tuple(a for a in state.clicked if a != click.target))
        return dataclasses.replace(state, clicked=state.clicked + (click.target,))
    if click.move is Move.CHECK:
        return dataclasses.replace(state, checked=True)
    return state  # NEXT and STOP move the round, not the comment


# --- scoring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Against:
    """A step clicked that the guide advises against, and why: ``avoid`` (for this comment),
    ``not_offered`` (a sanction the category does not offer), ``without`` (before ``requires``)."""

    action: str
    reason: str
    requires: str | None = None


@dataclass(frozen=True)
class Score:
    chosen: str
    reference: str
    category_right: bool
    sentiment_right: bool
    points: float
    expected: tuple[str, ...]  # what the guide expects for the reference category
    expected_clicked: tuple[str, ...]
    missed: tuple[str, ...]
    against: tuple[Against, ...]


def sentiment_of(policy: Policy, node_id: str) -> str:
    """The branch a category hangs under: negative, neutral, positive or external."""
    path = policy.path_to(node_id)
    return path[2] if len(path) > 2 and path[1] == "own" else path[min(1, len(path) - 1)]


def score(policy: Policy, item: PracticeItem, chosen: str, clicked: Sequence[str]) -> Score:
    reference = item.reference
    right = chosen == reference
    same_branch = sentiment_of(policy, chosen) == sentiment_of(policy, reference)
    offered_now = {a.id for a in policy.actions_on(reference)}
    expected = tuple(s for s in item.expected if s in offered_now) or item.expected
    reference_offers = {ref.id for ref in policy.node(reference).actions}
    against: list[Against] = []
    for position, action_id in enumerate(clicked):
        if action_id in item.avoid:
            against.append(Against(action_id, "avoid"))
        elif action_id in SANCTIONS and action_id not in reference_offers:
            against.append(Against(action_id, "not_offered"))
        requires = policy.actions[action_id].requires
        if requires is not None and requires not in clicked[:position]:
            against.append(Against(action_id, "without", requires))
    return Score(
        chosen=chosen,
        reference=reference,
        category_right=right,
        sentiment_right=same_branch,
        points=FULL if right else PARTIAL if same_branch else NONE,
        expected=expected,
        expected_clicked=tuple(s for s in expected if s in clicked),
        missed=tuple(s for s in expected if s not in clicked),
        against=tuple(against),
    )


# --- rounds and spaced repetition -----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One earlier practice answer of the person (or, for team totals, of anyone: no name)."""

    item_id: str
    reference: str
    right: bool
    at: datetime


def parse_size(text: str) -> int | None:
    """``/oefenen 5``: a round of 5 (1 to MAX_SIZE); None when the text is not a number."""
    word = text.strip()
    if not word.isdigit() or len(word) > 3:
        return None
    return max(1, min(int(word), MAX_SIZE))


def compose_round(bank: PracticeBank, history: Iterable[Answer], size: int = DEFAULT_SIZE, *,
                  seed: int = 0) -> list[str]:
    """The comments of a new round, in order. First those the person answered wrongly last time
    (oldest first), then comments not yet seen, then those answered right least often and longest
    ago. Within each group the weakest categories come first; ties are shuffled by ``seed``."""
    last: dict[str, Answer] = {}
    streak: Counter[str] = Counter()
    for answer in sorted(history, key=lambda a: a.at):
        last[answer.item_id] = answer
        streak[answer.item_id] = streak[answer.item_id] + 1 if answer.right else 0
    weak = category_shares(last.values())
    rng = random.Random(seed)
    shuffled = list(bank.ids)
    rng.shuffle(shuffled)
    order = {item_id: i for i, item_id in enumerate(shuffled)}

    def rank(item: PracticeItem) -> tuple:
        seen = last.get(item.id)
        share = weak.get(item.reference, (0, 0))
        ratio = share[1] / share[0] if share[0] else 0.0
        if seen is not None and not seen.right:
            return (0, seen.at.timestamp(), order[item.id])
        if seen is None:
            return (1, ratio, order[item.id])
        return (2, streak[item.id], seen.at.timestamp(), order[item.id])

    ranked = sorted(bank.items, key=rank)
    chosen: list[str] = []
    used: Counter[str] = Counter()
    # Those answered wrongly first, whatever their category; then spread the categories: no
    # category twice while another still has a candidate.
    for _ in range(min(size, len(ranked))):
        pick = min(ranked, key=lambda item: (rank(item)[0] > 0, used[item.reference], rank(item)))
        ranked.remove(pick)
        used[pick.reference] += 1
        chosen.append(pick.id)
    return chosen


def requeue(queue: Sequence[str], position: int, item_id: str) -> list[str]:
    """After a wrong answer at ``position``: the comment comes back REPEAT_GAP comments later (or
    last), at most MAX_REPEATS extra times in one round."""
    items = list(queue)
    if items.count(item_id) > MAX_REPEATS:
        return items
    items.insert(min(position + 1 + REPEAT_GAP, len(items)), item_id)
    return items


# --- results --------------------------------------------------------------------------------------


def category_shares(answers: Iterable[Answer]) -> dict[str, tuple[int, int]]:
    """Per category: (answered, answered right)."""
    totals: dict[str, list[int]] = {}
    for answer in answers:
        counts = totals.setdefault(answer.reference, [0, 0])
        counts[0] += 1
        counts[1] += int(answer.right)
    return {category: (n, right) for category, (n, right) in totals.items()}


def to_practise(shares: dict[str, tuple[int, int]], categories: Sequence[str]) -> list[str]:
    """The categories to practise: answered right less than PRACTISE_BELOW of the time; weakest
    first, then the tree's order."""
    def share(category: str) -> float:
        n, right = shares.get(category, (0, 0))
        return right / n if n else -1.0

    weak = [c for c in categories if c in shares and share(c) < PRACTISE_BELOW]
    return sorted(weak, key=lambda c: (share(c), categories.index(c)))
