"""The Socket Mode client's handling of Slack's messages, and the work a stopping process finishes,
without a network (the end-to-end tests are in tests/e2e/test_socket_mode.py)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from slack_bolt import BoltResponse

from bot.core import work
from bot.core.config import ConfigError, Settings
from bot.slack.socket_mode import SocketModeRunner, Timing

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-1-test", "INTAKE_CHANNELS": "C0INTAKE01",
       "SLACK_API_URL": "http://127.0.0.1:9/api/"}


class FakeApp:
    def __init__(self, response: BoltResponse) -> None:
        self.response, self.requests = response, []

    def dispatch(self, request):
        self.requests.append(request)
        return self.response


class FakeConnection:
    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.event = threading.Event()

    def send(self, text: str) -> None:
        self.sent.append(json.loads(text))
        self.event.set()


def runner_with(response: BoltResponse) -> tuple[SocketModeRunner, FakeApp, FakeConnection]:
    app = FakeApp(response)
    return SocketModeRunner(app, Settings.from_env(ENV)), app, FakeConnection()  # type: ignore[arg-type]


def envelope(kind: str = "interactive", **extra) -> str:
    return json.dumps({"envelope_id": "e-1", "type": kind, "accepts_response_payload": True,
                       "payload": {"type": "view_submission"}, "retry_attempt": 0, "retry_reason": "", **extra})


def test_hello_marks_the_connection_up_and_disconnect_asks_for_a_new_one():
    runner, _, ws = runner_with(BoltResponse(status=200, body=""))
    assert runner._handle(ws, json.dumps({"type": "hello", "num_connections": 1}))
    assert runner.connected.is_set()
    for reason in ("refresh_requested", "warning", "link_disabled"):
        assert runner._handle(ws, json.dumps({"type": "disconnect", "reason": reason})) is False


def test_an_envelope_is_acked_with_bolts_response_as_its_payload():
    body = json.dumps({"response_action": "errors", "errors": {"b": "Vul dit in"}})
    runner, app, ws = runner_with(BoltResponse(status=200, body=body,
                                               headers={"content-type": "application/json"}))
    assert runner._handle(ws, envelope(retry_attempt=2, retry_reason="timeout"))
    assert ws.event.wait(5)
    assert ws.sent == [{"envelope_id": "e-1", "payload": {"response_action": "errors", "errors": {"b": "Vul dit in"}}}]
    (request,) = app.requests
    assert request.mode == "socket_mode" and request.body == {"type": "view_submission"}
    assert request.headers["x-slack-retry-num"] == ["2"]


def test_an_empty_answer_is_a_bare_ack():
    runner, _, ws = runner_with(BoltResponse(status=200, body=""))
    runner._handle(ws, envelope("events_api"))
    assert ws.event.wait(5)
    assert ws.sent == [{"envelope_id": "e-1"}]


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", json.dumps({"type": "events_api"}),
                                 json.dumps({"envelope_id": "", "type": "events_api"})])
def test_what_is_not_an_envelope_is_ignored(raw):
    runner, app, ws = runner_with(BoltResponse(status=200, body=""))
    assert runner._handle(ws, raw)
    time.sleep(0.1)
    assert app.requests == [] and ws.sent == []


def test_a_stopping_client_takes_no_new_envelope():
    runner, app, ws = runner_with(BoltResponse(status=200, body=""))
    runner.stopping.set()
    assert runner._handle(ws, envelope("events_api"))
    time.sleep(0.2)
    assert app.requests == [] and ws.sent == []  # not acked: Slack delivers it again


@pytest.mark.parametrize(("name", "value"), [("SOCKET_MODE_PING", "0.1"), ("SOCKET_MODE_PING", "x"),
                                             ("SOCKET_MODE_RETRY_MAX", "-1"), ("SOCKET_MODE_START_ATTEMPTS", "0")])
def test_bad_timings_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        Timing.from_env()


def test_a_stop_starts_queued_work_at_once_and_says_when_some_is_still_running():
    pool = work.TrackedExecutor(max_workers=1)
    release = threading.Event()
    done: list[int] = []
    pool.submit(release.wait, 10)  # holds the pool's only thread, as a slow Slack would
    for n in range(5):
        pool.submit(done.append, n)
    began = time.monotonic()
    assert work.finish(1.0) is False  # the held task is still running
    assert time.monotonic() - began < 2
    assert sorted(done) == [0, 1, 2, 3, 4]  # the queued ones ran anyway
    release.set()
    assert work.wait_idle(5)
    pool.shutdown()
