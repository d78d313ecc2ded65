"""Slack's mrkdwn, the one rule for every text the bot sends: what a person typed is escaped, only
the markup the bot builds itself is live.

Slack reads ``&``, ``<`` and ``>`` as control characters in mrkdwn text and in a message's
top-level ``text``: ``<!channel>``, ``<!here>``, ``<@U…>``, ``<#C…>`` and ``<https://…|label>``
ping people and disguise links. Escaped as ``&amp;``, ``&lt;`` and ``&gt;`` they are shown as
typed, and nothing else is decoded, so nothing more is escaped.

:class:`Mrkdwn` marks text that is already safe mrkdwn: escaped text, a mention or link built
here, or a translated text (the translation layer escapes every value it fills in unless it is
:class:`Mrkdwn`, see :mod:`bot.core.i18n`). So a value that was never escaped cannot reach Slack live by
being forgotten: it is escaped at the boundary, and only these builders make markup.
"""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import urlsplit


class Mrkdwn(str):
    """Text that is safe to send as mrkdwn as it is (escaped, or markup built by this module)."""

    __slots__ = ()


_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,20}$")
_LINK_SCHEMES = ("https", "http")


def escape(text: object) -> Mrkdwn:
    """Slack's three control characters; what remains cannot mention, link or ping. Text that is
    already :class:`Mrkdwn` is returned as it is (never escaped twice)."""
    if isinstance(text, Mrkdwn):
        return text
    value = str(text)
    return Mrkdwn(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def is_user_id(value: object) -> bool:
    return isinstance(value, str) and bool(_USER_ID.match(value))


def is_channel_id(value: object) -> bool:
    return isinstance(value, str) and bool(_CHANNEL_ID.match(value))


def mention(user_id: str) -> Mrkdwn:
    """``<@U…>`` for a well-formed user id; anything else is shown as text, pinging nobody."""
    if is_user_id(user_id):
        return Mrkdwn(f"<@{user_id}>")
    return escape(user_id)


def mentions(user_ids: Iterable[str], separator: str = ", ") -> Mrkdwn:
    return Mrkdwn(escape(separator).join(mention(u) for u in user_ids))


def channel(channel_id: str) -> Mrkdwn:
    """``<#C…>`` for a well-formed channel id; anything else is shown as text."""
    if is_channel_id(channel_id):
        return Mrkdwn(f"<#{channel_id}>")
    return escape(channel_id)


def safe_url(url: object) -> str | None:
    """The URL when it may be a live link: http(s), a host, no spaces or mrkdwn control
    characters (which would end the link early or start another one); else None."""
    if not isinstance(url, str) or not url or len(url) > 3000:
        return None
    if any(c in url for c in "<>|") or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.netloc:
        return None
    return url


def link(url: str, label: object) -> Mrkdwn:
    """``<url|label>`` with the label escaped; a URL that may not be live leaves the label alone."""
    target = safe_url(url)
    text = escape(label)
    if target is None:
        return text
    return Mrkdwn(f"<{target.replace('&', '&amp;')}|{text}>")


def join(parts: Iterable[object], separator: str = "\n") -> Mrkdwn:
    """Parts joined, each escaped unless it is already :class:`Mrkdwn`."""
    return Mrkdwn(escape(separator).join(escape(p) for p in parts))


def unescape_links(text: str) -> str:
    """Slack's message text made readable as plain text: link markup to its address, and the
    three escaped characters back (the post as a question for the route form)."""
    return re.sub(r"<(https?://[^|>]+)(?:\|[^>]*)?>", r"\1", text or "").replace("&amp;", "&") \
        .replace("&lt;", "<").replace("&gt;", ">")
