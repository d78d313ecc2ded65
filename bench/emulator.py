"""The Slack Web API emulator of the tests, with what a load generator in another process needs.

``BenchEmulator`` is ``tests.support.slack_emulator.SlackEmulator`` (every Web API method answers and is
recorded exactly as in the end-to-end tests) plus:

* a change feed, ``GET /bench/feed?since=N&timeout=S``: the messages the bot posted or updated
  (with their buttons), the modals it opened, its ephemeral messages and the ``response_url``
  posts, in order, so the load generator in another process takes the real buttons from the
  messages the bot drew (as ``tests.support.journeys.Thread`` does);
* counters per Web API method that survive ``max_calls`` trimming, for "Slack calls per case".

The feed is read by one consumer; what it has handed out is forgotten. The recorded calls are
trimmed to ``max_calls`` so a long run keeps a bounded amount of memory.
"""

from __future__ import annotations

import collections
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.slack_emulator import Call, SlackEmulator

FEED_PATH = "/bench/feed"


def buttons(blocks: Any) -> list[dict[str, str]]:
    """The buttons of a message exactly as the bot drew them (action_id and value), in order;
    the feed carries these rather than whole messages, to keep the load generator light."""
    found = []
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict) and block.get("type") == "actions":
            for element in block.get("elements") or []:
                if isinstance(element, dict) and element.get("type") == "button":
                    found.append({"action_id": element.get("action_id", ""),
                                  "value": element.get("value", "")})
    return found


def case_version(blocks: Any) -> int | None:
    """The case version a tree message's buttons were drawn for (their values carry it)."""
    found = None
    for button in buttons(blocks):
        try:
            value = json.loads(button["value"] or "")
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("v"), int) and "m" in value:
            found = value["v"] if found is None else max(found, value["v"])
    return found


class BenchEmulator(SlackEmulator):
    def __init__(self, *args: Any, feed: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("max_calls", 2000)
        super().__init__(*args, **kwargs)
        self.feed_enabled = feed
        self._feed: collections.deque[dict[str, Any]] = collections.deque()
        self._feed_first = 0  # the sequence number of self._feed[0]
        self._feed_cond = threading.Condition()
        self.counts: collections.Counter[str] = collections.Counter()
        # chat.update calls that drew a message exactly as it already was (a redundant call).
        self._drawn: dict[tuple[str, str], int] = {}
        self.identical_updates = 0
        # chat.update calls that drew a case's buttons for an older version than already shown.
        self._versions: dict[tuple[str, str], int] = {}
        self.stale_updates = 0

    # -- recording ------------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._lock:
            self.counts[call.method] += 1
            response = call.response if isinstance(call.response, dict) else {}
            if call.method in ("chat.postMessage", "chat.update") and response.get("ok"):
                key = (str(response.get("channel")), str(response.get("ts")))
                drawn = hash(json.dumps([call.params.get("blocks"), call.params.get("text")], sort_keys=True))
                if call.method == "chat.update" and self._drawn.get(key) == drawn:
                    self.identical_updates += 1
                self._drawn[key] = drawn
                version = case_version(call.params.get("blocks"))
                if version is not None:
                    if version < self._versions.get(key, -1):
                        self.stale_updates += 1
                    else:
                        self._versions[key] = version
            entry = self._feed_entry(call) if self.feed_enabled else None
            super()._record(call)
        if entry is not None:
            with self._feed_cond:
                self._feed.append(entry)
                self._feed_cond.notify_all()

    @staticmethod
    def _feed_entry(call: Call) -> dict[str, Any] | None:
        params, response = call.params, call.response if isinstance(call.response, dict) else {}
        if call.failed or not response.get("ok", True):
            return None
        if call.method == "chat.postMessage":
            return {"kind": "post", "channel": response.get("channel"), "ts": response.get("ts"),
                    "thread_ts": params.get("thread_ts"), "buttons": buttons(params.get("blocks"))}
        if call.method == "chat.update":
            return {"kind": "update", "channel": response.get("channel"), "ts": response.get("ts"),
                    "buttons": buttons(params.get("blocks"))}
        if call.method == "views.open":
            view = response.get("view") or {}
            return {"kind": "view", "trigger_id": params.get("trigger_id"),
                    "callback_id": view.get("callback_id"),
                    "private_metadata": view.get("private_metadata", "")}
        if call.method == "chat.postEphemeral":
            return {"kind": "ephemeral", "channel": params.get("channel"), "user": params.get("user")}
        if call.method == "response_url":
            return {"kind": "response", "path": call.path}
        return None

    def count_snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    def redraw_snapshot(self) -> tuple[int, int]:
        """(identical redraws, redraws older than what was shown) so far."""
        with self._lock:
            return self.identical_updates, self.stale_updates

    # -- the feed -------------------------------------------------------------------------------
    def _handle(self, h) -> None:  # noqa: ANN001 (BaseHTTPRequestHandler)
        parts = urlsplit(h.path)
        if parts.path != FEED_PATH:
            super()._handle(h)
            return
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        query = parse_qs(parts.query)
        since = int((query.get("since") or ["0"])[0])
        timeout = min(float((query.get("timeout") or ["0.5"])[0]), 5.0)
        events = self._take_feed(since, timeout)
        body = json.dumps({"next": since + len(events), "events": events}).encode()
        try:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _take_feed(self, since: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._feed_cond:
            # What the consumer has seen (everything before ``since``) is not needed again.
            while self._feed and self._feed_first < since:
                self._feed.popleft()
                self._feed_first += 1
            while self._feed_first + len(self._feed) <= since:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._feed_cond.wait(remaining)
            start = since - self._feed_first
            return [self._feed[i] for i in range(start, len(self._feed))]

    def forget_feed(self) -> None:
        """Drop what nobody will read (between rounds)."""
        with self._feed_cond:
            self._feed_first += len(self._feed)
            self._feed.clear()

    def feed_position(self) -> int:
        with self._feed_cond:
            return self._feed_first + len(self._feed)
