"""The floor: a bare Bolt app whose listeners only ``ack()``.

It is served exactly like the bot (``gunicorn -c python:bot.gunicorn_conf
'bench.floor:create_wsgi_app()'``: same workers, threads, worker class, timeouts and the same
start-up hook) through Bolt's own WSGI adapter, so the difference between the bot's time to
acknowledge and this one is what the bot itself adds: its request gate, its middleware, its
listeners before ``ack()`` and the work its listeners queue in Bolt's listener threads.

Settings come from the same environment as the bot's: SLACK_SIGNING_SECRET (signatures are
verified, as Slack requires), SLACK_BOT_TOKEN and SLACK_API_URL (the emulator, so Bolt's one
``auth.test`` per worker never leaves the machine).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Callable, Iterable

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
_ANY = re.compile(".*")


def create_app() -> App:
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(token=os.environ["SLACK_BOT_TOKEN"],
                         base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/")),
        token_verification_enabled=False,
        process_before_response=False,  # as the bot
        logger=logging.getLogger("bench.floor"),
    )

    def just_ack(ack: Ack) -> None:
        ack()

    app.event("message")(just_ack)
    app.action(_ANY)(just_ack)
    app.view(_ANY)(just_ack)
    app.command(_ANY)(just_ack)
    app.shortcut(_ANY)(just_ack)
    return app


class FloorWsgiApp:
    """Bolt's WSGI adapter, plus the same ``GET /healthz`` the bot has (for readiness)."""

    def __init__(self) -> None:
        self.slack = SlackRequestHandler(create_app(), path=EVENTS_PATH)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = b"ok\n"
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return self.slack(environ, start_response)


def create_wsgi_app() -> FloorWsgiApp:
    """gunicorn's entry point, called like the bot's (``'bench.floor:create_wsgi_app()'``)."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    # Bolt notes that the given client's token wins over SLACK_BOT_TOKEN; it does, on purpose.
    logging.getLogger("bench.floor").setLevel(logging.ERROR)
    return FloorWsgiApp()
