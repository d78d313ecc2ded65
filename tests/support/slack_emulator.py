"""A local emulator of the Slack Web API, for end-to-end tests.

The emulator is a small HTTP server (stdlib only) that answers the Web API
methods a moderation bot uses with responses shaped like Slack's, and records
every call so tests can assert on what the bot did::

    with SlackEmulator() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        client.chat_postMessage(channel="C0INTAKE01", text="hallo")
        call = slack.wait_for("chat.postMessage")[0]
        assert call.params["text"] == "hallo"

Besides ``/api/<method>`` it answers:

* ``POST /response/<anything>``: a stand-in for Slack's ``response_url``
  webhooks, recorded as ``Call(method="response_url", ...)``;
* ``POST /upload/<file_id>``: the upload URL handed out by
  ``files.getUploadURLExternal``, recorded as ``Call(method="file_upload", ...)``;
* ``GET /healthz``: ``{"ok": true}`` (not recorded), for readiness checks.

Run standalone with ``python -m tests.support.slack_emulator --port 8999``.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import signal
import threading
import time
import zlib
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urlsplit

# --------------------------------------------------------------------------
# The made-up workspace the emulator pretends to be.
# --------------------------------------------------------------------------
TEAM_ID = "T0TEST0001"
TEAM_NAME = "Gemeente Test"
TEAM_DOMAIN = "gemeente-test"
WORKSPACE_URL = f"https://{TEAM_DOMAIN}.slack.com/"
APP_ID = "A0TEST0001"
BOT_USER_ID = "U0BOT00001"
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
BOT_USER_NAME = "reageerwijzer"
BOT_ID = "B0BOT00001"
BOT_SCOPES = (
    "app_mentions:read,channels:history,channels:read,chat:write,commands,"
    "files:read,files:write,groups:history,groups:read,im:history,im:read,"
    "im:write,reactions:read,reactions:write,users:read"
)

_FIRST_NAMES = (
    "Anna", "Jonas", "Lotte", "Pieter", "Sofie", "Bram", "Elke", "Wout",
    "Fien", "Lars", "Marie", "Tom", "Ines", "Koen", "Hanne", "Ruben",
)
_LAST_NAMES = (
    "Peeters", "Janssens", "Maes", "Claes", "Wouters", "De Smet", "Willems",
    "Goossens", "Hermans", "Jacobs", "Vermeulen", "Mertens", "Dubois", "Lambrechts",
)

# Parameters that carry free text: never JSON-decoded even if they look like JSON.
_TEXT_PARAMS = frozenset(
    {"text", "initial_comment", "title", "alt_txt", "content", "query", "name", "filename"}
)
# Parameters whose value Slack documents as "a JSON-encoded string": decoded in
# every encoding, so tests see Python objects however the bot sent them.
_JSON_PARAMS = frozenset(
    {"blocks", "attachments", "view", "metadata", "files", "user_auth_blocks"}
)


def made_up_person(user_id: str) -> tuple[str, str]:
    """A stable, made-up (username, real name) for a Slack user id."""
    n = zlib.crc32(user_id.encode("utf-8"))
    first = _FIRST_NAMES[n % len(_FIRST_NAMES)]
    last = _LAST_NAMES[(n // len(_FIRST_NAMES)) % len(_LAST_NAMES)]
    username = f"{first}.{last}".lower().replace(" ", "")
    return username, f"{first} {last}"


def dm_channel_for(user_id: str) -> str:
    """The id of the direct-message channel between the bot and a user, as the emulator assigns it."""
    return "D" + user_id[1:]


@dataclass
class Call:
    """One recorded request to the emulator."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    failed: bool = False
    status: int = 200
    response: Any = None
    path: str = ""

    def __repr__(self) -> str:  # compact, for assertion messages
        return f"Call({self.method!r}, status={self.status}, failed={self.failed}, params={_short(self.params)})"


