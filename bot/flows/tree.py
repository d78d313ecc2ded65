"""Walking the decision tree: what a click does to a case, decided from the policy alone."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from bot.flows.policy import Policy

OPEN = "open"
CLOSED = "closed"

# Decision-log notes that mark how a guarded action went; None means it was simply done.
#
# A guarded action (one with a warning, a requirement such as a screenshot, or flagged
# irreversible) is clicked *before* it is carried out on the platform, and logged twice:
#   "requested"          the intent: the team read the warning and is about to do it
#   "waived_<required>"  (optional) the team deliberately goes on without the requirement
#   "confirmed"          the confirmation: done on the platform, with its requirement met, or
#   "without_<required>" the confirmation of an action done deliberately without its requirement
# "cancelled" drops the intent. Rows written before "confirmed" existed carry no note.
REQUESTED = "requested"
CONFIRMED = "confirmed"
CANCELLED = "cancelled"
WAIVED = "waived_"  # followed by the requirement the team chose to go without
WITHOUT = "without_"  # followed by the skipped requirement, e.g. "without_evidence"

# Action ids the code adds to the log besides the policy's own actions.
BACK = "back"
CLOSE = "close"
REOPEN = "reopen"
STAFF_SUPPORT = "staff_support"


class Move(str, enum.Enum):
    GOTO = "goto"  # to a child node
    ACTION = "act"  # one of the node's recommended actions
    CONFIRM = "confirm"  # a guarded action was carried out on the platform, after its warning
    SKIP = "skip"  # go on with a guarded action without its requirement, explicitly
    CANCEL = "cancel"  # drop a guarded action
    BACK = "back"
    CLOSE = "close"
    REOPEN = "reopen"
    STAFF = "staff"  # a staff member is personally targeted: offer support


class Refusal(enum.Enum):
    """Why a click does nothing; each has a text in the translation layer (``refusal.<value>``)."""

    CLOSED = "closed"
    NOT_OPEN = "not_closed"
    NOT_HERE = "not_here"  # the button belongs to another step (an old message, or a newer bot)
    AT_ROOT = "at_root"
    NOTHING_PENDING = "nothing_pending"
    NEEDS_EVIDENCE_FILE = "needs_evidence_file"
    REQUIREMENT_MISSING = "requirement_missing"


class Refused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class CaseState:
    node_id: str
    status: str = OPEN
    pending_action: str | None = None
    done_actions: frozenset[str] = frozenset()
    has_evidence_file: bool = False
    requirement_waived: bool = False  # the pending action goes on without its requirement


@dataclass(frozen=True)
class Click:
    move: Move
    target: str | None = None  # a node id, an action id, or the targeted staff member's user id


@dataclass(frozen=True)
class Record:
    """One decision-log row to write."""

    node_id: str
    action_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Outcome:
    state: CaseState
    records: tuple[Record, ...]
    origin: str | None = None  # set when the click chose where the post was made
    support_user: str | None = None  # a staff member to send the support contacts to


def is_done(note: str | None) -> bool:
    """Whether a decision-log row with this note records an action as carried out."""
    return note is None or note == CONFIRMED or note.startswith(WITHOUT)


def done_actions(rows: list[Record]) -> frozenset[str]:
    """The actions carried out on a case, read back from its decision log."""
    return frozenset(r.action_id for r in rows if r.action_id is not None and is_done(r.note))


def requirement_waived(rows: list[Record], pending_action: str | None) -> bool:
    """Whether the team chose to go on without the requirement since it last asked for the
    pending action."""
    if pending_action is None:
        return False
    for row in reversed(rows):
        if row.action_id != pending_action or row.note is None:
            continue
        if row.note.startswith(WAIVED):
            return True
        if row.note == REQUESTED:
            return False
    return False


def is_guarded(policy: Policy, action_id: str) -> bool:
    """An action clicked before it is carried out: it warns, needs something first, or cannot
    simply be undone."""
    action = policy.actions[action_id]
    return action.warning is not None or action.requires is not None or action.irreversible


def decide(policy: Policy, state: CaseState, click: Click) -> Outcome:
    """What ``click`` does to a case in ``state``; raises :class:`Refused` when it cannot apply."""
    if click.move is Move.REOPEN:
        if state.status != CLOSED:
            raise Refused(Refusal.NOT_OPEN)
        new = _replace(state, status=OPEN)
        return Outcome(new, (Record(state.node_id, REOPEN),))
    if state.status == CLOSED:
        raise Refused(Refusal.CLOSED)

    node = policy.node(state.node_id)
    if click.move is Move.GOTO:
        if click.target not in node.children:
            raise Refused(Refusal.NOT_HERE)
        new = _replace(state, node_id=click.target, pending_action=None)
        origin = click.target if state.node_id == "origin" else None
        return Outcome(new, (Record(click.target),), origin=origin)

    if click.move is Move.BACK:
        parent = policy.parent(state.node_id)
        if parent is None:
            raise Refused(Refusal.AT_ROOT)
        return Outcome(_replace(state, node_id=parent, pending_action=None), (Record(parent, BACK),))

    if click.move is Move.CLOSE:
        new = _replace(state, status=CLOSED, pending_action=None)
        return Outcome(new, (Record(state.node_id, CLOSE),))

    if click.move is Move.STAFF:
        if not policy.staff_check(state.node_id) or not click.target:
            raise Refused(Refusal.NOT_HERE)
        record = Record(state.node_id, STAFF_SUPPORT, note=click.target)
        return Outcome(state, (record,), support_user=click.target)

    offered = {a.id: a for a in policy.actions_on(state.node_id)}
    if state.pending_action is not None:
        # The guard of a pending action offers its requirement (evidence) even where the node
        # itself does not list it.
        required = policy.actions[state.pending_action].requires
        if required is not None:
            offered.setdefault(required, policy.actions[required])
    action = offered.get(click.target or "")
    if action is None:
        raise Refused(Refusal.NOT_HERE)

    if click.move is Move.ACTION:
        if action.id == "evidence" and not state.has_evidence_file:
            raise Refused(Refusal.NEEDS_EVIDENCE_FILE)
        if is_guarded(policy, action.id):
            new = _replace(state, pending_action=action.id, requirement_waived=False)
            return Outcome(new, (Record(state.node_id, action.id, REQUESTED),))
        done = state.done_actions | {action.id}
        return Outcome(_replace(state, done_actions=done), (Record(state.node_id, action.id),))

    if state.pending_action != action.id:
        raise Refused(Refusal.NOTHING_PENDING)
    if click.move is Move.CANCEL:
        new = _replace(state, pending_action=None, requirement_waived=False)
        return Outcome(new, (Record(state.node_id, action.id, CANCELLED),))
    missing = action.requires is not None and action.requires not in state.done_actions
    if click.move is Move.SKIP:
        if not missing or state.requirement_waived:
            raise Refused(Refusal.NOT_HERE)
        new = _replace(state, requirement_waived=True)
        return Outcome(new, (Record(state.node_id, action.id, WAIVED + action.requires),))
    # Move.CONFIRM: done on the platform, after the warning and the requirement (or its waiver).
    if missing and not state.requirement_waived:
        raise Refused(Refusal.REQUIREMENT_MISSING)
    note = WITHOUT + action.requires if missing else CONFIRMED
    new = _replace(state, pending_action=None, requirement_waived=False,
                   done_actions=state.done_actions | {action.id})
    return Outcome(new, (Record(state.node_id, action.id, note),))


def offered_moves(policy: Policy, state: CaseState) -> list[Click]:
    """Every click the case's message offers in ``state`` (the renderer draws exactly these)."""
    if state.status == CLOSED:
        return [Click(Move.REOPEN)]
    node = policy.node(state.node_id)
    clicks: list[Click] = []
    if state.pending_action is not None:
        action = policy.actions[state.pending_action]
        missing = action.requires is not None and action.requires not in state.done_actions
        if missing and not state.requirement_waived:
            clicks.append(Click(Move.ACTION, action.requires))
            clicks.append(Click(Move.SKIP, action.id))
        else:
            clicks.append(Click(Move.CONFIRM, action.id))
        clicks.append(Click(Move.CANCEL, action.id))
    else:
        clicks += [Click(Move.GOTO, child) for child in node.children]
        clicks += [Click(Move.ACTION, a.id) for a in policy.actions_on(node.id)]
        if policy.staff_check(node.id):
            clicks.append(Click(Move.STAFF))
    if policy.parent(node.id) is not None:
        clicks.append(Click(Move.BACK))
    clicks.append(Click(Move.CLOSE))
    return clicks


def _replace(state: CaseState, **changes: object) -> CaseState:
    return dataclasses.replace(state, **changes)


def timed_checks(node_id: str, action_id: str | None) -> tuple[str, ...]:
    """Checks to plan after a decision: ``monitor`` looks at the thread again after some hours;
    a reply asking to rephrase (conduct) is checked after 24 hours, to delete if not rephrased."""
    if action_id == "monitor":
        return ("monitor",)
    if node_id == "negative.conduct" and action_id in ("reply_public", "reply_private"):
        return ("conduct_check",)
    return ()
