"""What a forwarded post is: its words, its link, the platform it came from, and its author's handle."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.core.mrkdwn import escape

PLATFORMS = ("facebook", "instagram", "x", "tiktok", "linkedin", "youtube", "website", "other")
NOT_SOCIAL = ("website", "other")  # a link that names no social platform, or none at all
SOCIAL_PLATFORMS = tuple(p for p in PLATFORMS if p not in NOT_SOCIAL)

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


# --- messages shared or forwarded into the intake channel ------------------------------------

MAX_SHARED = 10  # attachments looked at per message; Slack's own limit for a message is 100


@dataclass(frozen=True)
class SharedPost:
    """A Slack message that was shared ("Share message", forward) or unfurled into another one."""

    text: str  # as Slack writes a message's text: mrkdwn, with &, < and > escaped
    author: str | None
    permalink: str | None
    file_ids: tuple[str, ...]


def shared_posts(message: Any) -> list[SharedPost]:
    """The messages that ``message`` shares or forwards, with their words.

    Slack puts them in ``attachments[]`` (``is_share`` or ``is_msg_unfurl``), while the message's
    own ``text`` holds only what the person who shared it added. The words are the attachment's
    ``text``; when that is empty, the rich text of its ``message_blocks`` (or ``blocks``); then its
    ``fallback`` without the "[date] name:" Slack puts before it. Link previews (unfurls of web
    pages) are not shared messages and are left alone.
    """
    attachments = message.get("attachments") if isinstance(message, dict) else None
    if not isinstance(attachments, list):
        return []
    found: list[SharedPost] = []
    for item in attachments[:MAX_SHARED]:
        if not isinstance(item, dict) or not (item.get("is_share") is True or item.get("is_msg_unfurl") is True):
            continue
        text = _text(item.get("text")).strip() or _shared_rich_text(item) or _fallback_words(item)
        author = _text(item.get("author_name")).strip() or _text(item.get("author_subname")).strip()
        permalink = next((url for url in (_text(item.get("from_url")), _text(item.get("original_url")))
                          if _is_permalink(url)), None)
        listed = item.get("files") if isinstance(item.get("files"), list) else []
        files = tuple(f["id"] for f in listed if isinstance(f, dict) and isinstance(f.get("id"), str))
        if text or files:
            found.append(SharedPost(text, author or None, permalink, files))
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


_FALLBACK_PREFIX = re.compile(r"^\[[^\]\n]{1,80}\] [^:\n]{1,120}: ")


def _fallback_words(item: dict) -> str:
    fallback = _text(item.get("fallback")).strip()
    return _FALLBACK_PREFIX.sub("", fallback, count=1).strip()


def _is_permalink(url: str) -> bool:
    """A link Slack made to a message: https, no room for mrkdwn tricks, fits the case's column."""
    if not url or len(url) > 500 or any(c in url for c in "<>|\"' \t\r\n"):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


def _shared_rich_text(item: dict) -> str:
    blocks: list[Any] = []
    wrappers = item.get("message_blocks") if isinstance(item.get("message_blocks"), list) else []
    for wrapper in wrappers:
        message = wrapper.get("message") if isinstance(wrapper, dict) else None
        if isinstance(message, dict) and isinstance(message.get("blocks"), list):
            blocks.extend(message["blocks"])
    if not blocks and isinstance(item.get("blocks"), list):
        blocks = item["blocks"]
    return rich_text(blocks)


def rich_text(blocks: Any) -> str:
    """The words of a message's ``rich_text`` blocks, written as Slack writes a message's ``text``."""
    if not isinstance(blocks, list):
        return ""
    parts = []
    for block in blocks:
        if isinstance(block, dict) and block.get("type") == "rich_text" and isinstance(block.get("elements"), list):
            parts.extend(_rich_element(element) for element in block["elements"])
    return "\n".join(p for p in parts if p).strip()


def _rich_element(element: Any) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    children = element.get("elements") if isinstance(element.get("elements"), list) else []
    if kind in ("rich_text_section", "rich_text_preformatted"):
        return _inline(children)
    if kind == "rich_text_quote":
        return "\n".join("&gt; " + line for line in _inline(children).splitlines())
    if kind == "rich_text_list":
        ordered = element.get("style") == "ordered"
        items = [_inline(item.get("elements")) for item in children if isinstance(item, dict)]
        return "\n".join(f"{n}. {text}" if ordered else f"• {text}" for n, text in enumerate(items, 1))
    return ""


_SAFE_ID = re.compile(r"^[A-Za-z0-9_.^-]{1,64}$")


