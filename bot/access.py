"""Who someone is to the bot (team member, lead, antenna), for the table in bot.flows.permissions.

Team membership is membership of an intake channel, asked of Slack and remembered for a minute,
so the normal path costs no extra Slack call per click.
"""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import routing, strikes
from bot.flows.permissions import ALLOWED, Act, Role, allowed

logger = logging.getLogger(__name__)

MEMBERS_TTL = 60.0  # seconds a channel's member list is trusted


class MemberCache:
    def __init__(self, ttl: float = MEMBERS_TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    def members(self, client: WebClient, channel: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._members.get(channel)
            if cached is not None and cached[0] > now:
                return cached[1]
        found: set[str] = set()
        cursor = None
        try:
            while True:
                response = client.conversations_members(channel=channel, limit=1000, cursor=cursor)
                found.update(response.get("members") or [])
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as error:
            logger.warning("cannot read the members of %s (%s): nobody is let in on a guess",
                           channel, error.response.get("error"))
            return frozenset()
        result = frozenset(found)
        with self._lock:
            self._members[channel] = (now + self.ttl, result)
        return result


def roles(deps, client: WebClient, *, team_id: str, user_id: str, needed: frozenset[Role]) -> set[Role]:
    """The roles of ``user_id`` among ``needed`` (only those are looked up)."""
    found: set[Role] = set()
    if Role.TEAM in needed and any(
        user_id in deps.members.members(client, channel) for channel in deps.workspace.intake_channels
    ):
        found.add(Role.TEAM)
    if Role.LEAD in needed and not found:
        lead = strikes.is_lead(deps.engine, team_id=team_id, user_id=user_id)
        seeds = deps.workspace.lead_user_ids
        if not lead and user_id in seeds:  # a lead named in the settings, perhaps seen first now
            strikes.note_seed_seen(deps.engine, team_id=team_id, user_id=user_id, seeds=seeds,
                                   now=deps.clock())
            lead = strikes.is_lead(deps.engine, team_id=team_id, user_id=user_id)
        if lead:
            found.add(Role.LEAD)
    if Role.ANTENNA in needed and not found and routing.is_antenna(
        deps.engine, team_id=team_id, user_id=user_id
    ):
        found.add(Role.ANTENNA)
    return found


def may(deps, client: WebClient, *, team_id: str, user_id: str, act: Act) -> bool:
    return allowed(act, roles(deps, client, team_id=team_id, user_id=user_id, needed=ALLOWED[act]))
