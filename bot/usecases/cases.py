"""Use cases for a case's life: each one is one database transaction.

Handlers call these with plain values and get plain snapshots back to render; the rules come from
:mod:`bot.flows.tree`, the rows from :mod:`storage.cases`.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone

from sqlmodel import Session

from bot.core.problem import Problem
from bot.flows import tree
from bot.flows.intake import Post, guess_platform, normalise_handle
from bot.flows.policy import ROOT, Policy
from bot.flows.prescreen import Rules, ordered
from bot.flows.timing import after_hours
from bot.usecases.transaction import use_case
from storage import cases as store
from storage import jobs as job_store
from storage.models import Author, Case
from bot.usecases import prescreen

logger = logging.getLogger(__name__)

MAX_FILES = 10  # files kept per message: Slack sends a handful, the rest are counted, not kept
FILES_NOT_KEPT = "files_not_kept"  # a decision row saying how many more files were attached


def cap_files(file_ids: tuple[str, ...]) -> tuple[tuple[str, ...], int]:
    """The first ``MAX_FILES`` distinct files of a message, and how many more it listed."""
    distinct = tuple(dict.fromkeys(file_ids))
    return distinct[:MAX_FILES], max(0, len(distinct) - MAX_FILES)


@dataclass(frozen=True)
class Intake:
    """A forwarded post as it arrives, before it is a case."""

    team_id: str
    channel_id: str
    message_ts: str
    via: str  # message | shortcut | form
    text: str
    link: str | None
    forwarded_by: str
    forwarded_at: datetime
    platform: str | None = None  # guessed from the link when not given
    author_handle: str | None = None
    file_ids: tuple[str, ...] = ()
    source_permalink: str | None = None
    comment: str | None = None  # the forwarder's own words beside a shared message

    @classmethod
    def of_post(cls, post: Post, *, files: tuple[str, ...], permalink: str | None = None,
                **where) -> Intake:
        """A post read from a Slack message: its words, link and comment, the message's own
        files before the shared ones, and where it came from (the shared message's link first)."""
        return cls(text=post.text, link=post.link, comment=post.comment,
                   source_permalink=post.permalink or permalink,
                   file_ids=tuple(dict.fromkeys(files + post.file_ids)), **where)


@dataclass(frozen=True)
class HistoryLine:
    """One line of a case's history."""

    node_id: str
    action_id: str | None
    user_id: str
    at: datetime
    note: str | None


@dataclass(frozen=True)
class CaseSnapshot:
    """Everything needed to draw a case's message."""

    id: int
    team_id: str
    channel_id: str
    message_ts: str
    bot_message_ts: str | None
    via: str
    platform: str
    link: str | None
    author_platform: str | None
    author_handle: str | None
    text: str
    forwarded_by: str
    forwarded_at: datetime
    source_permalink: str | None
    origin: str | None
    status: str
    node_id: str
    pending_action: str | None
    version: int
    evidence_files: int
    history: tuple[HistoryLine, ...]
    comment: str | None = None  # the forwarder's own words beside a shared message
    signals: tuple[str, ...] = ()  # the pre-screen's codes, in order (never what it found)
    # Where the case stands in the tree, derived once from the fields above (a redraw reads it
    # for every button): not an argument, and not compared, since the fields above decide it.
    state: tree.CaseState = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows = [tree.Record(s.node_id, s.action_id, s.note) for s in self.history]
        object.__setattr__(self, "state", tree.CaseState(
            node_id=self.node_id,
            status=self.status,
            pending_action=self.pending_action,
            done_actions=tree.done_actions(rows),
            has_evidence_file=self.evidence_files > 0,
            requirement_waived=tree.requirement_waived(rows, self.pending_action),
        ))


@dataclass(frozen=True)
class ClickResult:
    case: CaseSnapshot
    refusal: tree.Refusal | None = None
    stale: bool = False  # somebody else clicked first: the case has moved on
    support_user: str | None = None


class CaseNotFound(Problem):
    """No such case (any more) in this workspace: the button or form that named it is outdated."""

    def __init__(self, case_id: object = None) -> None:
        super().__init__("refusal.outdated")
        self.case_id = case_id


@use_case(retry_on_conflict=True)  # two deliveries of one event raced: the other one created the case
def open_case(session: Session, intake: Intake, *, policy_version: str = "",
              screening: Rules | None = None) -> tuple[CaseSnapshot, bool]:
    """The case for a forwarded post, and whether it is new (a retried event finds the first).
    Of a post's files the first ``MAX_FILES`` are kept; the case's log says how many more came."""
    kept, more = cap_files(intake.file_ids)
    existing = store.case_id_by_message(
        session, team_id=intake.team_id, channel_id=intake.channel_id,
        message_ts=intake.message_ts,
    )
    if existing is not None:
        return read_case(session, team_id=intake.team_id, case_id=existing), False
    platform = intake.platform or guess_platform(intake.link)
    author = None
    handle = normalise_handle(platform, intake.author_handle) if intake.author_handle else None
    if handle:
        author = store.get_or_add_author(
            session, team_id=intake.team_id, platform=platform, handle=handle
        )
    case = store.add_case(
        session,
        Case(
            team_id=intake.team_id,
            channel_id=intake.channel_id,
            message_ts=intake.message_ts,
            via=intake.via,
            source_permalink=intake.source_permalink,
            platform=platform,
            link=intake.link,
            author_id=author.id if author else None,
            text=intake.text,
            comment=intake.comment or None,
            forwarded_by=intake.forwarded_by,
            forwarded_at=intake.forwarded_at,
            node_id=ROOT,
        ),
    )
    files = store.add_evidence(
        session, case_id=case.id, file_ids=kept, user_id=intake.forwarded_by,
        at=intake.forwarded_at, case_is_new=True,
    )
    history: tuple[HistoryLine, ...] = ()
    if more:
        note = f"files:{more}"
        store.add_decisions(session, [
            {"case_id": case.id, "node_id": ROOT, "action_id": FILES_NOT_KEPT,
             "user_id": intake.forwarded_by, "decided_at": intake.forwarded_at,
             "policy_version": policy_version, "note": note}])
        history = (HistoryLine(ROOT, FILES_NOT_KEPT, intake.forwarded_by,
                        intake.forwarded_at.astimezone(timezone.utc), note),)
    signals = prescreen.screen_new(session, screening, case_id=case.id, intake=intake)
    # Everything the new case holds was written just now: no need to read it back.
    logger.info("case %s opened via %s in %s", case.id, intake.via, intake.channel_id)
    return _new_snapshot(case, author, evidence_files=len(files), history=history,
                         signals=signals), True


@use_case
def take_shared_words(session: Session, *, team_id: str, channel_id: str, message_ts: str, was: str,
                      text: str, link: str | None, comment: str | None, permalink: str | None,
                      screening: Rules | None = None) -> bool:
    """Slack unfurls a pasted link to a Slack message only after the message was posted (as an
    edit). The case opened from it then gets the shared message's words, as long as its post is
    still what the link alone gave: not erased, not otherwise changed. Returns whether it did."""
    taken = store.take_shared_words(session, team_id=team_id, channel_id=channel_id,
                                   message_ts=message_ts, was=was, text=text, comment=comment,
                                   source_permalink=permalink, link=link,
                                   platform=guess_platform(link))
    if taken:
        prescreen.screen_again(session, screening, team_id=team_id, channel_id=channel_id,
                               message_ts=message_ts, own_links=(link, permalink))
        logger.info("the case of %s in %s took the words of the message it links to", message_ts, channel_id)
    return taken


@use_case
def set_bot_message(session: Session, *, team_id: str, case_id: int, ts: str) -> CaseSnapshot:
    """Remember the case's thread message; returns the case as it is now."""
    if not store.set_bot_message(session, team_id=team_id, case_id=case_id, ts=ts):
        raise CaseNotFound(case_id)
    return read_case(session, team_id=team_id, case_id=case_id)


@use_case
def load_case(session: Session, *, team_id: str, case_id: int) -> CaseSnapshot:
    """The case of workspace ``team_id``; raises ``NotInWorkspace`` for another's."""
    case = read_case(session, team_id=team_id, case_id=case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return case


@use_case
def find_case_for_sources(session: Session, *, team_id: str, permalinks: tuple[str, ...]
                          ) -> CaseSnapshot | None:
    """The case that already holds one of these messages (the first found, in order)."""
    for permalink in dict.fromkeys(filter(None, permalinks)):
        case = store.find_case_by_source(session, team_id=team_id, permalink=permalink)
        if case is not None:
            return read_case(session, team_id=team_id, case_id=case.id)
    return None


@use_case
def click(
    session: Session,
    policy: Policy,
    *,
    team_id: str,
    case_id: int,
    version: int,
    click: tree.Click,
    user_id: str,
    now: datetime,
) -> ClickResult:
    """Apply one click: exactly one decision even when the same click arrives twice."""
    # The case is read once: what the click changes is known here, so the case as it is
    # after the click is made from it rather than read back.
    current = read_case(session, team_id=team_id, case_id=case_id, for_update=True)
    if current is None:
        raise CaseNotFound(case_id)
    if current.version != version:
        return ClickResult(current, stale=True)
    if current.node_id not in policy.nodes:
        return ClickResult(current, refusal=tree.Refusal.NOT_HERE)
    try:
        outcome = tree.decide(policy, current.state, click)
    except tree.Refused as refused:
        return ClickResult(current, refusal=refused.reason)
    changes: dict[str, object] = {
        "node_id": outcome.state.node_id,
        "status": outcome.state.status,
        "pending_action": outcome.state.pending_action,
    }
    if outcome.origin is not None:
        changes["origin"] = outcome.origin
    if outcome.state.status != current.status:
        changes["closed_at"] = now if outcome.state.status == tree.CLOSED else None
    if not store.move_case(session, case_id=case_id, expected_version=version, **changes):
        # Another click changed the case between our read and our write (nothing is
        # written yet): this one is stale, against the case as that click left it.
        moved = read_case(session, team_id=team_id, case_id=case_id)
        if moved is None:
            raise CaseNotFound(case_id)
        return ClickResult(moved, stale=True)
    for record in outcome.records:
        for kind in tree.timed_checks(record.node_id, record.action_id if tree.is_done(record.note) else None):
            hours = policy.routing.monitor_hours if kind == "monitor" \
                else policy.routing.conduct_check_hours
            job_store.add_job(session, team_id=current.team_id, kind=kind, ref_id=case_id,
                              created_by=user_id,
                              due_at=after_hours(now, hours, policy.business_hours))
    store.add_decisions(session, [
        {"case_id": case_id, "node_id": record.node_id, "action_id": record.action_id,
         "user_id": user_id, "decided_at": now, "policy_version": policy.version,
         "note": record.note}
        for record in outcome.records
    ])
    decided_at = now.astimezone(timezone.utc)  # as the database gives it back
    after = dataclasses.replace(
        current,
        node_id=outcome.state.node_id,
        status=outcome.state.status,
        pending_action=outcome.state.pending_action,
        origin=outcome.origin if outcome.origin is not None else current.origin,
        version=version + 1,
        history=current.history + tuple(
            HistoryLine(r.node_id, r.action_id, user_id, decided_at, r.note) for r in outcome.records
        ),
    )
    logger.info("case %s: %s %s by %s", case_id, click.move.value, click.target or "", user_id)
    return ClickResult(after, support_user=outcome.support_user)


@use_case(retry_on_conflict=True)  # the same file arrived twice at once
def add_evidence_in_thread(session: Session, policy: Policy, *, team_id: str, channel_id: str,
                           thread_ts: str, file_ids: tuple[str, ...], user_id: str,
                           now: datetime) -> CaseSnapshot | None:
    """Files posted in a thread: evidence when the thread is a case's, else nothing."""
    case_id = store.case_id_by_message(session, team_id=team_id, channel_id=channel_id,
                                       message_ts=thread_ts)
    if case_id is None:
        return None
    return keep_evidence(session, policy, team_id=team_id, case_id=case_id, file_ids=file_ids,
                         user_id=user_id, now=now)


def keep_evidence(
    session: Session,
    policy: Policy,
    *,
    team_id: str,
    case_id: int,
    file_ids: tuple[str, ...],
    user_id: str,
    now: datetime,
) -> CaseSnapshot | None:
    """Files posted in a case's thread are kept as evidence; each new file is one decision. Of
    one message's files the first ``MAX_FILES`` are kept; one more decision counts the rest."""
    kept, more = cap_files(file_ids)
    case = store.case_view(session, team_id=team_id, case_id=case_id, for_update=True)
    if case is None:
        raise CaseNotFound(case_id)
    added = store.add_evidence(
        session, case_id=case_id, file_ids=kept, user_id=user_id, at=now
    )
    if not added and not more:
        return None
    store.add_decisions(session, [
        {"case_id": case_id, "node_id": case.node_id, "action_id": "evidence",
         "user_id": user_id, "decided_at": now, "policy_version": policy.version,
         "note": f"file:{file_id}"}
        for file_id in added
    ] + ([{"case_id": case_id, "node_id": case.node_id, "action_id": FILES_NOT_KEPT,
           "user_id": user_id, "decided_at": now, "policy_version": policy.version,
           "note": f"files:{more}"}] if more else []))
    # A new version: buttons drawn before the evidence came must be redrawn, not trusted.
    store.move_case(session, case_id=case_id, expected_version=case.version)
    return read_case(session, team_id=team_id, case_id=case_id)


add_evidence_from_thread = use_case(retry_on_conflict=True)(keep_evidence)


def read_case(session: Session, *, team_id: str, case_id: int,
              for_update: bool = False) -> CaseSnapshot | None:
    """The case as its message shows it, in two queries (the case, and its decision log), in a
    use case's own transaction; None when there is no such case, ``NotInWorkspace`` when it is
    another workspace's."""
    session.flush()  # Core reads do not flush: what the use case changed as objects goes first
    row = store.case_view(session, team_id=team_id, case_id=case_id, for_update=for_update)
    if row is None:
        return None
    history = tuple(
        HistoryLine(d.node_id, d.action_id, d.user_id, d.decided_at, d.note)
        for d in store.decision_steps(session, case_id=case_id)
    )
    return _snapshot(row, author_platform=row.author_platform, author_handle=row.author_handle,
                     evidence_files=row.evidence_files, history=history,
                     signals=ordered(row.signals.split(",")) if row.signals else ())


def _new_snapshot(case: Case, author: Author | None, *, evidence_files: int,
                  history: tuple[HistoryLine, ...] = (), signals: tuple[str, ...] = ()) -> CaseSnapshot:
    """A case just added, from what was written: no decisions yet but the files not kept."""
    return _snapshot(case, author_platform=author.platform if author else None,
                     author_handle=author.handle if author else None,
                     evidence_files=evidence_files, history=history, signals=signals)


# The snapshot's fields a case row (or the case view's row) holds under the same names.
_CASE_FIELDS = tuple(f.name for f in fields(CaseSnapshot) if f.init and f.name not in (
    "author_platform", "author_handle", "evidence_files", "history", "signals"))


def _snapshot(source, **rest) -> CaseSnapshot:
    return CaseSnapshot(**{name: getattr(source, name) for name in _CASE_FIELDS}, **rest)