def _inline(elements: Any) -> str:
    if not isinstance(elements, list):
        return ""
    out = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        text = _text(element.get("text"))
        if kind == "text":
            out.append(escape(text))
        elif kind == "link":
            url = _text(element.get("url"))
            if url and not any(c in url for c in "<>| \t\r\n"):
                out.append(f"<{url}|{escape(text)}>" if text else f"<{url}>")
            else:
                out.append(escape(text or url))
        elif kind in ("user", "channel", "usergroup") and _SAFE_ID.match(_text(element.get(f"{kind}_id"))):
            ref = _text(element.get(f"{kind}_id"))
            out.append({"user": f"<@{ref}>", "channel": f"<#{ref}>", "usergroup": f"<!subteam^{ref}>"}[kind])
        elif kind == "broadcast" and _text(element.get("range")) in ("here", "channel", "everyone"):
            out.append(f"<!{element['range']}>")
        elif kind == "emoji" and _SAFE_ID.match(_text(element.get("name"))):
            out.append(f":{element['name']}:")
        elif kind == "date":
            out.append(escape(_text(element.get("fallback"))))
    return "".join(out)


# --- what a message brings in, and the new-case form ---------------------------------------------


@dataclass(frozen=True)
class Post:
    text: str
    link: str | None
    comment: str | None
    permalink: str | None
    file_ids: tuple[str, ...]


def read_post(message: dict) -> Post:
    """What a message brings in: its own words, or, when it shares or forwards other messages,
    their words as the post and its own words as the comment of the person who shared them."""
    own = message.get("text") if isinstance(message.get("text"), str) else ""
    shared = shared_posts(message)
    if not shared:
        return Post(own, find_link(own), None, None, ())
    text = "\n\n".join(post.text for post in shared if post.text)
    permalink = next((post.permalink for post in shared if post.permalink), None)
    files = tuple(dict.fromkeys(f for post in shared for f in post.file_ids))
    # A pasted link to the shared message is not a comment, nor the citizen's post's link.
    for post in shared:
        if post.permalink:
            own = own.replace(f"<{post.permalink}>", "")
    return Post(text, find_link(text) or find_link(own), own.strip() or None, permalink, files)


# Message subtypes that are a person's new post; edits, joins, bot posts and the rest are not.
_POST_SUBTYPES = (None, "file_share")


def is_new_post(event: dict) -> bool:
    """A message event that is a person's new post (in a channel, or a thread's reply)."""
    return event.get("subtype") in _POST_SUBTYPES and not event.get("bot_id") and bool(event.get("user"))


def file_ids(message: dict) -> tuple[str, ...]:
    return tuple(
        f["id"] for f in message.get("files") or []
        if isinstance(f, dict) and isinstance(f.get("id"), str)
    )


@dataclass(frozen=True)
class NewCase:
    """The new-case form, checked: ``errors`` maps a field (text, platform, author, channel) to
    the key of what is wrong with it."""

    text: str
    link: str | None
    author: str | None
    platform: str | None
    channel: str
    errors: dict[str, str]


def check_new_case(fields: dict[str, str], channels: tuple[str, ...] | list[str]) -> NewCase:
    """``fields`` by name (text, link, author, platform, channel), empty ones left out."""
    text, link, author = fields.get("text") or "", fields.get("link"), fields.get("author")
    platform = fields.get("platform")
    channel = fields.get("channel") or channels[0]
    errors = {}
    if not text and not link:
        errors["text"] = "form.error_empty"
    if platform is not None and platform not in PLATFORMS:
        errors["platform"] = "form.error_platform"
    platform = platform or guess_platform(link)
    if author and normalise_handle(platform, author) is None:
        errors["author"] = "form.error_author"
    if channel not in channels:
        errors["channel"] = "form.error_channel"
    return NewCase(text, link, author, platform, channel, errors)


@dataclass(frozen=True)
class Unfurled:
    """A post whose pasted link to a Slack message Slack unfurled afterwards (as an edit): the
    shared message's words now, and the words the post had before."""

    ts: str
    post: Post
    was: str


def unfurled_later(event: dict) -> Unfurled | None:
    """A ``message_changed`` event that only adds a shared message to a person's top-level post."""
    message, previous = event.get("message"), event.get("previous_message")
    if not isinstance(message, dict) or not isinstance(previous, dict) or message.get("bot_id"):
        return None
    ts = message.get("ts")
    if not isinstance(ts, str) or message.get("thread_ts") not in (None, ts):
        return None
    if shared_posts(previous) or not shared_posts(message):
        return None
    return Unfurled(ts, read_post(message), read_post(previous).text)
