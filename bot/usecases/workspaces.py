"""Use cases of the workspaces one deployment serves, one transaction each.

Uninstalling (``app_uninstalled``, or the bot's token revoked) stops all work for the workspace
at once and schedules its data for erasure when the retention period has passed; installing
again before then cancels the erasure. In token mode there is no "Add to Slack" to come back
through: a valid token for the workspace, at start-up or on the next request served, lifts the
uninstall and cancels the erasure, and the leads are told in a direct message.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.flows.policy import read_policy
from bot.flows.strikes import add_months
from bot.usecases.transaction import use_case
from storage import jobs as job_store
from storage import workspaces as store
from storage.models import Erasure, Workspace as WorkspaceRow

logger = logging.getLogger(__name__)

UNINSTALLED = "cancelled:uninstalled"
ERASURE_CANCELLED, STARTS_AFRESH = "erasure_cancelled", "starts_afresh"


def channel_list(text: str) -> tuple[str, ...]:
    return tuple(item for item in (part.strip() for part in text.split(",")) if item)


@use_case
def installed(session: Session, *, team_id: str, name: str, installer: str,
              channel_id: str | None, language: str, now: datetime) -> WorkspaceRow:
    """Record an installation: a new workspace, or one that comes back (its erasure cancelled)
    or adds a channel. The first installer stays the workspace's first lead."""
    row = store.workspace(session, team_id=team_id)
    if row is None:
        row = WorkspaceRow(team_id=team_id, installed_by=installer, installed_at=now,
                           language=language)
    elif row.erased_at is not None:  # its data is gone: it starts afresh
        row.installed_by, row.installed_at, row.erased_at, row.intake_channels = installer, now, None, ""
    row.name = (name or "")[:200]
    row.uninstalled_at = row.erase_after = None
    channels = channel_list(row.intake_channels)
    if channel_id and channel_id not in channels:
        row.intake_channels = ",".join((*channels, channel_id))
    session.add(row)
    session.flush()
    session.refresh(row)
    logger.info("workspace %s installed", team_id)
    return row


@use_case
def uninstalled(session: Session, *, team_id: str, retention_months: int, now: datetime) -> datetime:
    """Stop all work for a workspace and schedule its data for erasure; returns when."""
    erase_after = add_months(now, retention_months)
    row = store.workspace(session, team_id=team_id)
    if row is None:  # token mode, or installed before this bot kept workspaces
        row = WorkspaceRow(team_id=team_id, installed_by="", installed_at=now)
    if row.uninstalled_at is None:
        row.uninstalled_at, row.erase_after = now, erase_after
    session.add(row)
    cancelled = job_store.cancel_jobs(session, team_id=team_id, now=now, outcome=UNINSTALLED)
    logger.info("workspace %s uninstalled: %s pending jobs cancelled, data erased after %s",
                team_id, cancelled, erase_after.date().isoformat())
    return erase_after


@use_case
def reinstated(session: Session, *, team_id: str, now: datetime) -> str | None:
    """Token mode: the bot's token works again in a workspace that was uninstalled. The uninstall
    is lifted: :data:`ERASURE_CANCELLED` when its erasure was still to come, :data:`STARTS_AFRESH`
    when its data were already erased; None when it was not uninstalled."""
    row = store.workspace(session, team_id=team_id)
    if row is None or row.uninstalled_at is None:
        return None
    outcome = ERASURE_CANCELLED if row.erased_at is None else STARTS_AFRESH
    # Conditional: of two processes starting at once, one lifts it (and tells the leads).
    if not store.lift_uninstall(session, team_id=team_id):
        return None
    logger.info("workspace %s: a valid token again, uninstall lifted (%s)", team_id, outcome)
    return outcome


@use_case
def erase_departed(session: Session, *, now: datetime) -> int:
    """Erase every row of the workspaces whose erasure date has come; returns how many."""
    rows = store.due_for_erasure(session, now=now)
    for row in rows:
        deleted = store.delete_team_data(session, team_id=row.team_id)
        row.erased_at, row.policy, row.name = now, None, ""
        session.add(row)
        session.add(Erasure(team_id=row.team_id, reason="workspace", erased_at=now,
                            cases=deleted["case"], strikes=deleted["strike"]))
    if rows:
        logger.info("erased the data of %s uninstalled workspaces", len(rows))
    return len(rows)


@use_case
def configure(session: Session, *, team_id: str, intake_channels: tuple[str, ...] | None = None,
              language: str | None = None, policy: str | None = None,
              default_policy: bool = False) -> WorkspaceRow:
    """Change a workspace's settings (the operator's ``python -m bot.workspaces``; its refusals
    are the operator's, in English, not a Slack user's)."""
    row = store.workspace(session, team_id=team_id)
    if row is None:
        raise LookupError(f"no workspace {team_id} has installed the bot")
    if intake_channels is not None:
        row.intake_channels = ",".join(intake_channels)
    if language is not None:
        row.language = language
    if policy is not None:
        read_policy(policy.encode("utf-8"))  # a policy that does not load is never stored
        row.policy = policy
    if default_policy:
        row.policy = None
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


@use_case
def listing(session: Session) -> list[WorkspaceRow]:
    return store.every_workspace(session)


@use_case
def departed(session: Session) -> set[str]:
    return store.departed_team_ids(session)


@use_case
def served(session: Session) -> list[WorkspaceRow]:
    """The workspaces this deployment serves now."""
    return store.served(session)


@use_case
def workspace_of(session: Session, *, team_id: str) -> WorkspaceRow | None:
    return store.workspace(session, team_id=team_id)
