"""Who is in a channel, asked of Slack and remembered for a minute, so the normal path costs no
extra Slack call per click."""

from __future__ import annotations

import logging
import re
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


# A Slack user id as Slack writes it: U… or W… (Enterprise Grid), capitals and digits only.
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def is_colleague(client: WebClient, user_id: object) -> bool:
    """Whether a user id a client sent is a real person's: well formed, known to Slack
    (``users.info``), not deactivated and not a bot. Anything else is refused, never used."""
    if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id) or user_id == "USLACKBOT":
        return False
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return False
    return (isinstance(user, dict) and user.get("id") == user_id and not user.get("deleted")
            and not user.get("is_bot"))


def is_deactivated(client: WebClient, user: str) -> bool:
    """Whether Slack says the account is deactivated (or cannot say whose it is)."""
    try:
        return bool(client.users_info(user=user)["user"].get("deleted"))
    except SlackApiError:
        return True