@dataclass
class _Fault:
    status: int
    retry_after: int | float | None
    error: str | None
    remaining: int


@dataclass
class _Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _maybe_json(value: Any) -> Any:
    """Decode a string that holds a JSON array or object; return anything else unchanged."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("[", "{"):
            try:
                return json.loads(stripped)
            except ValueError:
                return value
    return value


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SlackEmulator/1.0"

    def do_POST(self) -> None:  # noqa: N802 (stdlib naming)
        self.server.emulator._handle(self)  # type: ignore[attr-defined]

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class SlackEmulator:
    """A local Slack Web API. See the module docstring."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        accepted_tokens: Iterable[str] | None = None,
        max_calls: int | None = None,
        verbose: bool = False,
    ) -> None:
        """``accepted_tokens``: when given, any other token gets ``invalid_auth``
        (default: every token is accepted). ``max_calls``: keep only the most
        recent calls (default: all). ``verbose``: print a line per call."""
        self._host = host
        self._port = port
        self.accepted_tokens = set(accepted_tokens) if accepted_tokens is not None else None
        self.verbose = verbose
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._calls: collections.deque[Call] = collections.deque(maxlen=max_calls)
        self._last_ts_us = 0
        self._counter = 0
        self._init_state()

    def _init_state(self) -> None:
        self._faults: dict[str, collections.deque[_Fault]] = {}
        self._delays: dict[str, collections.deque[list]] = {}
        self._stubs: dict[str, Any] = {}
        self._members: dict[str, list[str]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._absent_users: set[str] = set()
        self._channels: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._reactions: set[tuple[str, str, str]] = set()
        self._scheduled: dict[str, dict[str, Any]] = {}
        self._dm_users: dict[str, str] = {}
        # Install mode: OAuth codes waiting to be exchanged, each token's workspace, each
        # channel's workspace (a token from another workspace does not see the channel).
        self._codes: dict[str, dict[str, Any]] = {}
        self._token_team: dict[str, str] = {}
        self._channel_team: dict[str, str] = {}
        self._revoked: set[str] = set()
        self._caller: str | None = None

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------
    def start(self) -> "SlackEmulator":
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), _Handler)
        server.emulator = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "SlackEmulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started")
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``: ``http://127.0.0.1:PORT/api/``."""
        return f"{self.root_url}/api/"

    def response_url(self, suffix: str) -> str:
        """A ``response_url`` served (and recorded) by the emulator."""
        return f"{self.root_url}/response/{suffix.lstrip('/')}"

    # ------------------------------------------------------------------
    # configuration
    # ------------------------------------------------------------------
    def set_members(self, channel: str, user_ids: Iterable[str]) -> None:
        """What ``conversations.members`` returns for ``channel`` (default: [])."""
        with self._lock:
            self._members[channel] = list(user_ids)

    def set_user(self, user_id: str, **fields: Any) -> None:
        """Override fields of the made-up user ``users.info`` returns, e.g. ``deleted=True``.
        A ``profile`` dict is merged into the user's profile. Repeated calls accumulate."""
        with self._lock:
            current = self._users.setdefault(user_id, {})
            profile = fields.pop("profile", None)
            current.update(fields)
            if profile is not None:
                current.setdefault("profile", {}).update(profile)

    def remove_user(self, user_id: str) -> None:
        """Make ``users.info`` answer ``user_not_found`` for ``user_id`` (an id of no user)."""
        with self._lock:
            self._absent_users.add(user_id)

    def set_channel(self, channel: str, **fields: Any) -> None:
        """Override fields of the channel ``conversations.info`` returns, e.g. ``is_archived=True``."""
        with self._lock:
            self._channels.setdefault(channel, {}).update(fields)

    def add_workspace(self, team_id: str, name: str, *, code: str, installer: str,
                      channel: str, channel_name: str = "sociale-media") -> None:
        """A workspace that installs the app: ``oauth.v2.access`` exchanges ``code`` for a bot
        token of that workspace (the installer picked ``channel`` on the consent screen)."""
        with self._lock:
            self._channel_team[channel] = team_id
            self._codes[code] = {"team_id": team_id, "name": name, "installer": installer,
                                 "channel": channel, "channel_name": channel_name}

    def token_of(self, team_id: str) -> str | None:
        """The bot token the emulator handed out for ``team_id`` (the newest)."""
        with self._lock:
            found = [t for t, team in self._token_team.items() if team == team_id]
        return found[-1] if found else None

    def revoke(self, team_id: str) -> None:
        """The app is uninstalled from ``team_id``: its tokens stop working."""
        with self._lock:
            self._revoked.update(t for t, team in self._token_team.items() if team == team_id)

    def set_file(self, file_id: str, **fields: Any) -> None:
        """Override fields of the file ``files.info`` returns."""
        with self._lock:
            self._files.setdefault(file_id, {}).update(fields)

    def stub(self, method: str, response: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None) -> None:
        """Answer ``method`` with a fixed response dict, or with ``response(params)``;
        ``None`` removes the stub. Works for methods the emulator does not know."""
        with self._lock:
            if response is None:
                self._stubs.pop(method, None)
            else:
                self._stubs[method] = response

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | float | None = None,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail: with HTTP ``status``
        (and a ``Retry-After`` header when given), or, when ``error`` is given,
        with HTTP 200 and ``{"ok": false, "error": error}``. Queued faults for
        the same method are used one after the other."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.setdefault(method, collections.deque()).append(
                _Fault(status=status, retry_after=retry_after, error=error, remaining=times)
            )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` only after ``seconds`` (a slow Slack)."""
        with self._lock:
            self._delays.setdefault(method, collections.deque()).append([seconds, times])

    # ------------------------------------------------------------------
    # inspection
    # ------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls in arrival order, optionally only those of ``method``."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(
        self,
        method: str | None,
        predicate: Callable[[Call], bool] = lambda call: True,
        timeout: float = 5.0,
        count: int = 1,
    ) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` (any method when None)
        satisfy ``predicate``; return all such calls recorded so far. Failed
        (fault-injected) calls are included; a predicate that raises counts as
        no match. Raises AssertionError listing the calls seen on timeout."""
        deadline = time.monotonic() + timeout

        def matches(call: Call) -> bool:
            if method is not None and call.method != method:
                return False
            try:
                return bool(predicate(call))
            except Exception:
                return False

        with self._cond:
            while True:
                found = [c for c in self._calls if matches(c)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} call(s) of {method!r}"
                        f" matching the predicate; {len(found)} matched.\n{self._listing()}"
                    )
                self._cond.wait(min(remaining, 0.1))

    def _listing(self) -> str:
        calls = list(self._calls)
        if not calls:
            return "No calls were recorded."
        t0 = calls[0].at
        lines = [f"Calls recorded ({len(calls)}):"]
        for i, c in enumerate(calls):
            flag = " FAILED" if c.failed else ""
            lines.append(f"  [{i}] +{c.at - t0:.3f}s {c.method} (HTTP {c.status}{flag}) {_short(c.params, 240)}")
        return "\n".join(lines)

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages posted through the emulator (current state after chat.update /
        chat.delete), in ts order; each dict has a ``channel`` key."""
        with self._lock:
            items = [
                dict(msg, channel=ch)
                for (ch, _ts), msg in self._messages.items()
                if channel is None or ch == channel
            ]
        return sorted(items, key=lambda m: (float(m["ts"]), m["channel"]))

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The current state of one posted message, or None."""
        with self._lock:
            msg = self._messages.get((channel, ts))
            return dict(msg, channel=channel) if msg is not None else None

    def clear_calls(self) -> None:
        """Forget the recorded calls, keep configuration and state."""
        with self._lock:
            self._calls.clear()

    def reset(self) -> None:
        """Forget recorded calls, pending faults and delays, stubs, configured
        users/members/channels/files and stored messages/views/reactions."""
        with self._lock:
            self._calls.clear()
            self._init_state()

    # ------------------------------------------------------------------
    # HTTP handling
    # ------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        received = time.time()
        parts = urlsplit(h.path)
        path = parts.path
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length > 0 else b""

        if path.startswith("/api/"):
            reply = self._api_call(path[len("/api/"):], h, parts.query, body, received)
        elif path.startswith("/response/"):
            params = self._parse_params(parts.query, body, h.headers.get("Content-Type", ""))
            self._record(Call("response_url", params, None, received, response={"ok": True}, path=path))
            reply = _Reply(body=b'{"ok":true}')
        elif path.startswith("/upload/"):
            file_id = path[len("/upload/"):]
            params = {"file_id": file_id, "size": len(body), "data": body}
            self._record(Call("file_upload", params, None, received, response=f"OK - {len(body)}", path=path))
            reply = _Reply(body=f"OK - {len(body)}".encode(), content_type="text/plain; charset=utf-8")
        elif path in ("/healthz", "/"):
            reply = _Reply(body=b'{"ok":true}')
        else:
            reply = _Reply(status=404, body=b'{"ok":false,"error":"not_found"}')

        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(reply.body)))
            for k, v in reply.headers.items():
                h.send_header(k, v)
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _parse_params(self, query: str, body: bytes, content_type: str) -> dict[str, Any]:
        params: dict[str, Any] = {}
        json_keys: set[str] = set()  # keys whose value came from a JSON body
        for k, v in parse_qsl(query, keep_blank_values=True):
            params[k] = v
        ctype = content_type.split(";", 1)[0].strip().lower()
        if body:
            if ctype == "application/json" or (not ctype and body.lstrip()[:1] == b"{"):
                try:
                    decoded = json.loads(body.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    decoded = {"_raw": body.decode("utf-8", "replace")}
                if isinstance(decoded, dict):
                    params.update(decoded)
                    json_keys.update(decoded)
                else:
                    params["_json"] = decoded
            elif ctype == "multipart/form-data":
                params.update(self._parse_multipart(content_type, body))
            else:
                for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                    params[k] = v
        for k, v in list(params.items()):
            if not isinstance(v, str):
                continue
            if k in _JSON_PARAMS or (k not in json_keys and k not in _TEXT_PARAMS):
                params[k] = _maybe_json(v)
        return params

    @staticmethod
    def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
        header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
        message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
        out: dict[str, Any] = {}
        if not message.is_multipart():
            return out
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            data = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                out[name] = data
            else:
                out[name] = data.decode("utf-8", "replace")
        return out

    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        if self.verbose:
            print(f"{time.strftime('%H:%M:%S')} {call.method} -> {call.status}"
                  f"{' FAILED' if call.failed else ''} {_short(call.params, 200)}", flush=True)

    def _api_call(self, method: str, h: BaseHTTPRequestHandler, query: str, body: bytes, received: float) -> _Reply:
        params = self._parse_params(query, body, h.headers.get("Content-Type", ""))
        token: str | None = None
        auth = h.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip() or None
        body_token = params.pop("token", None)
        if token is None and isinstance(body_token, str) and body_token:
            token = body_token

        with self._lock:
            delay = self._take_delay(method)
        if delay:
            time.sleep(delay)

        with self._lock:
            fault = self._take_fault(method)
            if fault is not None:
                if fault.error is not None:
                    status, response = 200, {"ok": False, "error": fault.error}
                else:
                    status = fault.status
                    error = "ratelimited" if status == 429 else ("service_unavailable" if status == 503 else "fatal_error")
                    response = {"ok": False, "error": error}
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                self._record(Call(method, params, token, received, failed=True, status=status,
                                  response=response, path=f"/api/{method}"))
                return _Reply(status=status, body=json.dumps(response).encode(), headers=headers)

            if method == "oauth.v2.access":  # the app's client id and secret, not a token
                response = self._m_oauth_v2_access(params)
            elif token is None:
                response = {"ok": False, "error": "not_authed"}
            elif self.accepted_tokens is not None and token not in self.accepted_tokens:
                response = {"ok": False, "error": "invalid_auth"}
            elif token in self._revoked:
                response = {"ok": False, "error": "token_revoked"}
            elif self._foreign_channel(token, params):
                response = {"ok": False, "error": "channel_not_found"}
            elif method in self._stubs:
                stub = self._stubs[method]
                response = stub(params) if callable(stub) else json.loads(json.dumps(stub))
            else:
                self._caller = token
                handler = getattr(self, "_m_" + method.replace(".", "_"), None)
                response = handler(params) if handler is not None else {"ok": False, "error": "unknown_method"}
            self._record(Call(method, params, token, received, response=response, path=f"/api/{method}"))
        headers = {"X-OAuth-Scopes": BOT_SCOPES, "X-Accepted-OAuth-Scopes": ""}
        return _Reply(body=json.dumps(response).encode(), headers=headers)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def _take_delay(self, method: str) -> float:
        queue = self._delays.get(method)
        if not queue:
            return 0.0
        entry = queue[0]
        entry[1] -= 1
        if entry[1] <= 0:
            queue.popleft()
        return float(entry[0])

    # ------------------------------------------------------------------
    # id helpers (call with the lock held)
    # ------------------------------------------------------------------
    def _next_ts(self) -> str:
        now_us = int(time.time() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}0{self._counter:08d}"

    def _resolve_channel(self, channel: str) -> str:
        """Posting to a user id goes to the DM with that user, as on Slack."""
        if channel[:1] in ("U", "W"):
            dm = dm_channel_for(channel)
            self._dm_users[dm] = channel
            return dm
        return channel

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": params.get("text") or "",
            "ts": ts,
            "team": TEAM_ID,
            "bot_profile": {
                "id": BOT_ID, "app_id": APP_ID, "name": BOT_USER_NAME, "deleted": False, "team_id": TEAM_ID,
            },
        }
        for key in ("blocks", "attachments", "metadata"):
            if params.get(key) is not None:
                msg[key] = params[key]
        if params.get("thread_ts"):
            msg["thread_ts"] = str(params["thread_ts"])
        return msg

    def _user(self, user_id: str) -> dict[str, Any]:
        username, real_name = made_up_person(user_id)
        is_bot = user_id == BOT_USER_ID
        if is_bot:
            username, real_name = BOT_USER_NAME, "Reageerwijzer"
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": username,
            "deleted": False,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": "Europe/Brussels",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "profile": {
                "title": "",
                "phone": "",
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": real_name.split()[0] if not is_bot else "",
                "display_name_normalized": real_name.split()[0] if not is_bot else "",
                "status_text": "",
                "status_emoji": "",
                "email": None if is_bot else f"{username}@gemeente-test.example",
                "image_48": f"https://avatars.example/{user_id}_48.png",
                "image_72": f"https://avatars.example/{user_id}_72.png",
                "team": TEAM_ID,
            },
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1732400000,
            "has_2fa": False,
            "locale": "nl-BE",
        }
        if is_bot:
            user["profile"]["bot_id"] = BOT_ID
            user["profile"]["api_app_id"] = APP_ID
        override = self._users.get(user_id)
        if override:
            override = json.loads(json.dumps(override))
            profile = override.pop("profile", None)
            user.update(override)
            if profile:
                user["profile"].update(profile)
        return user

    def _view(self, view: dict[str, Any], view_id: str, *, root_view_id: str | None = None,
              previous_view_id: str | None = None) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type", "modal"),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{hashlib.sha1(view_id.encode() + self._next_ts().encode()).hexdigest()[:8]}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "submit_disabled": bool(view.get("submit_disabled", False)),
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }

    # ------------------------------------------------------------------
    # Web API methods (called with the lock held; return the response dict)
    # ------------------------------------------------------------------
    def _m_api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": {k: v for k, v in params.items() if isinstance(v, str)}}

    def _foreign_channel(self, token: str, params: dict[str, Any]) -> bool:
        channel = params.get("channel")
        owner = self._channel_team.get(channel) if isinstance(channel, str) else None
        return owner is not None and owner != self._token_team.get(token, TEAM_ID)

    def _m_oauth_v2_access(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        install = self._codes.pop(str(params.get("code") or ""), None)
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        team_id = install["team_id"]
        token = f"xoxb-{team_id.lower()}-{self._next_id('')}"
        self._token_team[token] = team_id
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": install["installer"]},
            "scope": BOT_SCOPES,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": BOT_USER_ID,
            "team": {"id": team_id, "name": install["name"]},
            "enterprise": None,
            "is_enterprise_install": False,
            "incoming_webhook": {
                "channel": f"#{install['channel_name']}",
                "channel_id": install["channel"],
                "configuration_url": f"https://{team_id.lower()}.slack.com/services/B0HOOK0001",
                "url": f"https://hooks.slack.example/services/{team_id}/B0HOOK0001/made-up",
            },
        }

    def _m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        team_id = self._token_team.get(self._caller or "", TEAM_ID)
        return {
            "ok": True,
            "url": WORKSPACE_URL if team_id == TEAM_ID else f"https://{team_id.lower()}.slack.com/",
            "team": TEAM_NAME if team_id == TEAM_ID else team_id,
            "user": BOT_USER_NAME,
            "team_id": team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            return {"ok": False, "error": "no_text"}
        channel = self._resolve_channel(str(channel))
        ts = self._next_ts()
        msg = self._bot_message(params, ts)
        self._messages[(channel, ts)] = msg
        return {"ok": True, "channel": channel, "ts": ts, "message": msg}

    def _m_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        channel, ts = self._resolve_channel(str(channel)), str(ts)
        msg = self._messages.get((channel, ts)) or self._bot_message({}, ts)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in params:
                msg[key] = params[key]
        msg["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        self._messages[(channel, ts)] = msg
        return {"ok": True, "channel": channel, "ts": ts, "text": msg.get("text", ""), "message": msg}

    def _m_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        channel, ts = self._resolve_channel(str(channel)), str(ts)
        self._messages.pop((channel, ts), None)
        return {"ok": True, "channel": channel, "ts": ts}

    def _m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel, user = params.get("channel"), params.get("user")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not user:
            return {"ok": False, "error": "user_not_found"}
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            return {"ok": False, "error": "no_text"}
        members = self._members.get(str(channel))
        if members is not None and user not in members:
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel, ts = params.get("channel"), params.get("message_ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        channel, ts = str(channel), str(ts)
        link = f"{WORKSPACE_URL}archives/{channel}/p{ts.replace('.', '')}"
        msg = self._messages.get((channel, ts))
        if msg is not None and msg.get("thread_ts") and msg["thread_ts"] != ts:
            link += f"?thread_ts={msg['thread_ts']}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _m_chat_scheduleMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel, post_at = params.get("channel"), params.get("post_at")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        try:
            post_at_int = int(post_at)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_time"}
        if post_at_int < time.time():
            return {"ok": False, "error": "time_in_past"}
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            return {"ok": False, "error": "no_text"}
        scheduled_id = self._next_id("Q")
        channel = self._resolve_channel(str(channel))
        self._scheduled[scheduled_id] = {"channel": channel, "post_at": post_at_int}
        msg = self._bot_message(params, self._next_ts())
        msg.pop("ts", None)
        return {"ok": True, "channel": channel, "scheduled_message_id": scheduled_id,
                "post_at": post_at_int, "message": msg}

    def _m_chat_deleteScheduledMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        scheduled_id = params.get("scheduled_message_id")
        if not scheduled_id or scheduled_id not in self._scheduled:
            return {"ok": False, "error": "invalid_scheduled_message_id"}
        del self._scheduled[scheduled_id]
        return {"ok": True}

    def _m_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: view"]}}
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: trigger_id"]}}
        view_id = self._next_id("V")
        out = self._view(view, view_id)
        self._views[view_id] = out
        return {"ok": True, "view": out}

    def _m_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._m_views_open(params)

    def _m_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: view"]}}
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and external_id:
            view_id = next((v["id"] for v in self._views.values() if v.get("external_id") == external_id), None)
            if view_id is None:
                return {"ok": False, "error": "not_found"}
        if not view_id:
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] view_id or external_id is required"]}}
        current = self._views.get(str(view_id))
        if current is not None and params.get("hash") and params["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        out = self._view(view, str(view_id),
                         root_view_id=current["root_view_id"] if current else None,
                         previous_view_id=current["previous_view_id"] if current else None)
        self._views[str(view_id)] = out
        return {"ok": True, "view": out}

    def _m_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: user_id"]}}
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: view"]}}
        view_id = self._next_id("V")
        out = self._view(view, view_id)
        return {"ok": True, "view": out}

    def _m_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users")
        channel = params.get("channel")
        if channel:
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": str(channel)}}
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        ids = users if isinstance(users, list) else [u.strip() for u in str(users).split(",") if u.strip()]
        if len(ids) == 1:
            dm = self._resolve_channel(ids[0])
            return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": dm}}
        group = "G" + hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:9].upper()
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": group}}

    def _m_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        channel = str(channel)
        now = int(time.time())
        if channel.startswith("D"):
            info: dict[str, Any] = {
                "id": channel, "created": now, "is_im": True, "is_org_shared": False,
                "user": self._dm_users.get(channel, "U" + channel[1:]),
                "is_user_deleted": False, "priority": 0, "is_open": True,
            }
        else:
            name = f"kanaal-{channel.lower()}"
            info = {
                "id": channel,
                "name": name,
                "name_normalized": name,
                "is_channel": channel.startswith("C"),
                "is_group": channel.startswith("G"),
                "is_im": False,
                "is_mpim": False,
                "is_private": channel.startswith("G"),
                "is_archived": False,
                "is_general": False,
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "is_member": True,
                "created": 1700000000,
                "creator": "U0ADMIN001",
                "unlinked": 0,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
                "previous_names": [],
                "context_team_id": TEAM_ID,
            }
            if params.get("include_num_members") in ("1", "true", True, 1):
                info["num_members"] = len(self._members.get(channel, []))
        info.update(json.loads(json.dumps(self._channels.get(channel, {}))))
        return {"ok": True, "channel": info}

    def _m_conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "members": list(self._members.get(str(channel), [])),
                "response_metadata": {"next_cursor": ""}}

    def _m_conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        info = self._m_conversations_info(params)
        if not info.get("ok"):
            return info
        return {"ok": True, "channel": info["channel"], "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]}}

    def _m_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        msgs = [m for (ch, _), m in self._messages.items()
                if ch == channel and (not m.get("thread_ts") or m["thread_ts"] == m["ts"])]
        msgs.sort(key=lambda m: float(m["ts"]), reverse=True)
        return {"ok": True, "messages": msgs, "has_more": False, "pin_count": 0,
                "response_metadata": {"next_cursor": ""}}

    def _m_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "thread_not_found"}
        msgs = [m for (ch, _), m in self._messages.items()
                if ch == channel and (m["ts"] == ts or m.get("thread_ts") == ts)]
        msgs.sort(key=lambda m: float(m["ts"]))
        return {"ok": True, "messages": msgs, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _m_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user")
        # Slack knows only ids it gave out: anything else (a channel id, text) is no user.
        if not user_id or not _USER_ID.fullmatch(str(user_id)) or str(user_id) in self._absent_users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user(str(user_id))}

    def _file(self, file_id: str, **defaults: Any) -> dict[str, Any]:
        now = int(time.time())
        name = defaults.pop("name", None) or "bijlage.png"
        f: dict[str, Any] = {
            "id": file_id,
            "created": now,
            "timestamp": now,
            "name": name,
            "title": name,
            "mimetype": "image/png",
            "filetype": "png",
            "pretty_type": "PNG",
            "user": "U0STAFF001",
            "user_team": TEAM_ID,
            "editable": False,
            "size": 2048,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}",
            "url_private_download": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/download/{name}",
            "permalink": f"{WORKSPACE_URL}files/U0STAFF001/{file_id}/{name}",
            "channels": [],
            "groups": [],
            "ims": [],
            "comments_count": 0,
        }
        f.update(defaults)
        f.update(json.loads(json.dumps(self._files.get(file_id, {}), default=str)))
        return f

    def _m_files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file")
        if not file_id:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": self._file(str(file_id)), "comments": [],
                "response_metadata": {"next_cursor": ""}}

    def _m_files_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = self._next_id("F")
        data = params.get("file")
        content = params.get("content")
        size = len(data) if isinstance(data, (bytes, bytearray)) else len(str(content or "").encode())
        channels = params.get("channels")
        channel_list = [c for c in str(channels).split(",") if c] if channels else []
        f = self._file(file_id, name=params.get("filename") or "bestand", size=size,
                       user=BOT_USER_ID, channels=channel_list)
        if params.get("title"):
            f["title"] = params["title"]
        return {"ok": True, "file": f}

    def _m_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        if not params.get("filename"):
            return {"ok": False, "error": "invalid_arguments"}
        try:
            length = int(params.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._files[file_id] = {"name": params["filename"], "title": params["filename"], "size": length,
                                "user": BOT_USER_ID}
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        out = []
        for entry in files:
            if not isinstance(entry, dict) or not entry.get("id"):
                return {"ok": False, "error": "invalid_arguments"}
            file_id = str(entry["id"])
            if file_id not in self._files:
                return {"ok": False, "error": "file_not_found"}
            if entry.get("title"):
                self._files[file_id]["title"] = entry["title"]
            out.append({"id": file_id, "title": self._files[file_id].get("title", "")})
        return {"ok": True, "files": out}

    def _m_reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts, name = params.get("channel"), params.get("timestamp"), params.get("name")
        if not name:
            return {"ok": False, "error": "invalid_name"}
        if not channel or not ts:
            return {"ok": False, "error": "no_item_specified"}
        key = (str(channel), str(ts), str(name).strip(":"))
        if key in self._reactions:
            return {"ok": False, "error": "already_reacted"}
        self._reactions.add(key)
        return {"ok": True}

    def _m_reactions_remove(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts, name = params.get("channel"), params.get("timestamp"), params.get("name")
        if not name:
            return {"ok": False, "error": "invalid_name"}
        if not channel or not ts:
            return {"ok": False, "error": "no_item_specified"}
        key = (str(channel), str(ts), str(name).strip(":"))
        if key not in self._reactions:
            return {"ok": False, "error": "no_reaction"}
        self._reactions.discard(key)
        return {"ok": True}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Slack Web API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8999)
    parser.add_argument("--max-calls", type=int, default=10000,
                        help="keep only this many recorded calls (default: 10000)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print a line per call")
    args = parser.parse_args(argv)
    emulator = SlackEmulator(args.host, args.port, max_calls=args.max_calls, verbose=args.verbose)

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background by a shell
        signal.signal(signal.SIGINT, _terminate)
    emulator.start()
    print(f"Slack Web API emulator at {emulator.url} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        print(f"stopped after {len(emulator.calls())} recorded call(s)", flush=True)


if __name__ == "__main__":
    main()
