"""Who someone is to the bot (team member, lead, antenna), for the table in bot.flows.permissions.

Team membership is membership of an intake channel (``bot.slack.members``).
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.usecases import antennas, leads
from bot.flows.permissions import ALLOWED, Act, Role, allowed


def roles(deps, client: WebClient, *, team_id: str, user_id: str, needed: frozenset[Role]) -> set[Role]:
    """The roles of ``user_id`` among ``needed`` (only those are looked up)."""
    found: set[Role] = set()
    if Role.TEAM in needed and any(
        user_id in deps.members.members(client, channel) for channel in deps.workspace.intake_channels
    ):
        found.add(Role.TEAM)
    if Role.LEAD in needed and not found:
        lead = leads.is_lead(deps.engine, team_id=team_id, user_id=user_id)
        seeds = deps.workspace.lead_user_ids
        if not lead and user_id in seeds:  # a lead named in the settings, perhaps seen first now
            leads.note_seed_seen(deps.engine, team_id=team_id, user_id=user_id, seeds=seeds,
                                   now=deps.clock())
            lead = leads.is_lead(deps.engine, team_id=team_id, user_id=user_id)
        if lead:
            found.add(Role.LEAD)
    if Role.ANTENNA in needed and not found and antennas.is_antenna(
        deps.engine, team_id=team_id, user_id=user_id
    ):
        found.add(Role.ANTENNA)
    return found


def may(deps, client: WebClient, *, team_id: str, user_id: str, act: Act) -> bool:
    return allowed(act, roles(deps, client, team_id=team_id, user_id=user_id, needed=ALLOWED[act]))
