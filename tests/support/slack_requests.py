"""Requests as Slack sends them to an app: signing, a small HTTP sender and
payload factories for events, interactions and slash commands.

Everything here uses the standard library only. The people in the payloads
are made up.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import string
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Mapping
from urllib.parse import urlencode

from .slack_emulator import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    made_up_person,
)

# The (deprecated) verification token Slack still puts in every payload.
VERIFICATION_TOKEN = "vErIfIcAtIoNtOkEnTeSt01"
HOOKS_BASE = "https://hooks.slack.com"

__all__ = [
    "APP_ID", "BOT_ID", "BOT_USER_ID", "TEAM_DOMAIN", "TEAM_ID", "VERIFICATION_TOKEN",
    "sign", "SlackSender", "new_ts", "new_trigger_id", "new_event_id",
    "message_event", "message_changed_event", "message_deleted_event", "app_mention_event",
    "file_object", "block_actions", "message_shortcut", "global_shortcut", "view_submission",
    "view_closed", "plain_text_input_value", "users_select_value", "static_select_value",
]


# ---------------------------------------------------------------------------
# signing
# ---------------------------------------------------------------------------
def sign(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers of Slack's v0 request signature for ``body`` sent at ``timestamp``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    ts = str(int(timestamp))
    base = b"v0:" + ts.encode("ascii") + b":" + body
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest}


# ---------------------------------------------------------------------------
# ids and timestamps
# ---------------------------------------------------------------------------
_ts_lock = threading.Lock()
_last_ts_us = 0
_counter = itertools.count(1)


def new_ts() -> str:
    """A message timestamp ("1732440000.000100" style), unique and increasing within this process."""
    global _last_ts_us
    with _ts_lock:
        _last_ts_us = max(int(time.time() * 1_000_000), _last_ts_us + 1)
        return f"{_last_ts_us // 1_000_000}.{_last_ts_us % 1_000_000:06d}"


def _alnum(n: int) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


def new_event_id() -> str:
    """An event id like Slack's ("Ev" + uppercase letters and digits)."""
    return "Ev0" + _alnum(9)


def new_trigger_id() -> str:
    """A trigger id like Slack's ("12345.98765.abcd2358fdea")."""
    return f"{int(time.time())}.{next(_counter):05d}.{secrets.token_hex(16)}"


def _hooks_url(kind: str) -> str:
    return f"{HOOKS_BASE}/{kind}/{TEAM_ID}/{next(_counter):010d}/{secrets.token_hex(12)}"


def _user(user_id: str, team_id: str = TEAM_ID) -> dict[str, Any]:
    username, _real = made_up_person(user_id)
    return {"id": user_id, "username": username, "name": username, "team_id": team_id}


def _team(team_id: str = TEAM_ID) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _channel_name(channel: str) -> str:
    if channel.startswith("D"):
        return "directmessage"
    return f"kanaal-{channel.lower()}"


def _channel_type(channel: str) -> str:
    return {"C": "channel", "G": "group", "D": "im"}.get(channel[:1], "channel")


