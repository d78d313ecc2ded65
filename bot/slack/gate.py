"""A gate in front of Bolt for HTTP mode: the signature first, then the shape of what Slack sends.

Bolt verifies signatures too (and always will: nothing here turns that off), but its middleware
and listener matchers assume a well-formed payload and answer 500 with a traceback when a signed
body has, say, a list where an object belongs; and on a bad signature it logs the whole body, which
may hold a citizen's words. So a request reaches Bolt only when it is signed and has the shape of
a Slack request; anything else gets a 4xx and a log line without content.

The gate reads a body exactly as Bolt will (``slack_bolt.request.internals.parse_body``): a body
is JSON when its content type (up to the first ``;``, as sent) is ``application/json`` or when it
starts with ``{``, whatever the content type says; else it is a form, whose ``payload`` Bolt reads
when the text ``payload`` occurs anywhere in it. So what the gate checked is what Bolt routes. A
body whose format and content type disagree (a JSON envelope sent as a form) is not one Slack
sends and is refused, as is a form naming a field twice (the gate and Bolt would read different
copies).
"""

from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import parse_qs, parse_qsl

from slack_sdk.signature import SignatureVerifier

MAX_BODY = 1_000_000  # Slack's payloads are far smaller; a bigger body is not from Slack


def is_ssl_check(body: bytes, content_type: str = "", *, query: str = "") -> bool:
    """Slack's certificate check: ``ssl_check=1`` in a form body (or, as Slack once sent it, in the
    query of a GET), with at most the verification token beside it. Slack expects 200. It asks for
    nothing and changes nothing, so it is answered before any signature is checked, as Bolt does."""
    if query:
        fields = parse_qs(query, keep_blank_values=True)
    elif body and len(body) <= 1000 and not content_type.startswith("application/json"):
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            return False
    else:
        return False
    return fields.get("ssl_check") == ["1"] and set(fields) <= {"ssl_check", "token"}


def rate_limit_notice(body: bytes, content_type: str) -> dict[str, Any] | None:
    """Slack's ``app_rate_limited`` notice (already through :func:`check`), else None."""
    if not content_type.startswith("application/json") or b"app_rate_limited" not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) and data.get("type") == "app_rate_limited" else None


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check(body: bytes, headers: Mapping[str, str], verifier: SignatureVerifier) -> None:
    """Raise :class:`Rejected` unless ``body`` is a signed, well-shaped Slack request."""
    if len(body) > MAX_BODY:
        raise Rejected(413, "body too large")
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp.isdigit() or len(timestamp) > 12 or not signature:
        raise Rejected(401, "unsigned")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "not UTF-8") from None
    try:
        valid = verifier.is_valid(body=text, timestamp=timestamp, signature=signature)
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise Rejected(401, "bad or stale signature")
    _check_shape(text, headers.get("content-type"))


JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


def media_type(content_type: str | None) -> str | None:
    """The content type as Bolt compares it: up to the first ``;``, case and spaces as sent."""
    return content_type.split(";")[0] if content_type else None


def read_as_json(text: str, content_type: str | None) -> bool:
    """Bolt's rule (``parse_body``): JSON by content type, or by a first character ``{``."""
    return media_type(content_type) == JSON_TYPE or text.startswith("{")


