"""Who is in a channel, asked of Slack and remembered for a minute, so the normal path costs no
extra Slack call per click."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

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