# ---------------------------------------------------------------------------
# the sender
# ---------------------------------------------------------------------------
class SlackSender:
    """POSTs signed requests to an app's ``/slack/events`` endpoint.

    Every method returns ``(status, headers, body_text)`` and never raises on
    4xx/5xx; ``headers`` has lower-cased names. When ``emulator`` (a
    SlackEmulator or its URL) is given, response_urls in outgoing payloads
    that point at hooks.slack.com are rewritten to the emulator's
    ``/response/...`` path, so ``respond()`` calls are recorded there.
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        emulator: Any = None,
        path: str = "/slack/events",
        timeout: float = 10.0,
        team_id: str = TEAM_ID,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.path = path
        self.timeout = timeout
        self.team_id = team_id
        self.last_event_id: str | None = None
        if emulator is None:
            self._response_root: str | None = None
        elif isinstance(emulator, str):
            root = emulator.rstrip("/")
            self._response_root = root[: -len("/api")] if root.endswith("/api") else root
        else:
            self._response_root = emulator.root_url

    @property
    def url(self) -> str:
        return self.base_url + self.path

    # -- plumbing ------------------------------------------------------------
    def _send(self, url: str, body: bytes | None, headers: Mapping[str, str], method: str = "POST") -> tuple[int, dict[str, str], str]:
        req = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            try:
                text = e.read().decode("utf-8", "replace")
            except Exception:
                text = ""
            finally:
                e.close()
            return e.code, {k.lower(): v for k, v in (e.headers or {}).items()}, text

    def post_signed(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """POST ``body`` signed with ``secret`` (default: the sender's) at ``timestamp`` (default: now)."""
        ts = int(time.time()) if timestamp is None else int(timestamp)
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        headers.update(sign(self.signing_secret if secret is None else secret, body, ts))
        if extra_headers:
            headers.update(extra_headers)
        return self._send(self.url, body, headers)

    def raw(self, body: bytes, headers: Mapping[str, str], *, signed: bool = False) -> tuple[int, dict[str, str], str]:
        """POST arbitrary bytes with exactly ``headers`` (plus a valid signature when ``signed``)."""
        all_headers = dict(headers)
        if signed:
            all_headers.update(sign(self.signing_secret, body, int(time.time())))
        return self._send(self.url, body, all_headers)

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        """An unsigned GET of ``base_url + path`` (e.g. ``/healthz``)."""
        return self._send(self.base_url + path, None, {}, method="GET")

    def _rewrite(self, url: str | None) -> str | None:
        if url and self._response_root and url.startswith(HOOKS_BASE + "/"):
            return f"{self._response_root}/response/{url[len(HOOKS_BASE) + 1:]}"
        return url

    # -- Events API ----------------------------------------------------------
    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        team_id: str | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """Send ``event`` in an ``event_callback`` envelope (JSON). With ``retry_num``,
        adds the X-Slack-Retry-Num / X-Slack-Retry-Reason headers Slack sends on redelivery."""
        team = team_id or self.team_id
        eid = event_id or new_event_id()
        self.last_event_id = eid
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": team,
            "context_team_id": team,
            "context_enterprise_id": None,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": eid,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }
        extra: dict[str, str] = {}
        if retry_num is not None:
            extra["X-Slack-Retry-Num"] = str(retry_num)
            extra["X-Slack-Retry-Reason"] = retry_reason
        body = json.dumps(envelope).encode("utf-8")
        return self.post_signed(body, "application/json", timestamp=timestamp, secret=secret, extra_headers=extra)

    def url_verification(self, challenge: str, *, timestamp: int | None = None, secret: str | None = None) -> tuple[int, dict[str, str], str]:
        body = json.dumps({"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}).encode()
        return self.post_signed(body, "application/json", timestamp=timestamp, secret=secret)

    # -- interactivity -------------------------------------------------------
    def interaction(
        self,
        payload: dict[str, Any],
        *,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """Send an interaction payload (block_actions, view_submission, shortcut...) form-encoded as ``payload=<json>``."""
        payload = dict(payload)
        if "response_url" in payload:
            payload["response_url"] = self._rewrite(payload["response_url"])
        if isinstance(payload.get("response_urls"), list):
            payload["response_urls"] = [
                dict(r, response_url=self._rewrite(r.get("response_url"))) if isinstance(r, dict) else r
                for r in payload["response_urls"]
            ]
        body = urlencode({"payload": json.dumps(payload)}).encode("utf-8")
        return self.post_signed(body, "application/x-www-form-urlencoded", timestamp=timestamp, secret=secret)

    def command(
        self,
        command: str,
        text: str,
        user_id: str,
        channel_id: str,
        *,
        channel_name: str | None = None,
        user_name: str | None = None,
        team_id: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """Send a slash command as Slack does (form-encoded)."""
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id or self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name or _channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_name or made_up_person(user_id)[0],
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._rewrite(response_url or _hooks_url("commands")),
            "trigger_id": trigger_id or new_trigger_id(),
        }
        body = urlencode(form).encode("utf-8")
        return self.post_signed(body, "application/x-www-form-urlencoded", timestamp=timestamp, secret=secret)


# ---------------------------------------------------------------------------
# event payloads (the inner "event" of an event_callback)
# ---------------------------------------------------------------------------
def _rich_text(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(3),
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }
    ]


def file_object(
    file_id: str,
    name: str = "schermafbeelding.png",
    *,
    mimetype: str = "image/png",
    user: str = "U0STAFF001",
    size: int = 48213,
) -> dict[str, Any]:
    """A file object as it appears in a ``file_share`` message's ``files`` list."""
    filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
    now = int(time.time())
    return {
        "id": file_id,
        "created": now,
        "timestamp": now,
        "name": name,
        "title": name,
        "mimetype": mimetype,
        "filetype": filetype,
        "pretty_type": filetype.upper(),
        "user": user,
        "user_team": TEAM_ID,
        "editable": False,
        "size": size,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}",
        "url_private_download": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/download/{name}",
        "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{user}/{file_id}/{name}",
        "is_starred": False,
        "has_rich_preview": False,
        "file_access": "visible",
    }


def message_event(
    channel: str,
    user: str | None,
    text: str,
    ts: str,
    *,
    thread_ts: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A ``message`` event. ``files`` makes it a ``file_share`` message unless another
    subtype is given; ``bot_id`` makes it a message from an app (no client_msg_id)."""
    if files is not None and subtype is None:
        subtype = "file_share"
    event: dict[str, Any] = {"type": "message"}
    if subtype is not None:
        event["subtype"] = subtype
    event["text"] = text
    if user is not None:
        event["user"] = user
    if bot_id is not None:
        event["bot_id"] = bot_id
        event["app_id"] = "A0OTHER001" if bot_id != BOT_ID else APP_ID
        if subtype == "bot_message":
            event["username"] = "Externe integratie"
    elif user is not None and subtype in (None, "file_share", "thread_broadcast"):
        event["client_msg_id"] = str(uuid.uuid4())
        event["blocks"] = _rich_text(text)
    if files is not None:
        event["files"] = files
        event["upload"] = False
        event["display_as_bot"] = False
    event["ts"] = ts
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event["team"] = TEAM_ID
    event["channel"] = channel
    event["event_ts"] = ts
    event["channel_type"] = _channel_type(channel)
    return event


def app_mention_event(channel: str, user: str, text: str, ts: str, *, thread_ts: str | None = None) -> dict[str, Any]:
    """An ``app_mention`` event (``text`` should contain ``<@U0BOT00001>``)."""
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "client_msg_id": str(uuid.uuid4()),
        "team": TEAM_ID,
        "blocks": _rich_text(text),
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def message_changed_event(
    channel: str, user: str, ts: str, new_text: str, previous_text: str, *, thread_ts: str | None = None
) -> dict[str, Any]:
    """A ``message_changed`` event: the message at ``ts`` was edited."""
    now = new_ts()
    message: dict[str, Any] = {
        "type": "message", "user": user, "text": new_text, "ts": ts, "team": TEAM_ID,
        "edited": {"user": user, "ts": now}, "client_msg_id": str(uuid.uuid4()), "blocks": _rich_text(new_text),
    }
    previous: dict[str, Any] = {
        "type": "message", "user": user, "text": previous_text, "ts": ts, "team": TEAM_ID,
        "client_msg_id": message["client_msg_id"], "blocks": _rich_text(previous_text),
    }
    if thread_ts is not None:
        message["thread_ts"] = previous["thread_ts"] = thread_ts
    return {
        "type": "message", "subtype": "message_changed", "message": message, "previous_message": previous,
        "channel": channel, "hidden": True, "ts": now, "event_ts": now, "channel_type": _channel_type(channel),
    }


def message_deleted_event(channel: str, user: str, ts: str, previous_text: str, *, thread_ts: str | None = None) -> dict[str, Any]:
    """A ``message_deleted`` event: the message at ``ts`` was deleted."""
    now = new_ts()
    previous: dict[str, Any] = {"type": "message", "user": user, "text": previous_text, "ts": ts, "team": TEAM_ID}
    if thread_ts is not None:
        previous["thread_ts"] = thread_ts
    return {
        "type": "message", "subtype": "message_deleted", "previous_message": previous, "channel": channel,
        "hidden": True, "deleted_ts": ts, "ts": now, "event_ts": now, "channel_type": _channel_type(channel),
    }


# ---------------------------------------------------------------------------
# interaction payloads
# ---------------------------------------------------------------------------
def block_actions(
    user: str,
    channel: str,
    message_ts: str,
    action_id: str,
    value: str | None,
    *,
    action_type: str = "button",
    selected_user: str | None = None,
    trigger_id: str | None = None,
    container_thread_ts: str | None = None,
    block_id: str | None = None,
    message: dict[str, Any] | None = None,
    response_url: str | None = None,
    is_ephemeral: bool = False,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a click on a bot message in ``channel``.

    ``action_type`` "button" sends ``value``; "users_select" sends
    ``selected_user``; "static_select"/"overflow"/"radio_buttons" send
    ``selected_option`` with ``value``. ``message`` overrides fields of the
    clicked message (e.g. its ``blocks``)."""
    now = new_ts()
    container: dict[str, Any] = {
        "type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": is_ephemeral,
    }
    if container_thread_ts is not None:
        container["thread_ts"] = container_thread_ts
    msg: dict[str, Any] = {
        "type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID,
        "text": "", "ts": message_ts, "team": TEAM_ID, "blocks": [],
    }
    if container_thread_ts is not None:
        msg["thread_ts"] = container_thread_ts
    if message:
        msg.update(message)
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id or "blk_" + secrets.token_hex(3),
                              "type": action_type}
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        if value is not None:
            action["value"] = value
    elif action_type == "users_select":
        action["selected_user"] = selected_user
    elif action_type in ("static_select", "external_select", "overflow", "radio_buttons"):
        action["selected_option"] = (
            None if value is None else {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
        )
    elif value is not None:
        action["value"] = value
    action["action_ts"] = now
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": _channel_name(channel)},
        "message": msg,
        "state": {"values": {}},
        "response_url": response_url or _hooks_url("actions"),
        "actions": [action],
    }
    return payload


def message_shortcut(callback_id: str, user: str, channel: str, message: dict[str, Any], *,
                     trigger_id: str | None = None, response_url: str | None = None) -> dict[str, Any]:
    """A ``message_action`` payload: ``user`` ran the message shortcut on ``message`` (which needs a ``ts``)."""
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "team": _team(),
        "user": _user(user),
        "channel": {"id": channel, "name": _channel_name(channel)},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "response_url": response_url or _hooks_url("app"),
        "message_ts": message["ts"],
        "message": message,
    }


def global_shortcut(callback_id: str, user: str, *, trigger_id: str | None = None) -> dict[str, Any]:
    """A ``shortcut`` (global shortcut) payload."""
    return {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "team": _team(),
        "user": _user(user),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def _view_output(callback_id: str, values: dict[str, Any], private_metadata: str, view_id: str | None,
                 blocks: list[dict[str, Any]] | None, title: str, external_id: str) -> dict[str, Any]:
    vid = view_id or "V0" + _alnum(9)
    return {
        "id": vid,
        "team_id": TEAM_ID,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Annuleren", "emoji": True},
        "submit": {"type": "plain_text", "text": "Versturen", "emoji": True},
        "previous_view_id": None,
        "root_view_id": vid,
        "app_id": APP_ID,
        "external_id": external_id,
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    }


def view_submission(
    callback_id: str,
    user: str,
    values: dict[str, Any],
    private_metadata: str = "",
    *,
    view_id: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Reageerwijzer",
    external_id: str = "",
    trigger_id: str | None = None,
    response_urls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A ``view_submission`` payload. ``values`` is ``view.state.values``:
    ``{block_id: {action_id: <element state>}}`` (see ``plain_text_input_value`` etc.)."""
    return {
        "type": "view_submission",
        "team": _team(),
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": _view_output(callback_id, values, private_metadata, view_id, blocks, title, external_id),
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(callback_id: str, user: str, private_metadata: str = "", *, view_id: str | None = None) -> dict[str, Any]:
    """A ``view_closed`` payload (sent only for views with notify_on_close)."""
    view = _view_output(callback_id, {}, private_metadata, view_id, None, "Reageerwijzer", "")
    view["notify_on_close"] = True
    return {
        "type": "view_closed", "team": _team(), "user": _user(user), "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN, "view": view, "is_cleared": False,
        "is_enterprise_install": False, "enterprise": None,
    }


# Element states as they appear in view.state.values[block_id][action_id].
def plain_text_input_value(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def users_select_value(user_id: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user_id}


def static_select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    option = None if value is None else {
        "text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value,
    }
    return {"type": "static_select", "selected_option": option}