def _check_shape(text: str, content_type: str | None) -> None:
    if not text:
        raise Rejected(400, "empty body")
    as_json = read_as_json(text, content_type)
    declared = (media_type(content_type) or "").strip().lower()
    if as_json and declared != JSON_TYPE:
        raise Rejected(400, "a JSON body with another content type")
    if not as_json and declared != FORM_TYPE:
        raise Rejected(400, "a form body with another content type")
    if as_json:
        data = _json(text)
        kind = data.get("type")
        if kind == "url_verification":
            _need(data, "challenge", str)
        elif kind == "event_callback":
            event = _need(data, "event", dict)
            _need(event, "type", str)
            _optional(data, "team_id", str)
            for key in ("channel", "user", "ts", "thread_ts", "subtype", "text", "bot_id"):
                # user_change carries the whole user object, as Slack documents it.
                _optional(event, key, dict if key == "user" and event["type"] == "user_change" else str)
            _optional(event, "files", list)
            for item in event.get("files") or []:
                if not isinstance(item, dict):
                    raise Rejected(400, "bad files")
        elif kind == "app_rate_limited":  # Slack's notice: these keys and no others
            if not set(data) <= {"token", "type", "team_id", "minute_rate_limited", "api_app_id"}:
                raise Rejected(400, "unexpected rate-limit notice")
            _optional(data, "team_id", str)
        else:
            raise Rejected(400, "unknown event envelope")
        return
    pairs = parse_qsl(text, keep_blank_values=True)
    if len({key for key, _ in pairs}) != len(pairs):
        raise Rejected(400, "a form field given twice")
    form = dict(pairs)  # what Bolt builds from the same text
    if "payload" in text:  # Bolt's test: the text anywhere, not the field
        if "payload" not in form:
            raise Rejected(400, "a form Bolt would read as empty")
        _interactive(_json(form["payload"]))
    elif "command" in form:
        for key in ("command", "user_id", "team_id"):
            if not form.get(key):
                raise Rejected(400, f"command without {key}")
    else:
        raise Rejected(400, "not a Slack request")


def _interactive(payload: dict[str, Any]) -> None:
    kind = _need(payload, "type", str)
    user = _need(payload, "user", dict)
    _need(user, "id", str)
    for key in ("team", "channel", "container", "message", "view"):
        _optional(payload, key, dict)
    for key in ("trigger_id", "response_url", "callback_id"):
        _optional(payload, key, str)
    if isinstance(payload.get("channel"), dict):
        _optional(payload["channel"], "id", str)
    if isinstance(payload.get("team"), dict):
        _optional(payload["team"], "id", str)
    if kind == "block_actions":
        actions = _need(payload, "actions", list)
        if not actions:
            raise Rejected(400, "no actions")
        for action in actions:
            if not isinstance(action, dict):
                raise Rejected(400, "bad action")
            _need(action, "action_id", str)
            for key in ("block_id", "value", "selected_user", "type"):
                _optional(action, key, str)
        _message(payload)
    elif kind in ("view_submission", "view_closed"):
        view = _need(payload, "view", dict)
        _need(view, "callback_id", str)
        _optional(view, "private_metadata", str)
        state = _optional(view, "state", dict) or {}
        values = _optional(state, "values", dict) or {}
        for block in values.values():
            if not isinstance(block, dict):
                raise Rejected(400, "bad view state")
            for element in block.values():
                if not isinstance(element, dict):
                    raise Rejected(400, "bad view state")
                _optional(element, "value", str)
                option = _optional(element, "selected_option", dict)
                if option is not None:
                    _optional(option, "value", str)
    elif kind in ("shortcut", "message_action"):
        _need(payload, "callback_id", str)
        _need(payload, "trigger_id", str)
        if kind == "message_action":
            message = _need(payload, "message", dict)
            _need(message, "ts", str)
            _optional(message, "text", str)
            _optional(message, "files", list)
            channel = _need(payload, "channel", dict)
            _need(channel, "id", str)


def _message(payload: dict[str, Any]) -> None:
    message = payload.get("message")
    if isinstance(message, dict):
        _optional(message, "ts", str)
        _optional(message, "blocks", list)
    container = payload.get("container")
    if isinstance(container, dict):
        _optional(container, "message_ts", str)
        _optional(container, "channel_id", str)


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
        # "\ud800" is valid JSON but no text: it could be neither stored nor shown.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        raise Rejected(400, "not JSON") from None
    except UnicodeEncodeError:
        raise Rejected(400, "text that is not Unicode") from None
    if not isinstance(data, dict):
        raise Rejected(400, "not a JSON object")
    return data


def _need(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Rejected(400, f"{key} missing or of the wrong type")
    return value


def _optional(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, kind):
        raise Rejected(400, f"{key} of the wrong type")
    return value
