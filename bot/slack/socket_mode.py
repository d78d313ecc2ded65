"""Socket Mode: the bot's own client, on the ``websockets`` library.

Slack's protocol: ``apps.connections.open`` with the app-level token gives a WebSocket URL; Slack
says ``hello``, then sends envelopes (``events_api``, ``interactive``, ``slash_commands``) that
the bot acknowledges with ``{"envelope_id", "payload"?}`` within three seconds, and may send
``{"type": "disconnect", "reason": ...}`` when the bot must move to a new connection.

Why not slack_sdk's clients: its built-in one keeps reading an empty socket at full CPU after a
connection dropped without a close frame and notices only after five failed pings (about 50 s);
its websocket-client one never notices a connection that silently stops answering. Here every
way a connection can end ends the receive loop at once (a close frame, a reset, an end of stream),
a connection that stops answering pings is given up after ``ping_interval + ping_timeout``, and
the next connection is opened straight away, then with back-off while Slack cannot be reached
(blocked waits, no busy loop).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from bot.core import work
from bot.core.config import Settings, seconds_from_env

logger = logging.getLogger(__name__)

# apps.connections.open answers that no retry can mend: the token is wrong, revoked or of the wrong kind.
FATAL_ERRORS = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "not_allowed_token_type", "missing_scope", "no_permission", "app_deleted",
})
ENVELOPE_THREADS = 10


class StartFailed(Exception):
    """Socket Mode cannot start (or go on); the message is one line for the operator."""


@dataclass(frozen=True)
class Timing:
    ping_interval: float = 5.0  # a ping every this many seconds...
    ping_timeout: float = 5.0  # ...and the connection is given up when its pong is this late
    open_timeout: float = 5.0  # for the WebSocket handshake
    retry_max: float = 5.0  # longest wait between two attempts to connect
    start_attempts: int = 5  # attempts before a start that never connected gives up

    @classmethod
    def from_env(cls) -> "Timing":
        seconds = seconds_from_env
        ping = seconds("SOCKET_MODE_PING", cls.ping_interval, 0.2, 60)
        attempts = seconds("SOCKET_MODE_START_ATTEMPTS", cls.start_attempts, 1, 100)
        return cls(ping_interval=ping, ping_timeout=ping, open_timeout=max(ping, 2.0),
                   retry_max=seconds("SOCKET_MODE_RETRY_MAX", cls.retry_max, 0.1, 300),
                   start_attempts=int(attempts))


class SocketModeRunner:
    """Keeps one Socket Mode connection open and hands each envelope to the Bolt app."""

    def __init__(self, app: App, settings: Settings, timing: Timing | None = None) -> None:
        self.app = app
        self.app_token = settings.app_token or ""
        self.timing = timing or Timing()
        # Its own client without retry handlers: this loop decides when to try again.
        self.web = WebClient(base_url=settings.slack_api_url, timeout=10)
        self.connected = threading.Event()
        self.stopping = threading.Event()
        self._ws: ClientConnection | None = None
        self._ws_lock = threading.Lock()
        self._envelopes = work.TrackedExecutor(max_workers=ENVELOPE_THREADS, thread_name_prefix="envelope")
        self._in_flight = 0
        self._in_flight_cond = threading.Condition()
        self.connections = 0

    # -- the receive loop --------------------------------------------------------------------
    def run(self) -> None:
        """Connect, receive and reconnect until :meth:`stop`; raises StartFailed when the app
        token is refused, or when the first connection cannot be made in ``start_attempts``."""
        failures = 0
        while not self.stopping.is_set():
            if failures:
                if self.connections == 0 and failures >= self.timing.start_attempts:
                    raise StartFailed(f"cannot connect to Slack in Socket Mode after {failures} attempts "
                                      f"({self._last_problem})")
                # The first retry is at once (a dropped connection is usually back in an instant),
                # then with back-off: blocked waits, no busy loop while Slack is away.
                delay = min(0.25 * 2 ** (failures - 1), self.timing.retry_max) if failures > 1 else 0
                if delay and self.stopping.wait(delay):
                    break
            began = time.monotonic()
            try:
                url = self._open_url()
                self._receive(url)
                failures = 0 if self._lasted(began) else failures + 1
            except StartFailed:
                raise
            except SlackApiError as error:
                failures += 1
                self._last_problem = f"apps.connections.open: {error.response.get('error')}"
                retry_after = _retry_after(error)
                logger.warning("Socket Mode: %s; trying again", self._last_problem)
                if retry_after and self.stopping.wait(retry_after):
                    break
            except (ConnectionClosed, InvalidHandshake, InvalidURI, OSError, TimeoutError, ValueError) as error:
                failures = 0 if self._lasted(began) else failures + 1
                self._last_problem = type(error).__name__
                if not self.stopping.is_set():
                    logger.warning("Socket Mode connection lost (%s); reconnecting", type(error).__name__)
            finally:
                self.connected.clear()
                with self._ws_lock:
                    self._ws = None
        logger.info("Socket Mode stopped receiving")

    _last_problem = ""

    def _lasted(self, began: float) -> bool:
        """Whether this connection said hello and lived a while: then its end is no failure and the
        next connection is opened at once. One that keeps ending right away backs off."""
        return self.connected.is_set() and time.monotonic() - began >= 2.0

    def _open_url(self) -> str:
        try:
            response = self.web.apps_connections_open(app_token=self.app_token)
        except SlackApiError as error:
            code = error.response.get("error")
            if code in FATAL_ERRORS:
                raise StartFailed(f"SLACK_APP_TOKEN was refused by Slack ({code}): create an app-level "
                                  "token with connections:write under Basic Information") from None
            raise
        url = response.get("url")
        if not isinstance(url, str) or not url.startswith(("wss://", "ws://")):
            raise ValueError("apps.connections.open gave no WebSocket URL")
        return url

    def _receive(self, url: str) -> None:
        t = self.timing
        with connect(url, open_timeout=t.open_timeout, ping_interval=t.ping_interval,
                     ping_timeout=t.ping_timeout, close_timeout=1, max_size=2 ** 24,
                     compression=None) as ws:
            with self._ws_lock:
                if self.stopping.is_set():
                    return
                self._ws = ws
            for raw in ws:
                if not self._handle(ws, raw):
                    return

    def _handle(self, ws: ClientConnection, raw: str | bytes) -> bool:
        """One message from Slack; False when this connection is to be left for a new one."""
        try:
            message = json.loads(raw)
        except ValueError:
            logger.warning("Socket Mode: a message that is not JSON, ignored")
            return True
        if not isinstance(message, dict):
            return True
        kind = message.get("type")
        if kind == "hello":
            self.connections += 1
            self.connected.set()
            logger.info("Socket Mode connected")
            return True
        if kind == "disconnect":
            logger.info("Socket Mode: Slack asks to reconnect (%s)", message.get("reason"))
            return False
        envelope_id = message.get("envelope_id")
        if not isinstance(envelope_id, str) or not envelope_id:
            return True
        if self.stopping.is_set():
            return True  # not acknowledged: Slack delivers it again to the next connection
        with self._in_flight_cond:
            self._in_flight += 1
        try:
            self._envelopes.submit(self._dispatch, ws, message)
        except RuntimeError:  # the pool is shut down: stopping
            self._envelope_done()
        return True

    def _dispatch(self, ws: ClientConnection, message: dict) -> None:
        envelope_id = message["envelope_id"]
        try:
            payload = message.get("payload")
            if not isinstance(payload, dict):
                payload = {}
            headers = {}
            if message.get("retry_attempt"):
                headers["x-slack-retry-num"] = str(message["retry_attempt"])
                headers["x-slack-retry-reason"] = str(message.get("retry_reason") or "")
            response = self.app.dispatch(BoltRequest(mode="socket_mode", body=payload, headers=headers or None))
            ack: dict = {"envelope_id": envelope_id}
            if response.status == 200 and response.body:
                content_type = (response.headers.get("content-type") or [""])[0]
                if content_type.startswith("application/json"):
                    ack["payload"] = json.loads(response.body)
                else:
                    ack["payload"] = {"text": response.body}
            elif response.status != 200:
                logger.warning("Socket Mode: envelope %s answered %s", envelope_id, response.status)
            try:
                ws.send(json.dumps(ack))
            except (ConnectionClosed, OSError) as error:
                # Not acknowledged after all: Slack delivers the envelope again.
                logger.warning("Socket Mode: could not acknowledge envelope %s (%s)", envelope_id,
                               type(error).__name__)
        except Exception as error:  # noqa: BLE001 (ids only: the payload holds citizens' words)
            logger.error("Socket Mode: envelope %s failed: %s", envelope_id, type(error).__name__)
        finally:
            self._envelope_done()

    def _envelope_done(self) -> None:
        with self._in_flight_cond:
            self._in_flight -= 1
            self._in_flight_cond.notify_all()

    # -- stopping ----------------------------------------------------------------------------
    def stop(self, ack_wait: float = 4.0) -> None:
        """Take no new envelopes; let those being answered send their ack; then close."""
        self.stopping.set()
        deadline = time.monotonic() + ack_wait
        with self._in_flight_cond:
            while self._in_flight > 0 and time.monotonic() < deadline:
                self._in_flight_cond.wait(max(deadline - time.monotonic(), 0.01))
        with self._ws_lock:
            ws = self._ws
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001 (closing a connection that is already gone)
                pass

    def stop_in_background(self) -> None:
        """For a signal handler: never blocks."""
        self.stopping.set()
        threading.Thread(target=self.stop, name="socket-mode-stop", daemon=True).start()


def _retry_after(error: SlackApiError) -> float:
    if getattr(error.response, "status_code", 200) != 429:
        return 0.0
    try:
        return min(float(error.response.headers.get("Retry-After", "1")), 60.0)
    except (TypeError, ValueError):
        return 1.0


class HealthServer:
    """``GET /healthz`` on $PORT in Socket Mode: 200 when connected to Slack and the database
    answers, 503 otherwise (also while stopping)."""

    def __init__(self, port: int, healthy) -> None:
        checker = healthy

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
                self._answer(send_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(send_body=False)

            def _answer(self, send_body: bool) -> None:
                if self.path.split("?", 1)[0] != "/healthz":
                    status, text = 404, "not found"
                else:
                    problem = checker()
                    status, text = (200, "ok") if problem is None else (503, problem)
                body = (text + "\n").encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:  # noqa: A002 (no access log)
                return

        self.server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="healthz", daemon=True)

    def start(self) -> "HealthServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fail(problem: str) -> None:
    print(f"reageerwijzer: {problem}", file=sys.stderr)
    raise SystemExit(2)
