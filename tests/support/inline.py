"""Run a Slack request in the calling thread: an executor that runs each listener at once, and a
sender that hands signed requests straight to a WSGI app (``bench.cpu`` measures CPU this way)."""

from __future__ import annotations

import cProfile
import io
import sys
import time
from collections import defaultdict
from concurrent.futures import Future
from urllib.parse import parse_qs

from tests.support.slack_requests import SlackSender, sign


class InlineExecutor:
    """Runs each submitted listener immediately, in the thread that submits it."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001
            future.set_exception(error)
        return future


class InProcessSender:
    """Looks like ``tests.support.slack_requests.SlackSender`` to ``bench.probe``, but calls a WSGI app."""

    def __init__(self, app, secret: str, emulator, profiler: cProfile.Profile | None) -> None:  # noqa: ANN001
        self.app, self.secret, self.profiler = app, secret, profiler
        self.http = SlackSender("http://127.0.0.1:1", secret, emulator=emulator)  # payloads only
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.sent: list[tuple[str, str, bytes]] = []  # to replay to the floor

    def _call(self, kind: str, content_type: str, body: bytes) -> tuple[int, dict, str]:
        self.sent.append((kind, content_type, body))
        headers = sign(self.secret, body, int(time.time()))
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
            "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
            "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"],
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "3000", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
        }
        status: list[str] = []
        started = time.thread_time()
        if self.profiler is not None:
            self.profiler.enable()
        try:
            reply = b"".join(self.app(environ, lambda s, h, *a: status.append(s)))
        finally:
            if self.profiler is not None:
                self.profiler.disable()
        if not status[0].startswith("200"):
            print(f"{kind}: {status[0]} {reply[:200]!r}", file=sys.stderr)
        self.cpu[kind].append(time.thread_time() - started)
        return int(status[0].split()[0]), {}, ""

    def event(self, event: dict, **_: object) -> tuple[int, dict, str]:
        captured: dict = {}
        self.http.post_signed = lambda body, content_type, **__: captured.update(body=body, ct=content_type) or (0, {}, "")
        self.http.event(event)
        return self._call("intake", captured["ct"], captured["body"])

    def interaction(self, payload: dict, **_: object) -> tuple[int, dict, str]:
        captured: dict = {}
        self.http.post_signed = lambda body, content_type, **__: captured.update(body=body, ct=content_type) or (0, {}, "")
        self.http.interaction(payload)
        kind = payload.get("type", "interaction")
        if kind == "block_actions":
            action = payload["actions"][0]["action_id"]
            kind = "click: strike button" if '"t":"strike"' in (payload["actions"][0].get("value") or "") \
                else "click: confirm measure" if action.startswith("rw_measure:") else "click: tree"
        elif kind == "view_submission":
            kind = "strike form submission"
        return self._call(kind, captured["ct"], captured["body"])

    def command(self, text: str, user: str, channel: str) -> None:
        captured: dict = {}
        self.http.post_signed = lambda body, content_type, **__: captured.update(body=body, ct=content_type) or (0, {}, "")
        self.http.command("/strikes", text, user, channel)
        form = parse_qs(captured["body"].decode())
        kind = "/strikes history" if form.get("text", [""])[0] else "/strikes overview"
        self._call(kind, captured["ct"], captured["body"])
