"""Use cases of the leads, who keep the strike register: one transaction each.

Who leads is a row in the lead table; a lead named in the settings enters it the first time
they are seen (:func:`note_seed_seen`), never during a permission check's read.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.flows.strikes import StrikeProblem
from bot.usecases.transaction import use_case
from storage import leads as lead_store

logger = logging.getLogger(__name__)

SETTINGS_SEED = "settings"


@use_case(retry_on_conflict=True)  # seen twice at once: the other one wrote it
def note_seed_seen(session: Session, *, team_id: str, user_id: str, seeds: tuple[str, ...],
                   now: datetime) -> bool:
    """A lead named in the settings (LEAD_USER_IDS, or the workspace's installer) is seen for the
    first time: they enter the lead table. Once a row exists nothing changes, so a lead removed
    from Slack stays removed even while still listed in the settings. Returns whether a row was
    written (never for a user who is not in ``seeds``)."""
    if user_id not in seeds:
        return False
    if lead_store.lead_row(session, team_id=team_id, user_id=user_id) is not None:
        return False
    lead_store.add_lead(session, team_id=team_id, user_id=user_id, by=SETTINGS_SEED, now=now)
    return True


@use_case
def is_lead(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether a user leads now (reads only: seed leads enter through :func:`note_seed_seen`)."""
    row = lead_store.lead_row(session, team_id=team_id, user_id=user_id)
    return row is not None and row.removed_at is None


@use_case
def set_lead(session: Session, *, team_id: str, user_id: str, lead: bool, by: str,
             now: datetime) -> bool:
    """Add or remove a lead; False when nothing changed. The last lead cannot remove themselves
    out of existence: someone must be able to review the register."""
    row = lead_store.lead_row(session, team_id=team_id, user_id=user_id)
    current = row is not None and row.removed_at is None
    if current == lead:
        return False
    if lead:
        if row is None:
            lead_store.add_lead(session, team_id=team_id, user_id=user_id, by=by, now=now)
        else:
            lead_store.restore_lead(session, row, by=by, now=now)
    else:
        # Lock the current leads, so two leads removing each other at once cannot both succeed.
        if len(lead_store.current_leads(session, team_id=team_id, for_update=True)) <= 1:
            raise StrikeProblem("leads.error_last_lead")
        lead_store.remove_lead(session, row, by=by, now=now)
    logger.info("lead %s %s by %s", user_id, "added" if lead else "removed", by)
    return True


@use_case
def leads(session: Session, *, team_id: str) -> list[str]:
    """The current leads' user ids."""
    return [row.user_id for row in lead_store.current_leads(session, team_id=team_id)]
