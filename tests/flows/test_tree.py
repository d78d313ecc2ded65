"""The decision tree as the code walks it: what every click does to a case, from the bundled policy.

Pure tests: no Slack, no database. States are built with ``CaseState(...)`` directly; the policy is
loaded once for the module, and variants with other switches are made with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.policy import ACTION_IDS, NODE_IDS, ROOT, SWITCHES, Policy, load_policy
from bot.flows.tree import (
    BACK,
    CANCELLED,
    CLOSE,
    CLOSED,
    CONFIRMED,
    OPEN,
    REOPEN,
    REQUESTED,
    STAFF_SUPPORT,
    WAIVED,
    WITHOUT,
    CaseState,
    Click,
    Move,
    Outcome,
    Record,
    Refusal,
    Refused,
    decide,
    done_actions,
    offered_moves,
    requirement_waived,
)

POLICY = load_policy()

CODE_ACTIONS = frozenset({BACK, CLOSE, REOPEN, STAFF_SUPPORT})
STAFF_USER = "U0FAKESTAFF1"  # a made-up Slack user id for the targeted staff member
OTHER_USER = "U0FAKESTAFF2"

ALL_SWITCH_SETTINGS = [
    dict(zip(sorted(SWITCHES), values))
    for values in itertools.product((False, True), repeat=len(SWITCHES))
]


def with_switches(policy: Policy, **changes: bool) -> Policy:
    return dataclasses.replace(policy, switches={**policy.switches, **changes})


def is_guarded(policy: Policy, action_id: str) -> bool:
    action = policy.actions[action_id]
    return action.warning is not None or action.requires is not None or action.irreversible


def refusal(policy: Policy, state: CaseState, click: Click) -> Refusal:
    with pytest.raises(Refused) as caught:
        decide(policy, state, click)
    return caught.value.reason


def real_click(click: Click) -> Click:
    """The click a user actually sends for an offered one: the staff picker carries a user id."""
    if click.move is Move.STAFF:
        return Click(Move.STAFF, STAFF_USER)
    return click


def leaves(policy: Policy) -> list[str]:
    return sorted(n for n, node in policy.nodes.items() if not node.children)


def nodes_offering(policy: Policy, action_id: str) -> list[str]:
    return sorted(n for n in policy.nodes if any(a.id == action_id for a in policy.actions_on(n)))


def check_outcome(policy: Policy, state: CaseState, click: Click, outcome: Outcome) -> None:
    """What holds for every accepted click."""
    assert isinstance(outcome, Outcome)
    assert outcome.records, f"{click} on {state} wrote no record"
    allowed = policy.actions.keys() | CODE_ACTIONS
    for record in outcome.records:
        assert record.node_id in policy.nodes, record
        if click.move is Move.GOTO:
            assert record == Record(click.target)
        else:
            assert record.action_id in allowed, record
    assert outcome.state.node_id in policy.nodes
    if click.move is Move.GOTO and state.node_id == ROOT:
        assert outcome.origin == click.target
    else:
        assert outcome.origin is None
    if click.move is not Move.STAFF:
        assert outcome.support_user is None


# ---------------------------------------------------------------------------------------------
# The whole tree, every path, every click
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Walk:
    visited: set[str] = dataclasses.field(default_factory=set)
    offered_actions: set[str] = dataclasses.field(default_factory=set)
    exercised_actions: set[str] = dataclasses.field(default_factory=set)
    outcomes: int = 0


def _apply(policy: Policy, walk: Walk, state: CaseState, click: Click) -> Outcome:
    assert click in offered_moves(policy, state) or click.move in (Move.STAFF, Move.REOPEN), (
        f"{click} is not offered in {state}"
    )
    outcome = decide(policy, state, click)
    check_outcome(policy, state, click, outcome)
    walk.outcomes += 1
    return outcome


def _exercise_guard(policy: Policy, walk: Walk, node_id: str, action_id: str) -> None:
    action = policy.actions[action_id]
    required = action.requires
    start = CaseState(node_id)

    # ACTION -> pending, logged as requested.
    asked = _apply(policy, walk, start, Click(Move.ACTION, action_id))
    assert asked.state.pending_action == action_id
    assert asked.state.done_actions == frozenset()
    assert asked.records == (Record(node_id, action_id, REQUESTED),)
    guard = offered_moves(policy, asked.state)
    assert Click(Move.CANCEL, action_id) in guard
    assert not [c for c in guard if c.move in (Move.GOTO, Move.STAFF)]
    if required is not None:
        assert Click(Move.ACTION, required) in guard
        assert Click(Move.SKIP, action_id) in guard
        assert Click(Move.CONFIRM, action_id) not in guard
    else:
        assert Click(Move.CONFIRM, action_id) in guard

    # CANCEL -> nothing pending, nothing done.
    cancelled = _apply(policy, walk, asked.state, Click(Move.CANCEL, action_id))
    assert cancelled.state.pending_action is None
    assert cancelled.state.done_actions == frozenset()
    assert cancelled.records == (Record(node_id, action_id, CANCELLED),)

    # ACTION again, then SKIP the requirement and CONFIRM (or CONFIRM when there is none).
    again = _apply(policy, walk, cancelled.state, Click(Move.ACTION, action_id))
    assert again.state.pending_action == action_id
    log = asked.records + cancelled.records + again.records
    if required is not None:
        # Going on without the requirement is a decision of its own, before the act: the
        # action is still pending and not done; only the confirmation afterwards does it.
        waived = _apply(policy, walk, again.state, Click(Move.SKIP, action_id))
        assert waived.records == (Record(node_id, action_id, WAIVED + required),)
        assert waived.state.pending_action == action_id
        assert waived.state.done_actions == frozenset()
        assert waived.state.requirement_waived
        assert requirement_waived(list(log + waived.records), action_id)
        guard = offered_moves(policy, waived.state)
        assert Click(Move.CONFIRM, action_id) in guard
        assert Click(Move.SKIP, action_id) not in guard
        log += waived.records
        skipped = _apply(policy, walk, waived.state, Click(Move.CONFIRM, action_id))
        assert skipped.records == (Record(node_id, action_id, WITHOUT + required),)
        if required == "evidence":
            assert skipped.records[0].note == "without_evidence"
    else:
        skipped = _apply(policy, walk, again.state, Click(Move.CONFIRM, action_id))
        assert skipped.records == (Record(node_id, action_id, CONFIRMED),)
    assert skipped.state.pending_action is None
    assert not skipped.state.requirement_waived
    assert skipped.state.done_actions == {action_id}
    log += skipped.records
    assert done_actions(list(log)) == skipped.state.done_actions
    assert not requirement_waived(list(log), None)
    walk.exercised_actions.add(action_id)

    if required is None:
        return

    # With the requirement done first (on the node itself), CONFIRM records a plain decision.
    state = CaseState(node_id, has_evidence_file=True)
    log = ()
    if required in {a.id for a in policy.actions_on(node_id)}:
        first = _apply(policy, walk, state, Click(Move.ACTION, required))
        assert first.records == (Record(node_id, required),)
        log += first.records
        state = first.state
        walk.exercised_actions.add(required)
    asked = _apply(policy, walk, state, Click(Move.ACTION, action_id))
    log += asked.records
    if required not in asked.state.done_actions:
        # The guard offers the requirement even where the node does not list it.
        inside = _apply(policy, walk, asked.state, Click(Move.ACTION, required))
        log += inside.records
        asked = inside
    assert required in asked.state.done_actions
    guard = offered_moves(policy, asked.state)
    assert Click(Move.CONFIRM, action_id) in guard
    assert Click(Move.SKIP, action_id) not in guard
    confirmed = _apply(policy, walk, asked.state, Click(Move.CONFIRM, action_id))
    assert confirmed.records == (Record(node_id, action_id, CONFIRMED),)
    assert confirmed.state.pending_action is None
    assert confirmed.state.done_actions == {required, action_id}
    log += confirmed.records
    assert done_actions(list(log)) == confirmed.state.done_actions

    # The requirement can also be done from inside the guard, then confirmed.
    asked = _apply(policy, walk, CaseState(node_id, has_evidence_file=True),
                   Click(Move.ACTION, action_id))
    inside = _apply(policy, walk, asked.state, Click(Move.ACTION, required))
    assert inside.state.pending_action == action_id
    assert inside.records == (Record(node_id, required),)
    confirmed = _apply(policy, walk, inside.state, Click(Move.CONFIRM, action_id))
    assert confirmed.records == (Record(node_id, action_id, CONFIRMED),)


def _visit(policy: Policy, walk: Walk, state: CaseState) -> None:
    node_id = state.node_id
    assert node_id not in walk.visited, f"{node_id} reached twice: the tree has a cycle"
    walk.visited.add(node_id)
    for click in offered_moves(policy, state):
        if click.move is Move.GOTO:
            outcome = _apply(policy, walk, state, click)
            assert outcome.state == dataclasses.replace(state, node_id=click.target)
            _visit(policy, walk, outcome.state)
        elif click.move is Move.BACK:
            outcome = _apply(policy, walk, state, click)
            assert outcome.state.node_id == policy.parent(node_id)
            assert outcome.records == (Record(policy.parent(node_id), BACK),)
        elif click.move is Move.CLOSE:
            outcome = _apply(policy, walk, state, click)
            assert outcome.state.status == CLOSED
            assert outcome.records == (Record(node_id, CLOSE),)
            assert offered_moves(policy, outcome.state) == [Click(Move.REOPEN)]
            reopened = _apply(policy, walk, outcome.state, Click(Move.REOPEN))
            assert reopened.state == state
            assert reopened.records == (Record(node_id, REOPEN),)
        elif click.move is Move.STAFF:
            outcome = _apply(policy, walk, state, real_click(click))
            assert outcome.state == state
            assert outcome.support_user == STAFF_USER
        elif click.move is Move.ACTION:
            walk.offered_actions.add(click.target)
            if is_guarded(policy, click.target):
                _exercise_guard(policy, walk, node_id, click.target)
                continue
            if click.target == "evidence":
                assert refusal(policy, state, click) is Refusal.NEEDS_EVIDENCE_FILE
            ready = dataclasses.replace(state, has_evidence_file=True)
            outcome = _apply(policy, walk, ready, click)
            assert outcome.records == (Record(node_id, click.target),)
            assert outcome.state == dataclasses.replace(
                ready, done_actions=ready.done_actions | {click.target}
            )
            walk.exercised_actions.add(click.target)
        else:  # pragma: no cover - a state without anything pending offers no guard moves
            pytest.fail(f"unexpected {click} offered in {state}")


def walk_tree(policy: Policy) -> Walk:
    walk = Walk()
    _visit(policy, walk, CaseState(ROOT))
    return walk


def test_walk_every_path_of_the_bundled_policy() -> None:
    walk = walk_tree(POLICY)
    assert walk.visited == set(POLICY.nodes) == NODE_IDS
    assert walk.offered_actions, "the walk offered no action at all"
    assert walk.exercised_actions == walk.offered_actions
    assert walk.offered_actions <= ACTION_IDS
    # Under the default switches only the switched-off political/commercial actions stay unused.
    assert "delete" in walk.offered_actions and "evidence" in walk.offered_actions
    assert walk.outcomes > 100


@pytest.mark.parametrize(
    "switches", ALL_SWITCH_SETTINGS, ids=lambda s: "+".join(k for k, v in s.items() if v) or "none"
)
def test_walk_every_path_under_every_switch_setting(switches: dict[str, bool]) -> None:
    walk = walk_tree(dataclasses.replace(POLICY, switches=switches))
    assert walk.visited == NODE_IDS
    assert walk.exercised_actions == walk.offered_actions


def test_every_action_a_node_names_is_offered_under_some_switch_setting() -> None:
    named = {ref.id for node in POLICY.nodes.values() for ref in node.actions}
    offered: set[str] = set()
    for switches in ALL_SWITCH_SETTINGS:
        offered |= walk_tree(dataclasses.replace(POLICY, switches=switches)).offered_actions
    assert offered == named


# ---------------------------------------------------------------------------------------------
# BACK, GOTO and actions that belong elsewhere
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("node_id", sorted(NODE_IDS - {ROOT}))
def test_back_returns_to_the_parent_and_records_back(node_id: str) -> None:
    parent = POLICY.parent(node_id)
    assert parent is not None and node_id in POLICY.node(parent).children
    state = CaseState(node_id, done_actions=frozenset({"monitor"}), has_evidence_file=True)
    outcome = decide(POLICY, state, Click(Move.BACK))
    assert outcome.state == dataclasses.replace(state, node_id=parent)
    assert outcome.records == (Record(parent, BACK),)
    assert outcome.origin is None and outcome.support_user is None


def test_back_drops_a_pending_action() -> None:
    state = CaseState("negative.spam", pending_action="delete")
    outcome = decide(POLICY, state, Click(Move.BACK))
    assert outcome.state == CaseState("negative")
    assert outcome.records == (Record("negative", BACK),)


def test_back_at_the_root_is_refused() -> None:
    assert Click(Move.BACK) not in offered_moves(POLICY, CaseState(ROOT))
    assert refusal(POLICY, CaseState(ROOT), Click(Move.BACK)) is Refusal.AT_ROOT


@pytest.mark.parametrize("node_id", sorted(NODE_IDS))
def test_goto_a_node_that_is_not_a_child_is_refused(node_id: str) -> None:
    children = set(POLICY.node(node_id).children)
    state = CaseState(node_id)
    for other in sorted(NODE_IDS - children) + ["no.such.node", ""]:
        assert refusal(POLICY, state, Click(Move.GOTO, other)) is Refusal.NOT_HERE, other
    assert refusal(POLICY, state, Click(Move.GOTO)) is Refusal.NOT_HERE


def test_a_stale_goto_from_another_step_is_refused() -> None:
    # The message showed "own" (offering negative/neutral/positive); the case has moved on.
    state = CaseState("negative.spam")
    assert refusal(POLICY, state, Click(Move.GOTO, "neutral")) is Refusal.NOT_HERE
    state = CaseState("external")
    assert refusal(POLICY, state, Click(Move.GOTO, "negative")) is Refusal.NOT_HERE


@pytest.mark.parametrize("node_id", sorted(NODE_IDS))
def test_an_action_not_offered_on_the_node_is_refused(node_id: str) -> None:
    offered = {a.id for a in POLICY.actions_on(node_id)}
    state = CaseState(node_id, has_evidence_file=True)
    for action_id in sorted((ACTION_IDS | CODE_ACTIONS | {"no_such_action", ""}) - offered):
        assert refusal(POLICY, state, Click(Move.ACTION, action_id)) is Refusal.NOT_HERE, action_id
    assert refusal(POLICY, state, Click(Move.ACTION)) is Refusal.NOT_HERE


def test_an_action_switched_off_is_refused() -> None:
    off = with_switches(POLICY, remove_political=False)
    state = CaseState("neutral.political", has_evidence_file=True)
    for action_id in ("hide", "delete", "evidence"):
        assert refusal(off, state, Click(Move.ACTION, action_id)) is Refusal.NOT_HERE


# ---------------------------------------------------------------------------------------------
# The origin
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", POLICY.node(ROOT).children)
def test_the_first_choice_sets_the_origin(choice: str) -> None:
    assert set(POLICY.node(ROOT).children) == {"own", "external"}
    outcome = decide(POLICY, CaseState(ROOT), Click(Move.GOTO, choice))
    assert outcome.origin == choice
    assert outcome.state.node_id == choice
    assert outcome.records == (Record(choice),)


def test_later_choices_do_not_set_the_origin() -> None:
    for parent_id, node in POLICY.nodes.items():
        if parent_id == ROOT:
            continue
        for child in node.children:
            outcome = decide(POLICY, CaseState(parent_id), Click(Move.GOTO, child))
            assert outcome.origin is None, (parent_id, child)


def test_other_clicks_never_set_the_origin() -> None:
    state = CaseState(ROOT)
    assert decide(POLICY, state, Click(Move.CLOSE)).origin is None
    closed = decide(POLICY, state, Click(Move.CLOSE)).state
    assert decide(POLICY, closed, Click(Move.REOPEN)).origin is None
    assert decide(POLICY, CaseState("own"), Click(Move.BACK)).origin is None


# ---------------------------------------------------------------------------------------------
# Close and reopen
# ---------------------------------------------------------------------------------------------


def _every_click() -> list[Click]:
    targets = sorted(NODE_IDS | ACTION_IDS) + [None, STAFF_USER]
    return [Click(move, target) for move in Move if move is not Move.REOPEN for target in targets]


@pytest.mark.parametrize("node_id", sorted(NODE_IDS))
def test_a_closed_case_refuses_every_click_but_reopen(node_id: str) -> None:
    closed = decide(POLICY, CaseState(node_id), Click(Move.CLOSE))
    assert closed.state == CaseState(node_id, status=CLOSED)
    assert closed.records == (Record(node_id, CLOSE),)
    assert offered_moves(POLICY, closed.state) == [Click(Move.REOPEN)]
    for click in _every_click():
        assert refusal(POLICY, closed.state, click) is Refusal.CLOSED, click
    reopened = decide(POLICY, closed.state, Click(Move.REOPEN))
    assert reopened.state == CaseState(node_id, status=OPEN)
    assert reopened.records == (Record(node_id, REOPEN),)


def test_close_drops_a_pending_action_and_keeps_what_was_done() -> None:
    state = CaseState("negative.punishable", pending_action="delete",
                      done_actions=frozenset({"evidence"}), has_evidence_file=True)
    closed = decide(POLICY, state, Click(Move.CLOSE))
    assert closed.state == dataclasses.replace(state, status=CLOSED, pending_action=None)
    assert refusal(POLICY, closed.state, Click(Move.CONFIRM, "delete")) is Refusal.CLOSED
    reopened = decide(POLICY, closed.state, Click(Move.REOPEN))
    assert reopened.state == dataclasses.replace(state, pending_action=None)


@pytest.mark.parametrize("node_id", sorted(NODE_IDS))
def test_reopen_on_an_open_case_is_refused(node_id: str) -> None:
    assert Click(Move.REOPEN) not in offered_moves(POLICY, CaseState(node_id))
    assert refusal(POLICY, CaseState(node_id), Click(Move.REOPEN)) is Refusal.NOT_OPEN
    pending = CaseState("negative.privacy", pending_action="delete")
    assert refusal(POLICY, pending, Click(Move.REOPEN)) is Refusal.NOT_OPEN


# ---------------------------------------------------------------------------------------------
# Evidence and the guard of delete
# ---------------------------------------------------------------------------------------------

EVIDENCE_NODES = nodes_offering(POLICY, "evidence")
DELETE_NODES = nodes_offering(POLICY, "delete")


def test_the_bundled_policy_guards_delete_with_evidence() -> None:
    delete = POLICY.actions["delete"]
    assert delete.requires == "evidence" and delete.warning is not None
    assert DELETE_NODES and EVIDENCE_NODES


@pytest.mark.parametrize("node_id", EVIDENCE_NODES)
def test_evidence_without_a_file_is_refused(node_id: str) -> None:
    click = Click(Move.ACTION, "evidence")
    assert refusal(POLICY, CaseState(node_id), click) is Refusal.NEEDS_EVIDENCE_FILE
    outcome = decide(POLICY, CaseState(node_id, has_evidence_file=True), click)
    assert outcome.records == (Record(node_id, "evidence"),)
    assert outcome.state.done_actions == {"evidence"}


@pytest.mark.parametrize("node_id", DELETE_NODES)
def test_evidence_inside_the_guard_without_a_file_is_refused(node_id: str) -> None:
    pending = CaseState(node_id, pending_action="delete")
    assert Click(Move.ACTION, "evidence") in offered_moves(POLICY, pending)
    assert refusal(POLICY, pending, Click(Move.ACTION, "evidence")) is Refusal.NEEDS_EVIDENCE_FILE


@pytest.mark.parametrize("node_id", DELETE_NODES)
def test_confirm_delete_without_evidence_is_refused(node_id: str) -> None:
    for has_file in (False, True):
        pending = CaseState(node_id, pending_action="delete", has_evidence_file=has_file)
        assert Click(Move.CONFIRM, "delete") not in offered_moves(POLICY, pending)
        assert refusal(POLICY, pending, Click(Move.CONFIRM, "delete")) is Refusal.REQUIREMENT_MISSING


@pytest.mark.parametrize("node_id", DELETE_NODES)
@pytest.mark.parametrize("move", [Move.CONFIRM, Move.SKIP, Move.CANCEL])
def test_guard_moves_without_anything_pending_are_refused(node_id: str, move: Move) -> None:
    state = CaseState(node_id, done_actions=frozenset({"evidence"}), has_evidence_file=True)
    assert refusal(POLICY, state, Click(move, "delete")) is Refusal.NOTHING_PENDING


@pytest.mark.parametrize("move", [Move.CONFIRM, Move.SKIP, Move.CANCEL])
def test_guard_moves_for_another_action_than_the_pending_one_are_refused(move: Move) -> None:
    state = CaseState("negative.spam", pending_action="delete", has_evidence_file=True)
    for action_id in ("evidence", "hide"):
        assert refusal(POLICY, state, Click(move, action_id)) is Refusal.NOTHING_PENDING


def test_the_guard_offers_evidence_where_the_node_does_not_list_it() -> None:
    node = POLICY.node("negative.spam")
    stripped = dataclasses.replace(node, actions=tuple(r for r in node.actions if r.id != "evidence"))
    policy = dataclasses.replace(POLICY, nodes={**POLICY.nodes, node.id: stripped})
    state = CaseState(node.id, has_evidence_file=True)
    assert "evidence" not in _offered_actions(policy, node.id)
    assert refusal(policy, state, Click(Move.ACTION, "evidence")) is Refusal.NOT_HERE
    walk = walk_tree(policy)
    assert walk.exercised_actions == walk.offered_actions
    pending = decide(policy, state, Click(Move.ACTION, "delete")).state
    assert Click(Move.ACTION, "evidence") in offered_moves(policy, pending)
    done = decide(policy, pending, Click(Move.ACTION, "evidence"))
    assert done.state.done_actions == {"evidence"} and done.state.pending_action == "delete"
    confirmed = decide(policy, done.state, Click(Move.CONFIRM, "delete"))
    assert confirmed.records == (Record(node.id, "delete", CONFIRMED),)


def test_skip_after_evidence_was_done_is_refused_the_confirmation_is_what_is_left() -> None:
    state = CaseState("negative.spam", pending_action="delete",
                      done_actions=frozenset({"evidence"}), has_evidence_file=True)
    assert refusal(POLICY, state, Click(Move.SKIP, "delete")) is Refusal.NOT_HERE
    assert Click(Move.CONFIRM, "delete") in offered_moves(POLICY, state)


def test_going_on_without_a_screenshot_is_asked_once_and_does_not_delete() -> None:
    state = CaseState("negative.spam", pending_action="delete")
    waived = decide(POLICY, state, Click(Move.SKIP, "delete"))
    assert waived.state.pending_action == "delete" and "delete" not in waived.state.done_actions
    assert refusal(POLICY, waived.state, Click(Move.SKIP, "delete")) is Refusal.NOT_HERE
    assert Click(Move.ACTION, "evidence") not in offered_moves(POLICY, waived.state)
    cancelled = decide(POLICY, waived.state, Click(Move.CANCEL, "delete"))
    assert not cancelled.state.requirement_waived and cancelled.state.pending_action is None
    # Asking again starts from scratch: the earlier waiver does not carry over.
    again = decide(POLICY, cancelled.state, Click(Move.ACTION, "delete"))
    assert not again.state.requirement_waived
    assert refusal(POLICY, again.state, Click(Move.CONFIRM, "delete")) is Refusal.REQUIREMENT_MISSING
    log = [*waived.records, *cancelled.records, *again.records]
    assert not requirement_waived([Record("negative.spam", "delete", REQUESTED), *log], "delete")


@pytest.mark.parametrize("action_id", ["delete", "block"])
def test_irreversible_steps_are_clicked_before_they_are_done(action_id: str) -> None:
    """Deleting and blocking: the click announces the intent; only the confirmation does it."""
    assert POLICY.actions[action_id].irreversible
    node_id = next(n.id for n in POLICY.nodes.values()
                   if action_id in {a.id for a in POLICY.actions_on(n.id)})
    intent = decide(POLICY, CaseState(node_id, has_evidence_file=True), Click(Move.ACTION, action_id))
    assert intent.records == (Record(node_id, action_id, REQUESTED),)
    assert action_id not in intent.state.done_actions
    state = intent.state
    if POLICY.actions[action_id].requires:
        state = decide(POLICY, state, Click(Move.ACTION, POLICY.actions[action_id].requires)).state
    confirmed = decide(POLICY, state, Click(Move.CONFIRM, action_id))
    assert confirmed.records == (Record(node_id, action_id, CONFIRMED),)
    assert action_id in confirmed.state.done_actions


def test_rows_written_before_confirmed_existed_still_count_as_done() -> None:
    n = "negative.spam"
    assert done_actions([Record(n, "delete", REQUESTED), Record(n, "delete", None)]) == {"delete"}
    assert done_actions([Record(n, "delete", REQUESTED), Record(n, "delete", WAIVED + "evidence")]) \
        == frozenset()


# ---------------------------------------------------------------------------------------------
# A staff member personally targeted
# ---------------------------------------------------------------------------------------------

# Every negative case, and external.privacy (a colleague's personal data in a group).
NEGATIVE_NODES = {"negative", "external.privacy"} | set(POLICY.node("negative").children)


@pytest.mark.parametrize("node_id", sorted(NODE_IDS))
def test_staff_support_is_offered_exactly_on_negative_nodes(node_id: str) -> None:
    state = CaseState(node_id)
    offered = Click(Move.STAFF) in offered_moves(POLICY, state)
    click = Click(Move.STAFF, STAFF_USER)
    if node_id in NEGATIVE_NODES:
        assert offered
        outcome = decide(POLICY, state, click)
        assert outcome.state == state
        assert outcome.records == (Record(node_id, STAFF_SUPPORT, STAFF_USER),)
        assert outcome.support_user == STAFF_USER
        assert outcome.origin is None
        for empty in (None, ""):
            assert refusal(POLICY, state, Click(Move.STAFF, empty)) is Refusal.NOT_HERE
    else:
        assert not offered
        assert refusal(POLICY, state, click) is Refusal.NOT_HERE


def test_staff_support_is_not_counted_as_a_done_action() -> None:
    state = CaseState("negative.conduct")
    first = decide(POLICY, state, Click(Move.STAFF, STAFF_USER))
    second = decide(POLICY, first.state, Click(Move.STAFF, OTHER_USER))
    assert second.support_user == OTHER_USER
    assert done_actions(list(first.records + second.records)) == frozenset()


# ---------------------------------------------------------------------------------------------
# Reading done actions back from the decision log
# ---------------------------------------------------------------------------------------------


def test_done_actions_counts_plain_and_without_records_only() -> None:
    n = "negative.punishable"
    rows = [
        Record(n),
        Record(n, "evidence"),
        Record(n, "hide"),
        Record(n, "delete", REQUESTED),
        Record(n, "delete", CANCELLED),
        Record(n, "block", REQUESTED),
        Record(n, "strike", CANCELLED),
        Record(n, "warn", WITHOUT + "evidence"),
    ]
    assert done_actions(rows) == {"evidence", "hide", "warn"}


def test_done_actions_of_a_guard_that_was_only_requested_or_cancelled_is_empty() -> None:
    n = "negative.privacy"
    assert done_actions([]) == frozenset()
    assert done_actions([Record(n, "delete", REQUESTED)]) == frozenset()
    assert done_actions([Record(n, "delete", REQUESTED), Record(n, "delete", CANCELLED)]) == frozenset()
    assert done_actions([Record(n, "delete", REQUESTED), Record(n, "delete", "without_evidence")]) == {
        "delete"
    }


# ---------------------------------------------------------------------------------------------
# Switches of the code of conduct
# ---------------------------------------------------------------------------------------------


def _offered_actions(policy: Policy, node_id: str) -> set[str]:
    return {c.target for c in offered_moves(policy, CaseState(node_id)) if c.move is Move.ACTION}


def test_political_posts_can_be_removed_only_with_remove_political_on() -> None:
    on = with_switches(POLICY, remove_political=True)
    off = with_switches(POLICY, remove_political=False)
    assert {"hide", "delete"} <= _offered_actions(on, "neutral.political")
    assert not {"hide", "delete"} & _offered_actions(off, "neutral.political")
    assert "monitor" in _offered_actions(off, "neutral.political")
    state = CaseState("neutral.political", has_evidence_file=True)
    assert decide(on, state, Click(Move.ACTION, "hide")).records == (
        Record("neutral.political", "hide"),
    )
    assert decide(on, state, Click(Move.ACTION, "delete")).state.pending_action == "delete"
    for action_id in ("hide", "delete"):
        assert refusal(off, state, Click(Move.ACTION, action_id)) is Refusal.NOT_HERE


def test_compliments_get_a_reaction_only_with_react_to_compliments_on() -> None:
    on = with_switches(POLICY, react_to_compliments=True)
    off = with_switches(POLICY, react_to_compliments=False)
    assert {"like", "reply_public"} <= _offered_actions(on, "positive.compliment")
    assert not {"like", "reply_public"} & _offered_actions(off, "positive.compliment")
    assert _offered_actions(off, "positive.compliment"), "the node must still offer something"
    state = CaseState("positive.compliment")
    for action_id in ("like", "reply_public"):
        assert decide(on, state, Click(Move.ACTION, action_id)).records == (
            Record("positive.compliment", action_id),
        )
        assert refusal(off, state, Click(Move.ACTION, action_id)) is Refusal.NOT_HERE


def test_switches_only_change_their_own_nodes() -> None:
    political = {"neutral.political"}
    compliment = {"positive.compliment"}
    for node_id in sorted(NODE_IDS - political - compliment - {"neutral.commercial"}):
        base = _offered_actions(POLICY, node_id)
        for switches in ALL_SWITCH_SETTINGS:
            assert _offered_actions(dataclasses.replace(POLICY, switches=switches), node_id) == base


# ---------------------------------------------------------------------------------------------
# Property: whatever the renderer draws, decide accepts
# ---------------------------------------------------------------------------------------------


def _check_offered_are_accepted(policy: Policy, state: CaseState) -> list[tuple[Click, Outcome]]:
    accepted = []
    for click in offered_moves(policy, state):
        click = real_click(click)
        if click == Click(Move.ACTION, "evidence") and not state.has_evidence_file:
            # The button is drawn so the team is told to attach the screenshot first.
            assert refusal(policy, state, click) is Refusal.NEEDS_EVIDENCE_FILE
            continue
        outcome = decide(policy, state, click)  # must not raise Refused
        check_outcome(policy, state, click, outcome)
        accepted.append((click, outcome))
    return accepted


def test_offered_clicks_are_accepted_in_every_state_two_clicks_deep() -> None:
    """Breadth-first from every node, pending or not, with and without a file: two clicks deep."""
    starts = []
    for node_id in NODE_IDS:
        for has_file in (False, True):
            starts.append(CaseState(node_id, has_evidence_file=has_file))
            starts.append(CaseState(node_id, status=CLOSED, has_evidence_file=has_file))
            for action_id in {a.id for a in POLICY.actions_on(node_id)}:
                if is_guarded(POLICY, action_id):
                    starts.append(CaseState(node_id, pending_action=action_id,
                                            has_evidence_file=has_file))
    seen = set()
    frontier = starts
    for _ in range(3):
        next_frontier = []
        for state in frontier:
            if state in seen:
                continue
            seen.add(state)
            next_frontier += [o.state for _, o in _check_offered_are_accepted(POLICY, state)]
        frontier = next_frontier
    assert len(seen) > 200


@settings(max_examples=100, deadline=None)
@given(
    switches=st.sampled_from(ALL_SWITCH_SETTINGS),
    has_file=st.booleans(),
    choices=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40),
)
def test_offered_clicks_are_accepted_along_random_walks(
    switches: dict[str, bool], has_file: bool, choices: list[int]
) -> None:
    policy = dataclasses.replace(POLICY, switches=switches)
    state = CaseState(ROOT, has_evidence_file=has_file)
    log: list[Record] = []
    for choice in choices:
        accepted = _check_offered_are_accepted(policy, state)
        assert accepted, f"nothing can be clicked in {state}"
        _, outcome = accepted[choice % len(accepted)]
        log += outcome.records
        state = outcome.state
        # The log read back gives the same done actions as the live state.
        assert done_actions(log) & policy.actions.keys() == state.done_actions
