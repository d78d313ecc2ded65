"""HTTP mode's WSGI app: ``POST /slack/events`` through the request gate to Bolt, and ``GET /healthz``
for the platform's health checks."""

from __future__ import annotations

import io
import logging
from typing import Callable, Iterable

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.deps import Deps
from bot.slack import gate as request_check
from storage.db import ping

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class SlackWsgiApp:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.slack = SlackRequestHandler(create_app(deps), path=EVENTS_PATH)
        self.verifier = SignatureVerifier(deps.settings.signing_secret or "")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = ping(self.deps.engine)
            status = "200 OK" if healthy else "503 Service Unavailable"
            body = b"ok\n" if healthy else b"database unavailable\n"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                                    ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD") \
                and request_check.is_ssl_check(b"", query=environ.get("QUERY_STRING") or ""):
            return _text_response(start_response, 200, "")
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            try:
                body = _read_body(environ)
                headers = _headers(environ)
                if request_check.is_ssl_check(body, headers.get("content-type", "")):
                    return _text_response(start_response, 200, "")
                request_check.check(body, headers, self.verifier)
            except request_check.Rejected as rejected:
                logger.warning("refused a request: %s", rejected.reason)
                return _text_response(start_response, rejected.status, rejected.reason)
            notice = request_check.rate_limit_notice(body, headers.get("content-type", ""))
            if notice is not None:
                # Slack drops this app's events for the rest of that minute; it wants a 200 here,
                # and may turn the app's event subscriptions off when deliveries keep failing.
                logger.warning("Slack rate-limits the events for workspace %s (minute %s): "
                               "events of that minute are not delivered", notice.get("team_id"),
                               notice.get("minute_rate_limited"))
                return _text_response(start_response, 200, "")
            environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        try:
            return self.slack(environ, start_response)
        except Exception as error:  # noqa: BLE001 (Bolt parses before it verifies the signature)
            # A body Bolt cannot even parse: never a 500 with a traceback, never its content logged.
            logger.warning("refused an unreadable request to %s: %s", environ.get("PATH_INFO"),
                           type(error).__name__)
            return _text_response(start_response, 400, "bad request")


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 413: "Payload Too Large"}


def _text_response(start_response: Callable, status: int, text: str) -> list[bytes]:
    body = (text + "\n").encode() if text else b""
    start_response(f"{status} {_REASONS.get(status, 'Error')}",
                   [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _read_body(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise request_check.Rejected(400, "bad Content-Length") from None
    if length > request_check.MAX_BODY:
        raise request_check.Rejected(413, "body too large")
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _headers(environ: dict) -> dict[str, str]:
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]  # as sent: Bolt reads it so
    return headers
