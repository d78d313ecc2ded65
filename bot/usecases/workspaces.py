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

import sqlalchemy as sa
from sqlmodel import Session

from bot.flows.policy import read_policy
from bot.flows.strikes import add_months
from storage import jobs as job_store
from storage import workspaces as store
from storage.db import run_in_transaction
from storage.models import Erasure, Workspace as WorkspaceRow

logger = logging.getLogger(__name__)

UNINSTALLED = "cancelled:uninstalled"
ERASURE_CANCELLED, STARTS_AFRESH = "erasure_cancelled", "starts_afresh"


def channel_list(text: str) -> tuple[str, ...]:
    return tuple(item for item in (part.strip() for part in text.split(",")) if item)


def installed(engine: sa.Engine, *, team_id: str, name: str, installer: str,
              channel_id: str | None, language: str, now: datetime) -> WorkspaceRow:
    """Record an installation: a new workspace, or one that comes back (its erasure cancelled)
    or adds a channel. The first installer stays the workspace's first lead."""

    def work(session: Session) -> WorkspaceRow:
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
        return row

    row = run_in_transaction(engine, work)
    logger.info("workspace %s installed", team_id)
    return row


def uninstalled(engine: sa.Engine, *, team_id: str, retention_months: int, now: datetime) -> datetime:
    """Stop all work for a workspace and schedule its data for erasure; returns when."""
    erase_after = add_months(now, retention_months)

    def work(session: Session) -> int:
        row = store.workspace(session, team_id=team_id)
        if row is None:  # token mode, or installed before this bot kept workspaces
            row = WorkspaceRow(team_id=team_id, installed_by="", installed_at=now)
        if row.uninstalled_at is None:
            row.uninstalled_at, row.erase_after = now, erase_after
        session.add(row)
        return job_store.cancel_jobs(session, team_id=team_id, now=now, outcome=UNINSTALLED)

    cancelled = run_in_transaction(engine, work)
    logger.info("workspace %s uninstalled: %s pending jobs cancelled, data erased after %s",
                team_id, cancelled, erase_after.date().isoformat())
    return erase_after


def reinstated(engine: sa.Engine, *, team_id: str, now: datetime) -> str | None:
    """Token mode: the bot's token works again in a workspace that was uninstalled. The uninstall
    is lifted: :data:`ERASURE_CANCELLED` when its erasure was still to come, :data:`STARTS_AFRESH`
    when its data were already erased; None when it was not uninstalled."""

    def work(session: Session) -> str | None:
        row = store.workspace(session, team_id=team_id)
        if row is None or row.uninstalled_at is None:
            return None
        outcome = ERASURE_CANCELLED if row.erased_at is None else STARTS_AFRESH
        # Conditional: of two processes starting at once, one lifts it (and tells the leads).
        return outcome if store.lift_uninstall(session, team_id=team_id) else None

    outcome = run_in_transaction(engine, work)
    if outcome is not None:
        logger.info("workspace %s: a valid token again, uninstall lifted (%s)", team_id, outcome)
    return outcome


def erase_departed(engine: sa.Engine, *, now: datetime) -> int:
    """Erase every row of the workspaces whose erasure date has come; returns how many."""

    def work(session: Session) -> int:
        rows = store.due_for_erasure(session, now=now)
        for row in rows:
            deleted = store.delete_team_data(session, team_id=row.team_id)
            row.erased_at, row.policy, row.name = now, None, ""
            session.add(row)
            session.add(Erasure(team_id=row.team_id, reason="workspace", erased_at=now,
                                cases=deleted["case"], strikes=deleted["strike"]))
        return len(rows)

    erased = run_in_transaction(engine, work)
    if erased:
        logger.info("erased the data of %s uninstalled workspaces", erased)
    return erased


def configure(engine: sa.Engine, *, team_id: str, intake_channels: tuple[str, ...] | None = None,
              language: str | None = None, policy: str | None = None,
              default_policy: bool = False) -> WorkspaceRow:
    """Change a workspace's settings (the operator's ``python -m bot.workspaces``)."""

    def work(session: Session) -> WorkspaceRow:
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

    return run_in_transaction(engine, work)


def listing(engine: sa.Engine) -> list[WorkspaceRow]:
    return run_in_transaction(engine, store.every_workspace)


def departed(engine: sa.Engine) -> set[str]:
    return run_in_transaction(engine, store.departed_team_ids)
