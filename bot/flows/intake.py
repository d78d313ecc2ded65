"""What a forwarded post is: its link, the platform it came from, and its author's handle."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

PLATFORMS = ("facebook", "instagram", "x", "tiktok", "linkedin", "youtube", "website", "other")

_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.watch", "fb.me"),
    "instagram": ("instagram.com", "instagr.am"),
    "x": ("x.com", "twitter.com", "t.co"),
    "tiktok": ("tiktok.com",),
    "linkedin": ("linkedin.com", "lnkd.in"),
    "youtube": ("youtube.com", "youtu.be"),
}

# Slack sends links as <https://example.org|label> or <https://example.org>.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_PLAIN_LINK = re.compile(r"https?://[^\s<>|]+")
_HANDLE = re.compile(r"^[a-z0-9._\-]{1,100}$")
# Path segments that are parts of a platform, not somebody's profile.
_NOT_PROFILES = frozenset(
    {"groups", "pages", "watch", "events", "share", "p", "reel", "reels", "stories", "status",
     "video", "posts", "photo", "photos", "permalink.php", "story.php", "hashtag", "explore",
     "channel", "c", "user", "shorts", "feed", "company", "search", "home", "intent", "i", "in"}
)


def find_link(text: str) -> str | None:
    """The first web link in a Slack message's text."""
    match = _SLACK_LINK.search(text or "")
    if match:
        # Slack escapes &, < and > in message text, inside links too.
        return match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    match = _PLAIN_LINK.search(text or "")
    return match.group(0).rstrip(".,;:!?)") if match else None


def guess_platform(link: str | None) -> str:
    """The platform a link points at; ``website`` for any other web page, ``other`` for none."""
    if not link:
        return "other"
    try:
        host = (urlsplit(link).hostname or "").lower()
    except ValueError:
        return "other"
    if not host:
        return "other"
    for platform, hosts in _HOSTS.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            return platform
    return "website"


def normalise_handle(platform: str, raw: str) -> str | None:
    """One spelling per person and platform: lower case, no leading @, a profile link made a handle.

    Returns None when nothing that could be a handle is left.
    """
    value = (raw or "").strip()
    if not value or len(value) > 300:
        return None
    if re.match(r"^(https?://)?([\w-]+\.)*[\w-]+\.[a-z]{2,}/", value, re.IGNORECASE):
        if not value.lower().startswith("http"):
            value = "https://" + value
        value = _handle_from_url(value) or ""
    value = value.lstrip("@").strip().lower()
    return value if _HANDLE.match(value) else None


# Short and share links point at a post, never at a person.
_SHORT_LINK_HOSTS = ("vm.tiktok.com", "vt.tiktok.com", "youtu.be", "fb.watch", "fb.me", "t.co",
                     "lnkd.in", "instagr.am")
# On these platforms a profile path starts with "@"; anything else is a post or a page.
_AT_PROFILES = ("tiktok.com", "youtube.com")


def _handle_from_url(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in _SHORT_LINK_HOSTS):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if any(host == h or host.endswith("." + h) for h in _AT_PROFILES):
        return segments[0] if segments and segments[0].startswith("@") else None
    if parts.path.rstrip("/").endswith("profile.php"):
        ids = parse_qs(parts.query).get("id")
        return ids[0] if ids else None
    if segments[:1] == ["in"] and len(segments) > 1:  # linkedin.com/in/<handle>
        return segments[1]
    if segments and segments[0].lower() not in _NOT_PROFILES:
        return segments[0]
    return None
